"""The simulated clock: admin API, and what advancing it does to the world."""
from __future__ import annotations

from sim_truth import DAY, NOW_TS, biggest_market, open_indices


def test_clock_admin_api(http, sim):
    base = sim.base_url
    assert http.get(f"{base}/_sim/clock").json() == {"now": "2026-07-01T00:00:00Z", "epoch": float(NOW_TS),
                                                     "frozen": True}
    body = http.post(f"{base}/_sim/clock", json={"now": "2026-11-20T12:00:00Z"}).json()
    assert body["now"] == "2026-11-20T12:00:00Z"
    assert sim.now() == NOW_TS + 142 * DAY + 12 * 3600
    body = http.post(f"{base}/_sim/clock", json={"advance_seconds": 3600}).json()
    assert body["now"] == "2026-11-20T13:00:00Z"
    assert http.post(f"{base}/_sim/clock", json={"now": "not a date"}).status_code == 400


def test_advancing_creates_markets_closes_markets_and_adds_trades(http, sim, world, gamma, clob, data):
    before_ids = {m["id"] for m in http.get(f"{gamma}/markets", params={"limit": 100}).json()}
    deep = biggest_market(world)
    cid = world.condition_id(deep)
    newest_before = http.get(f"{data}/trades", params={"market": cid, "limit": 1}).json()[0]
    later = NOW_TS + 90 * DAY
    closing = next(i for i in open_indices(world) if world.lifecycle(i)["close"] <= later)
    token = world.token_ids(closing)[0]
    assert http.get(f"{clob}/book", params={"token_id": token}).status_code == 200

    sim.set_now(later)
    after = http.get(f"{gamma}/markets", params={"limit": 100}).json()
    after_ids = {m["id"] for m in after}
    created = {world.market_id(i) for i in range(world.market_count(NOW_TS), world.market_count(later))}
    assert created and created & after_ids == {world.market_id(i) for i in open_indices(world, later)} & created
    assert world.market_id(closing) in before_ids and world.market_id(closing) not in after_ids
    market = http.get(f"{gamma}/markets/{world.market_id(closing)}").json()
    assert market["closed"] is True and market["acceptingOrders"] is False and "closedTime" in market
    assert http.get(f"{clob}/book", params={"token_id": token}).status_code == 404
    newest_after = http.get(f"{data}/trades", params={"market": cid, "limit": 1}).json()[0]
    assert newest_after["timestamp"] > newest_before["timestamp"]
    assert world.trade_count(cid, later) > world.trade_count(cid, NOW_TS)


def test_python_api_set_now(sim, http, gamma, world):
    sim.set_now("2025-01-02T00:00:00Z")
    assert http.get(f"{gamma}/markets", params={"limit": 100}).json() == []   # nothing created yet
    sim.set_now(NOW_TS)
    assert len(http.get(f"{gamma}/markets", params={"limit": 100}).json()) == len(open_indices(world))
