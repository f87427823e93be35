-- grain: one row per landed fill of a fills feed (the same fill appears once per page that carried it),
-- all venues
{%- set columns = [
    'fill_id', 'source', 'market_id', 'outcome_id', 'outcome_index', 'outcome_name', 'side', 'price',
    'quantity', 'notional', 'wallet_address', 'transaction_hash', 'traded_at', 'observed_at',
    'landing_id', 'entity_position',
] %}

with

polymarket_fills as (

    -- Pages requested with taker_only=false (resource trade_fills, and legacy /trades pages with
    -- takerOnly=false): taker and maker rows mixed, with no role flag. Combo fills are left out.
    select
        trade_id as fill_id,
        {{ columns[1:] | join(', ') }}
    from {{ ref('stg_polymarket__trades') }}
    where not is_taker_only and not is_combo

),

-- A venue that publishes maker fills adds one branch here, with the same columns.
unioned as (

    select * from polymarket_fills

)

select * from unioned
