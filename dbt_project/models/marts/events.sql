-- grain: one row per event per venue (event_id, source): its latest known state
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['event_id', 'source'],
        version_by=['updated_at', 'observed_at', 'landing_id'],
        coalesce_columns=['category', 'tags'],
        on_schema_change='append_new_columns',
    )
}}

with

event_versions as (

    select * from {{ ref('int_events_unioned') }}
    where {{ landing_window() }}

),

ranked_versions as (

    select
        *,
        coalesce(updated_at, observed_at) as version_at,
        row_number() over latest_first as version_rank,
        -- Only the /events listing carries tags (not the copies embedded in markets): keep the
        -- newest known.
        first_value(category) over (
            partition by event_id, source
            order by
                category is null, coalesce(updated_at, observed_at) desc, observed_at desc,
                landing_id desc, entity_position desc
        ) as known_category,
        first_value(tags) over (
            partition by event_id, source
            order by
                tags is null, coalesce(updated_at, observed_at) desc, observed_at desc,
                landing_id desc, entity_position desc
        ) as known_tags
    from event_versions
    window latest_first as (
        partition by event_id, source
        order by coalesce(updated_at, observed_at) desc, observed_at desc, landing_id desc, entity_position desc
    )

),

final as (

    select
        -- ids
        event_id::text as event_id,
        source::text as source,
        series_id::text as series_id,
        neg_risk_market_id::text as neg_risk_market_id,

        -- strings
        title::text as title,
        slug::text as slug,
        ticker::text as ticker,
        description::text as description,
        known_category::text as category,
        known_tags::jsonb as tags,
        resolution_source::text as resolution_source,
        series_slug::text as series_slug,

        -- numerics
        volume::numeric as volume,
        volume_24h::numeric as volume_24h,
        liquidity::numeric as liquidity,
        open_interest::numeric as open_interest,

        -- booleans
        is_active::boolean as is_active,
        is_closed::boolean as is_closed,
        is_archived::boolean as is_archived,
        is_neg_risk::boolean as is_neg_risk,

        -- timestamps
        created_at::timestamptz as created_at,
        started_at::timestamptz as started_at,
        scheduled_end_at::timestamptz as scheduled_end_at,
        closed_at::timestamptz as closed_at,
        version_at::timestamptz as updated_at,
        observed_at::timestamptz as observed_at,

        -- landing
        landing_id::bigint as landing_id

    from ranked_versions
    where version_rank = 1

)

select * from final
