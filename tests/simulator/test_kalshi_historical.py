"""Live/historical split at the cutoff: markets settled before it, and their trades and candles,
are served only by /historical/*; events and series are never partitioned."""
from __future__ import annotations

import requests

from kalshi_truth import DAY, KALSHI, NOW_TS, indices
from venue_simulator import SimConfig, SimulatorServer
from venue_simulator.kalshi.eras import go_time


def test_cutoff_endpoint_follows_the_clock(http, ksim, kalshi, kworld):
    body = http.get(f"{kalshi}/historical/cutoff").json()
    assert set(body) == {"market_settled_ts", "trades_created_ts", "orders_updated_ts",
                         "market_positions_last_updated_ts"}
    assert body["market_settled_ts"] == "2026-04-02T00:00:00Z" == go_time(kworld.cutoff_ts(NOW_TS))
    ksim.set_now(NOW_TS + 10 * DAY)
    assert http.get(f"{kalshi}/historical/cutoff").json()["trades_created_ts"] == "2026-04-12T00:00:00Z"


def test_fixed_cutoff_from_config():
    config = SimConfig(**{**KALSHI, "kalshi_markets": 300, "kalshi_historical_cutoff": "2026-05-01T00:00:00Z"})
    with SimulatorServer(config, mount_polymarket=False) as sim:
        url = sim.url("kalshi")
        assert requests.get(f"{url}/historical/cutoff").json()["market_settled_ts"] == "2026-05-01T00:00:00Z"
        sim.set_now(NOW_TS + 100 * DAY)
        assert requests.get(f"{url}/historical/cutoff").json()["market_settled_ts"] == "2026-05-01T00:00:00Z"


def test_settled_market_is_in_exactly_one_tier(http, ksim, kalshi, kworld):
    cut = kworld.cutoff_ts(NOW_TS)
    settled = [i for i in range(6, kworld.market_count(NOW_TS)) if kworld.life.settle_of(i) <= NOW_TS]
    before = max((i for i in settled if kworld.life.settle_of(i) < cut), key=kworld.life.settle_of)
    after = min((i for i in settled if kworld.life.settle_of(i) >= cut), key=kworld.life.settle_of)
    for i, tier in ((before, "historical"), (after, "live")):
        ticker = kworld.ticker(i)
        live = http.get(f"{kalshi}/markets/{ticker}")
        hist = http.get(f"{kalshi}/historical/markets/{ticker}")
        assert (live.status_code, hist.status_code) == ((404, 200) if tier == "historical" else (200, 404))
        listed_live = http.get(f"{kalshi}/markets", params={"tickers": ticker}).json()["markets"]
        listed_hist = http.get(f"{kalshi}/historical/markets", params={"tickers": ticker}).json()["markets"]
        assert (len(listed_live), len(listed_hist)) == ((0, 1) if tier == "historical" else (1, 0))
        assert http.get(f"{kalshi}/events/{kworld.event_ticker_of(i)}").status_code == 200
    market = http.get(f"{kalshi}/historical/markets/{kworld.ticker(before)}").json()["market"]
    assert market["status"] in ("finalized", "amended") and market["settlement_ts"] < go_time(cut)
    # as the clock moves, the later market crosses the cutoff too
    ksim.set_now(kworld.life.settle_of(after) + 90 * DAY + 2 * DAY)
    assert http.get(f"{kalshi}/markets/{kworld.ticker(after)}").status_code == 404
    assert http.get(f"{kalshi}/historical/markets/{kworld.ticker(after)}").status_code == 200


def test_trades_before_the_cutoff_are_only_historical(http, kalshi, kworld):
    cut = go_time(kworld.cutoff_ts(NOW_TS))
    ticker = "KXELONMARS-99"                       # never settles: trades on both sides of the cutoff
    live = http.get(f"{kalshi}/markets/trades", params={"ticker": ticker, "limit": 1000}).json()["trades"]
    hist = http.get(f"{kalshi}/historical/trades", params={"ticker": ticker, "limit": 1000}).json()["trades"]
    assert live and hist and all(t["created_time"] >= cut for t in live)
    assert all(t["created_time"] < cut for t in hist)
    assert len(live) == kworld.trade_count(ticker, NOW_TS, "live")
    assert not {t["trade_id"] for t in live} & {t["trade_id"] for t in hist}
    old = kworld.ticker(indices(kworld, tier="historical")[-1])
    assert http.get(f"{kalshi}/markets/trades", params={"ticker": old}).json() == {"trades": [], "cursor": ""}
    recent = http.get(f"{kalshi}/markets/trades", params={"min_ts": 0, "limit": 1000}).json()["trades"]
    assert all(t["created_time"] >= cut for t in recent)


def test_candles_follow_the_tier(http, kalshi, kworld):
    i = max(indices(kworld, tier="historical"), key=lambda i: kworld.plan(i).n if i >= 6 else 0)
    ticker, series = kworld.ticker(i), kworld.series_ticker_of(i)
    close = kworld.life.close_of(i)
    params = {"start_ts": close - 2 * DAY, "end_ts": close + DAY, "period_interval": 60}
    live = http.get(f"{kalshi}/series/{series}/markets/{ticker}/candlesticks", params=params)
    assert live.status_code == 404 and live.json()["error"]["code"] == "not_found"
    hist = http.get(f"{kalshi}/historical/markets/{ticker}/candlesticks", params=params).json()
    assert hist["ticker"] == ticker and hist["candlesticks"]
    traded = [c for c in hist["candlesticks"] if c["price"]["open"] is not None]
    assert traded
    for c in hist["candlesticks"]:
        assert set(c) == {"end_period_ts", "open_interest", "volume", "price", "yes_bid", "yes_ask"}
        assert set(c["price"]) == {"open", "high", "low", "close", "mean", "previous"}
        assert set(c["yes_bid"]) == {"open", "high", "low", "close"}
        assert isinstance(c["volume"], str) and "." in c["volume"]
    assert all(isinstance(c["price"][k], str) for c in traded for k in ("open", "high", "low", "close", "mean"))
    assert all(c["price"]["previous"] is None or c["price"]["previous"].startswith("0.") for c in traded)
    assert http.get(f"{kalshi}/historical/markets/KXELONMARS-99/candlesticks", params=params).status_code == 404
    batch = http.get(f"{kalshi}/markets/candlesticks", params={**params, "market_tickers": ticker}).json()
    assert batch == {"markets": []}
