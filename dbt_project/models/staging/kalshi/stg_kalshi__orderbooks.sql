-- grain: one row per market order book per landed page (GET /markets/orderbooks: a list; GET
-- /markets/{ticker}/orderbook: one book, named only by its URL)
with

source as (

    select
        landing_id,
        fetched_at,
        url,
        response
    from {{ source('kalshi', 'raw_api_responses') }}
    where
        source = 'kalshi'
        and resource = 'orderbooks'
        and status_code = 200
        and response is not null

),

books as (

    -- A batch answers {"orderbooks": [{"ticker", <book keys>}]}; a single book is the body itself,
    -- its ticker only in the URL (.../markets/<ticker>/orderbook?depth=0).
    select
        source.landing_id,
        source.fetched_at,
        coalesce(
            nullif(book.body ->> 'ticker', ''),
            substring(source.url from '/markets/([^/?]+)/orderbook')
        ) as ticker,
        book.element_position,
        book.body
    from source
    cross join
        lateral jsonb_array_elements(
            case
                when jsonb_typeof(source.response -> 'orderbooks') = 'array' then source.response -> 'orderbooks'
                when jsonb_typeof(source.response) = 'object' then jsonb_build_array(source.response)
                else '[]'::jsonb
            end
        ) with ordinality as book (body, element_position)
    where
        jsonb_typeof(book.body) = 'object'
        and (book.body ? 'orderbook_fp' or book.body ? 'orderbook')

),

normalised as (

    -- Both generations as [{"price": probability, "size": contracts}], bids only, as served
    -- (ascending: the best bid last): `orderbook_fp` dollar/fp strings, else the legacy
    -- `orderbook` (dollar strings with integer counts, else integer cents; null sides when empty).
    select
        landing_id,
        fetched_at,
        ticker,
        element_position,
        body,
        {{ kalshi_book_side('body', 'yes') }} as yes_bid_levels,
        {{ kalshi_book_side('body', 'no') }} as no_bid_levels
    from books

),

renamed as (

    select
        -- ids
        ticker as market_id,
        'kalshi'::text as source,
        -- the venue gives no hash: one of the normalised levels (equal books, equal hashes)
        md5(yes_bid_levels::text || '|' || no_bid_levels::text) as book_hash,

        -- levels: YES bids and NO bids (a YES ask is 1 - a NO bid, and the reverse)
        yes_bid_levels,
        no_bid_levels,

        -- timestamps: the venue gives none; the snapshot is the fetch
        fetched_at as snapshot_at,
        fetched_at as observed_at,

        -- landing
        landing_id,
        element_position::int as entity_position,
        body as wire_entity

    from normalised

)

select * from renamed
