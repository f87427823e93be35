{#- JSON helpers for landed pages. Venues drift: an array may arrive as a JSON-in-string
    ('["Yes", "No"]'), a string as a number, a key may vanish. None of these macros raises on
    such input: what cannot be read becomes null (or an empty array for element lists). -#}

{#- A jsonb value as an array to unnest: the array itself, else an empty array. -#}
{% macro json_array(expr) -%}
    (case when jsonb_typeof({{ expr }}) = 'array' then {{ expr }} else '[]'::jsonb end)
{%- endmacro %}

{#- A list field that may be a real JSON array or a JSON array serialised in a string
    (Polymarket `outcomes`, `outcomePrices`, `clobTokenIds`, `umaResolutionStatuses`).
    Returns a jsonb array, or null when the value is missing or not a flat array of scalars
    (the string is only parsed when it matches that shape, so a malformed one cannot fail
    the query). -#}
{% macro json_in_string_array(expr) -%}
    (case
        when jsonb_typeof({{ expr }}) = 'array' then {{ expr }}
        when jsonb_typeof({{ expr }}) = 'string'
            and ({{ expr }} #>> '{}') ~ {{ json_scalar_array_pattern() }}
            then ({{ expr }} #>> '{}')::jsonb
    end)
{%- endmacro %}

{#- A flat JSON array of scalars that jsonb accepts: strings with valid escapes only (no \u0000,
    no lone surrogate, no raw control character), numbers as JSON writes them with at most 255
    digits per part and a 3-digit exponent (jsonb holds numbers as numeric: 1e999999 would
    overflow), JSON white space only. -#}
{% macro json_scalar_array_pattern() -%}
    {%- set hex = '[0-9a-fA-F]' -%}
    {%- set escape = '\\\\(?:["\\\\/bfnrt]|u(?!0000)(?![dD][89a-fA-F])' ~ hex ~ '{4}|u[dD][89abAB]' ~ hex ~ '{2}\\\\u[dD][c-fC-F]' ~ hex ~ '{2})' -%}
    {%- set string = '"(?:[^"\\\\\\x01-\\x1f]|' ~ escape ~ ')*"' -%}
    {%- set number = '-?(?:0|[1-9][0-9]{0,254})(?:\\.[0-9]{1,255})?(?:[eE][+-]?[0-9]{1,3})?' -%}
    {%- set scalar = '(?:' ~ string ~ '|' ~ number ~ '|true|false|null)' -%}
    {%- set ws = '[ \\t\\n\\r]*' -%}
    '^{{ ws }}\[{{ ws }}(?:{{ scalar }}(?:{{ ws }},{{ ws }}{{ scalar }})*)?{{ ws }}\]{{ ws }}$'
{%- endmacro %}

{#- The text of element `i` (0-based) of a jsonb array, or null. -#}
{% macro json_array_text(array_expr, index_expr) -%}
    ({{ array_expr }} ->> ({{ index_expr }})::int)
{%- endmacro %}

{#- A request parameter as text, from `landing.raw_api_responses.request_params` (a jsonb object
    whose repeated keys are arrays): the first of `names` present, its first value when repeated.
    Null when none is present. -#}
{% macro request_param(params_expr, names) -%}
    coalesce(
        {%- for name in names %}
        (case
            when jsonb_typeof({{ params_expr }} -> '{{ name }}') = 'array' then {{ params_expr }} -> '{{ name }}' ->> 0
            else {{ params_expr }} ->> '{{ name }}'
        end){{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Why a list field is null (see json_in_string_array): 'not a list'. Absent, JSON null and a
    blank string are absent values. -#}
{% macro json_list_issue(expr) -%}
    (case
        when jsonb_typeof({{ expr }}) is null or jsonb_typeof({{ expr }}) in ('null', 'array') then null
        when jsonb_typeof({{ expr }}) = 'string' and nullif({{ wire_trim(expr ~ " #>> '{}'") }}, '') is null then null
        when {{ json_in_string_array(expr) }} is null then 'not a list'
    end)
{%- endmacro %}
