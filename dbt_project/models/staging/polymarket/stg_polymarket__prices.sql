-- grain: one row per price point per landed price history page (Data API /v2/prices-history or CLOB
-- /prices-history; windows may overlap)
with

source as (

    select
        landing_id,
        fetched_at,
        scope,
        endpoint,
        request_params,
        response
    from {{ source('landing', 'raw_api_responses') }}
    where
        source = 'polymarket'
        and resource = 'prices'
        and status_code = 200
        and response is not null

),

pages as (

    select
        landing_id,
        fetched_at,
        -- The page does not repeat the token: it is the `token_id` request parameter (v2) or
        -- `market` (CLOB), else the walk's scope.
        coalesce(
            {{ request_param('request_params', ['token_id', 'tokenId', 'market']) }},
            scope
        ) as token_id,
        {{ request_param('request_params', ['fidelity']) }} as fidelity,
        -- v2: {"data": [{"timestamp", "price", "resolution_seconds"}]}; CLOB: {"history": [{"t", "p"}]}
        case
            when jsonb_typeof(response -> 'data') = 'array' then response -> 'data'
            else {{ json_array("response -> 'history'") }}
        end as points
    from source

),

points as (

    select
        pages.landing_id,
        pages.fetched_at,
        pages.token_id,
        pages.fidelity,
        point.element_position,
        point.body
    from pages
    cross join
        lateral jsonb_array_elements(pages.points)
        with ordinality as point (body, element_position)
    where jsonb_typeof(point.body) = 'object'

),

renamed as (

    select
        -- ids
        'polymarket'::text as source,
        token_id as outcome_id,

        -- numerics
        {{ to_probability("coalesce(body ->> 'price', body ->> 'p')") }} as price,
        {{ to_int('fidelity', non_negative=true) }} as fidelity_minutes,
        -- v2 states each point's resolution (0 = an exact tick, else the bucket width); a CLOB
        -- point is one per `fidelity` minutes.
        coalesce(
            {{ to_int("body ->> 'resolution_seconds'", non_negative=true) }},
            case when body ? 't' then {{ numeric_to_int(to_numeric('fidelity') ~ ' * 60', non_negative=true) }} end
        ) as resolution_seconds,

        -- timestamps
        {{ to_utc_timestamp("coalesce(body ->> 'timestamp', body ->> 't')") }} as price_at,
        fetched_at as observed_at,

        -- landing
        landing_id,
        element_position::int as entity_position,
        body as wire_entity

    from points

)

select * from renamed
