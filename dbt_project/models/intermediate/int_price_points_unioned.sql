-- grain: one row per landed price point of an outcome (overlapping windows repeat points), all venues
with

polymarket_prices as (

    -- Polymarket price history names only the token: the market is resolved in the mart.
    select
        source,
        null::text as market_id,
        outcome_id,
        price_at,
        price as implied_probability,
        null::numeric as bid,
        null::numeric as ask,
        null::numeric as last_price,
        null::numeric as volume_24h,
        fidelity_minutes,
        observed_at,
        landing_id,
        entity_position
    from {{ ref('stg_polymarket__prices') }}

),

-- A venue adds one branch here (Kalshi candlesticks carry bid, ask, last and volume).
unioned as (

    select * from polymarket_prices

)

select * from unioned
