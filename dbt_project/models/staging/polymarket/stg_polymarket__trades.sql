-- grain: one row per fill per landed Data API /trades page (the same fill is landed many times)
with

source as (

    select
        landing_id,
        fetched_at,
        response
    from {{ source('landing', 'raw_api_responses') }}
    where
        source = 'polymarket'
        and resource = 'trades'
        and status_code = 200
        and response is not null

),

fills as (

    select
        source.landing_id,
        source.fetched_at,
        fill.element_position,
        fill.body,
        -- The trade key of prediction_markets.adapters.polymarket.data_api.trade_keys.
        {{ polymarket_trade_natural_key('fill.body') }} as natural_key
    from source
    cross join
        lateral jsonb_array_elements({{ json_array('source.response') }})
        with ordinality as fill (body, element_position)
    where jsonb_typeof(fill.body) = 'object'

),

keyed as (

    select
        *,
        row_number() over (
            partition by landing_id, natural_key
            order by element_position
        ) - 1 as key_ordinal
    from fills

),

renamed as (

    select
        -- ids
        encode(sha256(convert_to(natural_key || '|' || key_ordinal, 'UTF8')), 'hex') as trade_id,
        'polymarket'::text as source,
        lower(body ->> 'conditionId') as market_id,
        body ->> 'asset' as outcome_id,
        body ->> 'transactionHash' as transaction_hash,
        lower(body ->> 'proxyWallet') as wallet_address,

        -- strings
        upper(body ->> 'side') as side,
        body ->> 'outcome' as outcome_name,
        body ->> 'title' as market_question,
        body ->> 'slug' as market_slug,
        body ->> 'eventSlug' as event_slug,

        -- numerics
        {{ to_numeric("body ->> 'outcomeIndex'") }}::int as outcome_index,
        {{ to_probability("body ->> 'price'") }} as price,
        {{ to_rounded_numeric("body ->> 'size'") }} as quantity,
        -- from the rounded price and size, so the float noise does not leak into it
        trim_scale(round(
            {{ to_probability("body ->> 'price'") }} * {{ to_rounded_numeric("body ->> 'size'") }}, 6
        )) as notional,

        -- timestamps
        {{ to_utc_timestamp("body ->> 'timestamp'") }} as traded_at,
        fetched_at as observed_at,

        -- landing
        landing_id,
        element_position::int as entity_position

    from keyed

)

select * from renamed
