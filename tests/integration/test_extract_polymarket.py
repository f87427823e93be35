"""extract_polymarket end to end: dag.test() against the simulator (2026 routes: v1 /trades
retired, Protocol V2 markets listed) and the real Postgres.

The simulator's clock is frozen at NOW; the first run extracts [NOW-1h, NOW), the rerun the
same interval, the next run [NOW, NOW+1h) at a clock a few minutes past its end, so page 1 of
the feed is served stale by the CDN. Expectations come from the simulator's request log and
its own ground truth, never from the SQL under test.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from prediction_markets.adapters.polymarket.data_api import trade_keys
from tests.support.airflow_runs import run_dag
from tests.support.landing import assert_every_served_page_is_landed, landed, served
from tests.support.sim import NOW, point_connections_at, running_simulator

pytestmark = pytest.mark.slow
HOUR = timedelta(hours=1)
MIN_SIZE = 1e-6  # the adapter asks for dust fills too
# Routes the platform must never call: retired (v1 trades) or on their way out (offset lists).
RETIRED = {("polymarket/data", "/trades"), ("polymarket/gamma", "/markets"), ("polymarket/gamma", "/events"),
           ("polymarket/clob", "/prices-history")}


@pytest.fixture(scope="module")
def sim(airflow_db, warehouse):
    warehouse.truncate_landing()
    # A short epoch around NOW keeps every hour busy with fills; markets created after the
    # Protocol V2 switchover (2026-11-02) are partly v2.
    with running_simulator(polymarket_markets=16, polymarket_trades=80000,
                           epoch_start="2026-10-20T00:00:00Z", epoch_end="2027-01-01T00:00:00Z") as server:
        point_connections_at(server)
        yield server


def feed_keys(rows):
    """Trade keys of every /v2/trades page landed (taker rows), with the page's scope."""
    out = {}
    for _m, url, _b, status, response, resource, scope, _n in rows:
        if resource == "trades" and status == 200 and isinstance(response, dict):
            out.setdefault(scope, []).extend(trade_keys(response["data"]))
    return out


def truth_since(world, since_ts, now):
    """Every taker row of every market (and combo) the venue holds from `since_ts` on, at `now`."""
    rows = [r for r in world.v2_global_trades(now, min_size=MIN_SIZE) if r["timestamp"] >= since_ts]
    return set(trade_keys(rows))


@pytest.fixture(scope="module")
def first_run(sim, warehouse):
    since = sim.requests()[-1]["seq"] if sim.requests() else 0
    run = run_dag("extract_polymarket", NOW)
    return run, (since, sim.requests()[-1]["seq"]), landed(warehouse, run.run_id)


def test_every_served_response_is_landed_and_no_retired_route_is_called(first_run, sim):
    run, window, rows = first_run
    assert run.data_interval_start == NOW - HOUR and run.data_interval_end == NOW
    assert {r[5] for r in rows} == {"events", "markets", "resolutions", "status", "trades", "prices", "orderbooks"}
    assert_every_served_page_is_landed(sim, *window, rows=rows)
    called = {(r["service"], r["path"]) for r in served(sim, window[0])}
    assert not called & RETIRED, called & RETIRED


def test_markets_and_events_match_the_venue(first_run, sim, warehouse):
    _, _, rows = first_run
    world = sim.polymarket
    landed_markets = {m["conditionId"] for _m, _u, _b, st, resp, res, *_ in rows if res == "markets" and st == 200
                      for m in resp["markets"]}
    assert landed_markets == {m["conditionId"] for m in world.markets(NOW)}
    landed_events = {e["id"] for _m, _u, _b, st, resp, res, *_ in rows if res == "events" and st == 200
                     for e in resp["events"]}
    assert landed_events == {e["id"] for e in world.events(NOW, closed=False)}


def test_outcome_ids_follow_each_markets_protocol_version(first_run, sim, warehouse):
    world = sim.polymarket
    catalog = dict(warehouse.rows("select market_id, keys from landing.market_catalog where source = 'polymarket'"))
    v2 = [m for m in world.markets(NOW) if m.get("version") == "v2"]
    assert v2, "the test world must list Protocol V2 markets"
    for market in world.markets(NOW):
        keys = catalog[market["conditionId"]]
        if market.get("version") == "v2":
            assert keys["token_ids"] == market["positionIds"] and keys["id_protocol"] == "position_manager"
        else:
            assert keys["token_ids"] == json.loads(market["clobTokenIds"]) and keys["id_protocol"] == "ctf"


def test_the_feed_lands_every_trade_of_the_interval_with_no_request_per_market(first_run, sim):
    run, window, rows = first_run
    world = sim.polymarket
    walked = feed_keys(rows)
    assert set(walked) == {"feed"}  # one walk covers every market
    truth = truth_since(world, (NOW - HOUR).timestamp(), NOW)
    assert truth and truth <= set(walked["feed"])
    trade_requests = [r for r in served(sim, window[0], window[1]) if r["path"] == "/v2/trades"]
    assert all("condition" not in r["query"] for r in trade_requests)
    assert len(trade_requests) == sum(1 for r in rows if r[5] == "trades")
    # Filters go with every cursor: a cursor alone would continue the global feed.
    for r in trade_requests:
        assert r["query"]["taker_only"] == ["true"] and r["query"]["filter_amount"] == ["0.000001"]


