-- grain: one row per series object per landed /series page (every series, every run)
with

source as (

    select
        landing_id,
        fetched_at,
        response
    from {{ source('kalshi', 'raw_api_responses') }}
    where
        source = 'kalshi'
        and resource = 'series'
        and status_code = 200
        and response is not null

),

series_objects as (

    select
        source.landing_id,
        source.fetched_at,
        series.element_position,
        series.body
    from source
    cross join
        lateral jsonb_array_elements({{ json_array("source.response -> 'series'") }})
        with ordinality as series (body, element_position)
    where
        jsonb_typeof(series.body) = 'object'
        and series.body ->> 'ticker' is not null

),

renamed as (

    select
        -- ids
        body ->> 'ticker' as series_id,
        'kalshi'::text as source,

        -- strings
        body ->> 'title' as title,
        nullif(body ->> 'category', '') as category,
        case
            when jsonb_typeof(body -> 'tags') = 'array'
                then (
                    select jsonb_agg(tag.value order by tag.element_position)
                    from
                        jsonb_array_elements_text(body -> 'tags')  -- noqa: RF02, RF03
                        with ordinality as tag (value, element_position)
                    where nullif(tag.value, '') is not null
                )
        end as tags,
        body ->> 'frequency' as frequency,
        body ->> 'fee_type' as fee_type,
        {{ json_array("body -> 'settlement_sources'") }} -> 0 ->> 'name' as settlement_source_name,
        {{ json_array("body -> 'settlement_sources'") }} -> 0 ->> 'url' as settlement_source_url,
        body ->> 'contract_url' as contract_url,

        -- numerics
        {{ to_numeric("body ->> 'fee_multiplier'") }} as fee_multiplier,
        {{ kalshi_count('body', 'volume') }} as volume,

        -- timestamps
        {{ to_utc_timestamp("body ->> 'last_updated_ts'") }} as updated_at,
        fetched_at as observed_at,

        -- landing
        landing_id,
        element_position::int as entity_position,
        body as wire_entity

    from series_objects

)

select * from renamed
