-- grain: one row per open gap (gap_id): a range extraction has not landed yet, or can never land
{{ config(materialized='table') }}

with

sync_gaps as (

    select * from {{ source('extraction', 'sync_gaps') }}
    where closed_at is null

),

final as (

    select
        -- ids
        gap_id::bigint as gap_id,
        source::text as source,
        market_id::text as market_id,

        -- strings
        resource::text as resource,  -- noqa: RF04
        scope::text as scope,  -- noqa: RF04
        reason::text as reason,
        last_error::text as last_error,

        -- numerics
        attempts::int as attempts,

        -- booleans
        unreachable::boolean as is_unreachable,

        -- timestamps
        gap_from::timestamptz as gap_from,
        gap_to::timestamptz as gap_to,
        opened_at::timestamptz as opened_at,
        last_attempt_at::timestamptz as last_attempt_at

    from sync_gaps

)

select * from final
