"""The page loop under hostile bodies and broken connections, against the simulator and Postgres:
every page is landed, the bad entity is skipped and counted, later pages go on, a lost
connection is replaced, a dead run is closed as abandoned."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from prediction_markets.adapters import get_adapter
from prediction_markets.adapters.base import Interval, RunContext
from prediction_markets.hooks.venue_http import VenueHttpHook
from prediction_markets.landing.reader import LandingReader
from prediction_markets.landing.writer import LandingWriter, RunInfo
from prediction_markets.operators.walk import Extraction
from tests.support.sim import NOW, point_connection_at, point_connections_at, running_simulator

INTERVAL = Interval(NOW - timedelta(hours=1), NOW)
GAMMA = ("polymarket_gamma",)


@pytest.fixture(scope="module")
def sim():
    with running_simulator(polymarket_markets=30, polymarket_trades=3000) as server:
        yield server


@pytest.fixture
def venue(sim, landing):
    sim.clear_faults()
    point_connections_at(sim)
    return sim


def extract(wh, resources, settings=None, run_id="t", try_number=1, writer_conn=None):
    adapter = get_adapter("polymarket", {"markets_page_size": 10, **(settings or {})})
    hooks = {c: VenueHttpHook(c, rate_rules=adapter.rate_rules(c)) for c in GAMMA}
    reader = LandingReader(wh.db.connect(), "polymarket")
    writer = LandingWriter(writer_conn or wh.db.connect(), RunInfo("polymarket", resources, INTERVAL, "d", "t", run_id,
                                                                 None, try_number), connect=wh.db.connect)
    writer.start_run()
    ctx = RunContext(INTERVAL, datetime.now(timezone.utc), adapter.settings, catalog=reader)
    totals = Extraction(adapter, ctx, hooks, writer, reader, progress_interval_s=0).run(resources)
    writer.finish_run({"scopes": totals.scopes, "scopes_failed": totals.scopes_failed, "pages": totals.pages,
                       "error_responses": totals.error_responses, "records": totals.records, "retries": 0,
                       "rate_limit_waits": 0, "rate_limit_wait_s": 0, "bytes": 0, "counters": totals.counters},
                      "success" if not totals.scopes_failed else "partial", totals.warnings)
    return totals, writer


def keyset_body(sim, markets, cursor=None):
    body = {"markets": markets}
    if cursor:
        body["next_cursor"] = cursor
    return body


def open_markets(sim):
    return sim.polymarket.markets(NOW, closed=False)


def test_a_value_nested_a_thousand_levels_deep_costs_only_itself(venue, landing):
    markets = open_markets(venue)[:3]
    deep = "[" * 1200 + '"bottom"' + "]" * 1200
    text = json.dumps(keyset_body(venue, markets))
    text = text.replace(json.dumps(markets[1]["description"]), deep, 1)
    venue.add_fault(kind="status", status=200, body=text, content_type="application/json",
                    service="polymarket/gamma", path="/markets/keyset", query={"closed": "false"}, times=1)
    totals, _ = extract(landing, ["markets"])
    assert totals.scopes_failed == 0 and totals.counters.get("pages_sanitized") == 1
    (response, raw, sanitized), = landing.rows(
        "select response, response_text, is_sanitized from landing.raw_api_responses "
        "where request_params->>'closed' = 'false' and is_sanitized")
    assert sanitized and raw == text  # the exact body is kept
    assert [m["conditionId"] for m in response["markets"]] == [m["conditionId"] for m in markets]
    inner = response["markets"][1]["description"]
    while isinstance(inner, list):
        inner = inner[0]
    assert inner.startswith("<nested deeper than")
    assert landing.value("select count(*) from landing.market_catalog where market_id = %s",
                         (markets[1]["conditionId"],)) == 1


def test_a_nul_inside_an_id_skips_that_market_and_keeps_every_later_page(venue, landing):
    markets = open_markets(venue)[:3]
    poisoned = dict(markets[0], conditionId=markets[0]["conditionId"][:10] + "\u0000" + markets[0]["conditionId"][10:])
    venue.add_fault(kind="status", status=200, body=keyset_body(venue, [poisoned] + markets[1:], "NEXT-IS-BAD"),
                    service="polymarket/gamma", path="/markets/keyset", query={"closed": "false"}, times=1)
    totals, _ = extract(landing, ["markets"])
    assert totals.counters["catalog_entries_skipped"] == 1
    first = landing.rows("select response, response_text, is_sanitized, error from landing.raw_api_responses "
                         "where request_params->>'closed' = 'false' order by landing_id limit 1")[0]
    assert first[2] and "\\u0000" in first[1] and len(first[0]["markets"]) == 3
    # Its cursor came back with the page: the walk went on to the next page, which the venue refused.
    nxt = landing.rows("select request_params->>'after_cursor', status_code from landing.raw_api_responses "
                       "where request_params->>'closed' = 'false' order by landing_id")
    assert nxt[1][0] == "NEXT-IS-BAD" and nxt[1][1] == 400
    assert landing.value("select count(*) from landing.market_catalog where market_id like '%%' || chr(65533) || '%%'") == 0
    assert {m["conditionId"] for m in markets[1:]} <= {r[0] for r in landing.rows("select market_id from landing.market_catalog")}
    assert totals.scopes_failed == 1  # the refused cursor, not the NUL, stopped the open walk


def test_an_oversized_body_is_landed_as_an_error_not_held(venue, landing):
    point_connection_at("polymarket_gamma", venue.url("polymarket/gamma"), {"max_body_bytes": 4096})
    totals, _ = extract(landing, ["markets"])
    rows = landing.rows("select status_code, response, length(response_text), error from landing.raw_api_responses "
                        "where resource = 'markets'")
    assert rows and all(r[1] is None and r[2] <= 65536 and "larger than 4096 bytes" in r[3] for r in rows)
    assert len(rows) == totals.scopes == totals.scopes_failed  # refused once, not retried


def test_an_adapter_exception_becomes_a_landed_shape_error(venue, landing, monkeypatch):
    from prediction_markets.adapters.polymarket.gamma import MarketsResource

    def broken(self, *args):
        raise KeyError("surprise")

    monkeypatch.setattr(MarketsResource, "advance", broken)
    totals, _ = extract(landing, ["markets"])
    rows = landing.rows("select status_code, response is not null, error from landing.raw_api_responses")
    assert len(rows) == 2 and totals.scopes_failed == 2
    assert all(r[0] == 200 and r[1] and "adapter error KeyError" in r[2] for r in rows)


def test_a_cursor_failing_run_after_run_is_abandoned_for_a_fresh_walk(venue, landing):
    # The open listing's second page fails, run after run; each run resumes at that cursor.
    venue.add_fault(kind="status", status=500, service="polymarket/gamma", path="/markets/keyset",
                    query={"closed": "false"}, after=1, times=None)
    for run in range(3):
        totals, _ = extract(landing, ["markets"], run_id=f"fail-{run}")
        assert totals.scopes_failed == 1
    state = landing.rows("select failed_runs, last_error, cursor from landing.sync_state "
                         "where resource = 'markets' and scope = 'open'")[0]
    assert state[0] == 3 and "HTTP 500" in state[1] and dict(state[2]["next"]["params"]).get("after_cursor")
    venue.clear_faults()
    seq = venue.requests()[-1]["seq"]
    totals, _ = extract(landing, ["markets"], run_id="recover")
    assert totals.scopes_failed == 0 and totals.counters["cursors_abandoned"] == 1
    assert any("abandoned the stored cursor" in w for w in totals.warnings)
    first = next(r for r in venue.requests(since=seq) if r["query"].get("closed") == ["false"])
    assert "after_cursor" not in first["query"]  # a fresh walk, not the cursor that kept failing
    assert landing.value("select failed_runs from landing.sync_state where resource = 'markets' and scope = 'open'") == 0


def test_a_terminated_writer_connection_is_replaced_and_no_page_is_lost(venue, landing):
    venue.add_fault(kind="slow", delay=0.3, service="polymarket/gamma", path="/markets/keyset", times=None)
    seq = venue.requests()[-1]["seq"] if venue.requests() else 0
    conn = landing.db.connect()
    pid = conn.info.backend_pid
    killed = []

    def kill_after_first_page():
        watcher = landing.db.connect()
        watcher.autocommit = True
        while not watcher.execute("select count(*) from landing.raw_api_responses").fetchone()[0]:
            time.sleep(0.01)
        killed.append(watcher.execute("select pg_terminate_backend(%s)", (pid,)).fetchone()[0])
        watcher.close()

    killer = threading.Thread(target=kill_after_first_page)
    killer.start()
    totals, writer = extract(landing, ["markets"], writer_conn=conn)
    killer.join()
    assert killed == [True]
    assert writer.reconnects >= 1 and totals.scopes_failed == 0
    served = [r for r in venue.requests(since=seq) if r["path"] == "/markets/keyset"]
    assert landing.value("select count(*) from landing.raw_api_responses where resource = 'markets'") == len(served)
    assert landing.value("select count(distinct market_id) from landing.market_catalog") == len(venue.polymarket.markets(NOW))


def test_a_run_whose_process_died_is_closed_as_abandoned(venue, landing):
    dead = LandingWriter(landing.db.connect(), RunInfo("polymarket", ["markets"], INTERVAL, "d", "t", "r", None, 1))
    dead_id = dead.start_run()  # never finished: its process was killed
    extract(landing, ["markets"], run_id="r", try_number=2)  # the retry of the same task
    outcome, finished = landing.rows("select outcome, finished_at from landing.ingestion_runs "
                                     "where ingestion_run_id = %s", (dead_id,))[0]
    assert outcome == "abandoned" and finished is not None
    assert landing.value("select count(*) from landing.ingestion_runs where outcome = 'running'") == 0
    # The same task of an earlier DAG run (the DAGs run one DAG run at a time): over, too.
    earlier = LandingWriter(landing.db.connect(), RunInfo("polymarket", ["markets"], INTERVAL, "d", "t", "r0", None, 1))
    earlier_id = earlier.start_run()
    extract(landing, ["markets"], run_id="r1")
    assert landing.value("select outcome from landing.ingestion_runs where ingestion_run_id = %s",
                         (earlier_id,)) == "abandoned"


def test_progress_is_recorded_while_a_task_runs(venue, landing):
    totals, writer = extract(landing, ["markets"])
    progress, heartbeat = landing.rows("select progress, heartbeat_at from landing.ingestion_runs "
                                       "where ingestion_run_id = %s", (writer.ingestion_run_id,))[0]
    assert progress["pages"] == totals.pages and progress["scopes_done"] == progress["scopes_total"] == 2
    assert progress["records"] == totals.records and heartbeat is not None


def test_a_market_holding_an_open_gap_stays_planned_until_filled(venue, landing):
    extract(landing, ["markets"])
    world = venue.polymarket
    reader = LandingReader(landing.db.connect(), "polymarket")
    closed_long_ago = [m for m in world.markets(NOW, closed=True)
                       if world.lifecycle(world.index_of_condition_id(m["conditionId"]))["close"]
                       < (INTERVAL.start - timedelta(days=2)).timestamp()]
    assert closed_long_ago, "the test world must hold a market closed long before the interval"
    market = closed_long_ago[0]["conditionId"]
    token = json.loads(closed_long_ago[0]["clobTokenIds"])[0]
    assert market not in {e.market_id for e in reader.live_markets(INTERVAL, 3600)}
    close = datetime.fromtimestamp(world.lifecycle(world.index_of_condition_id(market))["close"], tz=timezone.utc)
    landing.execute("insert into landing.sync_gaps (source, resource, scope, market_id, gap_from, gap_to, reason) "
                    "values ('polymarket', 'prices', %s, %s, %s, %s, 'test')",
                    (token, market, close - timedelta(days=3), close - timedelta(days=1)))
    items = reader.live_markets(INTERVAL, 3600)
    assert market in {e.market_id for e in items}  # kept in the batches while its gap is open
    assert reader.count_live_markets(INTERVAL, 3600) == len(items)

    # A failing gap walk is counted on the gap, which stays open ...
    venue.add_fault(kind="status", status=500, service="polymarket/data", path="/v2/prices-history",
                    query={"token_id": token}, times=None)
    adapter = get_adapter("polymarket")
    hooks = {"polymarket_data": VenueHttpHook("polymarket_data", rate_rules=())}
    writer = LandingWriter(landing.db.connect(), RunInfo("polymarket", ["prices"], INTERVAL, run_id="g"))
    ctx = RunContext(INTERVAL, datetime.now(timezone.utc), adapter.settings, catalog=reader,
                     items=[e for e in items if e.market_id == market])
    Extraction(adapter, ctx, hooks, writer, reader, progress_interval_s=60).run(["prices"])
    attempts, error, closed = landing.rows("select attempts, last_error, closed_at from landing.sync_gaps")[0]
    assert attempts == 1 and "HTTP 500" in error and closed is None
    # ... and the next run fills and closes it; the market then leaves the batches.
    venue.clear_faults()
    Extraction(adapter, ctx, hooks, writer, reader, progress_interval_s=60).run(["prices"])
    assert landing.value("select closed_at is not null from landing.sync_gaps")
    assert market not in {e.market_id for e in reader.live_markets(INTERVAL, 3600)}
