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

{#- The Polymarket trade key. The Data API has no fill id, so a trade (a fill) is identified by

        trade_key = sha256_hex(N || '|' || n)

    N, the natural part, joins these eight fields of the row with '|', in this order:

        condition_id | token_id | transaction_hash | proxy_wallet | side | price | size | timestamp

    each as Postgres renders `jsonb ->> key` (strings as served, case kept; JSON numbers in plain
    decimal notation as written on the wire: 150 -> "150", 150.0 -> "150.0", 1e-05 -> "0.00001";
    true/false for booleans), '' for a missing key or null. Legacy v1 rows (camelCase) give the
    same fields under their v1 names: conditionId, asset, transactionHash, proxyWallet; each field
    is the first non-null of its v2 and v1 name. n is the 0-based ordinal of the row among the rows
    of the same landed page with the same N, in page order. sha256_hex is the lower-case hex digest
    of the UTF-8 text.

    Left out on purpose: outcome_index, outcome, title, slug, icon, event_slug and the profile
    fields. The bare feed serves a fill with `outcome_index` 999 and empty enrichment, a
    `condition=` walk serves the same fill with the real ones: both get the same key, and a v1
    row gets the same key as the v2 row of the same fill.
    What it tells apart: every row of a transaction that differs in market, token, wallet, side,
    price, size or time. What it cannot: two rows equal in all eight fields (one wallet with two
    equal taker orders in one transaction) are told apart only when they arrive on the same page;
    split across a page boundary they get the same key and count once. A number served with a
    different notation (150 vs 150.0) gives a different key.
    The Python twin is prediction_markets.adapters.polymarket.data_api.trade_keys. -#}
{% macro polymarket_trade_key_fields() -%}
    {{ return([('condition_id', 'conditionId'), ('token_id', 'asset'), ('transaction_hash', 'transactionHash'),
               ('proxy_wallet', 'proxyWallet'), ('side', 'side'), ('price', 'price'), ('size', 'size'),
               ('timestamp', 'timestamp')]) }}
{%- endmacro %}

{#- N of the rule above, from the row's jsonb object. -#}
{% macro polymarket_trade_natural_key(body_expr) -%}
    concat_ws('|', {% for v2_name, v1_name in polymarket_trade_key_fields() -%}
        coalesce({{ body_expr }} ->> '{{ v2_name }}'
            {%- if v1_name != v2_name %}, {{ body_expr }} ->> '{{ v1_name }}'{% endif %}, ''){{ ', ' if not loop.last }}
    {%- endfor %})
{%- endmacro %}

{#- The key: sha256 hex of N, '|' and the ordinal n. -#}
{% macro polymarket_trade_key(natural_key_expr, ordinal_expr) -%}
    encode(sha256(convert_to({{ natural_key_expr }} || '|' || ({{ ordinal_expr }})::text, 'UTF8')), 'hex')
{%- endmacro %}

{#- A field of a Data API trade row by its v2 (snake_case) name, else its v1 (camelCase) name;
    '' is null (the v2 API writes "" for absent strings). -#}
{% macro polymarket_trade_field(body_expr, v2_name, v1_name=none) -%}
    nullif(coalesce({{ body_expr }} ->> '{{ v2_name }}'
        {%- if v1_name %}, {{ body_expr }} ->> '{{ v1_name }}'{% endif %}), '')
{%- endmacro %}

{#- A condition id as the marts key markets: lower case, and a 62-hex-digit id (the 31-byte
    form of a Protocol V2 condition id some Gamma payloads carry) padded with "00" to the
    64-hex-digit form the CLOB and the Data API use. Only for Gamma and resolution rows: in the
    trade feeds a 62-hex-digit id is a combo (see polymarket_is_combo_condition). -#}
{% macro polymarket_condition_id(text_expr) -%}
    (case
        when lower(trim({{ text_expr }})) ~ '^0x[0-9a-f]{62}$' then lower(trim({{ text_expr }})) || '00'
        else nullif(lower(trim({{ text_expr }})), '')
    end)
{%- endmacro %}

{#- A combo condition id in the trade feeds: "0x" + 62 hex digits (a binary market's is 64). -#}
{% macro polymarket_is_combo_condition(text_expr) -%}
    coalesce(({{ text_expr }}) ~ '^\s*0x[0-9a-fA-F]{62}\s*$', false)
{%- endmacro %}

{#- The Gamma market's protocol version: `version` ("v1", "v2"), lower case; absent (payloads
    from before the field existed) is "v1". -#}
{% macro polymarket_protocol_version(body_expr) -%}
    coalesce(lower(nullif(trim({{ body_expr }} ->> 'version'), '')), 'v1')
{%- endmacro %}

{#- The outcome ids of a Gamma market, chosen by its version: `positionIds` (PositionManager
    position ids) for "v2", `clobTokenIds` (Conditional Tokens / CLOB token ids) otherwise. Either
    may be a real JSON array or a JSON array in a string; null when missing or unreadable. A v2
    market may still carry stale legacy `clobTokenIds`: they are never used. -#}
{% macro polymarket_outcome_ids(body_expr) -%}
    (case
        when {{ polymarket_protocol_version(body_expr) }} = 'v2'
            then {{ json_in_string_array(body_expr ~ " -> 'positionIds'") }}
        else {{ json_in_string_array(body_expr ~ " -> 'clobTokenIds'") }}
    end)
{%- endmacro %}

{#- Which ledger the outcome ids belong to: 'ctf' (v1: Conditional Tokens ERC-1155 token ids,
    traded on the CLOB exchange) or 'position_manager' (v2: Polymarket Protocol V2 PositionManager
    position ids); null for an unknown version. -#}
{% macro polymarket_id_protocol(version_expr) -%}
    (case {{ version_expr }} when 'v1' then 'ctf' when 'v2' then 'position_manager' end)
{%- endmacro %}

{#- A UMA oracle price (/v2/resolutions `proposed_price`, `reproposed_price`, `price`): a decimal
    string on the 1e18 scale ("1000000000000000000" = 1, "500000000000000000" = 0.5) to a value in
    [0, 1]. "69" (the API's "not set"), "" and values outside [0, 1] (UMA's special answers, such as
    "too early") are null. -#}
{% macro polymarket_uma_price(text_expr) -%}
    (case
        when trim({{ text_expr }}) not in ('69', '')
            and {{ to_numeric(text_expr) }} between 0 and 1000000000000000000
            then trim_scale({{ to_numeric(text_expr) }} / 1000000000000000000)
    end)
{%- endmacro %}

{#- /v2/resolutions `payouts` (micro-USDC per share, per outcome: [0, 1000000]) as a jsonb array
    of USD per share ([0, 1]); null when not an array. An element that is not a number is null. -#}
{% macro polymarket_payouts(expr) -%}
    (case
        when jsonb_typeof({{ expr }}) = 'array'
            then (
                select coalesce(
                    jsonb_agg(trim_scale({{ to_numeric('payout.value') }} / 1000000) order by payout.position),
                    '[]'::jsonb
                )
                from jsonb_array_elements_text({{ expr }}) with ordinality as payout (value, position)
            )
    end)
{%- endmacro %}

{#- The winner of a settlement given as payouts per outcome (a jsonb array of numbers, USD per
    share): the 0-based index of the only outcome paid 1 when every other is paid 0; else null. -#}
{% macro payouts_winning_outcome_index(payouts_expr) -%}
    (select
        case
            when count(*) >= 2
                and count(*) filter (where payout.value::numeric = 1) = 1
                and count(*) filter (where payout.value::numeric = 0) = count(*) - 1
                then (min(payout.position) filter (where payout.value::numeric = 1) - 1)::int
        end
    from jsonb_array_elements_text({{ json_array(payouts_expr) }}) with ordinality as payout (value, position))
{%- endmacro %}

{#- A void settlement: every outcome paid the same positive amount (a 50-50 resolution). -#}
{% macro payouts_are_void(payouts_expr) -%}
    (select
        count(*) >= 2
        and count(*) = count(payout.value)
        and min(payout.value::numeric) = max(payout.value::numeric)
        and min(payout.value::numeric) > 0
    from jsonb_array_elements_text({{ json_array(payouts_expr) }}) as payout (value))
{%- endmacro %}
