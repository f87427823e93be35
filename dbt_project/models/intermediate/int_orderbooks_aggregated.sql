-- grain: one row per landed order book of an outcome, with its sides best-first and top of book
with

levels as (

    select * from {{ ref('int_orderbook_levels_unnested') }}

),

aggregated as (

    select
        source,
        market_id,
        outcome_id,
        book_hash,
        tick_size,
        min_order_size,
        last_trade_price,
        snapshot_at,
        observed_at,
        landing_id,
        entity_position,
        coalesce(
            jsonb_agg(jsonb_build_object('price', price, 'size', size) order by level_rank)
            filter (where side = 'bid'),
            '[]'::jsonb
        ) as bids,
        coalesce(
            jsonb_agg(jsonb_build_object('price', price, 'size', size) order by level_rank)
            filter (where side = 'ask'),
            '[]'::jsonb
        ) as asks,
        max(price) filter (where side = 'bid') as best_bid,
        min(price) filter (where side = 'ask') as best_ask,
        coalesce(sum(size) filter (where side = 'bid'), 0) as bid_depth,
        coalesce(sum(size) filter (where side = 'ask'), 0) as ask_depth,
        count(*) filter (where side = 'bid')::int as bid_level_count,
        count(*) filter (where side = 'ask')::int as ask_level_count
    from levels
    group by
        source, market_id, outcome_id, book_hash, tick_size, min_order_size, last_trade_price,
        snapshot_at, observed_at, landing_id, entity_position

),

top_of_book as (

    select
        *,
        trim_scale((best_bid + best_ask) / 2) as mid,
        trim_scale(best_ask - best_bid) as spread
    from aggregated

)

select * from top_of_book
