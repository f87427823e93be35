-- grain: one row per outcome (yes, no) per landed Kalshi market order book
with

books as (

    select * from {{ ref('stg_kalshi__orderbooks') }}

),

outcomes as (

    select
        outcome_id,
        outcome_index
    from (values ('yes', 0), ('no', 1)) as outcome (outcome_id, outcome_index)

),

mirrored as (

    -- Kalshi books hold bids only, on both sides: an outcome's bids are its side's bids, its asks
    -- the other side's bids at 1 - price (a NO bid at 0.55 is a YES ask at 0.45).
    select
        books.source,
        books.market_id,
        outcomes.outcome_id,
        books.book_hash,
        case outcomes.outcome_id when 'yes' then books.yes_bid_levels else books.no_bid_levels end as bid_levels,
        (
            select
                coalesce(
                    jsonb_agg(
                        jsonb_build_object(
                            'price', 1 - (book_level.value ->> 'price')::numeric,
                            'size', book_level.value -> 'size'
                        )
                        order by book_level.level_position
                    ),
                    '[]'::jsonb
                )
            from
                jsonb_array_elements(
                    case outcomes.outcome_id when 'yes' then books.no_bid_levels else books.yes_bid_levels end
                ) with ordinality as book_level (value, level_position)
            where book_level.value ->> 'price' is not null
        ) as ask_levels,
        books.snapshot_at,
        books.observed_at,
        books.landing_id,
        books.entity_position * 2 + outcomes.outcome_index as entity_position
    from books
    cross join outcomes

)

select * from mirrored
