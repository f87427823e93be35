-- grain: one row per market per venue (market_id, source): its latest known state
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['market_id', 'source'],
        version_by=['updated_at', 'observed_at', 'landing_id'],
        coalesce_columns=['category', 'volume'],
        on_schema_change='append_new_columns',
        landing_bounded_by=['events'],
    )
}}
-- bounded by the cursor of events (landing_bounded_by): depends_on: {{ ref('events') }}

with

market_versions as (

    select * from {{ ref('int_markets_unioned') }}
    where {{ landing_window() }}

),

ranked_versions as (

    select
        *,
        coalesce(updated_at, observed_at) as version_at,
        row_number() over latest_first as version_rank,
        -- Polymarket drops some keys from closed markets (volume) and only /events gives tags:
        -- these two keep the newest value any version had.
        first_value(category) over (
            partition by market_id, source
            order by
                category is null, coalesce(updated_at, observed_at) desc, observed_at desc,
                landing_id desc, entity_position desc
        ) as known_category,
        first_value(volume) over (
            partition by market_id, source
            order by
                volume is null, coalesce(updated_at, observed_at) desc, observed_at desc,
                landing_id desc, entity_position desc
        ) as known_volume
    from market_versions
    window latest_first as (
        partition by market_id, source
        order by coalesce(updated_at, observed_at) desc, observed_at desc, landing_id desc, entity_position desc
    )

),

latest_versions as (

    select * from ranked_versions
    where version_rank = 1

),

classified as (

    select
        *,
        -- A venue that states its lifecycle (Kalshi `status`, mapped in staging) is taken at its
        -- word; the others are classified from their flags.
        coalesce(
            lifecycle_status,
            case
                when coalesce(is_closed, false) and winning_outcome_index is not null then 'resolved'
                when coalesce(is_closed, false) then 'closed'
                when is_accepting_orders then 'open'
                when opened_at is not null and opened_at <= observed_at then 'paused'
                else 'upcoming'
            end
        ) as status
    from latest_versions

),

final as (

    select
        -- ids
        market_id::text as market_id,
        source::text as source,
        event_id::text as event_id,
        venue_market_id::text as venue_market_id,

        -- strings
        question::text as question,
        description::text as description,
        slug::text as slug,
        known_category::text as category,
        resolution_source::text as resolution_source,
        venue_status::text as venue_status,
        resolution_status::text as resolution_status,
        status::text as status,
        (outcome_ids ->> winning_outcome_index)::text as winning_outcome_id,
        (outcome_names ->> winning_outcome_index)::text as winning_outcome_name,

        -- numerics
        jsonb_array_length({{ json_array('outcome_ids') }})::int as outcome_count,
        known_volume::numeric as volume,
        volume_24h::numeric as volume_24h,
        liquidity::numeric as liquidity,
        open_interest::numeric as open_interest,
        best_bid::numeric as best_bid,
        best_ask::numeric as best_ask,
        last_trade_price::numeric as last_trade_price,

        -- booleans
        is_active::boolean as is_active,
        coalesce(is_closed, false)::boolean as is_closed,
        is_accepting_orders::boolean as is_accepting_orders,
        is_neg_risk::boolean as is_neg_risk,

        -- timestamps
        created_at::timestamptz as created_at,
        opened_at::timestamptz as opened_at,
        scheduled_close_at::timestamptz as scheduled_close_at,
        (case when coalesce(is_closed, false) then coalesce(closed_at, resolution_ended_at) end)::timestamptz
            as closed_at,
        (case when status = 'resolved' then coalesce(resolution_ended_at, closed_at) end)::timestamptz
            as resolved_at,
        version_at::timestamptz as updated_at,
        observed_at::timestamptz as observed_at,

        -- landing
        landing_id::bigint as landing_id

    from classified

)

select * from final
