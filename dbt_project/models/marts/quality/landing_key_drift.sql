-- grain: one row per drifted top-level key of the entities a staging model reads, per venue and resource
-- (source, resource, staging_model, key): landed but not read ('unread'), or read but no longer landed
-- ('missing')
{{ config(materialized='view') }}
{%- set drift_models = wire_models() %}
{%- set window = var('key_drift_window_hours', 24) %}

with

observed as (

    select * from {{ ref('int_landing_keys_observed') }}

),

declared as (

    -- The top-level keys each staging model reads, and those it knows and leaves (its YAML meta).
    {%- set declared_keys = [] %}
    {%- for declared in drift_models %}
        {%- for key in declared.reads %}{% do declared_keys.append((declared.name, key, 'read')) %}{% endfor %}
        {%- for key in declared.ignores %}
            {%- if key not in declared.reads %}{% do declared_keys.append((declared.name, key, 'ignored')) %}{% endif %}
        {%- endfor %}
    {%- endfor %}
    select
        declared_key.staging_model,
        declared_key.key,
        declared_key.role
    from (
        values
        {%- for name, key, role in declared_keys %}
        ('{{ name }}', '{{ key }}', '{{ role }}'){{ ',' if not loop.last }}
        {%- else %}
        (null, null, null)
        {%- endfor %}
    ) as declared_key (staging_model, key, role)

),

resource_latest as (

    -- The newest entity of each model and resource: a key is "recent" within the window before it,
    -- so a resource that lands rarely is compared with its own last page, not with the clock.
    select
        source,
        resource,
        staging_model,
        max(last_seen_at) as latest_seen_at
    from observed
    group by source, resource, staging_model

),

statused as (

    select
        observed.*,
        case
            when
                declared.role is null
                and observed.last_seen_at > resource_latest.latest_seen_at - interval '{{ window }} hours'
                then 'unread'
            when
                declared.role = 'read'
                and observed.last_seen_at <= resource_latest.latest_seen_at - interval '{{ window }} hours'
                then 'missing'
        end as status
    from observed
    inner join resource_latest
        on
            observed.source = resource_latest.source
            and observed.resource = resource_latest.resource
            and observed.staging_model = resource_latest.staging_model
    left join declared
        on
            observed.staging_model = declared.staging_model
            and observed.key = declared.key

),

final as (

    select
        source::text as source,
        resource::text as resource,
        staging_model::text as staging_model,
        key::text as key,
        status::text as status,
        first_seen_at::timestamptz as first_seen_at,
        last_seen_at::timestamptz as last_seen_at,
        entities_seen::bigint as entities_seen
    from statused
    where status is not null

)

select * from final
