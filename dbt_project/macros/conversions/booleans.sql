{#- JSON booleans, tolerating drift to strings or 0/1. Null when not a boolean. -#}
{% macro to_boolean(text_expr) -%}
    (case lower(trim({{ text_expr }}))
        when 'true' then true when 't' then true when '1' then true
        when 'false' then false when 'f' then false when '0' then false
    end)
{%- endmacro %}

{#- Why a boolean text is null (blank is absent): 'not a boolean'. -#}
{% macro boolean_issue(text_expr) -%}
    (case
        when nullif({{ wire_trim(text_expr) }}, '') is null then null
        when {{ to_boolean(text_expr) }} is null then 'not a boolean'
    end)
{%- endmacro %}
