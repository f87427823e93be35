-- grain: one row per outcome per observed version of a market (index-aligned outcome arrays unnested)
with

market_versions as (

    select * from {{ ref('int_markets_unioned') }}

),

unnested as (

    select
        market_versions.market_id,
        market_versions.source,
        outcome.outcome_index,
        market_versions.outcome_ids ->> outcome.outcome_index as outcome_id,
        market_versions.outcome_names ->> outcome.outcome_index as outcome_name,
        market_versions.outcome_token_ids ->> outcome.outcome_index as token_id,
        market_versions.outcome_id_protocol as id_protocol,
        {{ to_probability('market_versions.outcome_prices ->> outcome.outcome_index') }} as last_price,
        case
            when market_versions.winning_outcome_index is not null
                then outcome.outcome_index = market_versions.winning_outcome_index
        end as is_winner,
        market_versions.updated_at,
        market_versions.observed_at,
        market_versions.landing_id,
        market_versions.entity_position
    from market_versions
    cross join lateral generate_series(
        0,
        greatest(
            jsonb_array_length({{ json_array('market_versions.outcome_ids') }}),
            jsonb_array_length({{ json_array('market_versions.outcome_names') }})
        ) - 1
    ) as outcome (outcome_index)

)

select * from unnested
where outcome_id is not null
