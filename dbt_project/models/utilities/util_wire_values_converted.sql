-- grain: one row per wire value sample: what every venue-agnostic conversion macro makes of it
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
        {{ to_probability('wire_value') }} as as_probability,
        {{ cents_to_probability('wire_value') }} as cents_as_probability,
        {{ dollars_to_probability('wire_value') }} as dollars_as_probability,
        {{ fp_to_numeric('wire_value') }} as fp_as_numeric,
        {{ to_utc_timestamp('wire_value') }} as as_timestamp,
        {{ is_go_zero_time('wire_value') }} as is_go_zero_time,
        {{ null_if_go_zero_time('wire_value') }} as without_go_zero_time,
        {{ to_boolean('wire_value') }} as as_boolean
    from samples

)

select * from converted
