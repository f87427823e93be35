-- grain: one row per market object per landed page: /markets and /historical/markets listings, and the
-- markets nested in /events objects (a market is seen on every run that lists it)
with

source as not materialized (

    select
        landing_id,
        fetched_at,
        resource,
        endpoint,
        response
    from {{ source('kalshi', 'raw_api_responses') }}
    where
        source = 'kalshi'
        and resource in ('markets', 'events')
        and status_code = 200
        and response is not null

),

listed_markets as (

    -- /markets and /historical/markets answer {"markets": [...], "cursor"}; /markets/{t} {"market": {...}}.
    select
        source.landing_id,
        source.fetched_at,
        case
            when source.endpoint like '/historical/%' then 'historical_markets_listing'
            else 'markets_listing'
        end as observed_via,
        market.element_position,
        market.body,
        null::jsonb as event_body
    from source
    cross join
        lateral jsonb_array_elements(
            case
                when jsonb_typeof(source.response -> 'markets') = 'array' then source.response -> 'markets'
                when jsonb_typeof(source.response -> 'market') = 'object'
                    then jsonb_build_array(source.response -> 'market')
                else '[]'::jsonb
            end
        ) with ordinality as market (body, element_position)
    where source.resource = 'markets'

),

event_markets as (

    -- /events?with_nested_markets=true objects carry their markets and the event's series.
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
            case
                when jsonb_typeof(source.response -> 'events') = 'array' then source.response -> 'events'
                when jsonb_typeof(source.response -> 'event') = 'object'
                    then jsonb_build_array(source.response -> 'event')
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
        lower(body ->> 'status') as status,
        lower(nullif(body ->> 'result', '')) as result,
        {{ kalshi_lifecycle_status("body ->> 'status'", "body ->> 'result'") }} as lifecycle_status,
        {{ kalshi_quote(kalshi_price('body', 'last_price')) }} as last_price,
        coalesce(nullif(body ->> 'yes_sub_title', ''), 'Yes') as yes_outcome_name,
        coalesce(nullif(body ->> 'no_sub_title', ''), 'No') as no_outcome_name
    from market_objects
    where
        jsonb_typeof(body) = 'object'
        and body ->> 'ticker' is not null

),

renamed as (

    select
        -- ids
        body ->> 'ticker' as market_id,
        'kalshi'::text as source,
        null::text as venue_market_id,
        body ->> 'event_ticker' as event_id,
        nullif(event_body ->> 'series_ticker', '') as series_id,
        nullif(body ->> 'mve_collection_ticker', '') as mve_collection_id,

        -- strings
        body ->> 'title' as question,
        nullif(body ->> 'subtitle', '') as subtitle,
        nullif(body ->> 'rules_primary', '') as description,
        null::text as slug,
        nullif(event_body ->> 'category', '') as category,
        null::text as resolution_source,
        status as venue_status,
        case when status in ('determined', 'disputed', 'amended', 'finalized') then status end as resolution_status,
        lifecycle_status,
        result,
        body ->> 'market_type' as market_type,
        body ->> 'price_level_structure' as price_level_structure,

        -- outcomes: two, index-aligned (yes = 0, no = 1); NO's last price mirrors YES's
        jsonb_build_array(yes_outcome_name, no_outcome_name) as outcome_names,
        '["yes", "no"]'::jsonb as outcome_ids,
        null::jsonb as outcome_token_ids,
        jsonb_build_array(last_price, 1 - last_price) as outcome_prices,
        case
            when lifecycle_status = 'resolved' and result = 'yes' then 0
            when lifecycle_status = 'resolved' and result = 'no' then 1
        end as winning_outcome_index,

        -- numerics: contracts and probabilities (a bid of 0 or an ask of 1 is no quote)
        {{ kalshi_count('body', 'volume') }} as volume,
        {{ kalshi_count('body', 'volume_24h') }} as volume_24h,
        {{ kalshi_count('body', 'open_interest') }} as open_interest,
        -- deprecated: always "0.0000" since 2026; legacy integer cents before
        trim_scale(nullif(
            coalesce(
                {{ to_quantity("body ->> 'liquidity_dollars'") }},
                {{ to_quantity("body ->> 'liquidity'") }} / 100.0
            ),
            0
        )) as liquidity,
        {{ kalshi_quote(kalshi_price('body', 'yes_bid')) }} as best_bid,
        {{ kalshi_quote(kalshi_price('body', 'yes_ask')) }} as best_ask,
        {{ kalshi_quote(kalshi_price('body', 'no_bid')) }} as no_best_bid,
        {{ kalshi_quote(kalshi_price('body', 'no_ask')) }} as no_best_ask,
        last_price as last_trade_price,
        {{ kalshi_price('body', 'settlement_value') }} as settlement_value,

        -- booleans
        null::boolean as is_active,
        status in ('closed', 'determined', 'disputed', 'amended', 'finalized', 'settled') as is_closed,
        status in ('active', 'open') as is_accepting_orders,
        null::boolean as is_neg_risk,
        coalesce(
            body ->> 'mve_collection_ticker' is not null or body ->> 'ticker' like 'KXMVE%',
            false
        ) as is_parlay,
        {{ to_boolean("body ->> 'is_provisional'") }} as is_provisional,

        -- timestamps (Go's zero time is null)
        {{ to_utc_timestamp("body ->> 'created_time'") }} as created_at,
        {{ to_utc_timestamp("body ->> 'open_time'") }} as opened_at,
        {{ to_utc_timestamp("body ->> 'close_time'") }} as scheduled_close_at,
        case
            when status in ('closed', 'determined', 'disputed', 'amended', 'finalized', 'settled')
                then {{ to_utc_timestamp("body ->> 'close_time'") }}
        end as closed_at,
        {{ to_utc_timestamp("body ->> 'expected_expiration_time'") }} as expected_expiration_at,
        {{ to_utc_timestamp("body ->> 'settlement_ts'") }} as resolution_ended_at,
        {{ to_utc_timestamp("body ->> 'updated_time'") }} as updated_at,
        fetched_at as observed_at,

        -- landing
        observed_via,
        landing_id,
        element_position::int as entity_position,
        body as wire_entity

    from parsed

)

select * from renamed
