"""Constants and ground-truth helpers shared by the Kalshi simulator tests."""
from __future__ import annotations

from datetime import datetime, timezone

NOW = datetime(2026, 7, 1, tzinfo=timezone.utc)
NOW_TS = int(NOW.timestamp())
KALSHI = dict(seed=42, kalshi_series=8, kalshi_markets=4000, kalshi_trades=80_000, now=NOW)
DAY = 86400
# One instant per payload generation (integer only / + dollars / + fp / dollars and fp only).
ERA_TIMES = {1: datetime(2025, 12, 1, tzinfo=timezone.utc), 2: datetime(2026, 1, 20, tzinfo=timezone.utc),
             3: datetime(2026, 2, 15, tzinfo=timezone.utc), 4: NOW}


def ts(value) -> int:
    return int(value.timestamp()) if isinstance(value, datetime) else int(value)


def indices(world, now=NOW_TS, tier="live"):
    return [i for i in range(world.market_count(now)) if world.tier(i, now) == tier]


def find(world, predicate, now=NOW_TS, tier="live"):
    for i in range(world.market_count(now) - 1, -1, -1):
        if world.tier(i, now) == tier and predicate(i):
            return i
    raise AssertionError("no market satisfies the predicate")


def walk(http, url, params, key="markets", max_pages=500):
    """Follow cursors to the end -> (items, pages, last body)."""
    items, pages, cursor, body = [], [], None, None
    for _ in range(max_pages):
        query = dict(params)
        if cursor:
            query["cursor"] = cursor
        resp = http.get(url, params=query)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        items.extend(body[key])
        pages.append(len(body[key]))
        cursor = body.get("cursor")
        if not cursor:
            return items, pages, body
    raise AssertionError("cursor walk did not end")
