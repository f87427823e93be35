-- grain: one row per observed resolution state of a market (one state on one landed page), all venues
with

polymarket_states as (

    -- The oracle's lifecycle from Data API /v2/resolutions: a proposal (reproposed after a first
    -- challenge), a dispute, then the on-chain payouts, which are final. Earlier states
    -- (initialized, posed, active) carry no answer and are left out.
    select
        market_id,
        source,
        case
            when resolution_status in ('proposed', 'reproposed') then 'proposed'
            when resolution_status in ('challenged', 'disputed', 'arbitration') then 'disputed'
            when resolution_status = 'resolved' then 'finalized'
        end as resolution_stage,
        resolution_status as venue_status,
        case
            when resolution_status = 'resolved' then coalesce(resolved_at, last_updated_at)
            else last_updated_at
        end as event_at,
        was_disputed,
        null::numeric as settlement_value,
        null::text as settlement_result,
        observed_at,
        landing_id,
        entity_position
    from {{ ref('stg_polymarket__resolutions') }}
    where
        market_id is not null
        and resolution_status in ('proposed', 'reproposed', 'challenged', 'disputed', 'arbitration', 'resolved')

),

kalshi_states as (

    -- Kalshi states its settlement on the market object: determined (the result is known),
    -- disputed, amended (the determination changed), finalized. Only finalization has a time
    -- (`settlement_ts`); the other states are dated by the fetch of the page that shows them.
    select
        market_id,
        source,
        case
            when venue_status in ('determined', 'amended') then 'determined'
            when venue_status = 'disputed' then 'disputed'
            when venue_status = 'finalized' then 'finalized'
        end as resolution_stage,
        venue_status,
        case when venue_status = 'finalized' then resolution_ended_at end as event_at,
        null::boolean as was_disputed,
        settlement_value,
        result as settlement_result,
        observed_at,
        landing_id,
        entity_position
    from {{ ref('stg_kalshi__markets') }}
    where
        not is_parlay
        and venue_status in ('determined', 'amended', 'disputed', 'finalized')

),

-- A venue adds one branch here, with the same columns.
unioned as (

    select * from polymarket_states
    union all
    select * from kalshi_states

)

select * from unioned
