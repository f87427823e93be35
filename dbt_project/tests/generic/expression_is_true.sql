{#- Every row satisfies a boolean SQL expression. At column level the expression may refer to
    the column; restrict the rows checked with the test's `where` config. -#}
{% test expression_is_true(model, expression, column_name=none) %}

    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)

{% endtest %}
