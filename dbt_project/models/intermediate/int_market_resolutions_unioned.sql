-- grain: one row per observed resolution state of a market (one resolution row on one landed page), all venues
with

polymarket_resolutions as (

    select
        market_id,
        source,
        resolution_status,
        payouts,
        winning_outcome_index,
        is_void,
        was_disputed,
        resolved_at,
        last_updated_at,
        observed_at,
        landing_id,
        entity_position
    from {{ ref('stg_polymarket__resolutions') }}
    where market_id is not null

),

-- A venue with a resolution feed of its own adds one branch here, with the same columns.
unioned as (

    select * from polymarket_resolutions

)

select * from unioned
