{#- JSON booleans, tolerating drift to strings or 0/1. Null when not a boolean. -#}
{% macro to_boolean(text_expr) -%}
    (case lower(trim({{ text_expr }}))
        when 'true' then true when 't' then true when '1' then true
        when 'false' then false when 'f' then false when '0' then false
    end)
{%- endmacro %}
