-- grain: one row per event object per landed Gamma page: /events objects, and the copy
-- embedded in every market (closed events are only known through those)
with

source as not materialized (

    select
        landing_id,
        fetched_at,
        resource,
        response
    from {{ source('landing', 'raw_api_responses') }}
    where
        source = 'polymarket'
        and resource in ('events', 'markets')
        and status_code = 200
        and response is not null

),

listed_events as (

    select
        source.landing_id,
        source.fetched_at,
        'events_listing'::text as observed_via,
        event.element_position,
        event.body
    from source
    cross join
        lateral jsonb_array_elements(
            -- /events/keyset answers {"events": [...], "next_cursor": ...}; /events a bare array.
            case jsonb_typeof(source.response)
                when 'array' then source.response
                when 'object' then {{ json_array("source.response -> 'events'") }}
                else '[]'::jsonb
            end
        ) with ordinality as event (body, element_position)
    where source.resource = 'events'

),

market_events as (

    select
        source.landing_id,
        source.fetched_at,
        'markets_listing'::text as observed_via,
        market.element_position * 100 + event.element_position as element_position,
        event.body
    from source
    cross join
        lateral jsonb_array_elements(
            case jsonb_typeof(source.response)
                when 'array' then source.response
                when 'object' then {{ json_array("source.response -> 'markets'") }}
                else '[]'::jsonb
            end
        ) with ordinality as market (body, element_position)
    cross join
        lateral jsonb_array_elements({{ json_array("market.body -> 'events'") }})
        with ordinality as event (body, element_position)
    where source.resource = 'markets'

),

event_objects as (

    select * from listed_events
    union all
    select * from market_events

),

renamed as (

    select
        -- ids
        body ->> 'id' as event_id,
        'polymarket'::text as source,
        body ->> 'negRiskMarketID' as neg_risk_market_id,
        {{ json_array("body -> 'series'") }} -> 0 ->> 'id' as series_id,

        -- strings
        body ->> 'title' as title,
        body ->> 'slug' as slug,
        body ->> 'ticker' as ticker,
        body ->> 'description' as description,
        coalesce(
            nullif(body ->> 'category', ''),
            nullif({{ json_array("body -> 'tags'") }} -> 0 ->> 'label', '')
        ) as category,
        case
            when jsonb_typeof(body -> 'tags') = 'array'
                then (
                    select jsonb_agg(tag.value ->> 'label' order by tag.element_position)
                    from
                        jsonb_array_elements(body -> 'tags')  -- noqa: RF02, RF03
                        with ordinality as tag (value, element_position)
                    where tag.value ->> 'label' is not null
                )
        end as tags,
        nullif(body ->> 'resolutionSource', '') as resolution_source,
        coalesce(body ->> 'seriesSlug', {{ json_array("body -> 'series'") }} -> 0 ->> 'slug') as series_slug,

        -- numerics
        {{ to_quantity("body ->> 'volume'", 6) }} as volume,
        {{ to_quantity("body ->> 'volume24hr'", 6) }} as volume_24h,
        {{ to_quantity("body ->> 'liquidity'", 6) }} as liquidity,
        {{ to_quantity("body ->> 'openInterest'", 6) }} as open_interest,

        -- booleans
        {{ to_boolean("body ->> 'active'") }} as is_active,
        {{ to_boolean("body ->> 'closed'") }} as is_closed,
        {{ to_boolean("body ->> 'archived'") }} as is_archived,
        {{ to_boolean("body ->> 'negRisk'") }} as is_neg_risk,

        -- timestamps
        {{ to_utc_timestamp("body ->> 'createdAt'") }} as created_at,
        {{ to_utc_timestamp("body ->> 'startDate'") }} as started_at,
        {{ to_utc_timestamp("body ->> 'endDate'") }} as scheduled_end_at,
        {{ to_utc_timestamp("body ->> 'closedTime'") }} as closed_at,
        {{ to_utc_timestamp("body ->> 'updatedAt'") }} as updated_at,
        fetched_at as observed_at,

        -- landing
        observed_via,
        landing_id,
        element_position::int as entity_position,
        body as wire_entity

    from event_objects
    where
        jsonb_typeof(body) = 'object'
        and body ->> 'id' is not null

)

select * from renamed
