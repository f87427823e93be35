-- A resolved market has exactly one winning outcome in market_outcomes, a void one none.
-- Reads two marts: run by transform_dbt's mart_relationships task, after both are built.
{{ config(tags=['cross_mart']) }}

with

resolutions as (

    select * from {{ ref('market_resolutions') }}
    where status in ('resolved', 'void')

),

market_outcomes as (

    select * from {{ ref('market_outcomes') }}

),

winners as (

    select
        resolutions.market_id,
        resolutions.source,
        resolutions.status,
        count(*) filter (where market_outcomes.is_winner) as winning_outcomes
    from resolutions
    left join market_outcomes
        on
            resolutions.market_id = market_outcomes.market_id
            and resolutions.source = market_outcomes.source
    group by resolutions.market_id, resolutions.source, resolutions.status

)

select * from winners
where winning_outcomes <> (case when status = 'resolved' then 1 else 0 end)
