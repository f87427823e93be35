-- grain: one row per Kalshi event object per landed /events page, with the category and tags of its series
with

events as (

    select * from {{ ref('stg_kalshi__events') }}

),

series as (

    select * from {{ ref('stg_kalshi__series') }}

),

series_versions as materialized (

    -- Every run lands every series again; they rarely change: keep the landed versions that differ
    -- from the previous one of the same series, so the lookup below scans a handful of rows.
    select
        series_id,
        category,
        tags,
        title,
        landing_id,
        entity_position
    from (
        select
            *,
            lag(row(category, tags, title)::text) over (
                partition by series_id
                order by landing_id, entity_position
            ) as previous_version
        from series
    ) as landed_versions
    where previous_version is distinct from row(category, tags, title)::text

),

categorized as (

    -- The series as known when the event page landed: the newest landed version of the event's own
    -- series_ticker (taken from the event, never split out of the ticker: FED-23FEB is KXFED's) at
    -- or before the event's landing_id, so a rebuild from landing gives the same answer.
    select
        events.event_id,
        events.source,
        events.series_id,
        events.title,
        events.subtitle,
        events.category,
        events.collateral_return_type,
        events.resolution_source,
        events.is_mutually_exclusive,
        events.strike_at,
        events.updated_at,
        events.observed_at,
        events.landing_id,
        events.entity_position,
        series_as_of.category as series_category,
        series_as_of.tags as series_tags,
        series_as_of.title as series_title
    from events
    left join lateral (
        select
            series_versions.category,
            series_versions.tags,
            series_versions.title
        from series_versions
        where
            series_versions.series_id = events.series_id
            and series_versions.landing_id <= events.landing_id
        order by series_versions.landing_id desc, series_versions.entity_position desc
        limit 1
    ) as series_as_of on true

)

select * from categorized
