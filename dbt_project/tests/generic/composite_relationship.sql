{#- A foreign key over several columns: every row whose `columns` are all non-null has a row in
    `to` with the same values in `to_columns` (same names when omitted). -#}
{% test composite_relationship(model, to, columns, to_columns=none) %}

    {%- set to_columns = to_columns or columns -%}
    select
        {% for c in columns %}child.{{ c }}{{ ', ' if not loop.last }}{% endfor %}
    from (select * from {{ model }}) as child  -- a subquery, so a `where` config can filter the model
    where
        {% for c in columns %}child.{{ c }} is not null and {% endfor %}
        not exists (
            select 1
            from {{ to }} as parent
            where
                {% for c in columns -%}
                parent.{{ to_columns[loop.index0] }} = child.{{ c }}{{ ' and ' if not loop.last }}
                {%- endfor %}
        )

{% endtest %}
