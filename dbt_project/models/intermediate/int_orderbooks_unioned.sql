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

-- A venue adds one branch here (Kalshi's yes/no books are turned into bids and asks of each
-- outcome in its staging model).
unioned as (

    select * from polymarket_orderbooks

)

select * from unioned
