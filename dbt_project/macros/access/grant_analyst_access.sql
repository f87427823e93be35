{#- Read-only analyst access (on-run-end, idempotent); grants only, creates no role.

    pm_analyst is a NOLOGIN group role created once by the administrator bootstrap
    (include/bin/bootstrap-postgres); people get their own login roles and are granted pm_analyst
    by a DBA. dbt runs as the warehouse's owner role, which has no CREATEROLE: if pm_analyst is
    missing, the run fails and says so. The role may use schema marts and select every table there
    (and, through default privileges, every table dbt creates there later), and nothing in landing,
    staging or intermediate: Postgres grants PUBLIC nothing on schemas created with CREATE SCHEMA
    but EXECUTE on every new function (landing has some); the revokes below remove that and any
    earlier grant. The owner keeps its rights. A deployment naming its group role differently
    sets the var `analyst_role`. -#}
{% macro grant_analyst_access(role=none) %}
    {%- set role = role or var('analyst_role', 'pm_analyst') -%}
    {%- set marts = generate_schema_name('marts', none) -%}
    {%- set private_schemas = ['landing', generate_schema_name('staging', none), generate_schema_name('intermediate', none)] -%}
    do $pm$
    begin
        if not exists (select from pg_catalog.pg_roles where rolname = '{{ role }}') then
            raise exception 'role {{ role }} does not exist: create it once with include/bin/bootstrap-postgres (administrator connection, PM_PG_ADMIN_DSN); dbt creates no roles';
        end if;
    end
    $pm$;
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
