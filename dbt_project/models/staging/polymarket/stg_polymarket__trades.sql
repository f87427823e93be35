-- grain: one row per trade row per landed Data API trades page (the same fill is landed many times)
with

source as (

    select
        landing_id,
        fetched_at,
        resource,
        endpoint,
        request_params,
        response
    from {{ source('landing', 'raw_api_responses') }}
    where
        source = 'polymarket'
        and resource in ('trades', 'trade_fills')
        and status_code = 200
        and response is not null

),

pages as (

    select
        landing_id,
        fetched_at,
        endpoint,
        -- v2 answers {"data": [...], "pagination": {...}}; v1 /trades a bare array.
        case jsonb_typeof(response)
            when 'array' then response
            when 'object' then {{ json_array("response -> 'data'") }}
            else '[]'::jsonb
        end as trade_rows,
        -- taker_only (v1 takerOnly) defaults to true on both API versions: one row per taker
        -- order per transaction. False adds the maker rows, without a role flag.
        resource = 'trades'
        and coalesce(
            lower({{ request_param('request_params', ['taker_only', 'takerOnly']) }}) not in ('false', '0'),
            true
        ) as is_taker_only
    from source

),

fills as (

    select
        pages.landing_id,
        pages.fetched_at,
        pages.endpoint,
        pages.is_taker_only,
        fill.element_position,
        fill.body,
        {{ polymarket_trade_natural_key('fill.body') }} as natural_key
    from pages
    cross join
        lateral jsonb_array_elements(pages.trade_rows)
        with ordinality as fill (body, element_position)
    where jsonb_typeof(fill.body) = 'object'

),

keyed as (

    select
        *,
        row_number() over (
            partition by landing_id, natural_key
            order by element_position
        ) - 1 as key_ordinal,
        {{ polymarket_trade_field('body', 'condition_id', 'conditionId') }} as condition_id,
        {{ to_probability(polymarket_trade_field('body', 'price')) }} as rounded_price,
        {{ to_quantity(polymarket_trade_field('body', 'size'), 6) }} as rounded_size
    from fills

),

renamed as (

    select
        -- ids
        {{ polymarket_trade_key('natural_key', 'key_ordinal') }} as trade_id,
        'polymarket'::text as source,
        lower(condition_id) as market_id,
        {{ polymarket_trade_field('body', 'token_id', 'asset') }} as outcome_id,
        {{ polymarket_trade_field('body', 'transaction_hash', 'transactionHash') }} as transaction_hash,
        lower({{ polymarket_trade_field('body', 'proxy_wallet', 'proxyWallet') }}) as wallet_address,

        -- strings ("" is null)
        upper({{ polymarket_trade_field('body', 'side') }}) as side,
        {{ polymarket_trade_field('body', 'outcome') }} as outcome_name,
        {{ polymarket_trade_field('body', 'title') }} as market_question,
        {{ polymarket_trade_field('body', 'slug') }} as market_slug,
        {{ polymarket_trade_field('body', 'event_slug', 'eventSlug') }} as event_slug,
        case when endpoint like '/v2/%' then 'v2' else 'v1' end as api_version,

        -- numerics: outcome_index 999 means "not labelable"
        nullif({{ to_int(polymarket_trade_field('body', 'outcome_index', 'outcomeIndex')) }}, 999) as outcome_index,
        rounded_price as price,
        rounded_size as quantity,
        -- from the rounded price and size, so the float noise does not leak into it
        trim_scale(round(rounded_price * rounded_size, 6)) as notional,

        -- booleans
        is_taker_only,
        {{ polymarket_is_combo_condition('condition_id') }} as is_combo,

        -- timestamps
        {{ to_utc_timestamp(polymarket_trade_field('body', 'timestamp')) }} as traded_at,
        fetched_at as observed_at,

        -- landing
        landing_id,
        element_position::int as entity_position,
        body as wire_entity

    from keyed

)

select * from renamed
