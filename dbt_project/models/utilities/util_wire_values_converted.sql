-- grain: one row per wire value sample: what every venue-agnostic conversion macro makes of it, and why
-- it is null when it does not convert
with

samples as (

    select * from {{ ref('wire_value_samples') }}

),

converted as (

    select
        sample_kind,
        wire_value,
        {{ to_numeric('wire_value') }} as as_numeric,
        {{ to_rounded_numeric('wire_value') }} as as_rounded_numeric,
        {{ to_quantity('wire_value') }} as as_quantity,
        {{ to_probability('wire_value') }} as as_probability,
        {{ cents_to_probability('wire_value') }} as cents_as_probability,
        {{ dollars_to_probability('wire_value') }} as dollars_as_probability,
        {{ fp_to_numeric('wire_value') }} as fp_as_numeric,
        {{ to_int('wire_value') }} as as_int,
        {{ to_bigint('wire_value') }} as as_bigint,
        {{ to_utc_timestamp('wire_value') }} as as_timestamp,
        {{ is_go_zero_time('wire_value') }} as is_go_zero_time,
        {{ null_if_go_zero_time('wire_value') }} as without_go_zero_time,
        {{ to_boolean('wire_value') }} as as_boolean,
        {{ json_in_string_array('to_jsonb(wire_value)') }} as as_json_list,

        -- why each conversion is null (null: it converts, or the value is blank)
        {{ numeric_issue('wire_value') }} as numeric_issue,
        {{ quantity_issue('wire_value') }} as quantity_issue,
        {{ probability_issue('wire_value') }} as probability_issue,
        {{ cents_issue('wire_value') }} as cents_issue,
        {{ int_issue('wire_value') }} as int_issue,
        {{ bigint_issue('wire_value') }} as bigint_issue,
        {{ timestamp_issue('wire_value') }} as timestamp_issue,
        {{ boolean_issue('wire_value') }} as boolean_issue,
        {{ json_list_issue('to_jsonb(wire_value)') }} as json_list_issue
    from samples

)

select * from converted
