-- grain: one row per market per venue (market_id, source): its resolution lifecycle
{%- set lifecycle_columns = [
    'status', 'resolution_stage', 'venue_resolution_status', 'winning_outcome_id', 'winning_outcome_name',
    'settlement_result', 'winning_outcome_index', 'payouts', 'settlement_value', 'dispute_count', 'is_void',
    'is_final', 'was_disputed', 'closed_at', 'proposed_at', 'disputed_at', 'last_disputed_at', 'determined_at',
    'resolved_at', 'finalized_at', 'landing_id',
] %}
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['market_id', 'source'],
        refresh_columns=lifecycle_columns,
        on_schema_change='append_new_columns',
        landing_bounded_by=['markets'],
        waiting_references={
            'input': 'int_resolution_states_unioned', 'reference': 'markets', 'keys': ['market_id', 'source'],
        },
    )
}}
-- bounded by the cursor of markets (landing_bounded_by), whose state it takes; states of markets not
-- listed yet wait for their market (waiting_references). Each run rebuilds the markets changed in its
-- window from their stored lifecycle and the states landed since: times are the earliest seen,
-- disputes are counted once each.

with

landed_states as (

    select * from {{ ref('int_resolution_states_unioned') }}
    where {{ landing_window_or_waiting() }}

),

markets as (

    select * from {{ ref('markets') }}

),

market_outcomes as (

    select * from {{ ref('market_outcomes') }}

),

states as (

    select landed_states.*
    from landed_states
    where exists (
        select 1
        from markets
        where
            markets.market_id = landed_states.market_id
            and markets.source = landed_states.source
    )

),

{% if is_incremental() %}
changed_markets as (

    select
        market_id,
        source
    from markets
    where ({{ landing_window('landing_id') }}) or ({{ landing_window('resolution_landing_id') }})
    union
    select
        market_id,
        source
    from states

),

previous as (

    select stored.*
    from {{ this }} as stored
    inner join changed_markets
        on
            stored.market_id = changed_markets.market_id
            and stored.source = changed_markets.source

),
{% else %}
changed_markets as (

    select
        market_id,
        source
    from markets

),

previous as (

    -- nothing stored on a full refresh
    select
        null::text as market_id,
        null::text as source,
        null::text as resolution_stage,
        null::text as settlement_result,
        null::numeric as settlement_value,
        null::int as dispute_count,
        null::boolean as was_disputed,
        null::timestamptz as proposed_at,
        null::timestamptz as disputed_at,
        null::timestamptz as last_disputed_at,
        null::timestamptz as determined_at,
        null::timestamptz as finalized_at,
        null::bigint as landing_id
    where false

),
{% endif %}

sequenced_states as (

    -- Each state with the one observed before it (the stored lifecycle's last for the first of
    -- this batch): a dispute starts where the previous state was not a dispute, or was one the
    -- venue dated differently (a second dispute).
    select
        states.*,
        coalesce(
            lag(states.resolution_stage) over by_market,
            previous.resolution_stage
        ) as previous_stage,
        case
            when row_number() over by_market = 1 then previous.last_disputed_at
            else lag(states.event_at) over by_market
        end as previous_event_at
    from states
    left join previous
        on
            states.market_id = previous.market_id
            and states.source = previous.source
    window by_market as (
        partition by states.market_id, states.source
        order by states.landing_id, states.entity_position
    )

),

observed as (

    select
        market_id,
        source,
        min(coalesce(event_at, observed_at)) filter (where resolution_stage = 'proposed') as proposed_at,
        min(coalesce(event_at, observed_at)) filter (where resolution_stage = 'disputed') as disputed_at,
        max(coalesce(event_at, observed_at)) filter (where resolution_stage = 'disputed') as last_disputed_at,
        min(coalesce(event_at, observed_at)) filter (where resolution_stage = 'determined') as determined_at,
        min(coalesce(event_at, observed_at)) filter (where resolution_stage = 'finalized') as finalized_at,
        count(*) filter (
            where
            resolution_stage = 'disputed'
            and (
                previous_stage is distinct from 'disputed'
                or (event_at is not null and previous_event_at is not null and event_at <> previous_event_at)
            )
        )::int as new_disputes,
        bool_or(resolution_stage = 'disputed' or coalesce(was_disputed, false)) as was_disputed,
        (array_agg(resolution_stage order by landing_id desc, entity_position desc))[1] as resolution_stage,
        max(landing_id) as landing_id
    from sequenced_states
    group by market_id, source

),

latest_settlements as (

    -- the settlement a venue states last (Kalshi result and settlement value)
    select distinct on (market_id, source)
        market_id,
        source,
        settlement_value,
        settlement_result
    from states
    where settlement_value is not null or settlement_result is not null
    order by market_id asc, source asc, landing_id desc, entity_position desc

),

