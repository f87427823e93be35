"""Constants and ground-truth functions shared by the simulator tests."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone

NOW = datetime(2026, 7, 1, tzinfo=timezone.utc)
NOW_TS = int(NOW.timestamp())
# The v1 /trades tests use this world: it keeps the retired v1 route served.
SMALL = dict(seed=42, polymarket_markets=48, polymarket_trades=60_000, now=NOW, polymarket_v1_trades="served")
DAY = 86400


def open_indices(world, now=NOW_TS):
    return [i for i in range(world.market_count(now)) if not world.is_closed(i, now)]


def closed_indices(world, now=NOW_TS):
    return [i for i in range(world.market_count(now)) if world.is_closed(i, now)]


def biggest_market(world, now=NOW_TS, taker_only=True):
    count = world.market_count(now)
    return max(range(count), key=lambda i: world.trade_count(world.condition_id(i), now, taker_only))


def index_where(world, predicate, now=NOW_TS):
    for i in range(world.market_count(now)):
        if predicate(i):
            return i
    raise AssertionError("no market satisfies the predicate")


# Data API v2 worlds: v1 /trades retired, Protocol V2 switchover at its default (2026-11-02).
# NOW_V2 sits on a CDN bucket edge (a multiple of 300 s), so page 1 is as fresh as later pages.
NOW_V2 = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
NOW_V2_TS = int(NOW_V2.timestamp())
V2_WORLD = dict(seed=7, polymarket_markets=15, polymarket_trades=100_000, now=NOW_V2)
# Markets created from 2020 on: the flagship's history is partly older than the three-year window.
OLD_WORLD = dict(seed=7, polymarket_markets=15, polymarket_trades=100_000, now=NOW_V2,
                 epoch_start="2020-01-01T00:00:00Z")

# Every resolution state at NOW_V2 (open, proposed, disputed, resolved, void, Protocol V2
# markets): a world of 2026 with the resolution mix turned up.
RICH_WORLD = dict(seed=11, polymarket_markets=60, polymarket_trades=200_000, now=NOW_V2,
                  epoch_start="2026-06-01T00:00:00Z", epoch_end="2027-01-01T00:00:00Z",
                  polymarket_void_share=0.3, polymarket_dispute_share=0.4,
                  polymarket_slow_resolution_share=0.4)


def walk(http, url, params, cursor_params=None, max_pages=2000):
    """Follow next_cursor to its end; later pages send ``cursor_params`` (default: ``params``)
    plus the cursor. -> list of (response, body) per page."""
    pages, cursor = [], None
    while True:
        query = dict(params if cursor is None else (params if cursor_params is None else cursor_params))
        if cursor is not None:
            query["cursor"] = cursor
        resp = http.get(url, params=query)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        pages.append((resp, body))
        cursor = body["pagination"]["next_cursor"]
        assert body["pagination"]["has_more"] == (cursor is not None)
        if cursor is None:
            return pages
        assert len(pages) < max_pages


def rows_of(pages) -> list[dict]:
    return [row for _, body in pages for row in body["data"]]


SAMPLES_V2 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "samples_v2")


def sample_v2(name: str):
    """A Data API v2 / Gamma sample (copies of api-samples/polymarket/v2)."""
    with open(os.path.join(SAMPLES_V2, name), encoding="utf-8") as fh:
        return json.load(fh)
