-- grain: one row per landed order book of an outcome, all venues; levels as [{price, size}] in any order
{%- set columns = [
    'source', 'market_id', 'outcome_id', 'book_hash', 'bid_levels', 'ask_levels', 'tick_size',
    'min_order_size', 'last_trade_price', 'snapshot_at', 'observed_at', 'landing_id', 'entity_position',
] %}

with

polymarket_orderbooks as (

    select {{ columns | join(', ') }}
    from {{ ref('stg_polymarket__orderbooks') }}

),

kalshi_orderbooks as (

    -- Kalshi's yes/no books of bids, turned into bids and asks of each outcome.
    select
        source,
        market_id,
        outcome_id,
        book_hash,
        bid_levels,
        ask_levels,
        null::numeric as tick_size,
        null::numeric as min_order_size,
        null::numeric as last_trade_price,
        snapshot_at,
        observed_at,
        landing_id,
        entity_position
    from {{ ref('int_kalshi_orderbooks_mirrored') }}
    where market_id not like 'KXMVE%'  -- parlay (multivariate) markets are not modelled

),

-- A venue adds one branch here, with the same columns.
unioned as (

    select * from polymarket_orderbooks
    union all
    select * from kalshi_orderbooks

)

select * from unioned
