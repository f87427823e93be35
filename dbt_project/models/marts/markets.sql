-- grain: one row per market per venue (market_id, source): its latest known state
{{
    config(
        materialized='partitioned_incremental',
        unique_key=['market_id', 'source'],
        version_by=['updated_at', 'observed_at', 'landing_id'],
        coalesce_columns=['category', 'volume'],
        refresh_columns=[
            'status', 'winning_outcome_id', 'winning_outcome_name', 'is_void', 'resolved_at', 'resolution_status',
            'payouts', 'resolution_landing_id',
        ],
        on_schema_change='append_new_columns',
        landing_bounded_by=['events'],
        waiting_references={'input': 'int_market_resolutions_unioned', 'keys': ['market_id', 'source']},
    )
}}
-- bounded by the cursor of events (landing_bounded_by): depends_on: {{ ref('events') }}
-- A resolution landed before its market's listing waits for it (waiting_references).
{#- Markets whose resolution landed after their last listing have no new version in this window:
    their stored version is read again from its page (by literal landing ids, at the landing scan). #}
{%- set resolved_keys_sql = 'select market_id, source from ' ~ ref('int_market_resolutions_unioned')
                             ~ ' where ' ~ landing_window_or_waiting() %}
{%- set stored_version_pages = stored_landing_ids(resolved_keys_sql, ['market_id', 'source']) %}

with

landed_resolutions as (

    select * from {{ ref('int_market_resolutions_unioned') }}
    where {{ landing_window_or_waiting() }}

),

market_versions as (

    select * from {{ ref('int_markets_unioned') }}
    where {{ landing_window() }}
    {%- if stored_version_pages %}
    union all
    select stored_versions.*
    from {{ ref('int_markets_unioned') }} as stored_versions
    where
        stored_versions.landing_id in ({{ stored_version_pages | join(', ') }})
        and exists (
            select 1
            from landed_resolutions
            where
                landed_resolutions.market_id = stored_versions.market_id
                and landed_resolutions.source = stored_versions.source
        )
    {%- endif %}

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

resolution_observations as (

    -- The oracle's resolution states, in landing order (a current-state endpoint: the page
    -- landed last is the freshest observation). Payouts count once resolved.
    select
        market_id,
        source,
        resolution_status,
        payouts,
        case when resolution_status = 'resolved' then coalesce(resolved_at, last_updated_at) end as resolved_at,
        landing_id,
        entity_position
    from landed_resolutions
    {%- if is_incremental() %}
    union all
    -- The resolution a stored market already carries, for markets with a new version only.
    select
        stored.market_id,
        stored.source,
        stored.resolution_status,
        stored.payouts,
        stored.resolved_at,
        stored.resolution_landing_id as landing_id,
        0 as entity_position
    from {{ this }} as stored
    where
        stored.resolution_landing_id is not null
        and exists (
            select 1
            from latest_versions
            where
                latest_versions.market_id = stored.market_id
                and latest_versions.source = stored.source
        )
    {%- endif %}

),

latest_resolutions as (

    select distinct on (market_id, source)
        *,
        resolution_status = 'resolved' and payouts is not null as is_settled,
        {{ payouts_winning_outcome_index('payouts') }} as payout_winner_index,
        {{ payouts_are_void('payouts') }} as is_payout_void
    from resolution_observations
    order by market_id asc, source asc, landing_id desc, entity_position desc

),

resolved as (

    -- A market the oracle has a resolution for takes its winner, void state and time from it;
    -- the others keep what the venue's market object says (Polymarket: outcomePrices exactly 1/0).
    select
        latest_versions.*,
        latest_resolutions.landing_id as resolution_landing_id,
        latest_resolutions.payouts as oracle_payouts,
        latest_resolutions.landing_id is not null as has_oracle_resolution,
        coalesce(latest_resolutions.is_settled, false) as is_oracle_settled,
        coalesce(latest_resolutions.resolution_status, latest_versions.resolution_status) as known_resolution_status,
        case
            when latest_resolutions.landing_id is null then latest_versions.winning_outcome_index
            when latest_resolutions.is_settled then latest_resolutions.payout_winner_index
        end as known_winning_outcome_index,
        case
            when latest_resolutions.landing_id is null
                then (case when latest_versions.winning_outcome_index is not null then false end)
            when latest_resolutions.is_settled then latest_resolutions.is_payout_void
        end as known_is_void,
        latest_resolutions.resolved_at as oracle_resolved_at
    from latest_versions
    left join latest_resolutions
        on
            latest_versions.market_id = latest_resolutions.market_id
            and latest_versions.source = latest_resolutions.source

),

classified as (

    select
        *,
        -- A venue that states its lifecycle (Kalshi `status`, mapped in staging) is taken at its
        -- word; the others are classified from their flags and their oracle's resolution.
        coalesce(
            lifecycle_status,
            case
                when is_oracle_settled then 'resolved'
                when
                    not has_oracle_resolution and coalesce(is_closed, false)
                    and known_winning_outcome_index is not null
                    then 'resolved'
                when coalesce(is_closed, false) then 'closed'
                when is_accepting_orders then 'open'
                when opened_at is not null and opened_at <= observed_at then 'paused'
                else 'upcoming'
            end
        ) as status
    from resolved

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
        known_resolution_status::text as resolution_status,
        status::text as status,
        (outcome_ids ->> known_winning_outcome_index)::text as winning_outcome_id,
        (outcome_names ->> known_winning_outcome_index)::text as winning_outcome_name,
        protocol_version::text as protocol_version,
        volume_unit::text as volume_unit,

        -- numerics
        jsonb_array_length({{ json_array('outcome_ids') }})::int as outcome_count,
        known_volume::numeric as volume,
        volume_24h::numeric as volume_24h,
        liquidity::numeric as liquidity,
        open_interest::numeric as open_interest,
        best_bid::numeric as best_bid,
        best_ask::numeric as best_ask,
        last_trade_price::numeric as last_trade_price,
        oracle_payouts::jsonb as payouts,

        -- booleans
        is_active::boolean as is_active,
        coalesce(is_closed, false)::boolean as is_closed,
        is_accepting_orders::boolean as is_accepting_orders,
        is_neg_risk::boolean as is_neg_risk,
        (case when status = 'resolved' then known_is_void end)::boolean as is_void,

        -- timestamps
        created_at::timestamptz as created_at,
        listed_start_at::timestamptz as listed_start_at,
        opened_at::timestamptz as opened_at,
        scheduled_close_at::timestamptz as scheduled_close_at,
        (case when coalesce(is_closed, false) then coalesce(closed_at, resolution_ended_at) end)::timestamptz
            as closed_at,
        (case
            when is_oracle_settled then oracle_resolved_at
            when status = 'resolved' then coalesce(resolution_ended_at, closed_at)
        end)::timestamptz as resolved_at,
        version_at::timestamptz as updated_at,
        observed_at::timestamptz as observed_at,

        -- landing
        landing_id::bigint as landing_id,
        resolution_landing_id::bigint as resolution_landing_id

    from classified

)

select * from final
