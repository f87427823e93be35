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

kalshi_events as (

    -- Kalshi events order their versions by fetch time: `last_updated_ts` exists only from
    -- 2026-03-12 and tracks metadata, so it cannot order a legacy page against a current one.
    select
        event_id,
        source,
        title,
        null::text as slug,
        event_id as ticker,
        subtitle as description,
        coalesce(series_category, category) as category,
        series_tags as tags,
        resolution_source,
        series_id,
        null::text as series_slug,
        null::text as neg_risk_market_id,
        null::numeric as volume,
        null::numeric as volume_24h,
        null::numeric as liquidity,
        null::numeric as open_interest,
        null::boolean as is_active,
        null::boolean as is_closed,
        null::boolean as is_archived,
        null::boolean as is_neg_risk,
        null::timestamptz as created_at,
        null::timestamptz as started_at,
        strike_at as scheduled_end_at,
        null::timestamptz as closed_at,
        null::timestamptz as updated_at,
        observed_at,
        landing_id,
        entity_position
    from {{ ref('int_kalshi_events_categorized') }}

),

-- A venue adds one branch here, with the same columns.
unioned as (

    select * from polymarket_events
    union all
    select * from kalshi_events

)

select * from unioned
