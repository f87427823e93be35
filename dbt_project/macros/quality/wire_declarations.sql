{#- What the staging models read from the wire, as their YAML declares it:

    - a column's `config.meta.wire` maps each wire key it reads (a dotted path for a nested
      key: `price.close_dollars`) to its conversion kind (see macros/conversions/issues.sql):
          - name: created_at
            config: {meta: {wire: {createdAt: timestamp}}}
    - the model's `config.meta.wire`:
          entity_key  the staging column that names the entity (market_id...), if any
          reads       top-level keys read without a column of their own (nested lists...)
          ignores     top-level keys known to arrive and deliberately not read

    Each key is declared once per model (the first column that reads it). The data-quality
    model checks every converted key; the drift model compares the top-level keys with those
    landed. Adding a column with its meta is all it takes for both to cover it. -#}

{#- Every model declaring wire keys, sorted by name: [{name, source_relation, entity_key,
    has_position, fields: [{column, key, path, kind}], reads: [top-level keys], ignores}].
    Empty while dbt parses (the graph is only filled at execution). -#}
{% macro wire_models() -%}
    {%- set models = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() | sort(attribute='name') -%}
            {%- if node.resource_type == 'model' -%}
                {%- set declared = wire_model_declaration(node) -%}
                {%- if declared.fields or declared.reads -%}
                    {%- do models.append(declared) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(models) }}
{%- endmacro %}

{% macro wire_model_declaration(node) -%}
    {%- set model_wire = (node.config.get('meta') or {}).get('wire') or (node.meta or {}).get('wire') or {} -%}
    {%- set fields = [] -%}
    {%- set seen = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set column_wire = ((column.get('config') or {}).get('meta') or {}).get('wire')
                              or (column.get('meta') or {}).get('wire') or {} -%}
        {%- for key, kind in column_wire.items() -%}
            {%- if kind not in wire_conversion_kinds().split() -%}
                {{ exceptions.raise_compiler_error(node.name ~ "." ~ column.name ~ ": unknown wire conversion kind '"
                                                   ~ kind ~ "' for '" ~ key ~ "'") }}
            {%- endif -%}
            {%- if key in seen -%}
                {{ exceptions.raise_compiler_error(node.name ~ ": wire key '" ~ key ~ "' is declared twice") }}
            {%- endif -%}
            {%- do seen.append(key) -%}
            {%- do fields.append({'column': column.name, 'key': key, 'path': key.split('.'), 'kind': kind}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set reads = [] -%}
    {%- for key in (fields | map(attribute='path') | map('first') | list) + (model_wire.get('reads') or []) -%}
        {%- if key not in reads -%}{%- do reads.append(key) -%}{%- endif -%}
    {%- endfor -%}
    {{ return({'name': node.name, 'entity_key': model_wire.get('entity_key'),
               'has_position': 'entity_position' in node.columns, 'fields': fields, 'reads': reads,
               'ignores': model_wire.get('ignores') or []}) }}
{%- endmacro %}

{#- A jsonb path literal for a declared key: '{price,close_dollars}'. -#}
{% macro wire_path_literal(path) -%}
    '{ {{- path | join(',') -}} }'
{%- endmacro %}

{#- The staging models the quality models read. dbt learns a model's parents while parsing, before
    the graph (and so the wire declarations) exists: this list makes them parents. A staging model
    that declares wire keys and is missing here fails the build with its name (wire_relation). -#}
{% macro wire_staging_models() -%}
    {{ return([
        'stg_kalshi__candlesticks', 'stg_kalshi__events', 'stg_kalshi__historical_cutoffs', 'stg_kalshi__markets',
        'stg_kalshi__orderbooks', 'stg_kalshi__series', 'stg_kalshi__trades',
        'stg_polymarket__events', 'stg_polymarket__markets', 'stg_polymarket__orderbooks', 'stg_polymarket__prices',
        'stg_polymarket__resolutions', 'stg_polymarket__trades',
    ]) }}
{%- endmacro %}

{% macro wire_staging_dependencies() -%}
    {%- for name in wire_staging_models() %}
-- depends_on: {{ ref(name) }}
    {%- endfor %}
{%- endmacro %}

{#- The relation of a wire model, failing with what to do when it is not a declared parent. -#}
{% macro wire_relation(declared) -%}
    {%- if declared.name not in wire_staging_models() -%}
        {{ exceptions.raise_compiler_error(declared.name ~ " declares wire keys: add it to wire_staging_models() in "
                                           ~ "macros/quality/wire_declarations.sql") }}
    {%- endif -%}
    {{ return(ref(declared.name)) }}
{%- endmacro %}
