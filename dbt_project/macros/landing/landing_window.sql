{#- Incremental reads of landing.raw_api_responses.

    landing_id is assigned in commit order, so "every row up to N" is a stable snapshot.
    - The horizon: at the start of each invocation (on-run-start) the current max landing_id is
      fixed in <intermediate>.landing_horizons for that invocation_id. Every model of the
      invocation reads landing rows up to that same id, so the marts built together agree with
      each other (a price point is never modelled before the market it belongs to) even while
      extraction keeps landing pages.
    - The upper bound of a mart: the horizon, and no further than the cursors of the marts it
      refers to (config `landing_bounded_by`), which matters when models run as separate
      invocations (one Airflow task per model).
    - The cursor: each incremental mart keeps, in <intermediate>.landing_cursors, the upper bound
      up to which it has been built (written by the partitioned_incremental materialization in
      the same transaction as the rows). An incremental run reads landing rows in
      (cursor, upper bound]. One dbt invocation at a time writes the marts (the transform DAG
      runs one DAG run at a time).
    The predicate is rendered with literal ids so Postgres pushes it through the staging views
    down to the landing scan (index on landing_id). -#}

{% macro landing_state_schema() -%}
    {{ generate_schema_name('intermediate', none) }}
{%- endmacro %}

{#- Whether a landing state table exists, asked of the catalog (the relation cache of a run is
    filled before on-run-start creates these tables). -#}
{% macro landing_state_table_exists(name) -%}
    {%- set result = run_query("select to_regclass('" ~ landing_state_schema() ~ "." ~ name ~ "') is not null") -%}
    {{ return(result.rows[0][0]) }}
{%- endmacro %}

{% macro fix_landing_horizon() %}
    {%- set schema = landing_state_schema() -%}
    create schema if not exists {{ schema }};
    create table if not exists {{ schema }}.landing_horizons (
        invocation_id text primary key,
        landing_id bigint not null,
        fixed_at timestamptz not null default now()
    );
    create table if not exists {{ schema }}.landing_cursors (
        relation_name text primary key,
        landing_id bigint not null,
        invocation_id text,
        updated_at timestamptz not null default now()
    );
    comment on table {{ schema }}.landing_horizons is
        'dbt: the landing_id horizon of each invocation (every model reads landing rows up to it)';
    comment on table {{ schema }}.landing_cursors is
        'dbt: per incremental model, the landing_id up to which it has been built';
    delete from {{ schema }}.landing_horizons where fixed_at < now() - interval '7 days';
    insert into {{ schema }}.landing_horizons (invocation_id, landing_id)
    select '{{ invocation_id }}', coalesce(max(landing_id), 0)
    from {{ source('landing', 'raw_api_responses') }}
    on conflict (invocation_id) do nothing;
{% endmacro %}

{#- The horizon fixed for this invocation, or none (outside run/build, hooks do not run). -#}
{% macro fixed_landing_horizon() -%}
    {%- set fixed = none -%}
    {%- if execute -%}
        {%- if landing_state_table_exists('landing_horizons') -%}
            {%- set result = run_query("select landing_id from " ~ landing_state_schema() ~ ".landing_horizons where invocation_id = '" ~ invocation_id ~ "'") -%}
            {%- if result.rows | length > 0 -%}
                {%- set fixed = result.rows[0][0] -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(fixed) }}
{%- endmacro %}

{#- The horizon as a literal, or a subquery on landing when none is fixed. -#}
{% macro landing_horizon() -%}
    {%- set fixed = fixed_landing_horizon() -%}
    {%- if fixed is not none -%}
        {{ fixed }}
    {%- else -%}
        (select coalesce(max(landing_id), 0) from {{ source('landing', 'raw_api_responses') }})
    {%- endif -%}
{%- endmacro %}

{#- The landing_id a model reads up to: the horizon of the invocation, and no further than the
    cursors of the marts named in its `landing_bounded_by` config (the marts it looks up or
    refers to). Within one invocation they all equal the horizon; when models run as separate
    invocations (one Airflow task per model), a trade is never modelled before its market, nor a
    price point before its outcome. Returns none outside a run (no fixed horizon). -#}
{% macro landing_upper_bound() -%}
    {%- set bounds = [] -%}
    {%- set fixed = fixed_landing_horizon() -%}
    {%- if fixed is not none -%}
        {%- do bounds.append(fixed) -%}
    {%- endif -%}
    {%- for name in config.get('landing_bounded_by') or [] -%}
        {%- set parent = ref(name) -%}
        {%- if fixed is not none -%}
            {%- set parent_cursor = stored_landing_cursor(parent) -%}
            {%- if parent_cursor is not none -%}
                {%- do bounds.append(parent_cursor) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(bounds | min if fixed is not none else none) }}
{%- endmacro %}

{#- The cursor stored for a relation in landing_cursors, or none. -#}
{% macro stored_landing_cursor(relation) -%}
    {%- set cursor = none -%}
    {%- if execute and landing_state_table_exists('landing_cursors') -%}
        {%- set result = run_query("select landing_id from " ~ landing_state_schema() ~ ".landing_cursors where relation_name = '" ~ relation.render() ~ "'") -%}
        {%- if result.rows | length > 0 -%}
            {%- set cursor = result.rows[0][0] -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(cursor) }}
{%- endmacro %}

{#- The landing_id this model has been built up to (incremental runs only): its stored cursor,
    else max(landing_id) of its rows (never skips a landing row). -#}
{% macro landing_cursor(relation=this) -%}
    {%- set cursor = none -%}
    {%- if execute -%}
        {%- set cursor = stored_landing_cursor(relation) -%}
        {%- if cursor is none -%}
            {%- set result = run_query("select coalesce(max(landing_id), 0) from " ~ relation) -%}
            {%- set cursor = result.rows[0][0] -%}
        {%- endif -%}
    {%- endif -%}
    {%- if cursor is not none -%}
        {{ cursor }}
    {%- else -%}
        (select coalesce(max(landing_id), 0) from {{ relation }})
    {%- endif -%}
{%- endmacro %}

{#- The predicate every landing-driven mart applies to its input: up to its upper bound, and
    past its cursor on incremental runs. -#}
{% macro landing_window(column='landing_id') -%}
    {%- set upper_bound = landing_upper_bound() -%}
    {{ column }} <= {{ upper_bound if upper_bound is not none else landing_horizon() }}
    {%- if is_incremental() %}
    and {{ column }} > {{ landing_cursor() }}
    {%- endif %}
{%- endmacro %}

{#- Called by the materialization after the rows are written (same transaction). Without a
    fixed horizon nothing is recorded: the next run falls back to max(landing_id) of the table,
    which never skips a landing row. -#}
{% macro record_landing_cursor(relation) -%}
    {%- set horizon = landing_upper_bound() -%}
    {%- set schema = landing_state_schema() -%}
    {%- if horizon is not none -%}
    insert into {{ schema }}.landing_cursors (relation_name, landing_id, invocation_id, updated_at)
    values ('{{ relation.render() }}', {{ horizon }}, '{{ invocation_id }}', now())
    on conflict (relation_name) do update
        set landing_id = excluded.landing_id,
            invocation_id = excluded.invocation_id,
            updated_at = excluded.updated_at
    {%- else -%}
    delete from {{ schema }}.landing_cursors where relation_name = '{{ relation.render() }}'
    {%- endif -%}
{%- endmacro %}

{#- The landing_ids at which the stored rows of this model whose keys `changed_keys_sql` selects
    were landed (column `landing_id_column` of the stored rows), as a list of literals: an
    incremental batch reads those pages again when something other than a new version of the row
    changed it (a market whose resolution arrived after its last listing is rebuilt from its stored
    version's page). Empty outside incremental runs. -#}
{% macro stored_landing_ids(changed_keys_sql, key_columns, landing_id_column='landing_id') -%}
    {%- set ids = [] -%}
    {%- if execute and is_incremental() -%}
        {%- set query -%}
            select distinct stored.{{ landing_id_column }}
            from {{ this }} as stored
            where
                stored.{{ landing_id_column }} is not null
                and ({% for c in key_columns %}stored.{{ c }}{{ ', ' if not loop.last }}{% endfor %})
                in ({{ changed_keys_sql }})
            order by 1
        {%- endset -%}
        {%- set result = run_query(query) -%}
        {%- for row in result.rows -%}
            {%- do ids.append(row[0]) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(ids) }}
{%- endmacro %}
