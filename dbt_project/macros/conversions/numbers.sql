{#- Numbers on the wire: JSON numbers with float noise (0.709999959), numeric strings
    ("74637265.46443298", "0.430"), Kalshi fixed-point strings ("43.00"). Every macro takes
    a text expression (`jsonb ->> key` renders numbers and strings alike) and returns
    numeric, or null for anything that is not a plain decimal number. -#}

{% macro numeric_pattern() -%}
    '^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$'
{%- endmacro %}

{#- Text to numeric, null when it is not a number. -#}
{% macro to_numeric(text_expr) -%}
    (case when ({{ text_expr }}) ~ {{ numeric_pattern() }} then trim({{ text_expr }})::numeric end)
{%- endmacro %}

{#- Text to numeric rounded to `scale` decimals with trailing zeros dropped: removes the float
    noise of JSON numbers (0.709999959 -> 0.71) while keeping real precision (tick 0.0001). -#}
{% macro to_rounded_numeric(text_expr, scale=6) -%}
    trim_scale(round({{ to_numeric(text_expr) }}, {{ scale }}))
{%- endmacro %}

{#- A price already quoted as a probability (Polymarket): numeric in [0, 1], else null. -#}
{% macro to_probability(text_expr, scale=6) -%}
    (case
        when {{ to_numeric(text_expr) }} between 0 and 1
            then trim_scale(round({{ to_numeric(text_expr) }}, {{ scale }}))
    end)
{%- endmacro %}

{#- Kalshi before 2026-03-12: integer cents (0-100) -> probability in [0, 1]. -#}
{% macro cents_to_probability(text_expr) -%}
    (case
        when {{ to_numeric(text_expr) }} between 0 and 100
            then trim_scale({{ to_numeric(text_expr) }} / 100.0)
    end)
{%- endmacro %}

{#- Kalshi `*_dollars` strings ("0.0800", "0.1110", up to 6 decimals): dollars per $1 contract,
    i.e. a probability in [0, 1] (null outside). -#}
{% macro dollars_to_probability(text_expr) -%}
    {{ to_probability(text_expr, 6) }}
{%- endmacro %}

{#- Kalshi `*_fp` fixed-point strings ("43.00") -> numeric (contract counts, volumes). -#}
{% macro fp_to_numeric(text_expr) -%}
    {{ to_numeric(text_expr) }}
{%- endmacro %}
