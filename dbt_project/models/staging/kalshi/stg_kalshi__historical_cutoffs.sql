-- grain: one row per landed /historical/cutoff response
with

source as (

    select
        landing_id,
        fetched_at,
        response
    from {{ source('kalshi', 'raw_api_responses') }}
    where
        source = 'kalshi'
        and resource = 'historical_cutoff'
        and status_code = 200
        and response is not null
        and jsonb_typeof(response) = 'object'

),

renamed as (

    select
        -- ids
        'kalshi'::text as source,

        -- timestamps: settled markets, and trades, older than these are served by /historical/* only
        {{ to_utc_timestamp("response ->> 'market_settled_ts'") }} as market_settled_cutoff_at,
        {{ to_utc_timestamp("response ->> 'trades_created_ts'") }} as trades_created_cutoff_at,
        {{ to_utc_timestamp("response ->> 'orders_updated_ts'") }} as orders_updated_cutoff_at,
        fetched_at as observed_at,

        -- landing
        landing_id,
        response as wire_entity

    from source

)

select * from renamed
