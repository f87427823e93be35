{#- Why a wire value (a jsonb value of a landed entity) does not convert to `kind`, or null when
    it converts or is absent. The kinds are the conversions of the staging models, as their
    columns declare them in `config.meta.wire` (see models/marts/quality/):

      numeric      to_numeric, to_rounded_numeric, fp_to_numeric
      quantity     to_quantity, kalshi_count (a number >= 0)
      probability  to_probability, dollars_to_probability ([0, 1])
      cents        cents_to_probability ([0, 100])
      int, bigint, non_negative_int   to_int, to_bigint
      timestamp    to_utc_timestamp
      boolean      to_boolean
      json_list    json_in_string_array
      text, json   read as they are: never an issue

    A JSON object or array where a scalar is expected is 'not a scalar'. The kinds a model declares
    are checked when its declarations are read (wire_model_declaration). -#}
{% macro wire_value_issue(kind, value_expr) -%}
    {%- set text = '(' ~ value_expr ~ " #>> '{}')" -%}
    {%- if kind in ('text', 'json') -%}
    null::text
    {%- elif kind == 'json_list' -%}
    {{ json_list_issue(value_expr) }}
    {%- else -%}
    (case
        when jsonb_typeof({{ value_expr }}) is null or jsonb_typeof({{ value_expr }}) = 'null' then null
        when jsonb_typeof({{ value_expr }}) in ('object', 'array') then 'not a scalar'
        else
            {%- if kind == 'numeric' %} {{ numeric_issue(text) }}
            {%- elif kind == 'quantity' %} {{ quantity_issue(text) }}
            {%- elif kind == 'probability' %} {{ probability_issue(text) }}
            {%- elif kind == 'cents' %} {{ cents_issue(text) }}
            {%- elif kind == 'int' %} {{ int_issue(text) }}
            {%- elif kind == 'non_negative_int' %} {{ int_issue(text, non_negative=true) }}
            {%- elif kind == 'bigint' %} {{ bigint_issue(text) }}
            {%- elif kind == 'timestamp' %} {{ timestamp_issue(text) }}
            {%- elif kind == 'boolean' %} {{ boolean_issue(text) }}
            {%- else %} null
            {%- endif %}
    end)
    {%- endif -%}
{%- endmacro %}

{#- wire_value_issue for a kind held in a column (`kind_expr`): one CASE branch per kind, so a row
    evaluates only the checks of its own kind. -#}
{% macro wire_value_issue_of_kind(kind_expr, value_expr) -%}
    (case {{ kind_expr }}
        {%- for kind in wire_conversion_kinds().split() if kind not in ('text', 'json') %}
        when '{{ kind }}' then {{ wire_value_issue(kind, value_expr) }}
        {%- endfor %}
    end)
{%- endmacro %}

{#- The wire conversion kinds wire_value_issue knows, space-separated (`.split()` gives the list). -#}
{% macro wire_conversion_kinds() -%}
    text json json_list numeric quantity probability cents int non_negative_int bigint timestamp boolean
{%- endmacro %}
