-- grain: one row per fill per venue (fill_id, source): taker and maker sides of every match;
-- monthly partitions on traded_at
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['fill_id', 'source'],
        partition_by={'field': 'traded_at', 'granularity': 'month'},
        refresh_columns=['role'],
        on_schema_change='append_new_columns',
        landing_bounded_by=['trades'],
        waiting_references={
            'input': 'int_trade_fills_unioned', 'reference': 'market_outcomes', 'where': 'traded_at is not null',
        },
        indexes=[
            {'columns': ['market_id', 'traded_at']},
            {'columns': ['wallet_address']},
            {'columns': ['transaction_hash']},
        ],
    )
}}
-- bounded by the cursor of trades (landing_bounded_by), the taker set it looks up; trades is
-- bounded by market_outcomes, which it looks up too

with

landed_fills as (

    select * from {{ ref('int_trade_fills_unioned') }}
    where
        {{ landing_window_or_waiting() }}
        -- a fill whose time or price could not be read is not modelled (the value is listed in
        -- data_quality_issues)
        and traded_at is not null
        and price is not null

),

market_outcomes as (

    select * from {{ ref('market_outcomes') }}

),

taker_trades as (

    -- The taker set: one row per taker order per transaction (the trades mart).
    select * from {{ ref('trades') }}

),

known_fills as (

    -- Fills of outcomes the marts know (the others wait for them); the outcome index is the market's.
    select
        landed_fills.fill_id,
        landed_fills.source,
        landed_fills.market_id,
        landed_fills.outcome_id,
        landed_fills.wallet_address,
        landed_fills.transaction_hash,
        landed_fills.outcome_name,
        landed_fills.side,
        market_outcomes.outcome_index,
        landed_fills.price,
        landed_fills.quantity,
        landed_fills.notional,
        landed_fills.traded_at,
        landed_fills.observed_at,
        landed_fills.landing_id,
        landed_fills.entity_position
    from landed_fills
    inner join market_outcomes
        on
            landed_fills.market_id = market_outcomes.market_id
            and landed_fills.outcome_id = market_outcomes.outcome_id
            and landed_fills.source = market_outcomes.source

),

candidates as (

    -- A fill is landed by every walk that overlaps it: keep the first landing.
    select distinct on (fill_id, source) *
    from known_fills
    order by fill_id, source, landing_id, entity_position

),

{% if is_incremental() %}
new_taker_transactions as (

    -- Taker rows modelled since this mart's last build (also those that waited for their outcome):
    -- the stored fills of their transactions are classified again (a fill landed before its taker
    -- row was unknown or maker until then).
    select distinct
        source,
        market_id,
        transaction_hash,
        traded_at
    from taker_trades
    where {{ landing_window_or_late('landing_id', ref('trades')) }}

),

stored_fills as (

    select
        stored.fill_id,
        stored.source,
        stored.market_id,
        stored.outcome_id,
        stored.wallet_address,
        stored.transaction_hash,
        stored.outcome_name,
        stored.side,
        stored.outcome_index,
        stored.price,
        stored.quantity,
        stored.notional,
        stored.traded_at,
        stored.observed_at,
        stored.landing_id,
        0 as entity_position
    from {{ this }} as stored
    inner join new_taker_transactions
        on
            stored.source = new_taker_transactions.source
            and stored.market_id = new_taker_transactions.market_id
            and stored.traded_at = new_taker_transactions.traded_at
            and stored.transaction_hash = new_taker_transactions.transaction_hash

),

batch as (

    -- A stored fill keeps its first landing; the upsert refreshes only its role.
    select distinct on (fill_id, source) *
    from (
        select
            *,
            true as is_stored
        from stored_fills
        union all
        select
            *,
            false as is_stored
        from candidates
    ) as fills
    order by fill_id asc, source asc, is_stored desc

),
{% else %}
batch as (

    select * from candidates

),
{% endif %}

classified as (

    -- taker: the fill is a taker row of the same transaction (same market, wallet, token, side,
    -- size and price); maker: the taker set holds the transaction in this market, but not this
    -- fill; unknown (null): no taker row of the transaction in this market was landed. The rows of
    -- one transaction share its block time, which keys the lookup (index and partition).
    select
        batch.*,
        case
            when exists (
                select 1
                from taker_trades
                where
                    taker_trades.source = batch.source
                    and taker_trades.market_id = batch.market_id
                    and taker_trades.traded_at = batch.traded_at
                    and taker_trades.transaction_hash = batch.transaction_hash
                    and taker_trades.wallet_address is not distinct from batch.wallet_address
                    and taker_trades.outcome_id = batch.outcome_id
                    and taker_trades.side is not distinct from batch.side
                    and taker_trades.quantity is not distinct from batch.quantity
                    and taker_trades.price = batch.price
            ) then 'taker'
            when exists (
                select 1
                from taker_trades
                where
                    taker_trades.source = batch.source
                    and taker_trades.market_id = batch.market_id
                    and taker_trades.traded_at = batch.traded_at
                    and taker_trades.transaction_hash = batch.transaction_hash
            ) then 'maker'
        end as role
    from batch

),

final as (

    select
        -- ids
        fill_id::text as fill_id,
        source::text as source,
        market_id::text as market_id,
        outcome_id::text as outcome_id,
        wallet_address::text as wallet_address,
        transaction_hash::text as transaction_hash,

        -- strings
        role::text as role,
        outcome_name::text as outcome_name,
        side::text as side,

        -- numerics
        outcome_index::int as outcome_index,
        price::numeric as price,
        quantity::numeric as quantity,
        notional::numeric as notional,

        -- timestamps
        traded_at::timestamptz as traded_at,
        observed_at::timestamptz as observed_at,

        -- landing
        landing_id::bigint as landing_id

    from classified

)

select * from final
