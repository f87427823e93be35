-- grain: one row per condition per landed Data API /v2/resolutions page (one row per market per
-- observation)
with

source as (

    select
        landing_id,
        fetched_at,
        response
    from {{ source('landing', 'raw_api_responses') }}
    where
        source = 'polymarket'
        and resource = 'resolutions'
        and status_code = 200
        and response is not null

),

resolutions as (

    select
        source.landing_id,
        source.fetched_at,
        resolution.element_position,
        resolution.body
    from source
    cross join
        lateral jsonb_array_elements({{ json_array("source.response -> 'data'") }})
        with ordinality as resolution (body, element_position)
    where jsonb_typeof(resolution.body) = 'object'

),

parsed as (

    select
        *,
        lower(nullif(body ->> 'status', '')) as oracle_status,
        {{ polymarket_payouts("body -> 'payouts'") }} as payout_values
    from resolutions

),

renamed as (

    select
        -- ids
        {{ polymarket_condition_id("body ->> 'condition_id'") }} as market_id,
        'polymarket'::text as source,
        nullif(body ->> 'question_id', '') as question_id,
        nullif(body ->> 'transaction_hash', '') as transaction_hash,

        -- strings
        oracle_status as resolution_status,
        upper(nullif(body ->> 'market_type', '')) as market_type,
        upper(nullif(body ->> 'reporter', '')) as reporter,
        lower(nullif(body ->> 'resolution_source', '')) as resolution_kind,
        lower(nullif(body ->> 'settlement_time_basis', '')) as settlement_time_basis,

        -- numerics
        {{ to_bigint("body ->> 'log_index'", non_negative=true) }} as log_index,
        {{ to_bigint("body ->> 'resolved_block'", non_negative=true) }} as resolved_block,
        {{ polymarket_uma_price("body ->> 'proposed_price'") }} as proposed_price,
        {{ polymarket_uma_price("body ->> 'reproposed_price'") }} as reproposed_price,
        {{ polymarket_uma_price("body ->> 'price'") }} as settled_price,
        -- payouts count only once resolved (earlier rows may carry provisional values)
        case when oracle_status = 'resolved' then payout_values end as payouts,
        case
            when oracle_status = 'resolved' then {{ payouts_winning_outcome_index('payout_values') }}
        end as winning_outcome_index,

        -- booleans
        case
            when oracle_status = 'resolved' and payout_values is not null
                then {{ payouts_are_void('payout_values') }}
        end as is_void,
        {{ to_boolean("body ->> 'extended_review'") }} as is_extended_review,
        {{ to_boolean("body ->> 'was_disputed'") }} as was_disputed,
        {{ to_boolean("body ->> 'was_arbitrated'") }} as was_arbitrated,
        {{ to_boolean("body ->> 'new_version_q'") }} as is_question_updated,

        -- timestamps: last_update_timestamp is epoch seconds in a string on UMA question rows,
        -- RFC 3339 on the others
        {{ to_utc_timestamp("body ->> 'last_update_timestamp'") }} as last_updated_at,
        {{ to_utc_timestamp("body ->> 'resolved_at'") }} as resolved_at,
        {{ to_utc_timestamp("body ->> 'expected_settlement_time'") }} as expected_settlement_at,
        fetched_at as observed_at,

        -- landing
        landing_id,
        element_position::int as entity_position,
        body as wire_entity

    from parsed

)

select * from renamed
