{#- Polymarket resolution, read from a closed market's `outcomePrices` (a jsonb array of
    price strings). Polymarket writes the settlement as exactly "1" for the winner and "0" for
    every other outcome; anything else (a fractional last price such as ["0.9995", "0.0005"], or
    ["0", "0"]) does not decide the market. Returns the 0-based index of the winning outcome,
    or null. -#}
{% macro polymarket_winning_outcome_index(prices_expr) -%}
    (select
        case
            when count(*) >= 2
                and count(*) filter (where trim(price.value) = '1') = 1
                and count(*) filter (where trim(price.value) in ('1', '0')) = count(*)
                then (min(price.element_position) filter (where trim(price.value) = '1') - 1)::int
        end
    from jsonb_array_elements_text({{ json_array(prices_expr) }}) with ordinality as price (value, element_position))
{%- endmacro %}

{#- The current UMA oracle status of a market: the last element of the `umaResolutionStatuses`
    history, unless `umaResolutionStatus` says `resolved` (terminal; the history can lag it). -#}
{% macro polymarket_resolution_status(status_expr, history_expr) -%}
    (case
        when lower({{ status_expr }}) = 'resolved' then 'resolved'
        else coalesce(
            lower({{ json_array(history_expr) }} ->> -1),
            lower({{ status_expr }})
        )
    end)
{%- endmacro %}

{#- The natural part of the Polymarket trade key (prediction_markets.adapters.polymarket.data_api):
    the fill's fields joined by '|', each as `jsonb ->> key` renders it, '' for null. The key is
    sha256 hex of this text, '|', and the ordinal of the row among identical rows of its page. -#}
{% macro polymarket_trade_natural_key(body_expr) -%}
    {%- set fields = ['conditionId', 'asset', 'transactionHash', 'proxyWallet', 'side', 'price', 'size',
                      'timestamp', 'outcomeIndex'] -%}
    concat_ws('|', {% for field in fields -%}
        coalesce({{ body_expr }} ->> '{{ field }}', ''){{ ', ' if not loop.last }}
    {%- endfor %})
{%- endmacro %}
