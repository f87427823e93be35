-- grain: one row per wire value a staging model could not convert (staging_model, landing_id, entity_position,
-- field): null in staging and in every mart, listed here with its raw text and the reason
{{ config(materialized='view') }}

with

issues as (

    select * from {{ ref('int_wire_value_issues_recorded') }}

),

final as (

    select
        -- where
        source::text as source,
        resource::text as resource,
        staging_model::text as staging_model,
        landing_id::bigint as landing_id,
        entity_position::bigint as entity_position,
        entity_key::text as entity_key,
        entity_id::text as entity_id,

        -- what
        field::text as field,
        staging_column::text as staging_column,
        raw_value::text as raw_value,
        raw_length::integer as raw_length,
        raw_type::text as raw_type,
        reason::text as reason,

        -- when
        observed_at::timestamptz as observed_at

    from issues

)

select * from final
