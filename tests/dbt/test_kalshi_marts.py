"""Kalshi in the marts: extract_kalshi against the simulator, then dbt build (the shared phase 1 of
conftest.py, with Polymarket landed beside it).

Landed, in simulated time: an hour of January 2026 in the legacy payloads (integer cents and counts
only); then, on a fresh extraction state, the hour ending NOW (after the historical cutoff, current
payloads) and the same January hour again (before the cutoff: historical tier, current payloads).
Expectations come from the simulator's world (`sim.kalshi`), never from the SQL under test. The
incremental phase (parlays, rerun, full refresh) is in test_marts_incremental.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from tests.dbt.conftest import LEGACY, MART_KEYS
from tests.support.sim import NOW

pytestmark = pytest.mark.slow
FINISHED = ("determined", "amended", "finalized")


def dec(x) -> Decimal | None:
    return None if x is None else Decimal(str(x)).normalize()


def quote(x) -> Decimal | None:
    """A Kalshi price as the marts keep it: 0 and 1 mean "no quote" (or "never traded")."""
    p = dec(x)
    return p if p is not None and 0 < p < 1 else None


def ts(text: str | None) -> datetime | None:
    if not text or text.startswith("0001-01-01"):
        return None
    head, _, frac = text.rstrip("Z").partition(".")
    at = datetime.fromisoformat(head).replace(tzinfo=UTC)
    return at + timedelta(microseconds=int((frac + "000000")[:6])) if frac else at


def lifecycle(market: dict) -> str:
    """The documented mapping of Kalshi's status to the marts' lifecycle."""
    status, result = market["status"], market.get("result") or ""
    if status == "initialized":
        return "upcoming"
    if status == "active":
        return "open"
    if status == "inactive":
        return "paused"
    if status in FINISHED and result in ("yes", "no"):
        return "resolved"
    return "closed"


@pytest.fixture(scope="module")
def world(simulators):
    return simulators["kalshi"].kalshi


@pytest.fixture(scope="module")
def runs(kalshi_runs):
    return kalshi_runs


def kalshi_pages(warehouse, resource: str) -> list[tuple]:
    return warehouse.rows(
        "select landing_id, run_id, endpoint, request_params, response from landing.raw_api_responses "
        "where source = 'kalshi' and resource = %s and status_code = 200 order by landing_id", (resource,))


def truth_markets(world) -> dict[str, dict]:
    markets = world.markets(NOW, tier="live", mve=False) + world.markets(NOW, tier="historical", mve=False)
    return {m["ticker"]: m for m in markets}


# ---------------------------------------------------------------------------------------- phase 1

def test_build_passes_with_both_venues(phase_one, warehouse):
    """Both venues in every mart, but trade_fills: Kalshi publishes no fills, and Polymarket maker
    fills are landed only when `maker_fills` is on (off by default)."""
    assert "ERROR=0" in phase_one.output
    expected = {"trade_fills": set()}
    for table in MART_KEYS:
        venues = {r[0] for r in warehouse.rows(f"select distinct source from marts.{table}")}
        assert venues == expected.get(table, {"polymarket", "kalshi"}), table


def test_legacy_and_current_payloads_were_landed(phase_one, runs, warehouse):
    legacy_run = next(run for run, at in runs.items() if at == LEGACY)
    shapes = defaultdict(set)
    for _, run_id, endpoint, _, response in kalshi_pages(warehouse, "trades"):
        for trade in response["trades"]:
            shapes[run_id == legacy_run].add("yes_price_dollars" in trade)
    assert shapes == {True: {False}, False: {True}}, "legacy trades carry cents only, current ones dollars only"
    endpoints = {r[2] for r in kalshi_pages(warehouse, "trades")}
    assert endpoints == {"/markets/trades", "/historical/trades"}, "intervals before and after the cutoff"


def test_markets_match_the_venue(phase_one, warehouse, world):
    truth = truth_markets(world)
    rows = {r[0]: r[1:] for r in warehouse.rows(
        "select market_id, event_id, status, venue_status, best_bid, best_ask, last_trade_price, volume, "
        "open_interest, created_at, opened_at, scheduled_close_at, winning_outcome_id, question, is_closed "
        "from marts.markets where source = 'kalshi'")}
    assert set(rows) == set(truth) and any(world.tier(world.index_of(t), NOW) == "historical" for t in truth)
    statuses = set()
    for ticker, m in truth.items():
        (event_id, status, venue_status, bid, ask, last, volume, open_interest, created, opened, close, winner,
         question, is_closed) = rows[ticker]
        statuses.add(status)
        assert (event_id, venue_status, question) == (m["event_ticker"], m["status"], m["title"]), ticker
        assert status == lifecycle(m), ticker
        assert winner == ({"yes": "yes", "no": "no"}.get(m["result"]) if status == "resolved" else None), ticker
        assert is_closed == (m["status"] not in ("initialized", "active", "inactive")), ticker
        assert (dec(bid), dec(ask), dec(last)) == (
            quote(m["yes_bid_dollars"]), quote(m["yes_ask_dollars"]), quote(m["last_price_dollars"])), ticker
        assert (dec(volume), dec(open_interest)) == (dec(m["volume_fp"]), dec(m["open_interest_fp"])), ticker
        assert (created, opened, close) == (ts(m["created_time"]), ts(m["open_time"]), ts(m["close_time"])), ticker
    assert {"open", "resolved"} <= statuses
    assert any(m["created_time"].startswith("0001") for m in truth.values()), "Go zero times in the world"
    assert any(m["yes_bid_dollars"] == "0.0000" for m in truth.values() if m["status"] != "active")


def test_two_outcomes_per_market_with_names_prices_and_winners(phase_one, warehouse, world):
    truth = truth_markets(world)
    rows = defaultdict(dict)
    for market_id, outcome_id, name, index, last, winner, token in warehouse.rows(
            "select market_id, outcome_id, outcome_name, outcome_index, last_price, is_winner, token_id "
            "from marts.market_outcomes where source = 'kalshi'"):
        assert token is None
        rows[market_id][outcome_id] = (name, index, dec(last), winner)
    assert set(rows) == set(truth)
    for ticker, m in truth.items():
        last = quote(m["last_price_dollars"])
        decided = lifecycle(m) == "resolved"
        assert rows[ticker] == {
            "yes": (m.get("yes_sub_title") or "Yes", 0, last, (m["result"] == "yes") if decided else None),
            "no": (m.get("no_sub_title") or "No", 1, None if last is None else 1 - last,
                   (m["result"] == "no") if decided else None),
        }, ticker


def test_events_carry_their_series_and_its_category(phase_one, warehouse, world):
    series = {s["ticker"]: s for s in world.series_list(NOW)}
    truth = {e["event_ticker"]: e for e in world.events(NOW)}
    rows = {r[0]: r[1:] for r in warehouse.rows(
        "select event_id, series_id, category, title, tags from marts.events where source = 'kalshi'")}
    assert set(rows) == set(truth)
    for ticker, e in truth.items():
        s = series[e["series_ticker"]]
        assert rows[ticker] == (e["series_ticker"], s["category"], e["title"], s["tags"] or None), ticker
    renamed = [t for t, e in truth.items() if not t.startswith(e["series_ticker"] + "-")]
    assert renamed, "events of renamed series (FED-... in KXFED) in the world"
    markets = warehouse.value("select count(*) from marts.markets m join marts.events e using (event_id, source) "
                              "where m.source = 'kalshi' and e.series_id <> split_part(m.market_id, '-', 1)")
    assert markets > 0


def landed_trade_windows(warehouse, runs):
    windows = set()
    for _, run_id, endpoint, params, _ in kalshi_pages(warehouse, "trades"):
        tier = "historical" if endpoint.startswith("/historical/") else "live"
        windows.add((tier, int(params["min_ts"]), int(params["max_ts"]), runs[run_id]))
    return windows


def test_trades_are_the_venue_trades_once_each(phase_one, warehouse, world, runs):
    truth = {}
    for tier, min_ts, max_ts, at in landed_trade_windows(warehouse, runs):
        served = {t["trade_id"] for t in world.trades(at, tier=tier, min_ts=min_ts, max_ts=max_ts)}
        for now_tier in ("live", "historical"):  # the same trades, rendered in the current shape
            for t in world.trades(NOW, tier=now_tier, min_ts=min_ts, max_ts=max_ts):
                if t["trade_id"] in served and not world.is_parlay(world.index_of(t["ticker"])):
                    truth[t["trade_id"]] = t
    rows = {r[0]: r[1:] for r in warehouse.rows(
        "select trade_id, market_id, outcome_id, outcome_index, side, price, quantity, notional, traded_at "
        "from marts.trades where source = 'kalshi'")}
    assert len(truth) > 50 and set(rows) == set(truth)
    per_market = defaultdict(int)
    for trade_id, t in truth.items():
        side = t.get("taker_outcome_side") or t["taker_side"]
        price = dec(t[f"{side}_price_dollars"])
        assert rows[trade_id] == (t["ticker"], side, 0 if side == "yes" else 1, "BUY", price, dec(t["count_fp"]),
                                  (price * dec(t["count_fp"])).normalize(), ts(t["created_time"])), trade_id
        per_market[t["ticker"]] += 1
    counted = dict(warehouse.rows("select market_id, count(*) from marts.trades where source = 'kalshi' group by 1"))
    assert counted == per_market
    assert any(-row[4].as_tuple().exponent == 3 for row in rows.values()), "subpenny prices traded"


def truth_candles(world, warehouse, runs) -> dict[tuple[str, datetime], dict[int, dict]]:
    """(ticker, period end) -> {period: candle as the world renders it now, in dollars}."""
    out = defaultdict(dict)
    for _, run_id, endpoint, params, response in kalshi_pages(warehouse, "candlesticks"):
        ticker, period = response["ticker"], int(params["period_interval"])
        tier = world.tier(world.index_of(ticker), NOW)
        for c in world.candles(ticker, int(params["start_ts"]), int(params["end_ts"]), period, NOW, tier):
            out[(ticker, datetime.fromtimestamp(c["end_period_ts"], UTC))][period] = (tier, c)
    return out


def candle_values(tier: str, candle: dict) -> tuple:
    """(close, yes bid close, yes ask close, volume) of either current shape."""
    if tier == "historical":
        return (candle["price"]["close"], candle["yes_bid"]["close"], candle["yes_ask"]["close"], candle["volume"])
    return (candle["price"].get("close_dollars"), candle["yes_bid"]["close_dollars"],
            candle["yes_ask"]["close_dollars"], candle["volume_fp"])


def test_price_snapshots_are_the_finest_candle_of_each_instant(phase_one, warehouse, world, runs):
    truth = truth_candles(world, warehouse, runs)
    rows = {(r[0], r[1], r[2]): r[3:] for r in warehouse.rows(
        "select market_id, outcome_id, snapshot_at, implied_probability, bid, ask, last, volume, period_minutes "
        "from marts.price_snapshots where source = 'kalshi'")}
    assert len(truth) > 1000 and len(rows) == 2 * len(truth)
    shadowed = 0
    for (ticker, at), periods in truth.items():
        period = min(periods)
        shadowed += len(periods) > 1
        close, bid, ask, volume = candle_values(*periods[period])
        bid, ask, last = quote(bid), quote(ask), dec(close)
        implied = last if last is not None else (None if bid is None or ask is None else (bid + ask) / 2)
        flip = (lambda x: None if x is None else 1 - x)
        assert rows[(ticker, "yes", at)] == (implied, bid, ask, last, dec(volume), period), (ticker, at)
        assert rows[(ticker, "no", at)] == (
            flip(implied), flip(ask), flip(bid), flip(last), dec(volume), period), (ticker, at)
    assert shadowed, "instants with candles of several periods (hourly and daily ends)"


def test_legacy_and_current_shapes_give_the_same_values(phase_one, warehouse, runs):
    legacy_run = next(run for run, at in runs.items() if at == LEGACY)
    legacy_pages = [r[0] for r in warehouse.rows(
        "select landing_id from landing.raw_api_responses where run_id = %s", (legacy_run,))]
    trades = warehouse.rows(
        "with landed as materialized (select * from staging.stg_kalshi__trades) "
        "select old.trade_id, old.market_id, old.outcome_id, old.price, old.quantity, old.traded_at, "
        "new.market_id, new.outcome_id, new.price, new.quantity, new.traded_at "
        "from landed old join landed new using (trade_id) "
        "where old.landing_id = any(%s) and not new.landing_id = any(%s)", (legacy_pages, legacy_pages))
    assert trades
    for row in trades:
        assert row[1:6] == row[6:11], row[0]
    candles = warehouse.rows(
        "with landed as materialized (select * from staging.stg_kalshi__candlesticks) "
        "select old.market_id, old.period_minutes, old.period_end_at, "
        "old.price_close, old.yes_bid_close, old.yes_ask_close, old.volume, old.open_interest, "
        "new.price_close, new.yes_bid_close, new.yes_ask_close, new.volume, new.open_interest, new.tier "
        "from landed old join landed new using (market_id, period_minutes, period_end_at) "
        "where old.landing_id = any(%s) and not new.landing_id = any(%s)", (legacy_pages, legacy_pages))
    assert candles and {r[-1] for r in candles} == {"live", "historical"}
    for row in candles:
        assert row[3:8] == row[8:13], row[:3]
    assert any(r[3] is None and r[4] is not None for r in candles), "periods without trades"


def test_order_book_snapshots_are_the_venue_books(phase_one, warehouse, world, runs):
    rows = warehouse.rows(
        "select o.market_id, o.outcome_id, o.bids, o.asks, o.best_bid, o.best_ask, o.book_hash, l.run_id "
        "from marts.orderbook_snapshots o join landing.raw_api_responses l using (landing_id) "
        "where o.source = 'kalshi' order by o.market_id, o.outcome_id, o.snapshot_at")
    assert rows
    latest, seen_now, hashes = {}, set(), defaultdict(list)
    for market_id, outcome_id, bids, asks, best_bid, best_ask, book_hash, run_id in rows:
        at = runs[run_id]
        book = world.orderbook(market_id, at)
        own, other = (book["yes"], book["no"]) if outcome_id == "yes" else (book["no"], book["yes"])
        want_bids = [(dec(p), dec(q)) for p, q in reversed(own)]
        want_asks = [(1 - dec(p), dec(q)) for p, q in reversed(other)]
        assert [(dec(b["price"]), dec(b["size"])) for b in bids] == want_bids, (market_id, outcome_id, at)
        assert [(dec(a["price"]), dec(a["size"])) for a in asks] == want_asks, (market_id, outcome_id, at)
        assert dec(best_bid) == (want_bids[0][0] if want_bids else None)
        assert dec(best_ask) == (want_asks[0][0] if want_asks else None)
        hashes[(market_id, outcome_id)].append(book_hash)
        latest[(market_id, outcome_id)] = at
        seen_now |= {(market_id, outcome_id)} if at == NOW else set()
    assert seen_now and LEGACY in latest.values(), "books of both eras"
    assert all(latest[key] == NOW for key in seen_now), "the latest snapshot is the latest book"
    # Two NOW-era extractions polled the same books: an unchanged book is stored once.
    assert all(a != b for h in hashes.values() for a, b in pairwise(h))
    assert all(len(h) <= 2 for h in hashes.values())
