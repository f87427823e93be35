-- grain: one row per event object per landed /events page (nested markets are in stg_kalshi__markets)
with

source as (

    select
        landing_id,
        fetched_at,
        response
    from {{ source('kalshi', 'raw_api_responses') }}
    where
        source = 'kalshi'
        and resource = 'events'
        and status_code = 200
        and response is not null

),

event_objects as (

    -- /events answers {"events": [...], "cursor", "milestones"}; /events/{e} {"event": {...}}.
    select
        source.landing_id,
        source.fetched_at,
        event.element_position,
        event.body
    from source
    cross join
        lateral jsonb_array_elements(
            case
                when jsonb_typeof(source.response -> 'events') = 'array' then source.response -> 'events'
                when jsonb_typeof(source.response -> 'event') = 'object'
                    then jsonb_build_array(source.response -> 'event')
                else '[]'::jsonb
            end
        ) with ordinality as event (body, element_position)
    where
        jsonb_typeof(event.body) = 'object'
        and event.body ->> 'event_ticker' is not null

),

renamed as (

    select
        -- ids
        body ->> 'event_ticker' as event_id,
        'kalshi'::text as source,
        -- the event's own series (renamed series: FED-23FEB belongs to KXFED; never split tickers)
        nullif(body ->> 'series_ticker', '') as series_id,

        -- strings
        body ->> 'title' as title,
        nullif(body ->> 'sub_title', '') as subtitle,
        nullif(body ->> 'category', '') as category,
        nullif(body ->> 'collateral_return_type', '') as collateral_return_type,
        {{ json_array("body -> 'settlement_sources'") }} -> 0 ->> 'url' as resolution_source,

        -- booleans
        {{ to_boolean("body ->> 'mutually_exclusive'") }} as is_mutually_exclusive,

        -- timestamps
        {{ to_utc_timestamp("body ->> 'strike_date'") }} as strike_at,
        {{ to_utc_timestamp("body ->> 'last_updated_ts'") }} as updated_at,
        fetched_at as observed_at,

        -- landing
        landing_id,
        element_position::int as entity_position,
        body as wire_entity

    from event_objects

)

select * from renamed
