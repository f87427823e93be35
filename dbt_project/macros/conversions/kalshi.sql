{#- Kalshi wire values across the API's payload generations.

    Until 2026-03-12 prices were integer cents and counts integer contracts (`yes_bid`: 43,
    `volume`: 120); `*_dollars` price strings ("0.4300", 4 to 6 decimals, a 0-1 scale) and `*_fp`
    count strings ("120.00") were added alongside them in January 2026, and from 2026-03-12 only
    those remain. The macros below read the dollar / fixed-point field when present and fall back
    to the legacy integer, so both generations give the same numbers. Each takes the jsonb object
    holding the field and the field's base name. -#}

{#- A price as a probability: `<name>_dollars`, else `<name>` in integer cents. With
    `bare_is_dollars` the bare `<name>` holds a dollar string instead (the historical tier's
    candlesticks: `close` = "0.9900"). -#}
{% macro kalshi_price(object_expr, name, bare_is_dollars=false) -%}
    coalesce(
        {{ dollars_to_probability(object_expr ~ " ->> '" ~ name ~ "_dollars'") }},
        {%- if bare_is_dollars %}
        {{ dollars_to_probability(object_expr ~ " ->> '" ~ name ~ "'") }}
        {%- else %}
        {{ cents_to_probability(object_expr ~ " ->> '" ~ name ~ "'") }}
        {%- endif %}
    )
{%- endmacro %}

{#- A contract count: `<name>_fp`, else the integer `<name>` (the historical tier's
    candlesticks carry fp strings under the bare name: read the same way); trailing zeros
    dropped, so "120.00" and 120 are the same value. A negative count is null. -#}
{% macro kalshi_count(object_expr, name) -%}
    trim_scale(coalesce(
        {{ to_quantity(object_expr ~ " ->> '" ~ name ~ "_fp'") }},
        {{ to_quantity(object_expr ~ " ->> '" ~ name ~ "'") }}
    ))
{%- endmacro %}

{#- A quoted price, or null when the venue means "no quote": Kalshi shows a missing bid as 0
    and a missing ask as 1 (`yes_bid_dollars` "0.0000", `no_ask_dollars` "1.0000" on an untraded
    market), and a market that never traded has a last price of 0. Tradable prices lie strictly
    between 0 and 1. -#}
{% macro kalshi_quote(probability_expr) -%}
    (case when ({{ probability_expr }}) > 0 and ({{ probability_expr }}) < 1 then {{ probability_expr }} end)
{%- endmacro %}

{#- A price level `[price, quantity]` of a Kalshi order book side as `{"price", "size"}` with a
    probability and a contract count: `[["0.4700", "334.17"]]` (`*_dollars` sides) or
    `[[47, 334]]` (legacy cent sides). -#}
{% macro kalshi_book_level(level_expr, cents) -%}
    jsonb_build_object(
        'price', {{ cents_to_probability(level_expr ~ " ->> 0") if cents else dollars_to_probability(level_expr ~ " ->> 0") }},
        'size', trim_scale({{ to_quantity(level_expr ~ " ->> 1") }})
    )
{%- endmacro %}

{#- Kalshi market status (the objects' vocabulary, and the /markets filter words) to the
    marts' lifecycle: upcoming, open, paused, closed, resolved. A status that settles the market
    only counts as resolved with a yes/no result; anything unknown is left null (the generic
    rules of the markets mart then apply). -#}
{% macro kalshi_lifecycle_status(status_expr, result_expr) -%}
    (case
        when lower({{ status_expr }}) in ('initialized', 'unopened') then 'upcoming'
        when lower({{ status_expr }}) in ('active', 'open') then 'open'
        when lower({{ status_expr }}) in ('inactive', 'paused') then 'paused'
        when lower({{ status_expr }}) in ('determined', 'amended', 'finalized', 'settled')
            and lower({{ result_expr }}) in ('yes', 'no') then 'resolved'
        when lower({{ status_expr }}) in ('closed', 'disputed', 'determined', 'amended', 'finalized', 'settled')
            then 'closed'
    end)
{%- endmacro %}

{#- A candlestick price field as a probability: the live shapes (`close_dollars`, else integer
    cents `close`), or, for the historical tier (`is_historical`), the bare dollar string. -#}
{% macro kalshi_candle_price(object_expr, name, historical_expr='is_historical') -%}
    (case
        when {{ historical_expr }} then {{ kalshi_price(object_expr, name, bare_is_dollars=true) }}
        else {{ kalshi_price(object_expr, name) }}
    end)
{%- endmacro %}

{#- One side (`yes` or `no`) of a Kalshi order book object as [{"price", "size"}], as served
    (ascending, best bid last): `orderbook_fp.<side>_dollars`, else the legacy
    `orderbook.<side>_dollars` (dollar strings, integer counts), else `orderbook.<side>` (integer
    cents); a `null` side (legacy empty books) is an empty array. -#}
{% macro kalshi_book_side(book_expr, side) -%}
    coalesce(
        case
            when jsonb_typeof({{ book_expr }} -> 'orderbook_fp') = 'object'
                then (
                    select jsonb_agg({{ kalshi_book_level('level.value', cents=false) }} order by level.position)
                    from
                        jsonb_array_elements({{ json_array(book_expr ~ " -> 'orderbook_fp' -> '" ~ side ~ "_dollars'") }})
                        with ordinality as level (value, position)
                )
            when jsonb_typeof({{ book_expr }} -> 'orderbook' -> '{{ side }}_dollars') = 'array'
                then (
                    select jsonb_agg({{ kalshi_book_level('level.value', cents=false) }} order by level.position)
                    from
                        jsonb_array_elements({{ book_expr }} -> 'orderbook' -> '{{ side }}_dollars')
                        with ordinality as level (value, position)
                )
            else (
                select jsonb_agg({{ kalshi_book_level('level.value', cents=true) }} order by level.position)
                from
                    jsonb_array_elements({{ json_array(book_expr ~ " -> 'orderbook' -> '" ~ side ~ "'") }})
                    with ordinality as level (value, position)
            )
        end,
        '[]'::jsonb
    )
{%- endmacro %}
