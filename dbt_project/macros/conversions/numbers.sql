{#- Numbers on the wire: JSON numbers with float noise (0.709999959), numeric strings
    ("74637265.46443298", "0.430"), Kalshi fixed-point strings ("43.00"). Every macro takes
    a text expression (`jsonb ->> key` renders numbers and strings alike) and returns
    numeric, or null for anything that is not a plain decimal number within bounds.

    None of them raises, whatever the text: the cast only runs on text the pattern and the
    bounds have accepted, inside nested CASE branches (Postgres evaluates a CASE branch only
    when its condition holds, also when it folds constants at plan time; an AND gives no such
    guarantee). Each conversion has an `*_issue` macro below that says why a value is null. -#}

{#- The text without ASCII white space around it. Only these are trimmed: a cast skips them, but
    not an ideographic or no-break space, which the pattern then rejects. -#}
{% macro wire_trim(text_expr) -%}
    btrim({{ text_expr }}, E' \t\n\r')
{%- endmacro %}

{#- A decimal number with an exponent of at most 3 digits. With at most 1000 characters (checked
    apart: a regex bound cannot exceed 255) the cast cannot overflow Postgres numeric (131072
    digits before the point, 16383 after). -#}
{% macro numeric_pattern() -%}
    '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$'
{%- endmacro %}

{#- Magnitudes from 1e26 on are not amounts any venue means, and would not fit the marts' decimal
    export (26 integer digits). -#}
{% macro numeric_magnitude_bound() -%}
    1e26
{%- endmacro %}

{#- Text to numeric, null when it is not a number within bounds. -#}
{% macro to_numeric(text_expr) -%}
    {%- set v = wire_trim(text_expr) -%}
    (case
        when {{ v }} ~ {{ numeric_pattern() }} then
            case
                when length({{ v }}) <= 1000 then
                    case when abs({{ v }}::numeric) < {{ numeric_magnitude_bound() }} then {{ v }}::numeric end
            end
    end)
{%- endmacro %}

{#- Text to numeric rounded to `scale` decimals with trailing zeros dropped: removes the float
    noise of JSON numbers (0.709999959 -> 0.71) while keeping real precision (tick 0.0001). -#}
{% macro to_rounded_numeric(text_expr, scale=6) -%}
    trim_scale(round({{ to_numeric(text_expr) }}, {{ scale }}))
{%- endmacro %}

{#- A quantity (volume, size, liquidity, count): a number >= 0, rounded to `scale` decimals when
    given; a negative one is null. -#}
{% macro to_quantity(text_expr, scale=none) -%}
    (case
        when {{ to_numeric(text_expr) }} >= 0 then
            {%- if scale is none %} {{ to_numeric(text_expr) }}
            {%- else %} trim_scale(round({{ to_numeric(text_expr) }}, {{ scale }}))
            {%- endif %}
    end)
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

{#- Text to integer: a whole number ("60", "60.0", 6e1) within the range of int (int4) or bigint
    (int8), else null (never a failed cast: "3000000000" is not an int); with `non_negative`, a
    negative one is null too. -#}
{% macro to_int(text_expr, non_negative=false) -%}
    {{ numeric_to_int(to_numeric(text_expr), 'int', non_negative) }}
{%- endmacro %}

{% macro to_bigint(text_expr, non_negative=false) -%}
    {{ numeric_to_int(to_numeric(text_expr), 'bigint', non_negative) }}
{%- endmacro %}

{#- A numeric expression as int or bigint, null unless whole and in range. -#}
{% macro numeric_to_int(numeric_expr, type='int', non_negative=false) -%}
    {%- set bounds = {'int': (-2147483648, 2147483647), 'bigint': (-9223372036854775808, 9223372036854775807)}[type] -%}
    (case
        when
            ({{ numeric_expr }}) = trunc({{ numeric_expr }})
            and ({{ numeric_expr }}) between {{ 0 if non_negative else bounds[0] }} and {{ bounds[1] }}
            then ({{ numeric_expr }})::{{ type }}
    end)
{%- endmacro %}

{#- Why a value is null: the reason a conversion above returns null for a non-blank text, or null
    when it converts. Blank ('' or white space) is an absent value (the Data API writes "" for
    absent fields), not an issue. -#}

{% macro numeric_issue(text_expr) -%}
    {%- set v = wire_trim(text_expr) -%}
    (case
        when nullif({{ v }}, '') is null then null
        when {{ v }} !~ {{ numeric_pattern() }} then
            case when {{ v }} ~* '^[+-]?[0-9.]+e[+-]?[0-9]+$' then 'number out of range' else 'not a number' end
        when length({{ v }}) > 1000 then 'number out of range'
        when abs({{ v }}::numeric) >= {{ numeric_magnitude_bound() }} then 'number out of range'
    end)
{%- endmacro %}

{% macro quantity_issue(text_expr) -%}
    coalesce({{ numeric_issue(text_expr) }}, case when {{ to_numeric(text_expr) }} < 0 then 'negative quantity' end)
{%- endmacro %}

{% macro probability_issue(text_expr) -%}
    coalesce(
        {{ numeric_issue(text_expr) }},
        case when {{ to_numeric(text_expr) }} not between 0 and 1 then 'probability out of range' end
    )
{%- endmacro %}

{% macro cents_issue(text_expr) -%}
    coalesce(
        {{ numeric_issue(text_expr) }},
        case when {{ to_numeric(text_expr) }} not between 0 and 100 then 'cents out of range' end
    )
{%- endmacro %}

{% macro int_issue(text_expr, non_negative=false) -%}
    {{ whole_number_issue(text_expr, -2147483648, 2147483647, non_negative) }}
{%- endmacro %}

{% macro bigint_issue(text_expr, non_negative=false) -%}
    {{ whole_number_issue(text_expr, -9223372036854775808, 9223372036854775807, non_negative) }}
{%- endmacro %}

{% macro whole_number_issue(text_expr, min_value, max_value, non_negative) -%}
    coalesce(
        {{ numeric_issue(text_expr) }},
        case
            when {{ to_numeric(text_expr) }} <> trunc({{ to_numeric(text_expr) }}) then 'not a whole number'
            {%- if non_negative %}
            when {{ to_numeric(text_expr) }} < 0 then 'negative quantity'
            {%- endif %}
            when {{ to_numeric(text_expr) }} not between {{ min_value }} and {{ max_value }} then 'integer out of range'
        end
    )
{%- endmacro %}
