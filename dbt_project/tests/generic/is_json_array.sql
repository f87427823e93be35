{#- The column holds a jsonb array (levels of an order book...). -#}
{% test is_json_array(model, column_name) %}

    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null and jsonb_typeof({{ column_name }}) <> 'array'

{% endtest %}
