-- grain: one row per trade per landed /markets/trades or /historical/trades page (overlapping windows and
-- reruns land the same trade again: trade_id dedupes downstream)
with

source as (

    select
        landing_id,
        fetched_at,
        endpoint,
        response
    from {{ source('kalshi', 'raw_api_responses') }}
    where
        source = 'kalshi'
        and resource = 'trades'
        and status_code = 200
        and response is not null

),

trade_objects as (

    select
        source.landing_id,
        source.fetched_at,
        source.endpoint,
        trade.element_position,
        trade.body,
        lower(coalesce(trade.body ->> 'taker_outcome_side', trade.body ->> 'taker_side')) as taker_outcome
    from source
    cross join
        lateral jsonb_array_elements({{ json_array("source.response -> 'trades'") }})
        with ordinality as trade (body, element_position)
    where
        jsonb_typeof(trade.body) = 'object'
        and trade.body ->> 'trade_id' is not null

),

priced as (

    select
        *,
        -- `*_dollars` strings, else legacy integer cents; the legacy float `price` (dollars) last
        coalesce(
            {{ kalshi_price('body', 'yes_price') }},
            {{ to_probability("body ->> 'price'") }}
        ) as yes_price,
        {{ kalshi_price('body', 'no_price') }} as no_price_as_served,
        {{ kalshi_count('body', 'count') }} as contracts
    from trade_objects

),

renamed as (

    select
        -- ids
        body ->> 'trade_id' as trade_id,
        'kalshi'::text as source,
        body ->> 'ticker' as market_id,
        -- the taker's outcome: the taker bought it
        case when taker_outcome in ('yes', 'no') then taker_outcome end as outcome_id,
        null::text as wallet_address,
        null::text as transaction_hash,

        -- strings
        'BUY'::text as side,
        null::text as outcome_name,
        lower(body ->> 'taker_side') as taker_side,
        lower(body ->> 'taker_book_side') as taker_book_side,
        case when endpoint like '/historical/%' then 'historical' else 'live' end as tier,

        -- numerics
        case taker_outcome when 'yes' then 0 when 'no' then 1 end as outcome_index,
        yes_price,
        coalesce(no_price_as_served, 1 - yes_price) as no_price,
        case taker_outcome
            when 'yes' then yes_price
            when 'no' then coalesce(no_price_as_served, 1 - yes_price)
        end as price,
        contracts as quantity,
        trim_scale(
            contracts * case taker_outcome
                when 'yes' then yes_price
                when 'no' then coalesce(no_price_as_served, 1 - yes_price)
            end
        ) as notional,

        -- booleans
        {{ to_boolean("body ->> 'is_block_trade'") }} as is_block_trade,
        coalesce(body ->> 'ticker' like 'KXMVE%', false) as is_parlay,

        -- timestamps
        {{ to_utc_timestamp("body ->> 'created_time'") }} as traded_at,
        fetched_at as observed_at,

        -- landing
        landing_id,
        element_position::int as entity_position,
        body as wire_entity

    from priced

)

select * from renamed
