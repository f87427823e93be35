-- grain: one row per mart, venue, market and outcome with facts waiting for it (mart, source, market_id,
-- outcome_id); rebuilt every run from the waiting facts the fact marts record
-- (macros/landing/waiting_references.sql)
{{ config(materialized='table') }}
-- depends_on: {{ ref('trades') }}
-- depends_on: {{ ref('trade_fills') }}
-- depends_on: {{ ref('price_snapshots') }}
-- depends_on: {{ ref('orderbook_snapshots') }}
-- depends_on: {{ ref('market_resolutions') }}

with

pending_references as (

    select * from {{ landing_state_schema() }}.pending_references
    where resolved_landing_id is null

),

waiting as (

    select
        -- the mart's table name, from its rendered relation ("database"."schema"."table")
        trim(both '"' from split_part(relation_name, '.', 3)) as mart,
        source,
        market_id,
        outcome_id,
        sum(row_count) as rows_waiting,
        count(distinct landing_id) as pages_waiting,
        coalesce(
            sum(row_count) filter (
                where landed_at < now() - interval '{{ late_reference_max_age_hours() }} hours'
            ),
            0
        ) as expired_rows,
        min(landed_at) as oldest_landed_at,
        max(landed_at) as newest_landed_at
    from pending_references
    group by relation_name, source, market_id, outcome_id

),

final as (

    select
        -- ids
        market_id::text as market_id,
        outcome_id::text as outcome_id,
        source::text as source,

        -- strings
        mart::text as mart,

        -- numerics
        rows_waiting::bigint as rows_waiting,
        pages_waiting::bigint as pages_waiting,
        expired_rows::bigint as expired_rows,

        -- timestamps
        oldest_landed_at::timestamptz as oldest_landed_at,
        newest_landed_at::timestamptz as newest_landed_at

    from waiting

)

select * from final
