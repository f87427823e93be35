"""backfill_polymarket end to end: dag.test() against the simulator from an empty warehouse, then
two hourly extract_polymarket runs, then the full sync killed three times at random points and
resumed from an empty warehouse again: the same landed history.

The world spans 2023-06 to 2027 around NOW: markets closed years ago (part of their trades older
than the Data API's three-year window), resolved, void and disputed markets, Protocol V2 markets,
and a market with more taker trades than v1 could ever page through. Expectations come from the
simulator's own ground truth and its request log.
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
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest

from prediction_markets.adapters.polymarket.data_api import trade_keys
from tests.support.airflow_runs import run_dag
from tests.support.landing import assert_every_served_page_is_landed, landed
from tests.support.sim import NOW, point_connections_at, running_simulator

pytestmark = pytest.mark.slow
HOUR = timedelta(hours=1)
MIN_SIZE = 1e-6
WORLD = dict(polymarket_markets=80, polymarket_trades=300_000, kalshi_markets=0,
             epoch_start="2023-06-01T00:00:00Z", epoch_end="2027-01-01T00:00:00Z",
             polymarket_void_share=0.2, polymarket_dispute_share=0.3, polymarket_slow_resolution_share=0.4)
# The simulator does not enforce limits here: budgets well above the published ones keep the test short.
SETTINGS = {"backfill_rate_share": 1.0, "progress_interval_s": 5, "trades_requests_per_s": 500,
            "prices_requests_per_10s": 5000}


def trades_by_market(warehouse) -> dict[str, Counter]:
    """Trade keys landed per market (taker rows of every /v2/trades page)."""
    out: dict[str, Counter] = defaultdict(Counter)
    for (response,) in warehouse.rows("select response from landing.raw_api_responses where source = 'polymarket' "
                                      "and resource = 'trades' and status_code = 200 and endpoint = '/v2/trades'"):
        rows = response["data"]
        for key, row in zip(trade_keys(rows), rows):
            out[row["condition_id"]][key] += 1
    return out


def truth_by_market(world, now) -> dict[str, set[str]]:
    return {world.condition_id(i): set(trade_keys(world.v2_trades(world.condition_id(i), now, min_size=MIN_SIZE)))
            for i in range(world.market_count(now))}


def landed_resolutions(warehouse) -> dict[str, dict]:
    out = {}
    for (response,) in warehouse.rows("select response from landing.raw_api_responses where source = 'polymarket' "
                                      "and resource = 'resolutions' and status_code = 200 order by landing_id"):
        out.update({r["condition_id"]: r for r in response["data"]})
    return out


@pytest.fixture(scope="module")
def sim(airflow_db, warehouse):
    with running_simulator(**WORLD) as server:
        point_connections_at(server)
        yield server


@pytest.fixture(scope="module")
def flow(sim, warehouse):
    """The full sync at NOW, then the hours [NOW, NOW+1h) and [NOW+1h, NOW+2h) at their ends."""
    warehouse.truncate_landing()
    os.environ["AIRFLOW_VAR_POLYMARKET_SETTINGS"] = json.dumps(SETTINGS)
    try:
        seq = sim.requests()[-1]["seq"] if sim.requests() else 0
        backfill = run_dag("backfill_polymarket", NOW)
        backfill_window = (seq, sim.requests()[-1]["seq"])
        hourly = []
        for hours in (1, 2):
            sim.set_now(NOW + hours * HOUR)
            hourly.append(run_dag("extract_polymarket", NOW + hours * HOUR))
    finally:
        sim.set_now(NOW)
        os.environ.pop("AIRFLOW_VAR_POLYMARKET_SETTINGS", None)
    return backfill, backfill_window, hourly


def test_the_full_sync_lands_every_page_it_was_served(flow, sim, warehouse):
    backfill, window, _ = flow
    rows = landed(warehouse, backfill.run_id)
    assert_every_served_page_is_landed(sim, *window, rows=rows)
    assert {r[5] for r in rows} >= {"events", "markets", "trades", "prices", "resolutions"}
    runs = warehouse.rows("select task_id, outcome, progress from landing.ingestion_runs where run_id = %s",
                          (backfill.run_id,))
    history = [r for r in runs if r[0] == "extract_trades_history"]
    assert history and all(r[1] in ("success", "partial") for r in history)
    # Progress a person can follow: markets done of total, pages, rows, rate, ETA.
    assert all(r[2]["markets_done"] == r[2]["markets_total"] > 0 and r[2]["pages"] > 0 for r in history)


def test_every_trade_the_api_serves_is_landed_after_the_full_sync_and_two_hours(flow, sim, warehouse):
    world = sim.polymarket
    final = NOW + 2 * HOUR
    # The three-year window moves with the clock: a fill at its edge at NOW is served then only.
    at_start, at_end = truth_by_market(world, NOW), truth_by_market(world, final)
    truth = {cid: at_start.get(cid, set()) | keys for cid, keys in at_end.items()}
    landed_keys = trades_by_market(warehouse)
    deep = [cid for cid, keys in truth.items() if len(keys) > 12_000]
    assert deep, "the test world must hold a market deeper than any offset listing"
    for cid, keys in truth.items():
        assert set(landed_keys.get(cid, ())) == keys, cid
    assert set(landed_keys) - set(truth) <= set(world.combo_condition_ids())  # combos come with the feed


def test_trades_older_than_the_api_window_are_recorded_as_out_of_reach(flow, sim, warehouse):
    world = sim.polymarket
    beyond = {world.condition_id(i) for i in range(world.market_count(NOW))
              if world.v2_trade_totals(world.condition_id(i), NOW, min_size=MIN_SIZE, window=False)[0]
              > world.v2_trade_totals(world.condition_id(i), NOW, min_size=MIN_SIZE)[0]}
    gaps = dict(warehouse.rows("select market_id, reason from landing.sync_gaps where resource = 'trades_history' "
                               "and unreachable and closed_at is null"))
    assert beyond and beyond <= set(gaps)
    assert all("three-year window" in reason for reason in gaps.values())


def test_every_resolution_is_landed(flow, sim, warehouse):
    world = sim.polymarket
    landed_rows = landed_resolutions(warehouse)
    expected = {r["condition_id"]: r for r in (world.resolution(i, NOW) for i in range(world.market_count(NOW))) if r}
    stages = Counter(world.resolution_stage(i, NOW) for i in range(world.market_count(NOW)))
    assert stages["resolved"] and any(world.payouts(i) == (500000, 500000) for i in range(world.market_count(NOW)))
    for cid, row in expected.items():
        assert landed_rows[cid] == row or world.resolution(world.index_of_condition_id(cid), NOW + 2 * HOUR) \
            == landed_rows[cid], cid


def test_every_price_window_holds_what_the_venue_serves(flow, sim, warehouse):
    world = sim.polymarket
    walked, coarse = defaultdict(list), set()
    for params, response in warehouse.rows(
            "select request_params, response from landing.raw_api_responses where source = 'polymarket' "
            "and resource = 'prices' and status_code = 200 and run_id = %s", (flow[0].run_id,)):
        if "cursor" in params:
            continue
        if params.get("interval") == "max":
            coarse.add(params["token_id"])  # the whole life at 12 h, read once
        else:
            walked[params["token_id"]].append((int(params["start"]), int(params["end"]), int(params["bucket_seconds"])))
    assert walked and coarse
    for token, windows in walked.items():
        windows.sort()
        # Contiguous explicit windows up to the settlement point (or now).
        assert all(a[1] == b[0] for a, b in zip(windows, windows[1:])), token
    total = sum(len(r["data"]) for (r,) in warehouse.rows(
        "select response from landing.raw_api_responses where source = 'polymarket' and resource = 'prices' "
        "and status_code = 200 and run_id = %s", (flow[0].run_id,)))
    expected = sum(len(world.price_points(token, NOW, start=a, end=b, bucket_seconds=bucket))
                   for token, windows in walked.items() for a, b, bucket in windows)
    expected += sum(len(world.price_points(token, NOW, interval="max", bucket_seconds=43200)) for token in coarse)
    assert total == expected > 0


def test_the_hourly_runs_continue_without_gap(flow, sim, warehouse):
    _, _, hourly = flow
    outcomes = warehouse.rows("select task_id, outcome from landing.ingestion_runs where run_id = any(%s)",
                              ([r.run_id for r in hourly],))
    assert outcomes and all(o == "success" for _, o in outcomes), outcomes
    assert warehouse.value("select count(*) from landing.sync_gaps where resource in ('trades', 'prices') "
                           "and not unreachable") == 0


@pytest.fixture(scope="module")
def marts(flow, warehouse, tmp_path_factory):
    """`dbt build` over what the full sync and the two hours landed (the dbt schemas dropped first)."""
    from tests.dbt.conftest import Dbt

    warehouse.drop_models()
    result = Dbt(warehouse.db, tmp_path_factory.mktemp("dbt"))("build")
    assert result.returncode == 0 and "ERROR=0" in result.output, result.output[-4000:]
    yield result
    warehouse.drop_models()  # three years of daily price partitions: not left to later modules


def test_the_trades_mart_holds_every_trade_once_by_count_and_size(marts, sim, warehouse):
    world = sim.polymarket
    final = NOW + 2 * HOUR
    expected = {}
    for i in range(world.market_count(final)):
        cid = world.condition_id(i)
        rows = {}
        for now in (NOW, final):  # the three-year window moves with the clock
            served = world.v2_trades(cid, now, min_size=MIN_SIZE)
            rows.update(zip(trade_keys(served), served))
        expected[cid.lower()] = (len(rows), round(sum(round(Decimal(str(r["size"])), 6) for r in rows.values()), 6))
    got = {m: (n, round(q, 6)) for m, n, q in warehouse.rows(
        "select market_id, count(*), sum(quantity) from marts.trades where source = 'polymarket' group by 1")}
    assert {m: v for m, v in expected.items() if v[0]} == got
    assert warehouse.value("select count(*) - count(distinct trade_id) from marts.trades") == 0


def test_every_landed_price_point_is_in_price_snapshots(marts, warehouse):
    landed_points = set()
    for params, response in warehouse.rows(
            "select request_params, response from landing.raw_api_responses where source = 'polymarket' "
            "and resource = 'prices' and status_code = 200"):
        landed_points |= {(params["token_id"], p["timestamp"]) for p in response["data"]}
    snapshots = set(warehouse.rows("select outcome_id, extract(epoch from snapshot_at)::bigint "
                                   "from marts.price_snapshots where source = 'polymarket'"))
    assert landed_points and snapshots == landed_points


def test_every_resolution_is_in_market_resolutions(marts, sim, warehouse):
    """Each landed oracle resolution is its market's row in market_resolutions: final settlements
    with one winner, or void at 50-50; no open market has a winner."""
    marts_rows = {r[0]: r[1:] for r in warehouse.rows(
        "select market_id, status, winning_outcome_index, is_void, is_final from marts.market_resolutions "
        "where source = 'polymarket'")}
    settled = 0
    for cid, row in landed_resolutions(warehouse).items():
        status, winner, is_void, is_final = marts_rows[cid.lower()]
        if row["status"] == "resolved" and row.get("payouts"):
            settled += 1
            a, b = row["payouts"]
            assert is_final and (is_void if a == b else (not is_void and winner == (0 if a > b else 1))), cid
    assert settled
    assert warehouse.value("select count(*) from marts.market_resolutions r join marts.markets m "
                           "using (market_id, source) where m.status in ('open', 'upcoming', 'paused') "
                           "and r.winning_outcome_index is not null") == 0


def test_completeness_is_whole_for_every_closed_market_within_reach(marts, sim, warehouse):
    """Every closed market whose history the API still serves is complete: its loaded trades are
    the venue's (count), no gap is open, and its notional is its reported volume; markets with
    fills beyond the three-year window say `out_of_api_reach`."""
    world = sim.polymarket
    final = NOW + 2 * HOUR
    rows = {r[0]: r[1:] for r in warehouse.rows(
        "select market_id, market_status, history_status, trade_count, volume_ratio "
        "from marts.market_completeness where source = 'polymarket'")}
    closed = 0
    for i in range(world.market_count(final)):
        cid = world.condition_id(i)
        if not world.is_closed(i, final):
            continue
        closed += 1
        status, history, count, _ratio = rows[cid.lower()]
        beyond = world.v2_trade_totals(cid, NOW, min_size=MIN_SIZE, window=False)[0] \
            > world.v2_trade_totals(cid, NOW, min_size=MIN_SIZE)[0]
        assert history == ("out_of_api_reach" if beyond else "no_open_gaps"), cid
        if not beyond:
            assert count == len(world.v2_trades(cid, final, min_size=MIN_SIZE)), cid
    assert closed


CHILD = textwrap.dedent(
    """
    from datetime import datetime
    from tests.support.airflow_runs import get_dag
    get_dag("backfill_polymarket").test(logical_date=datetime.fromisoformat({now!r}))
    """
)


def history_pages(warehouse) -> int:
    return warehouse.value("select count(*) from landing.raw_api_responses where source = 'polymarket' "
                           "and endpoint = '/v2/trades' and status_code = 200")


def test_a_full_sync_killed_three_times_lands_the_same_history(flow, sim, warehouse):
    # Combo fills arrive with the feed only, as deep as its last page reaches past the stop.
    combos = set(sim.polymarket.combo_condition_ids())
    expected_trades = {cid: set(keys) for cid, keys in trades_by_market(warehouse).items() if cid not in combos}
    expected_resolutions = landed_resolutions(warehouse)
    warehouse.truncate_landing()
    os.environ["AIRFLOW_VAR_POLYMARKET_SETTINGS"] = json.dumps({**SETTINGS, "trades_page_size": 200})
    sim.add_fault(kind="slow", delay=0.02, service="polymarket/data", path="/v2/trades", times=None)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    try:
        for kill in range(3):
            target = history_pages(warehouse) + random.randint(2, 40)
            child = subprocess.Popen([sys.executable, "-c", CHILD.format(now=NOW.isoformat())], env=env,
                                     start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 300
            while history_pages(warehouse) < target and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        sim.clear_faults()
        run_dag("backfill_polymarket", NOW)
        for hours in (1, 2):
            sim.set_now(NOW + hours * HOUR)
            run_dag("extract_polymarket", NOW + hours * HOUR)
    finally:
        sim.clear_faults()
        sim.set_now(NOW)
        os.environ.pop("AIRFLOW_VAR_POLYMARKET_SETTINGS", None)
    again = {cid: set(keys) for cid, keys in trades_by_market(warehouse).items() if cid not in combos}
    differing = {cid: (len(again.get(cid, ())), len(expected_trades.get(cid, ())),
                       len(again.get(cid, set()) - expected_trades.get(cid, set())),
                       len(expected_trades.get(cid, set()) - again.get(cid, set())))
                 for cid in set(again) | set(expected_trades) if again.get(cid) != expected_trades.get(cid)}
    assert not differing, differing
    assert landed_resolutions(warehouse) == expected_resolutions
    # No run is left `running` by the killed processes once the next one started.
    assert warehouse.value("select count(*) from landing.ingestion_runs where outcome = 'running'") == 0
