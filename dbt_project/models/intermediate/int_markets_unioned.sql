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

    -- Polymarket's lifecycle is decided in the markets mart from its flags and resolutions.
    select
        {{ columns | join(', ') }},
        null::numeric as open_interest,
        -- Gamma `volume` is a dollar amount; Kalshi's `volume` counts contracts
        'USD'::text as volume_unit,
        null::text as lifecycle_status,
        protocol_version,
        outcome_id_protocol,
        started_at as listed_start_at
    from {{ ref('stg_polymarket__markets') }}

),

kalshi_markets as (

    -- Kalshi states its lifecycle (`status`, mapped in staging). Versions are ordered by fetch
    -- time: `updated_time` exists only from 2026-03-12 and tracks metadata, not prices or status.
    -- Parlay (multivariate) markets are left out: their events are never listed by /events.
    select
        {% for column in columns -%}
        {{ 'null::timestamptz as updated_at' if column == 'updated_at' else column }},
        {% endfor -%}
        open_interest,
        'contracts'::text as volume_unit,
        lifecycle_status,
        null::text as protocol_version,
        null::text as outcome_id_protocol,
        null::timestamptz as listed_start_at
    from {{ ref('stg_kalshi__markets') }}
    where not is_parlay

),

-- A venue adds one branch here, with the same columns.
unioned as (

    select * from polymarket_markets
    union all
    select * from kalshi_markets

)

select * from unioned
