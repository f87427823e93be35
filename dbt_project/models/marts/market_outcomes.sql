-- grain: one row per outcome of a market per venue (market_id, outcome_id, source): latest known state
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['market_id', 'outcome_id', 'source'],
        version_by=['updated_at', 'observed_at', 'landing_id'],
        on_schema_change='append_new_columns',
        landing_bounded_by=['markets'],
    )
}}
-- bounded by the cursor of markets (landing_bounded_by): depends_on: {{ ref('markets') }}

with

outcome_versions as (

    select * from {{ ref('int_market_outcomes_unnested') }}
    where {{ landing_window() }}

),

latest_versions as (

    select
        *,
        row_number() over (
            partition by market_id, outcome_id, source
            order by
                coalesce(updated_at, observed_at) desc, observed_at desc, landing_id desc,
                entity_position desc
        ) as version_rank
    from outcome_versions

),

final as (

    select
        -- ids
        market_id::text as market_id,
        outcome_id::text as outcome_id,
        source::text as source,
        token_id::text as token_id,

        -- strings
        outcome_name::text as outcome_name,

        -- numerics
        outcome_index::int as outcome_index,
        last_price::numeric as last_price,

        -- booleans
        is_winner::boolean as is_winner,

        -- timestamps
        coalesce(updated_at, observed_at)::timestamptz as updated_at,
        observed_at::timestamptz as observed_at,

        -- landing
        landing_id::bigint as landing_id

    from latest_versions
    where version_rank = 1

)

select * from final
