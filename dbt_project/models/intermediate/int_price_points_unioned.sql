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
        resolution_seconds,
        null::int as period_minutes,
        null::numeric as volume,
        observed_at,
        landing_id,
        entity_position
    from {{ ref('stg_polymarket__prices') }}

),

kalshi_prices as (

    -- Kalshi candlesticks name the market and carry bid, ask, last and the period's volume.
    select
        source,
        market_id,
        outcome_id,
        price_at,
        implied_probability,
        bid,
        ask,
        last_price,
        null::numeric as volume_24h,
        period_minutes as fidelity_minutes,
        period_minutes * 60 as resolution_seconds,
        period_minutes,
        volume,
        observed_at,
        landing_id,
        entity_position
    from {{ ref('int_kalshi_price_points_mirrored') }}
    where market_id not like 'KXMVE%'  -- parlay (multivariate) markets are not modelled

),

-- A venue adds one branch here, with the same columns.
unioned as (

    select * from polymarket_prices
    union all
    select * from kalshi_prices

)

select * from unioned
