{#-
  partitioned_incremental: an upserting incremental table, optionally range-partitioned by time.

  config:
    unique_key        list of columns: the grain. With partition_by, the partition column is added
                      to the primary key (Postgres requires it); uniqueness of the grain across
                      partitions is then checked by a data test.
    partition_by      {'field': <timestamptz column>, 'granularity': 'day' | 'month'}; optional.
    version_by        list of columns ordering the versions of a row (greatest wins). An incoming
                      row replaces the stored one only when its version is greater, so a late page
                      never overwrites newer state. An item {'column': c, 'smaller_wins': true}
                      ranks smaller values higher; null ranks as `null_as` (default 0) in an item
                      {'column': c, 'null_as': <number>}. Without version_by the first stored row is
                      kept (facts that never change: trades, book snapshots).
    coalesce_columns  columns that keep their last known value when a newer version omits them.
    refresh_columns   columns derived from other marts (a market's resolution, a fill's role): an
                      incoming row of the same version as the stored one (without version_by: any
                      incoming row) replaces their values, the other columns are kept.
    waiting_references  what the model's facts must find in another mart; facts that do not yet
                      are recorded and re-read until they do (macros/landing/waiting_references.sql).
    on_schema_change  ignore | fail | append_new_columns (default) | sync_all_columns.

  Each run: the model's select (the batch: new landing rows only, on incremental runs) goes to a
  temporary table; the partitions its rows need are created; the batch is upserted with
  insert ... on conflict; the landing cursor of the model is advanced in the same transaction.
  --full-refresh (or a missing table) drops the table with its partitions and rebuilds it.
-#}
{% materialization partitioned_incremental, adapter='postgres' %}

    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set unique_key = config.require('unique_key') -%}
    {%- set unique_key = [unique_key] if unique_key is string else unique_key -%}
    {%- set partition_by = config.get('partition_by') -%}
    {%- set version_by = config.get('version_by') or [] -%}
    {%- set coalesce_columns = config.get('coalesce_columns') or [] -%}
    {%- set refresh_columns = config.get('refresh_columns') or [] -%}
    {%- set on_schema_change = incremental_validate_on_schema_change(config.get('on_schema_change'),
                                                                       default='append_new_columns') -%}
    {%- set contract_config = config.get('contract') -%}
    {%- set grant_config = config.get('grants') -%}
    {%- set full_refresh_mode = existing_relation is none or existing_relation.type != 'table'
                                or should_full_refresh() -%}
    {%- set temp_relation = make_temp_relation(target_relation) -%}

    {%- set conflict_columns = unique_key | list -%}
    {%- if partition_by and partition_by.field not in conflict_columns -%}
        {%- do conflict_columns.append(partition_by.field) -%}
    {%- endif -%}
    {%- if partition_by and partition_by.get('granularity', 'day') not in ['day', 'month'] -%}
        {{ exceptions.raise_compiler_error("partition_by.granularity must be 'day' or 'month'") }}
    {%- endif -%}

    {#-- what this run reads, fixed before anything is written (the cursor moves at the end) --#}
    {%- set waiting_spec = config.get('waiting_references') -%}
    {%- if waiting_spec -%}
        {%- set waiting_ids = waiting_landing_ids() -%}
        {%- set waiting_window = landing_window_or_waiting() -%}
        {%- set waiting_upper_bound = landing_upper_bound() -%}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if contract_config and contract_config.enforced -%}
        {{ get_assert_columns_equivalent(sql) }}
    {%- endif -%}

    {#-- 1. the batch --#}
    {% call statement('create_batch') %}
        create temporary table {{ temp_relation }} as (
            {{ sql }}
        )
    {% endcall %}

    {#-- 2. the table: created afresh, or its columns evolved --#}
    {% if full_refresh_mode %}
        {% if existing_relation is not none %}
            {% do adapter.drop_relation(existing_relation) %}
        {% endif %}
        {% call statement('create_table') %}
            {{ pm_partitioned_table_ddl(target_relation, temp_relation, partition_by, conflict_columns, contract_config) }}
        {% endcall %}
        {% set dest_columns = adapter.get_columns_in_relation(target_relation) %}
    {% else %}
        {% set dest_columns = process_schema_changes(on_schema_change, temp_relation, existing_relation) %}
        {% if not dest_columns %}
            {% set dest_columns = adapter.get_columns_in_relation(existing_relation) %}
        {% endif %}
    {% endif %}

    {#-- 3. the partitions this batch needs --#}
    {% if partition_by %}
        {% call statement('create_partitions') %}
            {{ pm_create_missing_partitions(target_relation, temp_relation, partition_by) }}
        {% endcall %}
    {% endif %}

    {#-- 4. the upsert --#}
    {% set batch_columns = adapter.get_columns_in_relation(temp_relation) | map(attribute='name') | list %}
    {% set columns = [] %}
    {% for column in dest_columns %}
        {% if column.name in batch_columns %}{% do columns.append(column.name) %}{% endif %}
    {% endfor %}
    {% call statement('main') %}
        {{ pm_upsert_sql(target_relation, temp_relation, columns, conflict_columns, version_by, coalesce_columns,
                         refresh_columns) }}
    {% endcall %}

    {#-- 5. the facts still waiting for their reference, and the landing cursor, in the same transaction --#}
    {% if waiting_spec and landing_state_table_exists('pending_references') %}
        {% call statement('record_waiting_references') %}
            {{ record_waiting_references(target_relation, waiting_spec, waiting_window, waiting_ids,
                                         full_refresh_mode, waiting_upper_bound) }}
        {% endcall %}
    {% endif %}
    {% if landing_state_table_exists('landing_cursors') %}
        {% call statement('record_landing_cursor') %}
            {{ record_landing_cursor(target_relation) }}
        {% endcall %}
    {% endif %}

    {% if full_refresh_mode %}
        {% do create_indexes(target_relation) %}
    {% endif %}

    {% set should_revoke = should_revoke(existing_relation, full_refresh_mode) %}
    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}
    {% do persist_docs(target_relation, model) %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do adapter.commit() %}

    {% call statement('drop_batch') %}
        drop table if exists {{ temp_relation }}
    {% endcall %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}


{#- create table ... [partition by range (field)] with the primary key on the conflict columns.
    Column types come from the contract when it is enforced, else from the batch. -#}
{% macro pm_partitioned_table_ddl(relation, batch_relation, partition_by, key_columns, contract_config) %}
    create table {{ relation }}
    {%- if contract_config and contract_config.enforced %}
        {{ get_table_columns_and_constraints() }}
    {%- else %}
        (like {{ batch_relation }})
    {%- endif %}
    {%- if partition_by %}
    partition by range ({{ adapter.quote(partition_by.field) }})
    {%- endif %};
    alter table {{ relation }}
        add constraint {{ adapter.quote(relation.identifier ~ '_pkey') }}
        primary key ({% for c in key_columns %}{{ adapter.quote(c) }}{{ ', ' if not loop.last }}{% endfor %});
{% endmacro %}


{#- One partition per UTC day or month that the batch touches, named <table>_pYYYYMMDD / _pYYYYMM,
    created if missing. -#}
{% macro pm_create_missing_partitions(relation, batch_relation, partition_by) %}
    {%- set granularity = partition_by.get('granularity', 'day') -%}
    {%- set suffix_format = 'YYYYMMDD' if granularity == 'day' else 'YYYYMM' -%}
    do $pm$
    declare
        lower_bound timestamptz;
        partition_name text;
    begin
        for lower_bound in
            select distinct date_trunc('{{ granularity }}', {{ adapter.quote(partition_by.field) }}, 'UTC')
            from {{ batch_relation }}
            where {{ adapter.quote(partition_by.field) }} is not null
        loop
            partition_name := '{{ relation.identifier }}_p'
                || to_char(lower_bound at time zone 'UTC', '{{ suffix_format }}');
            if to_regclass(format('%I.%I', '{{ relation.schema }}', partition_name)) is null then
                execute format(
                    'create table %I.%I partition of %I.%I for values from (%L) to (%L)',
                    '{{ relation.schema }}', partition_name,
                    '{{ relation.schema }}', '{{ relation.identifier }}',
                    lower_bound, lower_bound + interval '1 {{ granularity }}'
                );
            end if;
        end loop;
    end
    $pm$;
{% endmacro %}


{#- insert ... on conflict: newer versions replace older ones (version_by), coalesce_columns keep
    their last known value, refresh_columns take the value of an incoming row of the same version,
    and without version_by the stored row wins. Rows that would not change are not touched, so a
    rerun writes nothing. -#}
{% macro pm_upsert_sql(relation, batch_relation, columns, key_columns, version_by, coalesce_columns,
                       refresh_columns=[]) %}
    {%- set quoted = [] -%}
    {%- for c in columns %}{% do quoted.append(adapter.quote(c)) %}{% endfor -%}
    {%- set update_columns = [] -%}
    {%- for c in columns %}{% if c not in key_columns %}{% do update_columns.append(c) %}{% endif %}{% endfor -%}
    {%- set refreshed = [] -%}
    {%- for c in update_columns %}{% if c in refresh_columns %}{% do refreshed.append(adapter.quote(c)) %}{% endif %}{% endfor -%}
    insert into {{ relation }} as existing ({{ quoted | join(', ') }})
    select {{ quoted | join(', ') }}
    from {{ batch_relation }}
    on conflict ({% for c in key_columns %}{{ adapter.quote(c) }}{{ ', ' if not loop.last }}{% endfor %})
    {%- if (version_by or refreshed) and update_columns %}
    do update set
        {%- if version_by %}
        {%- set excluded_version -%}
            ({% for v in version_by %}{{ pm_version_term('excluded', v) }}{{ ', ' if not loop.last }}{% endfor %})
        {%- endset %}
        {%- set existing_version -%}
            ({% for v in version_by %}{{ pm_version_term('existing', v) }}{{ ', ' if not loop.last }}{% endfor %})
        {%- endset %}
        {%- set newer = excluded_version ~ ' > ' ~ existing_version %}
        {%- set same = excluded_version ~ ' is not distinct from ' ~ existing_version %}
        {%- else %}
        {%- set newer = 'false' %}
        {%- set same = 'true' %}
        {%- endif %}
        {%- for c in update_columns %}
        {%- set q = adapter.quote(c) %}
        {%- if c in coalesce_columns %}
        {{ q }} = case when {{ newer }} then coalesce(excluded.{{ q }}, existing.{{ q }})
                       else coalesce(existing.{{ q }}, excluded.{{ q }}) end
        {%- elif c in refresh_columns %}
        {{ q }} = case when {{ newer }} or {{ same }} then excluded.{{ q }} else existing.{{ q }} end
        {%- else %}
        {{ q }} = case when {{ newer }} then excluded.{{ q }} else existing.{{ q }} end
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    where {{ newer }}
        {%- for c in coalesce_columns %}
        or (existing.{{ adapter.quote(c) }} is null and excluded.{{ adapter.quote(c) }} is not null)
        {%- endfor %}
        {%- if refreshed %}
        or ({{ same }} and (existing.{{ refreshed | join(', existing.') }})
            is distinct from (excluded.{{ refreshed | join(', excluded.') }}))
        {%- endif %}
    {%- else %}
    do nothing
    {%- endif %}
{% endmacro %}


{#- One term of a version tuple: the column (null as `null_as`, default 0, when given or when
    smaller values win), or minus it when smaller values win. -#}
{% macro pm_version_term(alias, item) -%}
    {%- if item is mapping -%}
        {%- set column = alias ~ '.' ~ adapter.quote(item['column']) -%}
        {%- if 'null_as' in item or item.get('smaller_wins') -%}
            {%- set column = 'coalesce(' ~ column ~ ', ' ~ item.get('null_as', 0) ~ ')' -%}
        {%- endif -%}
        {{ '-' if item.get('smaller_wins') }}{{ column }}
    {%- else -%}
        {{ alias }}.{{ adapter.quote(item) }}
    {%- endif -%}
{%- endmacro %}
