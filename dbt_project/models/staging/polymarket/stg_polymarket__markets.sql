-- grain: one row per market object per landed Gamma page (a market is seen on every run)
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
        and resource in ('markets', 'events')
        and status_code = 200
        and response is not null

),

listed_markets as (

    -- /markets/keyset answers {"markets": [...], "next_cursor": ...}; /markets a bare array.
    select
        source.landing_id,
        source.fetched_at,
        'markets_listing'::text as observed_via,
        market.element_position,
        market.body,
        {{ json_array("market.body -> 'events'") }} -> 0 as event_body
    from source
    cross join
        lateral jsonb_array_elements(
            case jsonb_typeof(source.response)
                when 'array' then source.response
                when 'object' then {{ json_array("source.response -> 'markets'") }}
                else '[]'::jsonb
            end
        ) with ordinality as market (body, element_position)
    where source.resource = 'markets'

),

event_markets as (

    -- /events objects embed their markets (without the events[] back-reference).
    select
        source.landing_id,
        source.fetched_at,
        'events_listing'::text as observed_via,
        event.element_position * 10000 + market.element_position as element_position,
        market.body,
        event.body as event_body
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
    cross join
        lateral jsonb_array_elements({{ json_array("event.body -> 'markets'") }})
        with ordinality as market (body, element_position)
    where source.resource = 'events'

),

market_objects as (

    select * from listed_markets
    union all
    select * from event_markets

),

parsed as (

    select
        *,
        {{ json_in_string_array("body -> 'outcomes'") }} as outcome_names,
        {{ polymarket_protocol_version('body') }} as protocol_version,
        {{ polymarket_outcome_ids('body') }} as outcome_ids,
        {{ json_in_string_array("body -> 'outcomePrices'") }} as outcome_prices,
        {{ json_in_string_array("body -> 'umaResolutionStatuses'") }} as resolution_status_history,
        {{ to_boolean("body ->> 'closed'") }} as closed_flag
    from market_objects
    where
        jsonb_typeof(body) = 'object'
        and nullif(coalesce(body ->> 'conditionId', body ->> 'condition_id'), '') is not null

),

renamed as (

    select
        -- ids
        {{ polymarket_condition_id("coalesce(body ->> 'conditionId', body ->> 'condition_id')") }} as market_id,
        'polymarket'::text as source,
        body ->> 'id' as venue_market_id,
        event_body ->> 'id' as event_id,
        body ->> 'questionID' as question_id,
        body ->> 'negRiskMarketID' as neg_risk_market_id,

        -- strings
        body ->> 'question' as question,
        body ->> 'description' as description,
        body ->> 'slug' as slug,
        coalesce(
            nullif(body ->> 'category', ''),
            nullif(event_body ->> 'category', ''),
            nullif({{ json_array("event_body -> 'tags'") }} -> 0 ->> 'label', '')
        ) as category,
        nullif(body ->> 'resolutionSource', '') as resolution_source,
        case
            when {{ to_boolean("body ->> 'archived'") }} then 'archived'
            when closed_flag then 'closed'
            when {{ to_boolean("body ->> 'active'") }} then 'active'
            else 'inactive'
        end as venue_status,
        {{ polymarket_resolution_status("body ->> 'umaResolutionStatus'", 'resolution_status_history') }}
            as resolution_status,

        -- protocol: the version picks the outcome ids (v1 clobTokenIds, v2 positionIds)
        protocol_version,
        {{ polymarket_id_protocol('protocol_version') }} as outcome_id_protocol,
        nullif(body ->> 'comboStatus', '') as combo_status,

        -- outcomes, index-aligned (names, outcome ids, last prices)
        outcome_names,
        outcome_ids,
        outcome_ids as outcome_token_ids,
        outcome_prices,
        case
            when
                closed_flag
                and coalesce({{ polymarket_resolution_status("body ->> 'umaResolutionStatus'",
                                                             'resolution_status_history') }}, 'resolved') = 'resolved'
                then {{ polymarket_winning_outcome_index('outcome_prices') }}
        end as winning_outcome_index,

        -- numerics
        coalesce({{ to_quantity("body ->> 'volumeNum'", 6) }}, {{ to_quantity("body ->> 'volume'", 6) }})
            as volume,
        {{ to_quantity("body ->> 'volume24hr'", 6) }} as volume_24h,
        coalesce(
            {{ to_quantity("body ->> 'liquidityNum'", 6) }},
            {{ to_quantity("body ->> 'liquidity'", 6) }}
        ) as liquidity,
        {{ to_probability("body ->> 'bestBid'") }} as best_bid,
        {{ to_probability("body ->> 'bestAsk'") }} as best_ask,
        {{ to_probability("body ->> 'lastTradePrice'") }} as last_trade_price,
        {{ to_probability("body ->> 'orderPriceMinTickSize'") }} as tick_size,

        -- booleans
        {{ to_boolean("body ->> 'active'") }} as is_active,
        closed_flag as is_closed,
        {{ to_boolean("body ->> 'archived'") }} as is_archived,
        {{ to_boolean("body ->> 'acceptingOrders'") }} as is_accepting_orders,
        {{ to_boolean("body ->> 'negRisk'") }} as is_neg_risk,

        -- timestamps
        {{ to_utc_timestamp("body ->> 'createdAt'") }} as created_at,
        {{ to_utc_timestamp("body ->> 'startDate'") }} as started_at,
        coalesce(
            {{ to_utc_timestamp("body ->> 'acceptingOrdersTimestamp'") }},
            {{ to_utc_timestamp("body ->> 'startDate'") }}
        ) as opened_at,
        coalesce(
            {{ to_utc_timestamp("body ->> 'endDate'") }},
            {{ to_utc_timestamp("body ->> 'endDateIso'") }}
        ) as scheduled_close_at,
        {{ to_utc_timestamp("body ->> 'closedTime'") }} as closed_at,
        {{ to_utc_timestamp("body ->> 'umaEndDate'") }} as resolution_ended_at,
        {{ to_utc_timestamp("body ->> 'updatedAt'") }} as updated_at,
        fetched_at as observed_at,

        -- landing
        observed_via,
        landing_id,
        element_position::int as entity_position,
        body as wire_entity

    from parsed

)

select * from renamed
