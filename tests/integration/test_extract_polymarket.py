"""extract_polymarket end to end: dag.test() against the simulator and the real Postgres.

The simulator's clock is frozen at NOW; the first run extracts [NOW-1h, NOW), the rerun the
same interval, the next run [NOW, NOW+1h) after the clock moved an hour on. Expectations come
from the simulator's request log and its own data, never from the SQL under test.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

import pytest

from prediction_markets.adapters.polymarket.data_api import trade_keys
from tests.support.airflow_runs import run_dag
from tests.support.landing import assert_every_served_page_is_landed, landed, served
from tests.support.sim import NOW, point_connections_at, running_simulator

pytestmark = pytest.mark.slow
HOUR = timedelta(hours=1)
PAGE, CEILING, OVERLAP, GRACE = 500, 3000, 300, 3600


@pytest.fixture(scope="module")
def sim(airflow_db, warehouse):
    warehouse.truncate_landing()
    # A short epoch around NOW keeps every hour busy with fills.
    with running_simulator(polymarket_markets=14, polymarket_trades=80000,
                           epoch_start="2026-10-20T00:00:00Z", epoch_end="2027-01-01T00:00:00Z") as server:
        point_connections_at(server)
        yield server


def trades_by_market(rows):
    out: dict[str, list[str]] = {}
    for _m, _u, _b, status, response, resource, scope, _n in rows:
        if resource == "trades" and status == 200:
            out.setdefault(scope, []).extend(trade_keys(response))
    return out


def truth_keys(world, condition_id, now, newest=PAGE + CEILING):
    return trade_keys(world.trades(condition_id, now)[:newest])


@pytest.fixture(scope="module")
def first_run(sim, warehouse):
    since = sim.requests()[-1]["seq"] if sim.requests() else 0
    run = run_dag("extract_polymarket", NOW)
    return run, (since, sim.requests()[-1]["seq"]), landed(warehouse, run.run_id)


def test_every_served_response_is_landed(first_run, sim):
    run, window, rows = first_run
    assert run.data_interval_start == NOW - HOUR and run.data_interval_end == NOW
    assert rows and {r[5] for r in rows} == {"events", "markets", "trades", "prices", "orderbooks"}
    assert_every_served_page_is_landed(sim, *window, rows=rows)


def test_markets_and_events_match_the_venue(first_run, sim):
    _, _, rows = first_run
    world = sim.polymarket
    landed_markets = {m["conditionId"] for _m, _u, _b, st, resp, res, *_ in rows if res == "markets" and st == 200
                      for m in (resp["markets"] if isinstance(resp, dict) else resp)}
    assert landed_markets == {m["conditionId"] for m in world.markets(NOW)}
    landed_events = {e["id"] for _m, _u, _b, st, resp, res, *_ in rows if res == "events" and st == 200 for e in resp}
    assert landed_events == {e["id"] for e in world.events(NOW, closed=False)}


def test_first_sync_lands_each_live_market_trades_as_deep_as_the_api_allows(first_run, sim, warehouse):
    _, _, rows = first_run
    world = sim.polymarket
    walked = trades_by_market(rows)
    start = (NOW - HOUR).timestamp()
    traded_in_interval = {m["conditionId"] for m in world.markets(NOW)
                          if any(start <= t["timestamp"] < NOW.timestamp() for t in world.trades(m["conditionId"], NOW))}
    assert traded_in_interval and traded_in_interval <= set(walked)
    for cid, keys in walked.items():
        assert Counter(keys) == Counter(truth_keys(world, cid, NOW)), cid
    # Markets closed long before the interval are not walked again.
    for m in world.markets(NOW, closed=True):
        closed_at = world.lifecycle(world.index_of_condition_id(m["conditionId"]))["close"]
        if closed_at < start - GRACE - 86400:
            assert m["conditionId"] not in walked
    deep = [cid for cid in walked if world.trade_count(cid, NOW) > PAGE + CEILING]
    assert deep, "the test world must hold a market deeper than the offset ceiling"
    warnings = warehouse.value("select array_agg(w) from landing.ingestion_runs, unnest(warnings) w")
    assert any("offset ceiling" in w for w in warnings)


def test_prices_and_books_match_the_venue(first_run, sim):
    _, _, rows = first_run
    world = sim.polymarket
    points = Counter()
    for _m, url, _b, status, response, resource, scope, _n in rows:
        if resource == "prices" and status == 200:
            points[scope] += len(response["history"])
    assert points
    for token, count in points.items():
        windows = [(int(u.split("startTs=")[1].split("&")[0]), int(u.split("endTs=")[1].split("&")[0]))
                   for _m, u, _b, st, _r, res, sc, _n in rows if res == "prices" and sc == token]
        assert count == sum(len(world.price_history(token, a, b, 1, NOW)) for a, b in windows)
    books = [b for _m, _u, _b, st, resp, res, *_ in rows if res == "orderbooks" and st == 200 for b in resp]
    walked_open = {cid for cid in trades_by_market(rows)
                   if not world.is_closed(world.index_of_condition_id(cid), NOW)}
    expected_tokens = {t for cid in walked_open for t in world.token_ids(world.index_of_condition_id(cid))}
    assert {b["asset_id"] for b in books} == expected_tokens
    assert all(b == world.book(b["asset_id"], NOW) for b in books)


def test_ingestion_runs_record_every_task(first_run, warehouse):
    run, _, rows = first_run
    runs = warehouse.rows("select task_id, outcome, pages, records, bytes from landing.ingestion_runs where run_id = %s",
                          (run.run_id,))
    assert {r[0] for r in runs} == {"extract_reference", "extract_trades", "extract_prices", "extract_orderbooks"}
    assert all(r[1] == "success" for r in runs)
    assert sum(r[2] for r in runs) == sum(1 for r in rows if r[3] == 200)
    assert sum(r[3] for r in runs) == sum(r[7] or 0 for r in rows)


def state(warehouse):
    return {(r[0], r[1]): r[2] for r in warehouse.rows(
        "select resource, scope, high_water_mark from landing.sync_state where cursor is null")}


@pytest.fixture(scope="module")
def rerun(first_run, sim, warehouse):
    before = state(warehouse)
    since = sim.requests()[-1]["seq"]
    run = run_dag("extract_polymarket", NOW)
    return before, since, run


def test_rerun_of_the_interval_adds_nothing_new_and_keeps_checkpoints(first_run, rerun, sim, warehouse):
    _, _, first_rows = first_run
    before, since, run = rerun
    rows = landed(warehouse, run.run_id)
    assert_every_served_page_is_landed(sim, since, rows=rows)
    again = trades_by_market(rows)
    first = trades_by_market(first_rows)
    assert set(again) == set(first)
    for cid, keys in again.items():
        assert set(keys) <= set(first[cid])  # nothing downstream-visible is new
    after = state(warehouse)
    for key, hwm in before.items():
        if hwm is not None:
            assert after[key] == hwm  # same data: the checkpoint neither moved back nor on


@pytest.fixture(scope="module")
def next_interval(rerun, sim, warehouse):
    before = state(warehouse)
    sim.set_now(NOW + HOUR)
    since = sim.requests()[-1]["seq"]
    run = run_dag("extract_polymarket", NOW + HOUR)
    yield before, since, run
    sim.set_now(NOW)


def test_next_interval_fetches_only_what_is_new(next_interval, sim, warehouse):
    before, since, run = next_interval
    world = sim.polymarket
    later = NOW + HOUR
    rows = landed(warehouse, run.run_id)
    assert_every_served_page_is_landed(sim, since, rows=rows)
    trade_requests = [r for r in served(sim, since) if r["path"] == "/trades"]
    checked = single_page = 0
    for cid, keys in trades_by_market(rows).items():
        if ("trades", cid) not in before:
            continue  # a market that became live this hour: first sync
        checked += 1
        new = [t for t in world.trades(cid, later) if t["timestamp"] >= NOW.timestamp() - OVERLAP]
        assert set(trade_keys(new)) <= set(keys)
        pages = [r for r in trade_requests if r["query"]["market"] == [cid]]
        if len(new) < PAGE:
            # One page holds the hour's fills: the walk stopped at the checkpoint.
            assert [p["query"]["offset"] for p in pages] == [["0"]]
            single_page += 1
    assert checked and single_page
    synced_tokens = {scope for resource, scope in before if resource == "prices"}
    price_requests = [r for r in served(sim, since) if r["path"] == "/prices-history"
                      and r["query"]["market"][0] in synced_tokens]
    assert price_requests
    assert {r["query"]["startTs"][0] for r in price_requests} == {str(int(NOW.timestamp()))}
    after = state(warehouse)
    assert all(after[k] >= v for k, v in before.items() if v is not None and k in after)


def test_manual_run_without_logical_date_lands_up_to_when_it_was_triggered(next_interval, sim, warehouse):
    """Airflow 3 triggers manual runs without a data interval (UI, CLI, REST by default): the
    run covers the last complete hour up to its trigger time, so fills after the last
    scheduled interval are landed too."""
    from tests.support.airflow_runs import get_dag

    triggered = NOW + HOUR + timedelta(minutes=25)
    sim.set_now(triggered)
    try:
        since = sim.requests()[-1]["seq"]
        run = get_dag("extract_polymarket").test(logical_date=None, run_after=triggered)
    finally:
        sim.set_now(NOW)
    assert run.state == "success" and run.data_interval_start is None
    rows = landed(warehouse, run.run_id)
    assert_every_served_page_is_landed(sim, since, rows=rows)
    intervals = set(warehouse.rows(
        "select distinct data_interval_start, data_interval_end from landing.raw_api_responses where run_id = %s",
        (run.run_id,)))
    assert intervals == {(NOW, triggered)}
    world = sim.polymarket
    after_schedule = {cid: [t for t in world.trades(cid, triggered) if t["timestamp"] >= (NOW + HOUR).timestamp()]
                      for cid in trades_by_market(rows)}
    walked = trades_by_market(rows)
    assert any(after_schedule.values())
    for cid, fills in after_schedule.items():
        assert set(trade_keys(fills)) <= set(walked[cid])
