"""Kalshi cursors: every item exactly once across short middle pages, per-endpoint end markers,
tampered or mismatched cursors refused, determinism of the bytes."""
from __future__ import annotations

import requests

from kalshi_truth import KALSHI, NOW_TS, indices, walk
from venue_simulator import SimConfig, SimulatorServer


def test_market_walk_with_excluded_parlays_has_short_pages(http, kalshi, kworld):
    items, pages, last = walk(http, f"{kalshi}/markets", {"limit": 20, "mve_filter": "exclude"})
    tickers = [m["ticker"] for m in items]
    expected = [kworld.ticker(i) for i in indices(kworld)[::-1] if not kworld.is_parlay(i)]
    assert tickers == expected and len(set(tickers)) == len(tickers)
    assert any(0 < n < 20 for n in pages[:-1])          # a client stopping on a short page loses data
    assert last["cursor"] == ""                          # /markets ends with an empty string


def test_full_market_walk_matches_the_world(http, kalshi, kworld):
    items, pages, last = walk(http, f"{kalshi}/markets", {"limit": 200})
    assert [m["ticker"] for m in items] == [kworld.ticker(i) for i in indices(kworld)[::-1]]
    assert last["cursor"] == ""


def test_trade_walk_has_short_pages_and_ends_with_empty_string(http, kalshi, kworld):
    items, pages, last = walk(http, f"{kalshi}/markets/trades", {"limit": 1000}, key="trades")
    ids = [t["trade_id"] for t in items]
    assert ids == [t["trade_id"] for t in kworld.trades(NOW_TS)] and len(set(ids)) == len(ids) > 5000
    assert any(n < 1000 for n in pages[:-1])
    assert "cursor" in last and last["cursor"] == ""


def test_historical_trade_walk_ends_with_null(http, kalshi, kworld):
    params = {"limit": 1000, "min_ts": kworld.cutoff_ts(NOW_TS) - 30 * 86400}
    items, pages, last = walk(http, f"{kalshi}/historical/trades", params, key="trades")
    ids = [t["trade_id"] for t in items]
    assert ids == [t["trade_id"] for t in kworld.trades(NOW_TS, tier="historical", min_ts=params["min_ts"])]
    assert len(set(ids)) == len(ids) > 2000
    assert any(n < 1000 for n in pages[:-1])
    assert "cursor" in last and last["cursor"] is None


def test_event_walk_ends_with_null(http, kalshi, kworld):
    items, pages, last = walk(http, f"{kalshi}/events", {"limit": 7}, key="events")
    assert [e["event_ticker"] for e in items] == [e["event_ticker"] for e in kworld.events(NOW_TS)]
    assert "cursor" in last and last["cursor"] is None and last["milestones"] == []


def test_historical_market_walk_ends_without_cursor_key(http, kalshi, kworld):
    items, pages, last = walk(http, f"{kalshi}/historical/markets", {"limit": 25, "series_ticker": "KXHIGHNY"})
    expected = [kworld.ticker(i) for i in indices(kworld, tier="historical")[::-1]
                if not kworld.is_parlay(i) and kworld.series_ticker_of(i) == "KXHIGHNY"]
    assert [m["ticker"] for m in items] == expected and len(pages) > 3
    assert "cursor" not in last


def test_ticker_filtered_trade_walk(http, kalshi, kworld):
    ticker = "KXELONMARS-99"
    items, pages, last = walk(http, f"{kalshi}/markets/trades", {"limit": 100, "ticker": ticker}, key="trades")
    assert {t["ticker"] for t in items} == {ticker}
    assert len(items) == kworld.trade_count(ticker, NOW_TS, "live") == len({t["trade_id"] for t in items})
    window = {"min_ts": NOW_TS - 20 * 86400, "max_ts": NOW_TS - 10 * 86400, "limit": 50}
    inside, _, _ = walk(http, f"{kalshi}/markets/trades", window, key="trades")
    assert inside and all("2026-06-1" in t["created_time"] or "2026-06-2" in t["created_time"] for t in inside)


def test_tampered_and_mismatched_cursors_are_400(http, kalshi):
    body = http.get(f"{kalshi}/markets", params={"limit": 5}).json()
    cursor = body["cursor"]
    flipped = cursor[:-3] + ("A" if cursor[-3] != "A" else "B") + cursor[-2:]
    for bad in (flipped, "CgwIyeGVywYQ0Lvs2QMSL0tYTVZF", "not a cursor!", cursor + "xx"):
        resp = http.get(f"{kalshi}/markets", params={"limit": 5, "cursor": bad})
        assert resp.status_code == 400 and resp.json()["error"]["code"] == "bad_request", bad
    other = http.get(f"{kalshi}/markets", params={"limit": 5, "cursor": cursor, "status": "open"})
    assert other.status_code == 400
    assert http.get(f"{kalshi}/historical/markets", params={"cursor": cursor}).status_code == 400
    trades = http.get(f"{kalshi}/markets/trades", params={"limit": 5}).json()["cursor"]
    assert http.get(f"{kalshi}/markets/trades", params={"cursor": trades, "ticker": "KXELONMARS-99"}).status_code == 400
    assert http.get(f"{kalshi}/markets/trades", params={"cursor": cursor}).status_code == 400
    # same filters, another limit: the cursor stays valid
    assert http.get(f"{kalshi}/markets", params={"limit": 9, "cursor": cursor}).status_code == 200


def test_same_seed_same_bytes():
    bodies = []
    for seed in (42, 42, 43):
        config = SimConfig(**{**KALSHI, "seed": seed, "kalshi_markets": 600})
        with SimulatorServer(config, mount_polymarket=False) as sim, requests.Session() as s:
            base = sim.url("kalshi")
            bodies.append([s.get(f"{base}{path}", params=params).content for path, params in (
                ("/markets", {"limit": 200}), ("/events", {"with_nested_markets": "true"}),
                ("/markets/trades", {"limit": 1000}), ("/series", {}), ("/historical/markets", {}),
                ("/markets/KXELONMARS-99/orderbook", {}),
                ("/series/KXELONMARS/markets/KXELONMARS-99/candlesticks",
                 {"start_ts": NOW_TS - 5 * 86400, "end_ts": NOW_TS, "period_interval": 60}))])
    assert bodies[0] == bodies[1]
    assert all(a != b for a, b in zip(bodies[0][:5], bodies[2][:5]))
