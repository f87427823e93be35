-- grain: one row per outcome (yes, no) per landed Kalshi candlestick
with

candles as (

    select * from {{ ref('stg_kalshi__candlesticks') }}

),

yes_points as (

    -- The price of a period is its last trade (close), else the middle of the YES bid and ask at
    -- the close of the period (a side without a quote leaves it null).
    select
        source,
        market_id,
        period_end_at as price_at,
        coalesce(price_close, trim_scale((yes_bid_close + yes_ask_close) / 2)) as implied_probability,
        yes_bid_close as bid,
        yes_ask_close as ask,
        price_close as last_price,
        volume,
        period_minutes,
        observed_at,
        landing_id,
        entity_position
    from candles

),

mirrored as (

    select
        source,
        market_id,
        'yes'::text as outcome_id,
        price_at,
        implied_probability,
        bid,
        ask,
        last_price,
        volume,
        period_minutes,
        observed_at,
        landing_id,
        entity_position * 2 as entity_position
    from yes_points
    union all
    -- NO mirrors YES: its price is 1 - p, its bid is 1 - the YES ask and its ask 1 - the YES bid.
    select
        source,
        market_id,
        'no'::text as outcome_id,
        price_at,
        1 - implied_probability as implied_probability,
        1 - ask as bid,
        1 - bid as ask,
        1 - last_price as last_price,
        volume,
        period_minutes,
        observed_at,
        landing_id,
        entity_position * 2 + 1 as entity_position
    from yes_points

)

select * from mirrored
