{#- Read-only analyst access (on-run-end, idempotent).

    pm_analyst is a NOLOGIN group role: people get their own login roles and are granted
    pm_analyst by a DBA; this macro grants the role to nobody. It may use schema marts and
    select every table there (and, through default privileges, every table dbt creates there
    later), and nothing in landing, staging or intermediate: Postgres grants PUBLIC nothing on
    schemas created with CREATE SCHEMA but EXECUTE on every new function (landing has some); the
    revokes below remove that and any earlier grant. The owner (the warehouse role) keeps its
    rights. Requires CREATEROLE for the first run (the warehouse role `pm` has it). -#}
{% macro grant_analyst_access(role='pm_analyst') %}
    {%- set marts = generate_schema_name('marts', none) -%}
    {%- set private_schemas = ['landing', generate_schema_name('staging', none), generate_schema_name('intermediate', none)] -%}
    do $pm$
    begin
        if not exists (select from pg_catalog.pg_roles where rolname = '{{ role }}') then
            begin
                create role {{ role }} nologin;
            exception when duplicate_object then
                null;  -- created concurrently by another run
            end;
        end if;
    end
    $pm$;
    comment on role {{ role }} is 'Read-only access to the marts schema (analysts, BI tools, Parquet export)';
    create schema if not exists {{ marts }};
    grant usage on schema {{ marts }} to {{ role }};
    grant select on all tables in schema {{ marts }} to {{ role }};
    alter default privileges in schema {{ marts }} grant select on tables to {{ role }};
    {% for schema in private_schemas %}
    do $pm$
    begin
        if exists (select from pg_catalog.pg_namespace where nspname = '{{ schema }}') then
            execute 'revoke all on schema {{ schema }} from public, {{ role }}';
            execute 'revoke all on all tables in schema {{ schema }} from public, {{ role }}';
            execute 'revoke all on all sequences in schema {{ schema }} from public, {{ role }}';
            -- Postgres grants EXECUTE on new functions to PUBLIC by default.
            execute 'revoke all on all functions in schema {{ schema }} from public, {{ role }}';
        end if;
    end
    $pm$;
    {% endfor %}
{% endmacro %}
