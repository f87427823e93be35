-- grain: one row per price point per landed CLOB /prices-history window (windows may overlap)
with

source as (

    select
        landing_id,
        fetched_at,
        scope,
        request_params,
        response
    from {{ source('landing', 'raw_api_responses') }}
    where
        source = 'polymarket'
        and resource = 'prices'
        and status_code = 200
        and response is not null

),

points as (

    select
        source.landing_id,
        source.fetched_at,
        -- The token is the `market` parameter of the request (the page does not repeat it).
        coalesce(
            case
                when jsonb_typeof(source.request_params -> 'market') = 'string'
                    then source.request_params ->> 'market'
            end,
            source.request_params -> 'market' ->> 0,
            source.scope
        ) as token_id,
        source.request_params ->> 'fidelity' as fidelity,
        point.element_position,
        point.body
    from source
    cross join
        lateral jsonb_array_elements({{ json_array("source.response -> 'history'") }})
        with ordinality as point (body, element_position)
    where jsonb_typeof(point.body) = 'object'

),

renamed as (

    select
        -- ids
        'polymarket'::text as source,
        token_id as outcome_id,

        -- numerics
        {{ to_probability("body ->> 'p'") }} as price,
        {{ to_numeric('fidelity') }}::int as fidelity_minutes,

        -- timestamps
        {{ to_utc_timestamp("body ->> 't'") }} as price_at,
        fetched_at as observed_at,

        -- landing
        landing_id,
        element_position::int as entity_position

    from points

)

select * from renamed
