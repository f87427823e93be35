-- grain: one row per observed version of an event (one event object on one landed page), all venues
{%- set columns = [
    'event_id', 'source', 'title', 'slug', 'ticker', 'description', 'category', 'tags', 'resolution_source',
    'series_id', 'series_slug', 'neg_risk_market_id', 'volume', 'volume_24h', 'liquidity', 'open_interest',
    'is_active', 'is_closed', 'is_archived', 'is_neg_risk', 'created_at', 'started_at', 'scheduled_end_at',
    'closed_at', 'updated_at', 'observed_at', 'landing_id', 'entity_position',
] %}

with

polymarket_events as (

    select {{ columns | join(', ') }}
    from {{ ref('stg_polymarket__events') }}

),

-- A venue adds one branch here (its staging model returns the same columns).
unioned as (

    select * from polymarket_events

)

select * from unioned
