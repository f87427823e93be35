-- grain: one row per order book per landed CLOB page (POST /books: a list; GET /book: one book)
with

source as (

    select
        landing_id,
        fetched_at,
        response
    from {{ source('landing', 'raw_api_responses') }}
    where
        source = 'polymarket'
        and resource = 'orderbooks'
        and status_code = 200
        and response is not null

),

books as (

    select
        source.landing_id,
        source.fetched_at,
        book.element_position,
        book.body
    from source
    cross join
        lateral jsonb_array_elements(
            case jsonb_typeof(source.response)
                when 'array' then source.response
                when 'object' then jsonb_build_array(source.response)
                else '[]'::jsonb
            end
        ) with ordinality as book (body, element_position)
    where jsonb_typeof(book.body) = 'object'

),

renamed as (

    select
        -- ids
        'polymarket'::text as source,
        lower(body ->> 'market') as market_id,
        body ->> 'asset_id' as outcome_id,
        body ->> 'hash' as book_hash,

        -- levels as served: [{"price": "0.45", "size": "100"}], bids ascending and asks
        -- descending (best last); ranked explicitly downstream.
        {{ json_array("body -> 'bids'") }} as bid_levels,
        {{ json_array("body -> 'asks'") }} as ask_levels,

        -- numerics
        {{ to_probability("body ->> 'tick_size'") }} as tick_size,
        {{ to_quantity("body ->> 'min_order_size'") }} as min_order_size,
        {{ to_probability("body ->> 'last_trade_price'") }} as last_trade_price,

        -- booleans
        {{ to_boolean("body ->> 'neg_risk'") }} as is_neg_risk,

        -- timestamps: `timestamp` (ms, as a string) is when the book last changed
        coalesce({{ to_utc_timestamp("body ->> 'timestamp'") }}, fetched_at) as snapshot_at,
        fetched_at as observed_at,

        -- landing
        landing_id,
        element_position::int as entity_position,
        body as wire_entity

    from books

)

select * from renamed
