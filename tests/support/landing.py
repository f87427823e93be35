"""Comparing what landed with what the simulator served."""

from __future__ import annotations

from collections import Counter

from tests.support.sim import landed_request_key, request_key, venue_requests


def landed(wh, run_id=None):
    """Landed responses: (method, url, request_body, status, response, resource, scope)."""
    where = "where run_id = %s" if run_id else ""
    return wh.rows(
        "select method, url, request_body, status_code, response, resource, scope, record_count "
        f"from landing.raw_api_responses {where} order by landing_id", (run_id,) if run_id else None)


def served(sim, since, until=None, prefix=""):
    """Requests the simulator logged after sequence number `since` (up to `until`)."""
    return [r for r in venue_requests(sim, prefix) if r["seq"] > since and (until is None or r["seq"] <= until)]


def assert_every_served_page_is_landed(sim, since, until=None, *, rows):
    """Every request the simulator answered in (since, until] is one landed row, and vice versa."""
    window = served(sim, since, until)
    service_base = {r["service"]: sim.url(r["service"]) for r in window}
    served_keys = Counter((r["service"],) + request_key(r["method"], r["path"], r["query"]) + (repr(r["body"]),)
                          for r in window)
    landed_keys = Counter()
    for method, url, body, *_ in rows:
        service = next(s for s, base in service_base.items() if url.startswith(base + "/"))
        landed_keys[(service,) + landed_request_key(method, url, service_base[service]) + (repr(body),)] += 1
    assert landed_keys == served_keys, {
        "served, not landed": list((served_keys - landed_keys).elements())[:5],
        "landed, not served": list((landed_keys - served_keys).elements())[:5],
    }


# ------------------------------------------------------------------ Polymarket trade key (v2 rule)

POLYMARKET_TRADE_KEY_FIELDS = (("condition_id", "conditionId"), ("token_id", "asset"),
                               ("transaction_hash", "transactionHash"), ("proxy_wallet", "proxyWallet"),
                               ("side", "side"), ("price", "price"), ("size", "size"), ("timestamp", "timestamp"))


def _jsonb_text(value) -> str:
    """A JSON value as Postgres renders `jsonb ->> key`: '' for null, numbers in plain decimal
    notation (parse pages with `parse_float=Decimal` to keep the wire's digits exactly)."""
    from decimal import Decimal

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def polymarket_trade_keys(rows) -> list[str]:
    """The trade key of each row of one landed page, written from the documented rule (macro
    `polymarket_trade_key`): sha256 hex of the eight natural fields (v2 name, else v1 name) joined
    by '|', then '|' and the ordinal of the row among identical rows of the page."""
    import hashlib
    from collections import Counter

    seen: Counter[str] = Counter()
    keys = []
    for row in rows:
        natural = "|".join(
            _jsonb_text(row.get(v2) if row.get(v2) is not None else row.get(v1))
            for v2, v1 in POLYMARKET_TRADE_KEY_FIELDS)
        keys.append(hashlib.sha256(f"{natural}|{seen[natural]}".encode()).hexdigest())
        seen[natural] += 1
    return keys


def land_page(wh, *, source: str, resource: str, endpoint: str, body, params=None, status: int = 200,
              scope: str = "test", fetched_at=None) -> int:
    """Insert one landed response the way the extract operator lands it (request params as jsonb,
    repeated keys as arrays); returns its landing_id."""
    import json
    from uuid import uuid4

    return wh.value(
        "insert into landing.raw_api_responses (request_id, source, resource, scope, endpoint, url, request_params, "
        "status_code, fetched_at, response) values (%s, %s, %s, %s, %s, %s, %s::jsonb, %s, coalesce(%s, now()), "
        "%s::jsonb) returning landing_id",
        (str(uuid4()), source, resource, scope, endpoint, f"test://{source}{endpoint}", json.dumps(params or {}),
         status, fetched_at, json.dumps(body)))
