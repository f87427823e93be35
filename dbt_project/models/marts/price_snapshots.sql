-- grain: one row per outcome per point in time per venue (market_id, outcome_id, snapshot_at, source);
-- daily partitions on snapshot_at
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['market_id', 'outcome_id', 'snapshot_at', 'source'],
        partition_by={'field': 'snapshot_at', 'granularity': 'day'},
        version_by=[{'column': 'resolution_seconds', 'smaller_wins': true, 'null_as': 2147483647}, 'landing_id'],
        refresh_columns=['is_settlement'],
        on_schema_change='append_new_columns',
        landing_bounded_by=['market_outcomes'],
        waiting_references={
            'input': 'int_price_points_unioned', 'reference': 'market_outcomes', 'where': 'price_at is not null',
            'optional_keys': ['market_id'],
        },
    )
}}
-- bounded by the cursor of market_outcomes (landing_bounded_by), which it looks up with markets;
-- points of outcomes it does not know yet wait for them (waiting_references)

with

landed_points as (

    select * from {{ ref('int_price_points_unioned') }}
    where
        {{ landing_window_or_waiting() }}
        and price_at is not null

),

market_outcomes as (

    select * from {{ ref('market_outcomes') }}

),

markets as (

    select * from {{ ref('markets') }}

),

located_by_outcome as (

    -- Venues whose price endpoint names only the outcome (Polymarket tokens) get the market from
    -- market_outcomes, built up to the same landing horizon (markets land before their prices).
    select
        landed_points.*,
        market_outcomes.market_id as located_market_id
    from landed_points
    inner join market_outcomes
        on
            landed_points.outcome_id = market_outcomes.outcome_id
            and landed_points.source = market_outcomes.source
    where landed_points.market_id is null

),

located_by_market as (

    -- Venues naming the market (Kalshi candlesticks): kept when market_outcomes knows the outcome.
    select
        landed_points.*,
        landed_points.market_id as located_market_id
    from landed_points
    where
        landed_points.market_id is not null
        and exists (
            select 1
            from market_outcomes
            where
                market_outcomes.market_id = landed_points.market_id
                and market_outcomes.outcome_id = landed_points.outcome_id
                and market_outcomes.source = landed_points.source
        )

),

located as (

    select * from located_by_outcome
    union all
    select * from located_by_market

),

latest_points as (

    -- Overlapping windows repeat points: the finest resolution wins (an exact tick, 0, over a
    -- minute bucket over an hour; Kalshi: a 1-minute candle over an hourly one over a daily one
    -- ending at the same instant), then the latest landing.
    select distinct on (located_market_id, outcome_id, price_at, source)
        located_market_id as market_id,
        outcome_id,
        price_at as snapshot_at,
        source,
        implied_probability,
        bid,
        ask,
        last_price,
        volume_24h,
        fidelity_minutes,
        resolution_seconds,
        period_minutes,
        volume,
        observed_at,
        landing_id
    from located
    order by
        located_market_id asc, outcome_id asc, price_at asc, source asc,
        resolution_seconds asc nulls last, landing_id desc, entity_position desc

),

{% if is_incremental() %}
points as (

    -- Stored exact points of markets whose resolution or close changed since this mart's last
    -- build: their settlement flag is decided again (a price page may land before the resolution).
    select distinct on (market_id, outcome_id, snapshot_at, source) *
    from (
        select * from latest_points
        union all
        select
            stored.market_id,
            stored.outcome_id,
            stored.snapshot_at,
            stored.source,
            stored.implied_probability,
            stored.bid,
            stored.ask,
            stored.last,
            stored.volume_24h,
            stored.fidelity_minutes,
            stored.resolution_seconds,
            stored.period_minutes,
            stored.volume,
            stored.observed_at,
            stored.landing_id
        from markets
        inner join {{ this }} as stored
            on
                markets.market_id = stored.market_id
                and markets.source = stored.source
                and stored.resolution_seconds = 0
                and (stored.is_settlement or markets.closed_at <= stored.snapshot_at)
        where
            markets.closed_at is not null
            and (
                ({{ landing_window('markets.landing_id') }})
                or ({{ landing_window('markets.resolution_landing_id') }})
            )
    ) as candidates
    -- the version order of the upsert: finest resolution, then the latest landing
    order by
        market_id asc, outcome_id asc, snapshot_at asc, source asc, resolution_seconds asc nulls last,
        landing_id desc

),
{% else %}
points as (

    select * from latest_points

),
{% endif %}

flagged as (

    -- The settlement point of a resolved market: an exact point (resolution 0) at or after the
    -- market's close whose price is the outcome's payout.
    select
        points.*,
        coalesce(
            points.resolution_seconds = 0
            and points.snapshot_at >= markets.closed_at
            and points.implied_probability = market_outcomes.payout,
            false
        ) as is_settlement
    from points
    left join markets
        on
            points.market_id = markets.market_id
            and points.source = markets.source
    left join market_outcomes
        on
            points.market_id = market_outcomes.market_id
            and points.outcome_id = market_outcomes.outcome_id
            and points.source = market_outcomes.source

),

final as (

    select
        -- ids
        market_id::text as market_id,
        outcome_id::text as outcome_id,
        snapshot_at::timestamptz as snapshot_at,
        source::text as source,

        -- numerics
        implied_probability::numeric as implied_probability,
        bid::numeric as bid,
        ask::numeric as ask,
        trim_scale((bid + ask) / 2)::numeric as mid,
        trim_scale(ask - bid)::numeric as spread,
        last_price::numeric as last,
        volume_24h::numeric as volume_24h,
        fidelity_minutes::int as fidelity_minutes,
        resolution_seconds::int as resolution_seconds,
        period_minutes::int as period_minutes,
        volume::numeric as volume,

        -- booleans
        is_settlement::boolean as is_settlement,

        -- timestamps
        observed_at::timestamptz as observed_at,

        -- landing
        landing_id::bigint as landing_id

    from flagged

)

select * from final
