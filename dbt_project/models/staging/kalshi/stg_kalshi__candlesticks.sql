-- grain: one row per candlestick per landed candlesticks page (live or historical tier; windows of one market
-- and period can overlap across runs)
with

source as (

    select
        landing_id,
        fetched_at,
        endpoint,
        url,
        request_params,
        response
    from {{ source('kalshi', 'raw_api_responses') }}
    where
        source = 'kalshi'
        and resource = 'candlesticks'
        and status_code = 200
        and response is not null

),

candles as (

    select
        source.landing_id,
        source.fetched_at,
        -- the historical tier names its fields differently (bare `close` = a dollar string)
        source.endpoint like '/historical/%' as is_historical,
        coalesce(
            nullif(source.response ->> 'ticker', ''),
            substring(source.url from '/markets/([^/?]+)/candlesticks')
        ) as ticker,
        source.request_params ->> 'period_interval' as period_interval,
        candle.element_position,
        candle.body
    from source
    cross join
        lateral jsonb_array_elements({{ json_array("source.response -> 'candlesticks'") }})
        with ordinality as candle (body, element_position)
    where jsonb_typeof(candle.body) = 'object'

),

renamed as (

    select
        -- ids
        ticker as market_id,
        'kalshi'::text as source,

        -- strings
        case when is_historical then 'historical' else 'live' end as tier,

        -- numerics: YES prices as probabilities; price.* is null (legacy, historical) or omitted
        -- (current live shape) in periods without trades
        {{ to_int('period_interval', non_negative=true) }} as period_minutes,
        {{ kalshi_candle_price("body -> 'price'", 'open') }} as price_open,
        {{ kalshi_candle_price("body -> 'price'", 'high') }} as price_high,
        {{ kalshi_candle_price("body -> 'price'", 'low') }} as price_low,
        {{ kalshi_candle_price("body -> 'price'", 'close') }} as price_close,
        {{ kalshi_candle_price("body -> 'price'", 'previous') }} as price_previous,
        {{ kalshi_quote(kalshi_candle_price("body -> 'yes_bid'", 'close')) }} as yes_bid_close,
        {{ kalshi_quote(kalshi_candle_price("body -> 'yes_ask'", 'close')) }} as yes_ask_close,
        {{ kalshi_count('body', 'volume') }} as volume,
        {{ kalshi_count('body', 'open_interest') }} as open_interest,

        -- timestamps: the inclusive end of the period (daily periods end at midnight New York time)
        {{ to_utc_timestamp("body ->> 'end_period_ts'") }} as period_end_at,
        fetched_at as observed_at,

        -- landing
        landing_id,
        element_position::int as entity_position,
        body as wire_entity

    from candles

)

select * from renamed
