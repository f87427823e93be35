-- grain: one row per wire value a staging model could not convert (staging_model, landing_id, entity_position,
-- field), kept from the first landed page that carried it
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['staging_model', 'landing_id', 'entity_position', 'field'],
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['observed_at']}],
    )
}}
{{ wire_staging_dependencies() }}
{#- One branch per staging model, one check per converted key its columns declare
    (macros/quality/wire_declarations.sql): a new column with its meta is covered as it is. #}
{%- set checked_models = [] %}
{%- for declared in wire_models() %}
    {%- set checked = declared.fields | rejectattr('kind', 'in', ['text', 'json']) | list %}
    {%- if checked %}
        {%- do checked_models.append({'declared': declared, 'fields': checked}) %}
    {%- endif %}
{%- endfor %}

with

{% for item in checked_models %}
{%- set declared = item.declared %}
{{ declared.name }}_values as (

    -- Each converted key of the entities, with the conversion its column declares.
    select
        '{{ declared.name }}'::text as staging_model,
        staged.source,
        staged.landing_id,
        {{ 'staged.entity_position' if declared.has_position else '1' }}::bigint as entity_position,
        {{ "'" ~ declared.entity_key ~ "'" if declared.entity_key else 'null' }}::text as entity_key,
        {{ 'staged.' ~ declared.entity_key if declared.entity_key else 'null' }}::text as entity_id,
        checked.field,
        checked.staging_column,
        checked.kind,
        checked.wire_value,
        staged.observed_at
    from {{ wire_relation(declared) }} as staged
    cross join lateral (
        values
        {%- for field in item.fields %}
        (
            '{{ field.key }}', '{{ field.column }}', '{{ field.kind }}',
            staged.wire_entity #> {{ wire_path_literal(field.path) }}
        ){{ ',' if not loop.last }}
        {%- endfor %}
    ) as checked (field, staging_column, kind, wire_value)
    where
        {{ landing_window('staged.landing_id') }}
        and checked.wire_value is not null

),

{% endfor -%}
landed_values as (

    {% for item in checked_models -%}
    select * from {{ item.declared.name }}_values
    {% if not loop.last %}union all
    {% endif -%}
    {%- else -%}
    select
        null::text as staging_model,
        null::text as source,
        null::bigint as landing_id,
        null::bigint as entity_position,
        null::text as entity_key,
        null::text as entity_id,
        null::text as field,
        null::text as staging_column,
        null::text as kind,
        null::jsonb as wire_value,
        null::timestamptz as observed_at
    where false
    {%- endfor %}

),

issues as (

    select
        *,
        {{ wire_value_issue_of_kind('kind', 'wire_value') }} as reason
    from landed_values

),

located as (

    -- The endpoint family (resource) of the page each value was landed in.
    select
        issues.source,
        landing.resource,
        issues.staging_model,
        issues.landing_id,
        issues.entity_position,
        issues.entity_key,
        issues.entity_id,
        issues.field,
        issues.staging_column,
        -- the value as text (a JSON object or array as its JSON text), cut to a readable length
        left(issues.wire_value #>> '{}', 200) as raw_value,
        length(issues.wire_value #>> '{}') as raw_length,
        jsonb_typeof(issues.wire_value) as raw_type,
        issues.reason,
        issues.observed_at
    from issues
    inner join {{ source('landing', 'raw_api_responses') }} as landing
        on
            issues.landing_id = landing.landing_id
            and issues.source = landing.source
    where issues.reason is not null

)

select * from located
