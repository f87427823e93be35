{#- The model has no rows (restricted by the test's `where` config): with severity warn, a count of
    what is there, reported by every build without failing it. -#}
{% test is_empty(model) %}

    select *
    from {{ model }}

{% endtest %}
