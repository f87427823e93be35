-- grain: one row per price level per side per landed order book (a book without levels: one row, no level)
with

orderbooks as (

    select * from {{ ref('int_orderbooks_unioned') }}

),

levels as (

    -- Venues list bids ascending and asks descending (best last): levels are ranked explicitly,
    -- best first, within each book (one lateral subquery per book keeps the landing_id filter of
    -- incremental marts on the landing scan).
    select
        orderbooks.source,
        orderbooks.market_id,
        orderbooks.outcome_id,
        orderbooks.book_hash,
        orderbooks.tick_size,
        orderbooks.min_order_size,
        orderbooks.last_trade_price,
        orderbooks.snapshot_at,
        orderbooks.observed_at,
        orderbooks.landing_id,
        orderbooks.entity_position,
        ranked.side,
        ranked.level_rank::int as level_rank,
        ranked.price,
        ranked.size
    from orderbooks
    left join lateral (  -- noqa: ST05
        select
            parsed.side,
            parsed.price,
            parsed.size,
            row_number() over (
                partition by parsed.side
                order by
                    case when parsed.side = 'bid' then parsed.price end desc,
                    case when parsed.side = 'ask' then parsed.price end asc,
                    parsed.served_position
            ) as level_rank
        from (
            select
                served.side,
                {{ to_probability("served.body ->> 'price'") }} as price,
                {{ to_quantity("served.body ->> 'size'") }} as size,
                served.element_position as served_position
            from (
                select
                    'bid'::text as side,
                    bid.body,
                    bid.element_position
                from
                    jsonb_array_elements({{ json_array('orderbooks.bid_levels') }})
                    with ordinality as bid (body, element_position)
                union all
                select
                    'ask'::text as side,
                    ask.body,
                    ask.element_position
                from
                    jsonb_array_elements({{ json_array('orderbooks.ask_levels') }})
                    with ordinality as ask (body, element_position)
            ) as served
        ) as parsed
        where parsed.price is not null and parsed.size is not null
    ) as ranked on true

)

select * from levels
