{#- Facts that wait for their reference (late references).

    A fact mart joins its facts to a reference mart (a trade to its outcome in market_outcomes).
    A fact landed before its reference (a fill before the listing naming its market) cannot be
    modelled yet, and the mart's cursor moves past its page. So it is not lost, the mart records
    it in <intermediate>.pending_references: one row per (mart, landing page, market, outcome),
    with its row count and landing time, in the same transaction as the mart's rows and cursor.
    - Each incremental run re-reads the pages still waiting (by literal landing ids, pushed down to
      the landing scan), besides its window: once the reference is there, the facts are modelled
      exactly as a full refresh would model them, and their entries are marked resolved.
    - A page waits at most `late_reference_max_age_hours` (default 168) after it was landed
      (measured from the invocation's horizon time): older entries are no longer re-read, stay
      recorded and are counted as expired in marts.late_references (a full refresh models them if
      their reference has arrived by then). So the re-read set cannot grow without bound, and
      nothing waits silently.
    - Resolved entries stay until every mart's cursor has passed them: marts reading the waiting
      mart's rows by landing id (trade roles, completeness) read the late ones too
      (landing_window_or_late).
    A mart declares what it waits for with the config `waiting_references`:
      {'input': <model the facts are read from>, 'reference': <mart they must find (omitted: the
       model itself, as built by this run)>,
       'keys': [columns matched in the reference, e.g. market_id, outcome_id, source],
       'optional_keys': [keys a fact may omit: it then matches on the others],
       'where': <the mart's own filter on the facts, SQL>}
    and reads its facts with `where {{ landing_window_or_waiting() }}`. -#}

{% macro create_pending_references_table() %}
    {%- set schema = landing_state_schema() -%}
    create schema if not exists {{ schema }};
    create table if not exists {{ schema }}.pending_references (
        relation_name text not null,
        source text not null,
        market_id text,
        outcome_id text,
        landing_id bigint not null,
        row_count integer not null,
        landed_at timestamptz not null,
        resolved_landing_id bigint,
        resolved_at timestamptz
    );
    create index if not exists pending_references_relation_idx
        on {{ schema }}.pending_references (relation_name, resolved_landing_id, landing_id);
    comment on table {{ schema }}.pending_references is
        'dbt: facts landed before their reference (per mart, page, market, outcome); resolved once modelled';
{% endmacro %}

{% macro late_reference_max_age_hours() -%}
    {{ return(var('late_reference_max_age_hours', 168) | int) }}
{%- endmacro %}

{#- The time the invocation fixed its horizon (ages of waiting pages are measured from it, so
    every model of an invocation agrees), or none outside a run. -#}
{% macro landing_horizon_fixed_at() -%}
    {%- set fixed_at = none -%}
    {%- if execute and landing_state_table_exists('landing_horizons') -%}
        {%- set result = run_query("select fixed_at from " ~ landing_state_schema() ~ ".landing_horizons where invocation_id = '" ~ invocation_id ~ "'") -%}
        {%- if result.rows | length > 0 -%}
            {%- set fixed_at = result.rows[0][0] -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(fixed_at) }}
{%- endmacro %}

{#- Literal landing ids of a query's first column (an empty list outside a run). -#}
{% macro pm_landing_id_list(query) -%}
    {%- set ids = [] -%}
    {%- if execute -%}
        {%- for row in run_query(query).rows -%}
            {%- do ids.append(row[0]) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(ids) }}
{%- endmacro %}

{#- The pages this mart re-reads: those holding facts still waiting at its last build, landed
    within the max age. Incremental runs only. -#}
{% macro waiting_landing_ids(relation=this) -%}
    {%- set ids = [] -%}
    {%- if execute and is_incremental() and landing_state_table_exists('pending_references') -%}
        {%- set fixed_at = landing_horizon_fixed_at() -%}
        {%- if fixed_at is not none -%}
            {%- set ids = pm_landing_id_list(
                "select distinct landing_id from " ~ landing_state_schema() ~ ".pending_references"
                ~ " where relation_name = '" ~ relation.render() ~ "' and resolved_landing_id is null"
                ~ " and landed_at >= '" ~ fixed_at ~ "'::timestamptz - interval '"
                ~ late_reference_max_age_hours() ~ " hours' order by 1") -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(ids) }}
{%- endmacro %}

{#- The landing window of a mart, plus the pages still waiting for a reference. -#}
{% macro landing_window_or_waiting(column='landing_id') -%}
    {%- set waiting = waiting_landing_ids() -%}
    {%- if waiting -%}
        (({{ landing_window(column) }}) or {{ column }} in ({{ waiting | join(', ') }}))
    {%- else -%}
        {{ landing_window(column) }}
    {%- endif -%}
{%- endmacro %}

{#- The pages of `relation`'s rows that were modelled late (their reference arrived) since this
    model's cursor, up to its upper bound. Incremental runs only. -#}
{% macro late_landing_ids(relation) -%}
    {%- set ids = [] -%}
    {%- if execute and is_incremental() and landing_state_table_exists('pending_references') -%}
        {%- set upper_bound = landing_upper_bound() -%}
        {%- if upper_bound is not none -%}
            {%- set ids = pm_landing_id_list(
                "select distinct landing_id from " ~ landing_state_schema() ~ ".pending_references"
                ~ " where relation_name = '" ~ relation.render() ~ "'"
                ~ " and resolved_landing_id > " ~ landing_cursor() ~ " and resolved_landing_id <= " ~ upper_bound
                ~ " order by 1") -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(ids) }}
{%- endmacro %}

{#- The landing window applied to the rows of another mart (`relation`), plus its rows that
    arrived late since this model's cursor: what this model has not seen of it. -#}
{% macro landing_window_or_late(column, relation) -%}
    {%- set late = late_landing_ids(relation) -%}
    {%- if late -%}
        (({{ landing_window(column) }}) or {{ column }} in ({{ late | join(', ') }}))
    {%- else -%}
        {{ landing_window(column) }}
    {%- endif -%}
{%- endmacro %}

{#- Called by the materialization after the upsert, in the same transaction: the facts of this
    run's input (`window_sql`: the window and the re-read pages `reread_ids`) that still miss
    their reference replace the entries of the re-read pages; entries whose facts found it are
    marked resolved at `upper_bound`. -#}
{% macro record_waiting_references(relation, spec, window_sql, reread_ids, full_refresh, upper_bound) %}
    {%- set schema = landing_state_schema() -%}
    {%- set keys = spec.get('keys') or ['market_id', 'outcome_id', 'source'] -%}
    {%- set optional_keys = spec.get('optional_keys') or [] -%}
    {%- set name = relation.render() -%}
    create temporary table pm_waiting_facts as
    select
        facts.source,
        {{ 'facts.market_id' if 'market_id' in keys else 'null::text' }} as market_id,
        {{ 'facts.outcome_id' if 'outcome_id' in keys else 'null::text' }} as outcome_id,
        facts.landing_id,
        count(*)::int as row_count,
        min(facts.observed_at) as landed_at
    from {{ ref(spec['input']) }} as facts
    where
        ({{ window_sql }})
        {%- if spec.get('where') %}
        and ({{ spec['where'] }})
        {%- endif %}
        {%- for key in keys if key not in optional_keys %}
        and facts.{{ key }} is not null
        {%- endfor %}
        and not exists (
            select 1
            from {{ ref(spec['reference']) if spec.get('reference') else relation }} as known
            where
                {%- for key in keys %}
                {% if key in optional_keys %}(facts.{{ key }} is null or known.{{ key }} = facts.{{ key }})
                {%- else %}known.{{ key }} = facts.{{ key }}{% endif %}{{ ' and' if not loop.last }}
                {%- endfor %}
        )
    group by 1, 2, 3, 4;
    {%- if full_refresh %}
    delete from {{ schema }}.pending_references where relation_name = '{{ name }}';
    {%- elif reread_ids %}
    update {{ schema }}.pending_references as waiting
    set resolved_landing_id = {{ upper_bound }}, resolved_at = now()
    where
        waiting.relation_name = '{{ name }}'
        and waiting.resolved_landing_id is null
        and waiting.landing_id in ({{ reread_ids | join(', ') }})
        and not exists (
            select 1
            from pm_waiting_facts as still
            where
                still.landing_id = waiting.landing_id
                and still.source = waiting.source
                and still.market_id is not distinct from waiting.market_id
                and still.outcome_id is not distinct from waiting.outcome_id
        );
    delete from {{ schema }}.pending_references
    where
        relation_name = '{{ name }}'
        and resolved_landing_id is null
        and landing_id in ({{ reread_ids | join(', ') }});
    {%- endif %}
    insert into {{ schema }}.pending_references
        (relation_name, source, market_id, outcome_id, landing_id, row_count, landed_at)
    select '{{ name }}', source, market_id, outcome_id, landing_id, row_count, landed_at
    from pm_waiting_facts;
    -- Resolved entries are kept until every mart has read past them (or for the max age).
    delete from {{ schema }}.pending_references
    where
        resolved_landing_id is not null
        and (
            resolved_landing_id <= (select coalesce(min(landing_id), 0) from {{ schema }}.landing_cursors)
            or resolved_at < now() - interval '{{ late_reference_max_age_hours() }} hours'
        );
    drop table pm_waiting_facts;
{% endmacro %}
