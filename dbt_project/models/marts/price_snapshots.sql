-- grain: one row per outcome per point in time per venue (market_id, outcome_id, snapshot_at, source);
-- daily partitions on snapshot_at
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['market_id', 'outcome_id', 'snapshot_at', 'source'],
        partition_by={'field': 'snapshot_at', 'granularity': 'day'},
        version_by=[{'column': 'period_minutes', 'smaller_wins': true}, 'landing_id'],
        on_schema_change='append_new_columns',
        landing_bounded_by=['market_outcomes'],
    )
}}

with

landed_points as (

    select * from {{ ref('int_price_points_unioned') }}
    where
        {{ landing_window() }}
        and price_at is not null

),

market_outcomes as (

    select * from {{ ref('market_outcomes') }}

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

    -- Overlapping windows repeat points: the finest period wins (Kalshi: a 1-minute candle over
    -- an hourly one over a daily one ending at the same instant), then the latest landing.
    select distinct on (located_market_id, outcome_id, price_at, source) *
    from located
    order by
        located_market_id asc, outcome_id asc, price_at asc, source asc,
        period_minutes asc nulls first, landing_id desc, entity_position desc

),

final as (

    select
        -- ids
        located_market_id::text as market_id,
        outcome_id::text as outcome_id,
        price_at::timestamptz as snapshot_at,
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
        period_minutes::int as period_minutes,
        volume::numeric as volume,

        -- timestamps
        observed_at::timestamptz as observed_at,

        -- landing
        landing_id::bigint as landing_id

    from latest_points

)

select * from final
