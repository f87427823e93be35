-- grain: one row per top-level key of the entities a staging model reads, per venue and resource (source,
-- resource, staging_model, key): when it was first and last landed, and in how many entities
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['source', 'resource', 'staging_model', 'key'],
        refresh_columns=['first_seen_at', 'last_seen_at', 'entities_seen'],
        on_schema_change='append_new_columns',
    )
}}
{{ wire_staging_dependencies() }}
{%- set observed_models = wire_models() %}

with

{% for declared in observed_models %}
{{ declared.name }}_keys as (

    select
        '{{ declared.name }}'::text as staging_model,
        staged.source,
        staged.landing_id,
        entity_key.key,
        count(*) as entities_seen,
        min(staged.observed_at) as first_seen_at,
        max(staged.observed_at) as last_seen_at
    from {{ wire_relation(declared) }} as staged
    cross join lateral jsonb_object_keys(
        case when jsonb_typeof(staged.wire_entity) = 'object' then staged.wire_entity else '{}'::jsonb end
    ) as entity_key (key)
    where {{ landing_window('staged.landing_id') }}
    group by staged.source, staged.landing_id, entity_key.key

),

{% endfor -%}
landed_keys as (

    {% for declared in observed_models -%}
    select * from {{ declared.name }}_keys
    {% if not loop.last %}union all
    {% endif -%}
    {%- else -%}
    select
        null::text as staging_model,
        null::text as source,
        null::bigint as landing_id,
        null::text as key,
        null::bigint as entities_seen,
        null::timestamptz as first_seen_at,
        null::timestamptz as last_seen_at
    where false
    {%- endfor %}

),

batch as (

    -- Keys per page, then per resource (the page's endpoint family).
    select
        landed_keys.source,
        landing.resource,
        landed_keys.staging_model,
        landed_keys.key,
        min(landed_keys.first_seen_at) as first_seen_at,
        max(landed_keys.last_seen_at) as last_seen_at,
        sum(landed_keys.entities_seen)::bigint as entities_seen
    from landed_keys
    inner join {{ source('landing', 'raw_api_responses') }} as landing
        on
            landed_keys.landing_id = landing.landing_id
            and landed_keys.source = landing.source
    group by landed_keys.source, landing.resource, landed_keys.staging_model, landed_keys.key

),

accumulated as (

    -- An incremental run adds its pages to what is stored (the upsert replaces the stored row), so the
    -- result equals a full refresh over every page.
    {%- if is_incremental() %}
    select
        batch.source,
        batch.resource,
        batch.staging_model,
        batch.key,
        least(batch.first_seen_at, stored_keys.first_seen_at) as first_seen_at,
        greatest(batch.last_seen_at, stored_keys.last_seen_at) as last_seen_at,
        batch.entities_seen + coalesce(stored_keys.entities_seen, 0) as entities_seen
    from batch
    left join {{ this }} as stored_keys
        on
            batch.source = stored_keys.source
            and batch.resource = stored_keys.resource
            and batch.staging_model = stored_keys.staging_model
            and batch.key = stored_keys.key
    {% else %}
    select * from batch
    {% endif %}

)

select * from accumulated
