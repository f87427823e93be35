-- grain: one row per change of an outcome's order book per venue (market_id, outcome_id, snapshot_at, source);
-- daily partitions on snapshot_at
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['market_id', 'outcome_id', 'snapshot_at', 'source'],
        partition_by={'field': 'snapshot_at', 'granularity': 'day'},
        on_schema_change='append_new_columns',
        landing_bounded_by=['market_outcomes'],
        waiting_references={'input': 'int_orderbooks_aggregated', 'reference': 'market_outcomes'},
        indexes=[
            {'columns': ['market_id', 'outcome_id', 'source', 'landing_id']},
        ],
    )
}}
-- bounded by the cursor of market_outcomes (landing_bounded_by), which it looks up; books of
-- outcomes it does not know yet wait for them (waiting_references)

with

aggregated_books as (

    select * from {{ ref('int_orderbooks_aggregated') }}
    where {{ landing_window_or_waiting() }}

),

market_outcomes as (

    select * from {{ ref('market_outcomes') }}

),

landed_books as (

    -- Books of outcomes the marts know; the others wait for them (waiting_references).
    select aggregated_books.*
    from aggregated_books
    where exists (
        select 1
        from market_outcomes
        where
            market_outcomes.market_id = aggregated_books.market_id
            and market_outcomes.outcome_id = aggregated_books.outcome_id
            and market_outcomes.source = aggregated_books.source
    )

),

{% if is_incremental() %}
batch_outcomes as (

    select distinct
        market_id,
        outcome_id,
        source
    from landed_books

),

stored_books as (  -- noqa: ST03

    -- The last stored book of each outcome in this batch: a landed book equal to it is unchanged.
    select
        stored.source,
        stored.market_id,
        stored.outcome_id,
        stored.book_hash,
        stored.snapshot_at,
        stored.landing_id
    from batch_outcomes
    cross join lateral (
        select
            last_stored.source,
            last_stored.market_id,
            last_stored.outcome_id,
            last_stored.book_hash,
            last_stored.snapshot_at,
            last_stored.landing_id
        from {{ this }} as last_stored
        where
            last_stored.market_id = batch_outcomes.market_id
            and last_stored.outcome_id = batch_outcomes.outcome_id
            and last_stored.source = batch_outcomes.source
        order by last_stored.landing_id desc
        limit 1
    ) as stored

),
{% endif %}

observations as (

    select
        source,
        market_id,
        outcome_id,
        coalesce(book_hash, snapshot_at::text) as book_version,
        landing_id,
        entity_position,
        false as is_stored
    from landed_books
    {% if is_incremental() %}
    union all
    select
        source,
        market_id,
        outcome_id,
        coalesce(book_hash, snapshot_at::text) as book_version,
        landing_id,
        0 as entity_position,
        true as is_stored
    from stored_books
    {% endif %}

),

sequenced as (

    select
        *,
        lag(book_version) over (
            partition by market_id, outcome_id, source
            order by landing_id, entity_position
        ) as previous_book_version
    from observations

),

changed_books as (

    -- Books are polled repeatedly: keep a book only when it differs from the previous one seen
    -- for that outcome (same hash = unchanged).
    select landed_books.*
    from landed_books
    inner join sequenced
        on
            landed_books.landing_id = sequenced.landing_id
            and landed_books.entity_position = sequenced.entity_position
            and not sequenced.is_stored
    where sequenced.book_version is distinct from sequenced.previous_book_version

),

first_per_instant as (

    select distinct on (market_id, outcome_id, snapshot_at, source) *
    from changed_books
    where market_id is not null and outcome_id is not null
    order by market_id, outcome_id, snapshot_at, source, landing_id, entity_position

),

final as (

    select
        -- ids
        market_id::text as market_id,
        outcome_id::text as outcome_id,
        snapshot_at::timestamptz as snapshot_at,
        source::text as source,
        book_hash::text as book_hash,

        -- levels, best first: [{"price": 0.45, "size": 100}]
        bids::jsonb as bids,
        asks::jsonb as asks,

        -- numerics
        best_bid::numeric as best_bid,
        best_ask::numeric as best_ask,
        mid::numeric as mid,
        spread::numeric as spread,
        bid_depth::numeric as bid_depth,
        ask_depth::numeric as ask_depth,
        bid_level_count::int as bid_level_count,
        ask_level_count::int as ask_level_count,
        tick_size::numeric as tick_size,
        min_order_size::numeric as min_order_size,
        last_trade_price::numeric as last_trade_price,

        -- timestamps
        observed_at::timestamptz as observed_at,

        -- landing
        landing_id::bigint as landing_id

    from first_per_instant

)

select * from final