def test_books_and_prices_are_asked_with_the_selected_ids(first_run, sim, warehouse):
    _, window, rows = first_run
    world = sim.polymarket
    catalog = dict(warehouse.rows("select market_id, keys from landing.market_catalog where source = 'polymarket'"))
    books = [b for _m, _u, _b, st, resp, res, *_ in rows if res == "orderbooks" and st == 200 for b in resp]
    asked = {t["token_id"] for r in served(sim, *window) if r["path"] == "/books" for t in r["body"]}
    v2_ids = {t for k in catalog.values() if k["id_protocol"] == "position_manager" for t in k["token_ids"]}
    assert asked & v2_ids and books and {b["asset_id"] for b in books} <= asked
    assert all(b == world.book(b["asset_id"], NOW) for b in books)
    priced = {r["query"]["token_id"][0] for r in served(sim, *window) if r["path"] == "/v2/prices-history"}
    assert priced & v2_ids and priced <= {t for k in catalog.values() for t in k["token_ids"]}
    for _m, url, _b, st, resp, res, scope, _n in rows:
        if res == "prices" and st == 200:
            query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
            expected = world.price_points(scope, NOW, start=int(query["start"]), end=int(query["end"]),
                                          bucket_seconds=int(query["bucket_seconds"]))
            assert resp["data"] == expected[: len(resp["data"])] and len(resp["data"]) == len(expected)


def test_resolutions_are_asked_for_closed_markets_20_at_a_time(first_run, sim, warehouse):
    _, window, rows = first_run
    world = sim.polymarket
    closed = {m["conditionId"] for m in world.markets(NOW, closed=True)}
    asked = [r["query"]["condition"][0].split(",") for r in served(sim, *window) if r["path"] == "/v2/resolutions"]
    assert closed and {c for batch in asked for c in batch} == closed and all(len(b) <= 20 for b in asked)
    landed_rows = {r["condition_id"]: r for _m, _u, _b, st, resp, res, *_ in rows if res == "resolutions"
                   and st == 200 for r in resp["data"]}
    for i in range(world.market_count(NOW)):
        truth = world.resolution(i, NOW)
        if truth and truth["condition_id"] in closed:
            assert landed_rows[truth["condition_id"]] == truth
    states = dict(warehouse.rows("select scope, state from landing.sync_state where resource = 'resolutions'"))
    assert set(states) == closed and any(s["final"] for s in states.values())


def test_ingestion_runs_record_every_task(first_run, warehouse):
    run, _, rows = first_run
    runs = warehouse.rows("select task_id, outcome, pages, records, counters from landing.ingestion_runs "
                          "where run_id = %s", (run.run_id,))
    assert {r[0] for r in runs} == {"extract_reference", "extract_trades", "extract_trade_fills", "extract_prices",
                                    "extract_orderbooks"}
    assert all(r[1] == "success" for r in runs)
    assert sum(r[2] for r in runs) == sum(1 for r in rows if r[3] == 200)


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
    assert set(feed_keys(rows)["feed"]) <= set(feed_keys(first_rows)["feed"])  # nothing new downstream
    after = state(warehouse)
    for key, hwm in before.items():
        if hwm is not None:
            assert after[key] == hwm  # same data: the checkpoint neither moved back nor on


@pytest.fixture(scope="module")
def next_interval(rerun, sim, warehouse):
    before = state(warehouse)
    # Four minutes past the interval: page 1 of the feed comes from the CDN, as of NOW + 1h.
    later = NOW + HOUR + timedelta(minutes=4)
    sim.set_now(later)
    since = sim.requests()[-1]["seq"]
    run = run_dag("extract_polymarket", NOW + HOUR)
    yield before, since, run, later
    sim.set_now(NOW)


def test_next_interval_loses_nothing_behind_a_stale_first_page(first_run, next_interval, sim, warehouse):
    before, since, run, later = next_interval
    world = sim.polymarket
    rows = landed(warehouse, run.run_id)
    assert_every_served_page_is_landed(sim, since, rows=rows)
    first_page = next(r for r in served(sim, since) if r["path"] == "/v2/trades" and "cursor" not in r["query"])
    assert first_page  # its rows are as of the CDN's fill, up to five minutes old
    walked = set(feed_keys(rows)["feed"])
    # Every trade from the previous checkpoint on is landed, up to what the stale page showed.
    newest = max(r["timestamp"] for _m, _u, _b, st, resp, res, *_ in rows if res == "trades" and st == 200
                 for r in resp["data"])
    expected = {k for k, r in zip(trade_keys(world.v2_global_trades(later, min_size=MIN_SIZE)),
                                  world.v2_global_trades(later, min_size=MIN_SIZE))
                if NOW.timestamp() <= r["timestamp"] <= newest}
    assert expected <= walked
    # Across the two hours, nothing between the first interval's start and the newest fill seen is missing.
    all_walked = walked | set(feed_keys(first_run[2])["feed"])
    assert truth_since(world, (NOW - HOUR).timestamp(), later) - all_walked <= {
        k for k, r in zip(trade_keys(world.v2_global_trades(later, min_size=MIN_SIZE)),
                          world.v2_global_trades(later, min_size=MIN_SIZE)) if r["timestamp"] > newest}
    after = state(warehouse)
    assert after[("trades", "feed")] >= before[("trades", "feed")]


def test_manual_run_without_logical_date_lands_up_to_when_it_was_triggered(next_interval, sim, warehouse):
    """Airflow 3 triggers manual runs without a data interval (UI, CLI, REST by default): the
    run covers the last complete hour up to its trigger time."""
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
    walked = set(feed_keys(rows)["feed"])
    world = sim.polymarket
    newest = max(r["timestamp"] for _m, _u, _b, st, resp, res, *_ in rows if res == "trades" and st == 200
                 for r in resp["data"])
    after_schedule = {k for k, r in zip(trade_keys(world.v2_global_trades(triggered, min_size=MIN_SIZE)),
                                        world.v2_global_trades(triggered, min_size=MIN_SIZE))
                      if (NOW + HOUR).timestamp() <= r["timestamp"] <= newest}
    assert after_schedule and after_schedule <= walked
