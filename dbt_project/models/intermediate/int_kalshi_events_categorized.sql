-- grain: one row per Kalshi event object per landed /events page, with the category and tags of its series
with

events as (

    select * from {{ ref('stg_kalshi__events') }}

),

series as (

    select * from {{ ref('stg_kalshi__series') }}

),

categorized as (

    -- The series as known when the event page landed: the newest landed version of the event's own
    -- series_ticker (taken from the event, never split out of the ticker: FED-23FEB is KXFED's) at
    -- or before the event's landing_id, so a rebuild from landing gives the same answer.
    select
        events.*,
        series_as_of.category as series_category,
        series_as_of.tags as series_tags,
        series_as_of.title as series_title
    from events
    left join lateral (
        select
            series.category,
            series.tags,
            series.title
        from series
        where
            series.series_id = events.series_id
            and series.landing_id <= events.landing_id
        order by series.landing_id desc, series.entity_position desc
        limit 1
    ) as series_as_of on true

)

select * from categorized
