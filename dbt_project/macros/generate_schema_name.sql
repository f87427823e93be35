{#- Models land in the schema named by their folder (staging, intermediate, marts), never
    prefixed with the target schema: analysts and grants rely on those exact names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
