"""backfill_kalshi end to end: dag.test() against the simulator from an empty warehouse, then the
hourly extract_kalshi continuing from the full sync's checkpoints, a catch-up beyond the hourly
limits (gaps opened, then closed), and a full sync killed at a random point and run again.

The venue's clock runs a day ahead of the machine's: the full sync walks each market up to the
machine's now while the venue already holds what the next hours bring, which the hourly runs then
pick up (as in production, where the two clocks agree and the hours come). Expectations come from
the simulator's own data (`sim.kalshi`) and its request log.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from prediction_markets.adapters.kalshi.reference import CLOSED_STATUSES
from prediction_markets.adapters.parsing import parse_ts
from tests.support.airflow_runs import get_dag, run_dag
from tests.support.landing import assert_every_served_page_is_landed, landed
from tests.support.sim import point_connections_at, running_simulator

pytestmark = pytest.mark.slow
UTC = timezone.utc
HOUR = timedelta(hours=1)
OVERLAP = 60
SIM_NOW = (datetime.now(UTC) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
# Every recurring market opens after this; the one-off ones (live for years, with the deepest
# histories) are walked from here: 13 days of 1-minute candles instead of two years of them.
SINCE = SIM_NOW - timedelta(days=13)
WORLD = dict(polymarket_markets=0, kalshi_markets=80, kalshi_trades=60_000, now=SIM_NOW,
             epoch_start=(SIM_NOW - timedelta(days=12)).isoformat(),
             epoch_end=(SIM_NOW + timedelta(days=6)).isoformat(),
             kalshi_historical_cutoff=(SIM_NOW - timedelta(days=4)).isoformat())
SETTINGS = {"trades_page_size": 200}
FAR = SIM_NOW + timedelta(days=400)


def ts(value: datetime) -> int:
    return int(value.timestamp())


def last_seq(sim) -> int:
    log = sim.requests()
    return log[-1]["seq"] if log else 0


def markets(world) -> dict[str, dict]:
    """Every market the full sync must list (parlays excluded), ticker -> object, with its tier."""
    return {m["ticker"]: {**m, "_tier": tier} for tier in ("live", "historical")
            for m in world.markets(SIM_NOW, tier=tier, mve=False)}


def landed_trades(warehouse, run_ids) -> Counter:
    return Counter(warehouse.rows(
        "select t ->> 'trade_id', t ->> 'ticker' from landing.raw_api_responses r, "
        "jsonb_array_elements(r.response -> 'trades') t where r.source = 'kalshi' and r.resource = 'trades' "
        "and r.status_code = 200 and r.run_id = any(%s)", (list(run_ids),)))


def landed_candles(warehouse, run_ids) -> Counter:
    return Counter(warehouse.rows(
        "select r.response ->> 'ticker', (r.request_params ->> 'period_interval')::int, "
        "(c ->> 'end_period_ts')::bigint from landing.raw_api_responses r, "
        "jsonb_array_elements(r.response -> 'candlesticks') c where r.source = 'kalshi' "
        "and r.resource = 'candlesticks' and r.status_code = 200 and r.run_id = any(%s)", (list(run_ids),)))


def truth_trades(world, tickers, start: int, end: int) -> set[tuple[str, str]]:
    return {(t["trade_id"], t["ticker"]) for ticker in tickers for tier in ("live", "historical")
            for t in world.trades(SIM_NOW, ticker=ticker, tier=tier, min_ts=start, max_ts=end)}


def truth_candles(world, ticker, tier, start: int, end: int) -> set[tuple[str, int, int]]:
    return {(ticker, period, c["end_period_ts"]) for period in (1, 60, 1440)
            for c in world.candles(ticker, start, end, period, SIM_NOW, tier)}


def opened(market) -> int:
    return max(ts(SINCE), ts(datetime.fromisoformat(market["open_time"].replace("Z", "+00:00"))))


@dataclass
class Flow:
    sim: object
    backfill: object
    backfill_window: tuple[int, int]
    backfill_started: datetime
    backfill_seconds: float
    hourly: object
    hourly_window: tuple[int, int]


@pytest.fixture(scope="module")
def flow(airflow_db, warehouse):
    warehouse.truncate_landing()
    saved = os.environ.get("AIRFLOW_VAR_KALSHI_SETTINGS")
    os.environ["AIRFLOW_VAR_KALSHI_SETTINGS"] = json.dumps(SETTINGS)
    try:
        with running_simulator(**WORLD) as sim:
            point_connections_at(sim)
            seq = last_seq(sim)
            started, clock = datetime.now(UTC), time.monotonic()
            backfill = get_dag("backfill_kalshi").test(run_conf={"since": SINCE.isoformat()})
            seconds = time.monotonic() - clock
            assert backfill.state == "success"
            after_backfill = last_seq(sim)
            hourly = run_dag("extract_kalshi", SIM_NOW)
            yield Flow(sim, backfill, (seq, after_backfill), started, seconds, hourly,
                       (after_backfill, last_seq(sim)))
    finally:
        if saved is None:
            os.environ.pop("AIRFLOW_VAR_KALSHI_SETTINGS", None)
        else:
            os.environ["AIRFLOW_VAR_KALSHI_SETTINGS"] = saved


def test_full_sync_lands_every_served_page(flow, warehouse):
    rows = landed(warehouse, flow.backfill.run_id)
    assert_every_served_page_is_landed(flow.sim, *flow.backfill_window, rows=rows)
    served = [r for r in flow.sim.requests() if flow.backfill_window[0] < r["seq"] <= flow.backfill_window[1]]
    by_kind = Counter(("historical " if r["path"].startswith("/historical/") else "") + r["path"].rsplit("/", 1)[-1]
                      for r in served)
    print(f"\nbackfill_kalshi: {len(served)} requests in {flow.backfill_seconds:.1f}s: {dict(by_kind)}")
    assert not any(r["status"] != 200 for r in served), "no error in a quiet venue"
    outcomes = warehouse.rows("select task_id, outcome, gaps_opened from landing.ingestion_runs where run_id = %s",
                              (flow.backfill.run_id,))
    assert {o for _, o, _ in outcomes} == {"success"} and {t for t, *_ in outcomes} >= {
        "extract_listings", "extract_trades_history", "extract_candlesticks_history"}


def test_every_market_of_both_tiers_is_landed_with_its_resolution(flow, warehouse):
    truth = markets(flow.sim.kalshi)
    rows = warehouse.rows(
        "select r.endpoint, m from landing.raw_api_responses r, jsonb_array_elements(r.response -> 'markets') m "
        "where r.source = 'kalshi' and r.resource = 'markets' and r.status_code = 200 and r.run_id = %s "
        "order by r.landing_id", (flow.backfill.run_id,))
    seen = {m["ticker"]: (endpoint, m) for endpoint, m in rows}
    assert set(seen) == set(truth)
    tiers = Counter(m["_tier"] for m in truth.values())
    assert tiers["live"] and tiers["historical"], tiers
    for ticker, market in truth.items():
        endpoint, landed_market = seen[ticker]
        assert endpoint == ("/historical/markets" if market["_tier"] == "historical" else "/markets"), ticker
        for key in ("status", "result", "settlement_ts", "settlement_value_dollars", "expiration_value", "close_time"):
            assert landed_market.get(key) == market.get(key), (ticker, key)
    settled = [m for m in truth.values() if m["_tier"] == "historical"]
    assert all(m["status"] in ("finalized", "amended") and m["result"] in ("yes", "no") and m["settlement_ts"]
               for m in settled), "the historical tier holds settled markets only"


def test_every_trade_of_every_market_is_landed_once(flow, warehouse):
    world = flow.sim.kalshi
    got = landed_trades(warehouse, [flow.backfill.run_id])
    assert max(got.values()) == 1, "a trade was landed twice by the full sync"
    states = dict(warehouse.rows("select scope, state from landing.sync_state where source = 'kalshi' "
                                 "and resource = 'trades_history'"))
    truth = set()
    for ticker in markets(world):
        state = states[ticker]
        assert state["covers_from"] == SINCE.isoformat() and state["walked_to"] == state["walked_at"]
        truth |= truth_trades(world, [ticker], ts(SINCE), ts(datetime.fromisoformat(state["walked_to"])))
    assert truth and set(got) == truth
    pages = Counter(scope for (scope,) in warehouse.rows(
        "select scope from landing.raw_api_responses where run_id = %s and resource = 'trades'",
        (flow.backfill.run_id,)))
    assert max(pages.values()) >= 5, "some market's history spans several pages"


def test_every_candle_of_every_period_is_landed_once(flow, warehouse):
    world = flow.sim.kalshi
    got = landed_candles(warehouse, [flow.backfill.run_id])
    assert max(got.values()) == 1, "a candle was landed twice by the full sync"
    hwm = {scope: mark for scope, mark in warehouse.rows(
        "select scope, high_water_mark from landing.sync_state where source = 'kalshi' "
        "and resource = 'candlesticks_history'")}
    truth = set()
    for ticker, market in markets(world).items():
        closed = market["status"] in CLOSED_STATUSES
        for period in (1, 60, 1440):
            mark = hwm.get(f"{ticker}:{period}")
            if mark is None:
                assert not world.candles(ticker, opened(market), ts(FAR), period, SIM_NOW, market["_tier"]), ticker
                continue
            # Closed markets to their last candle; open ones up to the moment the walk started.
            # (the mark is whole seconds: the venue's candle times are)
            assert closed or mark >= flow.backfill_started.replace(microsecond=0), (ticker, period, mark)
            end = ts(FAR) if closed else ts(mark)
            truth |= {(ticker, period, c["end_period_ts"])
                      for c in world.candles(ticker, opened(market), end, period, SIM_NOW, market["_tier"])}
    assert {t for t, *_ in truth} == {t for t, *_ in got}
    assert set(got) == truth


def test_hourly_run_continues_from_the_full_sync_without_gap_or_duplicate(flow, warehouse):
    world = flow.sim.kalshi
    assert_every_served_page_is_landed(flow.sim, *flow.hourly_window, rows=landed(warehouse, flow.hourly.run_id))
    # The listings continue too: no second walk of the historical tier, only changes of the live one.
    served = [r for r in flow.sim.requests() if flow.hourly_window[0] < r["seq"] <= flow.hourly_window[1]]
    assert "/historical/markets" not in {r["path"] for r in served}
    listings = [r["query"] for r in served if r["path"] in ("/markets", "/events") and "status" not in r["query"]]
    assert listings and all("min_updated_ts" in q for q in listings)
    tickers = markets(world)
    runs = [flow.backfill.run_id, flow.hourly.run_id]
    trades = landed_trades(warehouse, runs)
    ours = {k for k in trades if k[1] in tickers}
    assert ours == truth_trades(world, tickers, ts(SINCE), ts(SIM_NOW))
    # Landed twice only where the hourly walk must overlap: from where the listing began, less a minute.
    feed_from = warehouse.value("select min((state ->> 'feed_from')::timestamptz) from landing.sync_state "
                                "where source = 'kalshi' and resource = 'trades_history'")
    twice = {k for k in ours if trades[k] > 1}
    stamps = {t["trade_id"]: parse_ts(t["created_time"]) for tk in tickers for tier in ("live", "historical")
              for t in world.trades(SIM_NOW, ticker=tk, tier=tier, min_ts=ts(SINCE))}
    assert all(stamps[trade_id] >= feed_from - timedelta(seconds=OVERLAP + 1) for trade_id, _ in twice)
    candles = landed_candles(warehouse, runs)
    assert max(candles.values()) == 1, "the hourly run landed a candle the full sync had landed"
    truth = set()
    for ticker, market in tickers.items():
        end = FAR if market["status"] in CLOSED_STATUSES else SIM_NOW
        truth |= truth_candles(world, ticker, market["_tier"], opened(market), ts(end))
    assert set(candles) == truth
    assert warehouse.value("select count(*) from landing.sync_gaps where source = 'kalshi'") == 0
    outcomes = {o for (o,) in warehouse.rows("select outcome from landing.ingestion_runs where run_id = %s",
                                             (flow.hourly.run_id,))}
    assert outcomes == {"success"}


def test_catch_up_beyond_the_limits_opens_gaps_that_the_next_run_closes(flow, warehouse, monkeypatch):
    world = flow.sim.kalshi
    limit = 2 * 3600
    monkeypatch.setenv("AIRFLOW_VAR_KALSHI_SETTINGS", json.dumps(
        {**SETTINGS, "trades_max_catchup_s": limit, "candles_max_catchup_s": limit, "gaps_per_run": 500}))
    late = SIM_NOW + timedelta(hours=4)  # three hours missed: one reached, two beyond the limit
    flow.sim.set_now(late)
    try:
        skipped = run_dag("extract_kalshi", late)
        gaps = warehouse.rows("select resource, scope, gap_from, gap_to from landing.sync_gaps "
                              "where source = 'kalshi' and closed_at is null and opened_run_id = %s", (skipped.run_id,))
        floor = late - HOUR - timedelta(seconds=limit)
        assert ("trades", "all", SIM_NOW, floor) in gaps
        candle_gaps = [g for g in gaps if g[0] == "candlesticks"]
        assert candle_gaps and all(g[2] == SIM_NOW + timedelta(seconds=1) for g in candle_gaps)
        assert {o for (o,) in warehouse.rows("select outcome from landing.ingestion_runs where run_id = %s "
                                             "and gaps_opened > 0", (skipped.run_id,))} == {"partial"}
        flow.sim.set_now(late + HOUR)
        following = run_dag("extract_kalshi", late + HOUR)
        closed = warehouse.value("select count(*) from landing.sync_gaps where source = 'kalshi' "
                                 "and closed_run_id = %s", (following.run_id,))
        assert closed == len(gaps)
        assert warehouse.value("select count(*) from landing.sync_gaps where source = 'kalshi' "
                               "and closed_at is null") == 0
        runs = [flow.hourly.run_id, skipped.run_id, following.run_id]
        trades = {k for k in landed_trades(warehouse, runs) if k[1] in markets(world)}
        assert trades >= truth_trades(world, markets(world), ts(SIM_NOW), ts(late + HOUR))
        # Every candle of the markets that had a checkpoint, from it to the end of the last run.
        gapped = {scope.rsplit(":", 1)[0] for _, scope, *_ in candle_gaps}
        candles = landed_candles(warehouse, runs)
        for ticker in gapped:
            i = world.index_of(ticker)
            want = truth_candles(world, ticker, world.tier(i, late + HOUR), ts(SIM_NOW) + 1, ts(late + HOUR))
            assert want <= set(candles), ticker
    finally:
        flow.sim.set_now(SIM_NOW)


CHILD = textwrap.dedent(
    """
    from tests.support.airflow_runs import get_dag
    get_dag("backfill_kalshi").test(run_conf={conf!r})
    """
)


def test_killed_full_sync_resumes_and_lands_the_same_trades(airflow_db, landing, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_KALSHI_SETTINGS", json.dumps({"trades_page_size": 100, "backfill_rate_share": 1.0}))
    conf = {"since": SINCE.isoformat(), "resources": ["trades_history"]}
    kill_after = random.randint(3, 60)
    print(f"\nkilling the full sync after {kill_after} trade pages")
    with running_simulator(**WORLD) as sim:
        point_connections_at(sim)
        for path in ("/markets/trades", "/historical/trades"):
            sim.add_fault(kind="slow", delay=0.05, service="kalshi", path=path, times=None)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        child = subprocess.Popen([sys.executable, "-c", CHILD.format(conf=conf)], env=env, start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def trade_pages():
            return landing.rows("select scope, endpoint, request_params, response from landing.raw_api_responses "
                                "where resource = 'trades' and status_code = 200 order by landing_id")

        deadline = time.monotonic() + 300
        try:
            while len(trade_pages()) < kill_after and time.monotonic() < deadline and child.poll() is None:
                time.sleep(0.05)
        finally:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        before = trade_pages()
        pending = dict(landing.rows("select scope, cursor from landing.sync_state where source = 'kalshi' "
                                    "and resource = 'trades_history' and cursor is not null"))
        assert len(before) >= kill_after and pending, "the kill must interrupt the trades walks"
        sim.clear_faults()
        seq = last_seq(sim)
        rerun = get_dag("backfill_kalshi").test(run_conf=conf)
        assert rerun.state == "success"
        pages = trade_pages()
        keys = [(scope, endpoint, json.dumps(params, sort_keys=True)) for scope, endpoint, params, _ in pages]
        assert len(keys) == len(set(keys)), "a page was landed twice"
        ids = Counter((t["trade_id"], t["ticker"]) for *_, body in pages for t in body["trades"])
        assert max(ids.values()) == 1
        states = dict(landing.rows("select scope, state from landing.sync_state where source = 'kalshi' "
                                   "and resource = 'trades_history'"))
        truth = set()
        for ticker in markets(sim.kalshi):
            truth |= truth_trades(sim.kalshi, [ticker], ts(SINCE),
                                  ts(datetime.fromisoformat(states[ticker]["walked_to"])))
        assert set(ids) == truth
        # The interrupted walks went on from their cursors; the finished markets were not asked again.
        resumed = [r for r in sim.requests(since=seq) if r["path"].endswith("/trades")]
        for scope, cursor in pending.items():
            first = next(r for r in resumed if r["query"].get("ticker") == [scope])
            asked = {k: [v] for k, v in cursor["next"]["params"]}
            assert (first["path"], first["query"]) == (cursor["next"]["path"], asked), scope
        done_before = {scope for scope, *_ in before} - set(pending)
        asked_again = {r["query"]["ticker"][0] for r in resumed}
        assert not (done_before & asked_again), "a completed market was walked again"