lifecycle as (

    -- The stored lifecycle and this batch's states together: earliest times, latest state.
    select
        changed_markets.market_id,
        changed_markets.source,
        least(previous.proposed_at, observed.proposed_at) as proposed_at,
        least(previous.disputed_at, observed.disputed_at) as disputed_at,
        greatest(previous.last_disputed_at, observed.last_disputed_at) as last_disputed_at,
        least(previous.determined_at, observed.determined_at) as determined_at,
        least(previous.finalized_at, observed.finalized_at) as finalized_at,
        coalesce(previous.dispute_count, 0) + coalesce(observed.new_disputes, 0) as dispute_count,
        coalesce(previous.was_disputed, false) or coalesce(observed.was_disputed, false) as was_disputed,
        coalesce(observed.resolution_stage, previous.resolution_stage) as resolution_stage,
        case
            when latest_settlements.market_id is not null then latest_settlements.settlement_value
            else previous.settlement_value
        end as settlement_value,
        coalesce(latest_settlements.settlement_result, previous.settlement_result) as settlement_result,
        greatest(previous.landing_id, observed.landing_id) as state_landing_id
    from changed_markets
    left join previous
        on
            changed_markets.market_id = previous.market_id
            and changed_markets.source = previous.source
    left join observed
        on
            changed_markets.market_id = observed.market_id
            and changed_markets.source = observed.source
    left join latest_settlements
        on
            changed_markets.market_id = latest_settlements.market_id
            and changed_markets.source = latest_settlements.source

),

settled as (

    -- A settlement value (what the first outcome pays, e.g. Kalshi YES) stated once the outcome is
    -- determined gives the payouts of a binary market the venue did not resolve to a winner
    -- (scalar, void).
    select
        lifecycle.*,
        markets.status as market_status,
        markets.is_void as market_is_void,
        markets.winning_outcome_id,
        markets.winning_outcome_name,
        markets.resolution_status as venue_resolution_status,
        markets.payouts as oracle_payouts,
        markets.outcome_count,
        markets.closed_at,
        markets.resolved_at,
        market_outcomes.outcome_index as winning_outcome_index,
        greatest(markets.landing_id, markets.resolution_landing_id, lifecycle.state_landing_id) as landing_id,
        case
            when
                lifecycle.resolution_stage in ('determined', 'finalized')
                and lifecycle.settlement_value is not null
                and markets.outcome_count = 2
                then jsonb_build_array(
                    trim_scale(lifecycle.settlement_value), trim_scale(1 - lifecycle.settlement_value)
                )
        end as settlement_payouts
    from lifecycle
    inner join markets
        on
            lifecycle.market_id = markets.market_id
            and lifecycle.source = markets.source
    left join market_outcomes
        on
            markets.market_id = market_outcomes.market_id
            and markets.winning_outcome_id = market_outcomes.outcome_id
            and markets.source = market_outcomes.source

),

classified as (

    select
        *,
        case
            when market_status = 'resolved' and market_is_void then 'void'
            when market_status = 'resolved' and winning_outcome_id is not null then 'resolved'
            when market_status = 'resolved' then 'split'
            when settlement_payouts ->> 0 = settlement_payouts ->> 1 then 'void'
            when settlement_payouts is not null then 'split'
            when resolution_stage = 'disputed' then 'disputed'
            when resolution_stage in ('proposed', 'determined') then 'proposed'
            when market_status = 'closed' then 'closed'
            else 'open'
        end as status,
        coalesce(
            oracle_payouts,
            settlement_payouts,
            case
                when market_status = 'resolved' and winning_outcome_index is not null
                    then (
                        select
                            jsonb_agg(
                                case when outcome_position = winning_outcome_index then 1 else 0 end
                                order by outcome_position
                            )
                        from generate_series(0, outcome_count - 1) as outcome_positions (outcome_position)
                    )
            end
        ) as known_payouts
    from settled

),

final as (

    select
        -- ids
        market_id::text as market_id,
        source::text as source,
        winning_outcome_id::text as winning_outcome_id,

        -- strings
        status::text as status,
        resolution_stage::text as resolution_stage,
        venue_resolution_status::text as venue_resolution_status,
        winning_outcome_name::text as winning_outcome_name,
        settlement_result::text as settlement_result,

        -- numerics
        winning_outcome_index::int as winning_outcome_index,
        known_payouts::jsonb as payouts,
        settlement_value::numeric as settlement_value,
        dispute_count::int as dispute_count,

        -- booleans
        (status = 'void')::boolean as is_void,
        (status in ('resolved', 'void', 'split') and coalesce(resolution_stage, 'finalized') = 'finalized')::boolean
            as is_final,
        was_disputed::boolean as was_disputed,

        -- timestamps
        closed_at::timestamptz as closed_at,
        proposed_at::timestamptz as proposed_at,
        disputed_at::timestamptz as disputed_at,
        last_disputed_at::timestamptz as last_disputed_at,
        determined_at::timestamptz as determined_at,
        resolved_at::timestamptz as resolved_at,
        finalized_at::timestamptz as finalized_at,

        -- landing
        landing_id::bigint as landing_id

    from classified

)

select * from final
