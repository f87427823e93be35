-- grain: one row per trade per venue (trade_id, source): Polymarket one per taker order per transaction;
-- monthly partitions on traded_at
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['trade_id', 'source'],
        partition_by={'field': 'traded_at', 'granularity': 'month'},
        on_schema_change='append_new_columns',
        landing_bounded_by=['market_outcomes'],
        waiting_references={
            'input': 'int_trades_unioned', 'reference': 'market_outcomes', 'where': 'traded_at is not null',
        },
        indexes=[
            {'columns': ['market_id', 'traded_at']},
            {'columns': ['wallet_address']},
            {'columns': ['transaction_hash']},
        ],
    )
}}
-- bounded by the cursor of market_outcomes (landing_bounded_by), which it looks up; trades of
-- outcomes it does not know yet wait for them (waiting_references)

with

landed_fills as (

    select * from {{ ref('int_trades_unioned') }}
    where
        {{ landing_window_or_waiting() }}
        -- a trade whose time or price could not be read is not modelled (the value is listed in
        -- data_quality_issues)
        and traded_at is not null
        and price is not null

),

market_outcomes as (

    select * from {{ ref('market_outcomes') }}

),

known_fills as (

    -- Trades of outcomes the marts know (built up to the same landing horizon); the others wait
    -- for their outcome and are read again once it is listed. The outcome index is the market's
    -- (a Polymarket row may say 999, "not labelable").
    select
        landed_fills.*,
        market_outcomes.outcome_index as market_outcome_index
    from landed_fills
    inner join market_outcomes
        on
            landed_fills.market_id = market_outcomes.market_id
            and landed_fills.outcome_id = market_outcomes.outcome_id
            and landed_fills.source = market_outcomes.source

),

first_landed as (

    -- A trade is landed by every walk that overlaps it: keep the first landing.
    select distinct on (trade_id, source) *
    from known_fills
    order by trade_id, source, landing_id, entity_position

),

final as (

    select
        -- ids
        trade_id::text as trade_id,
        source::text as source,
        market_id::text as market_id,
        outcome_id::text as outcome_id,
        wallet_address::text as wallet_address,
        transaction_hash::text as transaction_hash,

        -- strings
        outcome_name::text as outcome_name,
        side::text as side,

        -- numerics
        market_outcome_index::int as outcome_index,
        price::numeric as price,
        quantity::numeric as quantity,
        notional::numeric as notional,

        -- timestamps
        traded_at::timestamptz as traded_at,
        observed_at::timestamptz as observed_at,

        -- landing
        landing_id::bigint as landing_id

    from first_landed

)

select * from final
