"""Constants and ground-truth functions shared by the simulator tests."""
from __future__ import annotations

from datetime import datetime, timezone

NOW = datetime(2026, 7, 1, tzinfo=timezone.utc)
NOW_TS = int(NOW.timestamp())
SMALL = dict(seed=42, polymarket_markets=48, polymarket_trades=60_000, now=NOW)
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
