"""Data API v2 conventions shared by its routes (API-V2.md §1): the `{data, pagination}`
envelope, cursor-only paging, v2 error bodies, and the trade key.

The Data API has no fill id. A trade is identified downstream (dbt staging) by `trade_key`:
sha256 over its natural fields (condition id, token id, transaction hash, wallet, side, price,
size, timestamp, each as Postgres renders `jsonb ->> key`, joined by '|') plus '|' and the
ordinal of identical rows within one page. Enrichment (title, outcome, outcome_index, profile)
is left out: the bare feed serves a fill with `outcome_index` 999 and empty strings where a
`condition=` walk serves the real values, and both must give the same key. The key tells apart
every fill of a transaction that differs in wallet, side, token, price or size; two fills
identical in all of those within one transaction are told apart only when they arrive on the same
page (at a page boundary they merge into one).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from prediction_markets.adapters.base import PageShapeError, Response

DATA = "polymarket_data"

# v2 snake_case field, then its v1 camelCase name (legacy pages stay readable).
TRADE_KEY_FIELDS = (
    ("condition_id", "conditionId"),
    ("token_id", "asset"),
    ("transaction_hash", "transactionHash"),
    ("proxy_wallet", "proxyWallet"),
    ("side", "side"),
    ("price", "price"),
    ("size", "size"),
    ("timestamp", "timestamp"),
)


def _key_text(value: Any) -> str:
    """A field as Postgres renders `jsonb ->> key`: numbers in plain decimal notation."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format(Decimal(repr(value)), "f")
    return str(value)


def _field(row: Mapping[str, Any], names: tuple[str, str]) -> Any:
    """The v2 field, else its v1 name (the first non-null, as staging's coalesce reads it)."""
    snake, camel = names
    value = row.get(snake)
    return value if value is not None else row.get(camel)


def trade_keys(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The key of each trade on one page (see the module docstring). dbt staging computes the
    same key in SQL from the landed JSON; this is its Python twin for tests and tools."""
    seen: Counter[str] = Counter()
    keys = []
    for row in rows:
        natural = "|".join(_key_text(_field(row, f)) for f in TRADE_KEY_FIELDS)
        ordinal = seen[natural]
        seen[natural] += 1
        keys.append(hashlib.sha256(f"{natural}|{ordinal}".encode()).hexdigest())
    return keys


def describe_error(response: Response) -> str:
    """A non-200 answer in one line: the v2 error body `{error, code, retryable, trace_id,
    parameter}` when there is one (the trace id lets the venue find the request), else the
    start of the body."""
    body = response.data
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        parts = [f"HTTP {response.status}", str(body.get("code") or "")]
        if body.get("parameter"):
            parts.append(f"parameter {body['parameter']!r}")
        text = " ".join(p for p in parts if p) + f": {body['error']}"
        trace = body.get("trace_id") or (response.headers or {}).get("x-trace-id")
        return text + (f" (trace {trace})" if trace else "")
    return f"HTTP {response.status}: {response.body[:300]!r}"


def page(response: Response) -> tuple[list[Any], str | None]:
    """(rows, next cursor) of a paged v2 answer; a shape that is not the envelope is schema
    drift. The walk ends only on a null cursor: short or empty pages do not end it."""
    if response.status != 200:
        raise PageShapeError(describe_error(response))
    body = response.data
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise PageShapeError("expected {'data': [...], 'pagination': {...}}")
    pagination = body.get("pagination")
    if not isinstance(pagination, dict):
        raise PageShapeError("expected a 'pagination' object")
    cursor = pagination.get("next_cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise PageShapeError(f"next_cursor is a {type(cursor).__name__}")
    if bool(pagination.get("has_more")) != bool(cursor) and "has_more" in pagination:
        raise PageShapeError("pagination has_more and next_cursor disagree")
    return body["data"], cursor or None


def data_object(response: Response) -> Any:
    """The `data` of a non-paged v2 answer (`/v2/resolutions`, `/v2/status`)."""
    if response.status != 200:
        raise PageShapeError(describe_error(response))
    body = response.data
    if not isinstance(body, dict) or "data" not in body:
        raise PageShapeError("expected {'data': ...}")
    return body["data"]
