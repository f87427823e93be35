{#- dbt's is_incremental(), extended to the partitioned_incremental materialization. -#}
{% macro is_incremental() %}
    {#-- do not run introspective queries in parsing --#}
    {% if not execute %}
        {{ return(False) }}
    {% else %}
        {% set relation = adapter.get_relation(this.database, this.schema, this.table) %}
        {{ return(relation is not none
                  and relation.type == 'table'
                  and model.config.materialized in ['incremental', 'partitioned_incremental']
                  and not should_full_refresh()) }}
    {% endif %}
{% endmacro %}
