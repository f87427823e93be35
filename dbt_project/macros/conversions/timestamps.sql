{#- Timestamps on the wire, all returned as timestamptz (an absolute instant, UTC):
      ISO-8601 with 0 to 9 fractional digits and `Z` or an offset ("2026-03-11T09:27:51.140253Z"),
      Postgres text style ("2026-03-19 23:20:15+00", Polymarket `closedTime`),
      date only ("2028-01-01": midnight UTC),
      a zone-less date-time (read as UTC),
      epoch seconds, milliseconds or microseconds (number or digit string, told apart by size).
    Anything else, and Go's zero time, is null; nothing raises. The text is cast only once the
    patterns have checked every field's range (month 01-12, day 01-31, hour 00-23, minute 00-59,
    second 00-60, offset up to 15:59, year from 0001) and the day exists in its month (leap years
    by make_date, called on fields the pattern has checked). -#}

{% macro iso_date_pattern() -%}
    (?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])
{%- endmacro %}

{% macro iso_time_pattern() -%}
    ([01][0-9]|2[0-3]):[0-5][0-9](:([0-5][0-9]|60)(\.[0-9]{1,9})?)?
{%- endmacro %}

{% macro iso_zone_pattern() -%}
    ([Zz]|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?)
{%- endmacro %}

{#- Epoch seconds (up to 11 digits, year 5138), milliseconds (12-14) or microseconds (15-17). -#}
{% macro epoch_pattern(min_digits, max_digits) -%}
    '^[0-9]{ {{- min_digits }},{{ max_digits -}} }(\.[0-9]{1,20})?$'
{%- endmacro %}

{#- Whether the day of a text starting with a checked YYYY-MM-DD exists in its month. -#}
{% macro iso_day_exists(v) -%}
    (substr({{ v }}, 9, 2)::int <= extract(
        day from make_date(substr({{ v }}, 1, 4)::int, substr({{ v }}, 6, 2)::int, 1) + interval '1 month - 1 day'
    ))
{%- endmacro %}

{% macro to_utc_timestamp(text_expr) -%}
    {%- set v = wire_trim(text_expr) -%}
    (case
        when {{ is_go_zero_time(text_expr) }} then null
        when {{ v }} ~ '^{{ iso_date_pattern() }}$'
            then case when {{ iso_day_exists(v) }} then ({{ v }} || 'T00:00:00Z')::timestamptz end
        when {{ v }} ~ '^{{ iso_date_pattern() }}[Tt ]{{ iso_time_pattern() }} ?{{ iso_zone_pattern() }}$'
            then case when {{ iso_day_exists(v) }} then {{ v }}::timestamptz end
        when {{ v }} ~ '^{{ iso_date_pattern() }}[Tt ]{{ iso_time_pattern() }}$'
            then case when {{ iso_day_exists(v) }} then {{ v }}::timestamp at time zone 'UTC' end
        when {{ v }} ~ {{ epoch_pattern(1, 11) }}
            then to_timestamp({{ v }}::numeric)
        when {{ v }} ~ {{ epoch_pattern(12, 14) }}
            then to_timestamp({{ v }}::numeric / 1000)
        when {{ v }} ~ {{ epoch_pattern(15, 17) }}
            then to_timestamp({{ v }}::numeric / 1000000)
    end)
{%- endmacro %}

{#- Why a timestamp text is null (see numbers.sql): 'date out of range' (no such month or day:
    "0000-00-00", "2026-02-30"), 'time out of range' (hour 25, offset +16:00), 'epoch out of range'
    (a negative number, more than 17 digits: 1e20), 'not a timestamp'. Blank and Go's zero time are
    absent values. -#}
{% macro timestamp_issue(text_expr) -%}
    {%- set v = wire_trim(text_expr) -%}
    (case
        when nullif({{ v }}, '') is null then null
        when {{ is_go_zero_time(text_expr) }} then null
        when {{ v }} ~ '^{{ iso_date_pattern() }}([Tt ]{{ iso_time_pattern() }}( ?{{ iso_zone_pattern() }})?)?$'
            then case when not {{ iso_day_exists(v) }} then 'date out of range' end
        when {{ v }} ~ {{ epoch_pattern(1, 17) }} then null
        when {{ v }} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?( ?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?))?)?$'
            then case when {{ v }} ~ '^{{ iso_date_pattern() }}' then 'time out of range' else 'date out of range' end
        when {{ v }} ~* '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(e[+-]?[0-9]+)?$' then 'epoch out of range'
        else 'not a timestamp'
    end)
{%- endmacro %}

{#- Go's zero time.Time ("0001-01-01T00:00:00Z"): Kalshi's way of saying "no time". -#}
{% macro is_go_zero_time(text_expr) -%}
    coalesce({{ wire_trim(text_expr) }} ~ '^0001-01-01([Tt ]00:00:00(\.0+)?)?\s*([Zz]|[+-]00(:?00)?)?$', false)
{%- endmacro %}

{#- A timestamp text, or null when it is Go's zero time. -#}
{% macro null_if_go_zero_time(text_expr) -%}
    (case when not {{ is_go_zero_time(text_expr) }} then {{ text_expr }} end)
{%- endmacro %}
