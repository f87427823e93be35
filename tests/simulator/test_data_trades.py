"""Data API GET /trades: newest first, takerOnly default, caps and ceilings, transactions."""
from __future__ import annotations

import collections
import json

import pytest

from sim_truth import NOW_TS, biggest_market

ROW_KEYS = ["proxyWallet", "side", "asset", "conditionId", "size", "price", "timestamp", "title", "slug", "icon",
            "eventSlug", "outcome", "outcomeIndex", "name", "pseudonym", "bio", "profileImage",
            "profileImageOptimized", "transactionHash"]


@pytest.fixture(scope="module")
def deep(world):
    """The market with the deepest trade history (beyond the offset ceiling)."""
    i = biggest_market(world)
    assert world.trade_count(world.condition_id(i), NOW_TS, taker_only=True) > 3500
    return i


def test_default_is_100_taker_fills_newest_first(http, data, world, deep):
    cid = world.condition_id(deep)
    rows = http.get(f"{data}/trades", params={"market": cid}).json()
    assert rows == world.trades(cid, NOW_TS, taker_only=True, limit=100)
    assert len(rows) == 100
    assert [r["timestamp"] for r in rows] == sorted((r["timestamp"] for r in rows), reverse=True)
    assert all(list(r) == ROW_KEYS for r in rows)
    assert len({r["transactionHash"] for r in rows}) == 100          # one taker fill per transaction
    both = http.get(f"{data}/trades", params={"market": cid, "takerOnly": "false"}).json()
    assert both == world.trades(cid, NOW_TS, taker_only=False, limit=100)
    assert len({r["transactionHash"] for r in both}) < 100           # makers share the hash
    assert rows[0] in both


def test_row_types_like_the_sample(http, data, world, deep):
    rows = http.get(f"{data}/trades", params={"market": world.condition_id(deep), "limit": 500,
                                             "takerOnly": "false"}).json()
    for r in rows:
        assert r["side"] in ("BUY", "SELL")
        assert isinstance(r["size"], (int, float)) and isinstance(r["price"], float)
        assert isinstance(r["timestamp"], int) and r["timestamp"] <= NOW_TS
        assert r["outcomeIndex"] in (0, 1) and r["asset"] == world.token_ids(deep)[r["outcomeIndex"]]
        assert r["proxyWallet"].startswith("0x") and len(r["proxyWallet"]) == 42
        assert r["transactionHash"].startswith("0x") and len(r["transactionHash"]) == 66
    assert any(len(repr(r["price"])) > 6 for r in rows)                # float noise: 0.709999979
    assert any(r["pseudonym"] for r in rows) and any(not r["pseudonym"] for r in rows)


def test_limit_cap_and_offset_ceiling(http, data, world, deep):
    cid = world.condition_id(deep)
    total = world.trade_count(cid, NOW_TS, taker_only=False)
    assert total > 10_000
    capped = http.get(f"{data}/trades", params={"market": cid, "limit": 20_000, "takerOnly": "false"}).json()
    assert len(capped) == 10_000
    edge = http.get(f"{data}/trades", params={"market": cid, "offset": 3000, "limit": 500}).json()
    assert edge == world.trades(cid, NOW_TS, taker_only=True, limit=500, offset=3000)
    resp = http.get(f"{data}/trades", params={"market": cid, "offset": 3001})
    assert resp.status_code == 400 and "error" in resp.json()
    assert resp.headers["content-type"] == "application/json"


def test_market_and_event_are_exclusive(http, data, world):
    resp = http.get(f"{data}/trades", params={"market": world.condition_id(0), "eventId": world.ids.event_id(1)})
    assert resp.status_code == 400 and "error" in resp.json()


def test_transactions_group_fills(world, deep):
    cid = world.condition_id(deep)
    rows = world.trades(cid, NOW_TS, taker_only=False, limit=3000)
    groups = collections.defaultdict(list)
    for r in rows:
        groups[r["transactionHash"]].append(r)
    complete = list(groups.values())[1:-1]        # the page edges may cut a transaction
    assert complete
    sizes = collections.Counter(len(g) for g in complete)
    assert set(sizes) <= {2, 3, 4} and len(sizes) >= 2
    for g in complete:
        assert len({r["timestamp"] for r in g}) == 1
        taker = g[0]
        makers = g[1:]
        assert taker["size"] == pytest.approx(sum(m["size"] for m in makers), abs=1e-5)
        assert len({r["proxyWallet"] for r in g}) == len(g)
    per_ts = collections.defaultdict(set)
    for r in rows:
        per_ts[r["timestamp"]].add(r["transactionHash"])
    assert any(len(v) > 1 for v in per_ts.values())   # several transactions in one second


def test_never_two_identical_rows(world, deep):
    cid = world.condition_id(deep)
    rows = world.trades(cid, NOW_TS, taker_only=False)
    assert len(rows) == world.trade_count(cid, NOW_TS)
    assert len({json.dumps(r, sort_keys=True) for r in rows}) == len(rows)


def test_several_markets_are_merged_newest_first(http, data, world, deep):
    other = next(i for i in range(world.market_count(NOW_TS))
                 if i != deep and world.trade_count(world.condition_id(i), NOW_TS, True) > 50)
    cids = [world.condition_id(deep), world.condition_id(other)]
    rows = http.get(f"{data}/trades", params={"market": ",".join(cids), "limit": 1000}).json()
    assert len(rows) == 1000
    assert {r["conditionId"] for r in rows} <= set(cids)
    assert [r["timestamp"] for r in rows] == sorted((r["timestamp"] for r in rows), reverse=True)
    union = world.trades(cids[0], NOW_TS, True) + world.trades(cids[1], NOW_TS, True)
    newest = sorted(r["timestamp"] for r in union)[-1000:]
    assert sorted(r["timestamp"] for r in rows) == newest


def test_event_filter(http, data, world):
    first = 1   # the 4-market neg-risk event of every world
    event_id = world.ids.event_id(first)
    rows = http.get(f"{data}/trades", params={"eventId": event_id, "limit": 200}).json()
    members = {world.condition_id(i) for i in world.event_markets(first)}
    assert rows and {r["conditionId"] for r in rows} <= members


def test_side_filter_and_unknown_market(http, data, world, deep):
    rows = http.get(f"{data}/trades", params={"market": world.condition_id(deep), "side": "SELL"}).json()
    assert len(rows) == 100 and {r["side"] for r in rows} == {"SELL"}
    assert http.get(f"{data}/trades", params={"market": "0x" + "ab" * 32}).json() == []
    bad = http.get(f"{data}/trades", params={"market": world.condition_id(deep), "filterType": "CASH"})
    assert bad.status_code == 400


def test_without_market_returns_the_newest_fills_of_all_markets(http, data, world):
    rows = http.get(f"{data}/trades", params={"limit": 300}).json()
    assert len(rows) == 300
    everything = []
    for i in range(world.market_count(NOW_TS)):
        everything += world.trades(world.condition_id(i), NOW_TS, taker_only=True, limit=300)
    newest = sorted((r["timestamp"] for r in everything), reverse=True)[:300]
    assert [r["timestamp"] for r in rows] == newest
    assert len({r["conditionId"] for r in rows}) > 1
