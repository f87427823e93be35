-- grain: one row per observed version of a market (one market object on one landed page), all venues
{%- set columns = [
    'market_id', 'source', 'venue_market_id', 'event_id', 'question', 'description', 'slug', 'category',
    'resolution_source', 'venue_status', 'resolution_status', 'outcome_names', 'outcome_ids',
    'outcome_token_ids', 'outcome_prices', 'winning_outcome_index', 'volume', 'volume_24h', 'liquidity',
    'best_bid', 'best_ask', 'last_trade_price', 'is_active', 'is_closed', 'is_accepting_orders',
    'is_neg_risk', 'created_at', 'opened_at', 'scheduled_close_at', 'closed_at', 'resolution_ended_at',
    'updated_at', 'observed_at', 'landing_id', 'entity_position',
] %}

with

polymarket_markets as (

    select {{ columns | join(', ') }}
    from {{ ref('stg_polymarket__markets') }}

),

-- A venue adds one branch here (its staging model returns the same columns).
unioned as (

    select * from polymarket_markets

)

select * from unioned
