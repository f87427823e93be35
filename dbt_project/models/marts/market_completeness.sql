-- grain: one row per market per venue (market_id, source): how much of its history is loaded
{%- set measured_columns = [
    'market_status', 'volume_unit', 'history_status', 'trade_count', 'quantity_loaded', 'notional_loaded',
    'loaded_volume', 'reported_volume', 'volume_ratio', 'price_point_count', 'longest_price_gap_seconds',
    'open_gaps', 'unreachable_gaps', 'first_trade_at', 'last_trade_at', 'first_price_at', 'last_price_at',
    'out_of_reach_before',
] %}
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['market_id', 'source'],
        refresh_columns=measured_columns,
        on_schema_change='append_new_columns',
        landing_bounded_by=['markets', 'trades', 'price_snapshots'],
    )
}}
-- bounded by the cursors of the marts it measures (landing_bounded_by). Each run measures again the
-- markets whose listing, trades (also those that waited for their outcome), price points or gaps
-- changed since its last build, from the marts themselves.

with

markets as (

    select * from {{ ref('markets') }}

),

trades as (

    select * from {{ ref('trades') }}

),

price_snapshots as (

    select * from {{ ref('price_snapshots') }}

),

sync_gaps as (

    -- Read as extraction keeps it: gaps are opened, retried and closed with the pages that find them.
    select * from {{ source('extraction', 'sync_gaps') }}

),

{% if is_incremental() %}
changed_markets as (

    select
        market_id,
        source
    from markets
    -- a new listing, or a resolution (status, and the settlement points it flags)
    where ({{ landing_window('landing_id') }}) or ({{ landing_window('resolution_landing_id') }})
    union
    select
        market_id,
        source
    from trades
    where {{ landing_window_or_late('landing_id', ref('trades')) }}
    union
    select
        market_id,
        source
    from price_snapshots
    where {{ landing_window_or_late('landing_id', ref('price_snapshots')) }}
    union
    -- Gaps opened, retried or closed since the last build, with an hour of overlap for pages that
    -- committed while it ran.
    select
        market_id,
        source
    from sync_gaps
    where
        market_id is not null
        and greatest(opened_at, last_attempt_at, closed_at) > (
            select coalesce(max(landing_cursors.updated_at), '-infinity'::timestamptz) - interval '1 hour'
            from {{ landing_state_schema() }}.landing_cursors as landing_cursors
            where landing_cursors.relation_name = '{{ this.render() }}'
        )

),
{% else %}
changed_markets as (

    select
        market_id,
        source
    from markets

),
{% endif %}

measured_markets as (

    select markets.*
    from markets
    inner join changed_markets
        on
            markets.market_id = changed_markets.market_id
            and markets.source = changed_markets.source

),

trade_totals as (

    select
        trades.market_id,
        trades.source,
        count(*) as trade_count,
        sum(trades.quantity) as quantity_loaded,
        sum(trades.notional) as notional_loaded,
        min(trades.traded_at) as first_trade_at,
        max(trades.traded_at) as last_trade_at
    from measured_markets
    inner join trades
        on
            measured_markets.market_id = trades.market_id
            and measured_markets.source = trades.source
    group by trades.market_id, trades.source

),

price_points as (

    -- Traded-price points only: the settlement point closing a resolved series is not a quote.
    select
        price_snapshots.market_id,
        price_snapshots.source,
        price_snapshots.snapshot_at,
        extract(epoch from price_snapshots.snapshot_at - lag(price_snapshots.snapshot_at) over (
            partition by price_snapshots.market_id, price_snapshots.outcome_id, price_snapshots.source
            order by price_snapshots.snapshot_at
        )) as seconds_since_previous
    from measured_markets
    inner join price_snapshots
        on
            measured_markets.market_id = price_snapshots.market_id
            and measured_markets.source = price_snapshots.source
    where not price_snapshots.is_settlement

),

price_totals as (

    select
        market_id,
        source,
        count(*) as price_point_count,
        min(snapshot_at) as first_price_at,
        max(snapshot_at) as last_price_at,
        max(seconds_since_previous) as longest_price_gap_seconds
    from price_points
    group by market_id, source

),

gap_totals as (

    select
        sync_gaps.market_id,
        sync_gaps.source,
        count(*) filter (where not sync_gaps.unreachable) as open_gaps,
        count(*) filter (where sync_gaps.unreachable) as unreachable_gaps,
        max(sync_gaps.gap_to) filter (where sync_gaps.unreachable) as out_of_reach_before
    from measured_markets
    inner join sync_gaps
        on
            measured_markets.market_id = sync_gaps.market_id
            and measured_markets.source = sync_gaps.source
    where sync_gaps.closed_at is null
    group by sync_gaps.market_id, sync_gaps.source

),

measured as (

    select
        measured_markets.market_id,
        measured_markets.source,
        measured_markets.status as market_status,
        measured_markets.volume_unit,
        measured_markets.volume as reported_volume,
        coalesce(trade_totals.trade_count, 0) as trade_count,
        coalesce(trade_totals.quantity_loaded, 0) as quantity_loaded,
        coalesce(trade_totals.notional_loaded, 0) as notional_loaded,
        -- what was loaded, in the unit the venue reports its volume in
        case measured_markets.volume_unit
            when 'USD' then coalesce(trade_totals.notional_loaded, 0)
            when 'contracts' then coalesce(trade_totals.quantity_loaded, 0)
        end as loaded_volume,
        trade_totals.first_trade_at,
        trade_totals.last_trade_at,
        coalesce(price_totals.price_point_count, 0) as price_point_count,
        price_totals.first_price_at,
        price_totals.last_price_at,
        price_totals.longest_price_gap_seconds,
        coalesce(gap_totals.open_gaps, 0) as open_gaps,
        coalesce(gap_totals.unreachable_gaps, 0) as unreachable_gaps,
        gap_totals.out_of_reach_before
    from measured_markets
    left join trade_totals
        on
            measured_markets.market_id = trade_totals.market_id
            and measured_markets.source = trade_totals.source
    left join price_totals
        on
            measured_markets.market_id = price_totals.market_id
            and measured_markets.source = price_totals.source
    left join gap_totals
        on
            measured_markets.market_id = gap_totals.market_id
            and measured_markets.source = gap_totals.source

),

final as (

    select
        -- ids
        market_id::text as market_id,
        source::text as source,

        -- strings
        market_status::text as market_status,
        volume_unit::text as volume_unit,
        (case
            when unreachable_gaps > 0 then 'out_of_api_reach'
            when open_gaps > 0 then 'gaps_open'
            else 'no_open_gaps'
        end)::text as history_status,

        -- numerics
        trade_count::bigint as trade_count,
        quantity_loaded::numeric as quantity_loaded,
        notional_loaded::numeric as notional_loaded,
        loaded_volume::numeric as loaded_volume,
        reported_volume::numeric as reported_volume,
        round(loaded_volume / nullif(reported_volume, 0), 6)::numeric as volume_ratio,
        price_point_count::bigint as price_point_count,
        longest_price_gap_seconds::numeric as longest_price_gap_seconds,
        open_gaps::int as open_gaps,
        unreachable_gaps::int as unreachable_gaps,

        -- timestamps
        first_trade_at::timestamptz as first_trade_at,
        last_trade_at::timestamptz as last_trade_at,
        first_price_at::timestamptz as first_price_at,
        last_price_at::timestamptz as last_price_at,
        out_of_reach_before::timestamptz as out_of_reach_before

    from measured

)

select * from final
