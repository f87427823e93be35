-- grain: one row per landed trade (the same trade appears once per page that carried it), all venues
{%- set columns = [
    'trade_id', 'source', 'market_id', 'outcome_id', 'outcome_index', 'outcome_name', 'side', 'price',
    'quantity', 'notional', 'wallet_address', 'transaction_hash', 'traded_at', 'observed_at',
    'landing_id', 'entity_position',
] %}

with

polymarket_trades as (

    -- Trades are the taker-only feed: one row per taker order per transaction, so sums count each
    -- match once. Pages that mix in maker rows go to the fills (int_trade_fills_unioned); combo
    -- fills are not binary-market trades.
    select {{ columns | join(', ') }}
    from {{ ref('stg_polymarket__trades') }}
    where is_taker_only and not is_combo

),

kalshi_trades as (

    -- Parlay (multivariate) markets are not modelled: their trades are left out too.
    select {{ columns | join(', ') }}
    from {{ ref('stg_kalshi__trades') }}
    where not is_parlay

),

-- A venue adds one branch here (its staging model returns the same columns).
unioned as (

    select * from polymarket_trades
    union all
    select * from kalshi_trades

)

select * from unioned
