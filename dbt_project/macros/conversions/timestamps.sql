{#- Timestamps on the wire, all returned as timestamptz (an absolute instant, UTC):
      ISO-8601 with 0, 3 or 6 fractional digits and `Z` or an offset ("2026-03-11T09:27:51.140253Z"),
      Postgres text style ("2026-03-19 23:20:15+00", Polymarket `closedTime`),
      date only ("2028-01-01": midnight UTC),
      a zone-less date-time (read as UTC),
      epoch seconds, milliseconds or microseconds (number or digit string, told apart by size).
    Anything else, and Go's zero time, is null. -#}

{% macro to_utc_timestamp(text_expr) -%}
    (case
        when {{ is_go_zero_time(text_expr) }} then null
        when ({{ text_expr }}) ~ '^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$'
            then (trim({{ text_expr }}) || 'T00:00:00Z')::timestamptz
        when ({{ text_expr }}) ~ '^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?\s*([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)\s*$'
            then trim({{ text_expr }})::timestamptz
        when ({{ text_expr }}) ~ '^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?\s*$'
            then trim({{ text_expr }})::timestamp at time zone 'UTC'
        when ({{ text_expr }}) ~ '^\s*[0-9]{1,11}(\.[0-9]+)?\s*$'
            then to_timestamp(trim({{ text_expr }})::numeric)
        when ({{ text_expr }}) ~ '^\s*[0-9]{12,14}(\.[0-9]+)?\s*$'
            then to_timestamp(trim({{ text_expr }})::numeric / 1000)
        when ({{ text_expr }}) ~ '^\s*[0-9]{15,17}\s*$'
            then to_timestamp(trim({{ text_expr }})::numeric / 1000000)
    end)
{%- endmacro %}

{#- Go's zero time.Time ("0001-01-01T00:00:00Z"): Kalshi's way of saying "no time". -#}
{% macro is_go_zero_time(text_expr) -%}
    coalesce(({{ text_expr }}) ~ '^\s*0001-01-01([Tt ]00:00:00(\.0+)?)?\s*([Zz]|[+-]00(:?00)?)?\s*$', false)
{%- endmacro %}

{#- A timestamp text, or null when it is Go's zero time. -#}
{% macro null_if_go_zero_time(text_expr) -%}
    (case when not {{ is_go_zero_time(text_expr) }} then {{ text_expr }} end)
{%- endmacro %}
