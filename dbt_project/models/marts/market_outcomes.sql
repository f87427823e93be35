-- grain: one row per outcome of a market per venue (market_id, outcome_id, source): latest known state
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['market_id', 'outcome_id', 'source'],
        version_by=['updated_at', 'observed_at', 'landing_id'],
        refresh_columns=['is_winner', 'payout'],
        on_schema_change='append_new_columns',
        landing_bounded_by=['markets'],
    )
}}
-- bounded by the cursor of markets (landing_bounded_by), which it looks up

with

outcome_versions as (

    select * from {{ ref('int_market_outcomes_unnested') }}
    where {{ landing_window() }}

),

markets as (

    select * from {{ ref('markets') }}

),

latest_versions as (

    select
        *,
        row_number() over (
            partition by market_id, outcome_id, source
            order by
                coalesce(updated_at, observed_at) desc, observed_at desc, landing_id desc,
                entity_position desc
        ) as version_rank
    from outcome_versions

),

landed_outcomes as (

    select
        market_id,
        outcome_id,
        source,
        token_id,
        id_protocol,
        outcome_name,
        outcome_index,
        last_price,
        coalesce(updated_at, observed_at) as updated_at,
        observed_at,
        landing_id
    from latest_versions
    where version_rank = 1

),

{% if is_incremental() %}
resolution_changed_markets as (

    -- Markets whose resolution arrived since this mart's last build, without a new listing: their
    -- stored outcomes take the new winner and payouts.
    select
        market_id,
        source
    from markets
    where {{ landing_window('resolution_landing_id') }}

),

outcomes as (

    -- One row per outcome: the newer of the landed and the stored version (a late page never
    -- wins; an equal version refreshes the winner and payout only).
    select distinct on (market_id, outcome_id, source) *
    from (
        select * from landed_outcomes
        union all
        select
            stored.market_id,
            stored.outcome_id,
            stored.source,
            stored.token_id,
            stored.id_protocol,
            stored.outcome_name,
            stored.outcome_index,
            stored.last_price,
            stored.updated_at,
            stored.observed_at,
            stored.landing_id
        from {{ this }} as stored
        inner join resolution_changed_markets
            on
                stored.market_id = resolution_changed_markets.market_id
                and stored.source = resolution_changed_markets.source
    ) as candidates
    order by market_id asc, outcome_id asc, source asc, updated_at desc, observed_at desc, landing_id desc

),
{% else %}
outcomes as (

    select * from landed_outcomes

),
{% endif %}

settled as (

    -- The winner and payouts are the market's (markets mart): the oracle's payouts where it has
    -- settled the market, else 1 for the winning outcome and 0 for the others once resolved.
    select
        outcomes.*,
        case
            when markets.status = 'resolved' then coalesce(outcomes.outcome_id = markets.winning_outcome_id, false)
        end as is_winner,
        case
            when markets.payouts is not null
                then {{ to_numeric('markets.payouts ->> outcomes.outcome_index') }}
            when markets.status = 'resolved' and markets.winning_outcome_id is not null
                then (case when outcomes.outcome_id = markets.winning_outcome_id then 1 else 0 end)
        end as payout
    from outcomes
    left join markets
        on
            outcomes.market_id = markets.market_id
            and outcomes.source = markets.source

),

final as (

    select
        -- ids
        market_id::text as market_id,
        outcome_id::text as outcome_id,
        source::text as source,
        token_id::text as token_id,

        -- strings
        outcome_name::text as outcome_name,
        id_protocol::text as id_protocol,

        -- numerics
        outcome_index::int as outcome_index,
        last_price::numeric as last_price,
        payout::numeric as payout,

        -- booleans
        is_winner::boolean as is_winner,

        -- timestamps
        updated_at::timestamptz as updated_at,
        observed_at::timestamptz as observed_at,

        -- landing
        landing_id::bigint as landing_id

    from settled

)

select * from final
