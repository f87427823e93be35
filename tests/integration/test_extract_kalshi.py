"""extract_kalshi end to end: dag.test() against the simulator for intervals before, across and
after the historical cutoff; a rerun; a kill and resume. Expectations come from the simulator's
request log and its own data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.airflow_runs import run_dag
from tests.support.landing import assert_every_served_page_is_landed, landed, served
from tests.support.sim import NOW, point_connections_at, running_simulator

pytestmark = pytest.mark.slow
UTC = timezone.utc
HOUR = timedelta(hours=1)
OVERLAP = 60
MAX_CATCHUP = timedelta(days=7)
# The cutoff sits at half past: the interval [00:00, 01:00) straddles it.
CUTOFF = datetime(2026, 10, 1, 0, 30, tzinfo=UTC)
INTERVALS = {  # name -> logical date (the interval ends there)
    "before": datetime(2026, 9, 30, 12, tzinfo=UTC),
    "straddling": datetime(2026, 10, 1, 1, tzinfo=UTC),
    "after": NOW,
}
WORLD = dict(polymarket_markets=3, polymarket_trades=100, kalshi_markets=240, kalshi_trades=600_000,
             kalshi_historical_cutoff=CUTOFF.isoformat(), epoch_start="2026-07-01T00:00:00Z",
             epoch_end="2027-01-01T00:00:00Z")


@pytest.fixture(scope="module")
def sim(airflow_db, warehouse):
    warehouse.truncate_landing()
    with running_simulator(**WORLD) as server:
        point_connections_at(server)
        yield server


def last_seq(sim):
    log = sim.requests()
    return log[-1]["seq"] if log else 0


def truth_trade_ids(world, start, end):
    ids = set()
    for tier in ("historical", "live"):
        ids |= {t["trade_id"] for t in world.trades(NOW, tier=tier, min_ts=start, max_ts=end)}
    return ids


def landed_trade_ids(rows):
    return {t["trade_id"] for _m, _u, _b, status, response, resource, _s, _n in rows
            if resource == "trades" and status == 200 for t in response["trades"]}


def walk_start(name: str) -> datetime:
    """Where the trades walk of an interval starts: its start, or the end of the previous
    complete walk when that is older (the gap is filled, at most MAX_CATCHUP back)."""
    names = list(INTERVALS)
    start = INTERVALS[name] - HOUR
    if names.index(name) == 0:
        return start
    previous_end = INTERVALS[names[names.index(name) - 1]]
    return max(previous_end, start - MAX_CATCHUP) if previous_end < start else start


@pytest.fixture(scope="module")
def runs(sim, warehouse):
    out = {}
    for name, logical in INTERVALS.items():
        since = last_seq(sim)
        run = run_dag("extract_kalshi", logical)
        out[name] = (run, (since, last_seq(sim)), landed(warehouse, run.run_id))
    return out


@pytest.mark.parametrize("name", list(INTERVALS))
def test_interval_lands_every_page_and_every_trade(runs, sim, name):
    run, window, rows = runs[name]
    logical = INTERVALS[name]
    assert run.data_interval_end == logical and run.data_interval_start == logical - HOUR
    assert_every_served_page_is_landed(sim, *window, rows=rows)
    start, end = int(walk_start(name).timestamp()) - OVERLAP, int(logical.timestamp())
    truth = truth_trade_ids(sim.kalshi, start, end)
    assert truth, "the test world must trade in every interval"
    assert landed_trade_ids(rows) == truth
    trade_paths = {r["path"] for r in served(sim, *window) if r["path"].endswith("/trades")}
    expected = {"before": {"/historical/trades"}, "straddling": {"/historical/trades", "/markets/trades"},
                "after": {"/markets/trades"}}[name]
    assert trade_paths == expected


def test_cutoff_routes_candles_and_listings(runs, sim):
    _, window, _ = runs["before"]
    paths = [r["path"] for r in served(sim, *window)]
    assert "/historical/cutoff" in paths
    # Markets settled before the cutoff are listed from the historical tier (first run only).
    assert "/historical/markets" in [r["path"] for r in served(sim, 0)]
    candle_paths = {p.split("/")[1] for p in paths if p.endswith("/candlesticks")}
    assert candle_paths, "markets live before the cutoff get candles"
    assert candle_paths <= {"historical", "series"}


def test_every_market_listed_and_parlays_excluded(runs, sim, warehouse):
    """The first run lists every live market; later runs only what changed since."""
    listed = {m["ticker"] for _, _, rows in runs.values() for *_, status, response, resource, scope, _n in rows
              if resource == "markets" and status == 200 for m in response["markets"]}
    world = sim.kalshi
    live = {m["ticker"] for m in world.markets(NOW, tier="live", mve=False)}
    historical = {m["ticker"] for m in world.markets(NOW, tier="historical", mve=False)}
    assert live and historical and live | historical == listed
    assert not any(world.is_parlay(world.index_of(t)) for t in listed)
    catalog = warehouse.value("select count(*) from landing.market_catalog where source = 'kalshi' "
                              "and keys ? 'series_ticker'")
    assert catalog > 0


def open_trade_gaps(warehouse):
    return warehouse.rows("select gap_from, gap_to from landing.sync_gaps where source = 'kalshi' "
                          "and resource = 'trades' and closed_at is null order by gap_from")


def test_rerun_of_an_interval_is_idempotent_and_walks_the_open_gap(runs, sim, warehouse):
    first = landed_trade_ids(runs["after"][2])
    logical = INTERVALS["after"]
    # The "after" run could not reach back to the "straddling" one: the rest is a gap.
    unread = (INTERVALS["straddling"], logical - HOUR - MAX_CATCHUP)
    assert open_trade_gaps(warehouse) == [unread]
    before = warehouse.rows("select resource, scope, high_water_mark from landing.sync_state "
                            "where source = 'kalshi' and high_water_mark is not null order by 1, 2")
    since = last_seq(sim)
    run = run_dag("extract_kalshi", logical)
    rows = landed(warehouse, run.run_id)
    assert_every_served_page_is_landed(sim, since, rows=rows)
    again = landed_trade_ids(rows)
    # The checkpoint is past this interval now: exactly the interval again, all of it seen before,
    # plus one catch-up span of the gap, whose rest stays open.
    interval = truth_trade_ids(sim.kalshi, int((logical - HOUR).timestamp()) - OVERLAP, int(logical.timestamp()))
    span_end = unread[0] + MAX_CATCHUP
    span = truth_trade_ids(sim.kalshi, int(unread[0].timestamp()) - OVERLAP, int(span_end.timestamp()))
    assert span and again == interval | span
    assert interval <= first and not (span & first)
    assert open_trade_gaps(warehouse) == [(span_end, unread[1])]
    after = dict(((r, s), h) for r, s, h in warehouse.rows(
        "select resource, scope, high_water_mark from landing.sync_state where source = 'kalshi' "
        "and high_water_mark is not null"))
    assert all(after[(r, s)] >= h for r, s, h in before)


CHILD = textwrap.dedent(
    """
    from datetime import datetime
    from tests.support.airflow_runs import get_dag
    get_dag("extract_kalshi").test(logical_date=datetime.fromisoformat({logical!r}))
    """
)


def test_killed_trades_walk_resumes_without_gap_or_duplicate(airflow_db, landing, monkeypatch):
    logical = datetime(2026, 11, 1, 12, tzinfo=UTC)
    monkeypatch.setenv("AIRFLOW_VAR_KALSHI_SETTINGS", json.dumps({"trades_page_size": 10}))
    with running_simulator(**WORLD) as sim:
        point_connections_at(sim)
        sim.add_fault(kind="slow", delay=0.15, service="kalshi", path="/markets/trades", times=None)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        child = subprocess.Popen([sys.executable, "-c", CHILD.format(logical=logical.isoformat())], env=env,
                                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def trade_pages():
            return landing.rows("select request_params->>'cursor', response from landing.raw_api_responses "
                                "where resource = 'trades' and status_code = 200 order by landing_id")

        deadline = time.monotonic() + 120
        while len(trade_pages()) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        cursor = landing.value("select cursor from landing.sync_state where source = 'kalshi' and resource = 'trades'")
        assert cursor and cursor["next"]["path"] == "/markets/trades", "the kill must interrupt the trades walk"
        sim.clear_faults()
        run_dag("extract_kalshi", logical)
        pages = trade_pages()
        cursors = [c for c, _ in pages]
        assert len(cursors) == len(set(cursors)), "a page was landed twice"
        ids = [t["trade_id"] for _, body in pages for t in body["trades"]]
        start = int((logical - HOUR).timestamp()) - OVERLAP
        assert len(ids) == len(set(ids)) and set(ids) == truth_trade_ids(sim.kalshi, start, int(logical.timestamp()))

