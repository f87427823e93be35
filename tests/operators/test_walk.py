"""The page loop against the simulator and Postgres: failures are landed with their reason,
the failed walk keeps its cursor, and the next run resumes it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from prediction_markets.adapters import get_adapter
from prediction_markets.adapters.base import Interval, RunContext
from prediction_markets.adapters.polymarket.data_api import trade_keys
from prediction_markets.hooks.venue_http import VenueHttpHook
from prediction_markets.landing.reader import LandingReader
from prediction_markets.landing.writer import LandingWriter, RunInfo
from prediction_markets.operators.walk import Extraction
from tests.support.sim import NOW, point_connections_at, running_simulator

INTERVAL = Interval(NOW - timedelta(hours=1), NOW)
CONNS = ("polymarket_gamma", "polymarket_clob", "polymarket_data")


@pytest.fixture(scope="module")
def sim():
    with running_simulator(polymarket_markets=10, polymarket_trades=60000,
                           epoch_start="2026-10-20T00:00:00Z", epoch_end="2027-01-01T00:00:00Z") as server:
        yield server


@pytest.fixture
def venue(sim, landing):
    sim.clear_faults()
    point_connections_at(sim)
    return sim


def extract(wh, resources, settings=None, items_from_catalog=False):
    adapter = get_adapter("polymarket", settings)
    hooks = {c: VenueHttpHook(c, rate_rules=adapter.rate_rules(c)) for c in CONNS}
    reader = LandingReader(wh.db.connect(), "polymarket")
    writer = LandingWriter(wh.db.connect(), RunInfo("polymarket", resources, INTERVAL, run_id="t"))
    writer.start_run()
    ctx = RunContext(INTERVAL, datetime.now(timezone.utc), adapter.settings, catalog=reader)
    if items_from_catalog:
        ctx.items = reader.live_markets(INTERVAL, 3600)
    return Extraction(adapter, ctx, hooks, writer, reader).run(resources)


def test_failed_page_is_landed_and_its_walk_resumes_there(venue, landing):
    extract(landing, ["markets"])
    world = venue.polymarket
    markets = sorted(m["conditionId"] for m in world.markets(NOW))
    # The second page of the first condition walk fails on every attempt.
    venue.add_fault(kind="status", status=500, service="polymarket/data", path="/v2/trades",
                    query={"condition": ",".join(markets[:20])}, after=1, times=None)
    totals = extract(landing, ["trades_history"], items_from_catalog=True)
    assert totals.scopes_failed == 1
    failed = landing.rows(
        "select status_code, attempt, error from landing.raw_api_responses "
        "where resource = 'trades' and status_code = 500 order by attempt")
    assert [r[0] for r in failed] == [500, 500, 500, 500]  # every attempt landed (max_attempts 4)
    assert "gave up after 4 attempts: HTTP 500" in failed[-1][2]
    cursor, failed_runs = landing.rows("select cursor, failed_runs from landing.sync_state "
                                       "where resource = 'trades_history' and cursor is not null")[0]
    stored = dict(cursor["next"]["params"])
    assert stored["cursor"] and stored["condition"] == ",".join(markets[:20]) and failed_runs == 1

    venue.clear_faults()
    seq = venue.requests()[-1]["seq"]
    totals = extract(landing, ["trades_history"], items_from_catalog=True)
    assert totals.scopes_failed == 0
    first = next(r for r in venue.requests(since=seq) if r["path"] == "/v2/trades")
    assert first["query"]["cursor"] == [stored["cursor"]] and first["query"]["condition"] == [stored["condition"]]
    pages = landing.rows("select response from landing.raw_api_responses where resource = 'trades' "
                         "and status_code = 200 and endpoint = '/v2/trades'")
    landed = {k for (resp,) in pages for k in trade_keys(resp["data"])}
    truth = {k for m in markets for k in trade_keys(world.v2_trades(m, NOW, min_size=1e-6))}
    assert truth and truth == landed  # nothing missing, nothing extra, across the failure


def test_envelope_drift_is_landed_with_the_reason_and_fails_the_walk(venue, landing):
    venue.add_fault(kind="status", status=200, body={"data": [], "cursor": None}, service="polymarket/gamma",
                    path="/markets/keyset", times=1)
    totals = extract(landing, ["markets"])
    assert totals.scopes_failed == 1
    (status, response, error), = landing.rows(
        "select status_code, response, error from landing.raw_api_responses where error is not null")
    assert status == 200 and response == {"data": [], "cursor": None}
    assert error.startswith("unexpected page shape")
    assert landing.value("select cursor->'next'->>'path' from landing.sync_state where cursor is not null") \
        == "/markets/keyset"


def test_record_drift_is_landed_raw_without_failing_the_walk(venue, landing):
    """Field-level drift is staging's business: the walk still lands and catalogs the page."""
    venue.add_fault(kind="drift", mode=["json_string_as_array", "add_keys"], key="clobTokenIds",
                    service="polymarket/gamma", path="/markets/keyset", times=2)
    totals = extract(landing, ["markets"])
    assert totals.scopes_failed == 0
    drifted = landing.rows("select response from landing.raw_api_responses "
                           "where jsonb_typeof(response->'markets'->0->'clobTokenIds') = 'array'")
    assert drifted
    tokens = landing.rows("select keys->'token_ids' from landing.market_catalog")
    assert tokens and all(len(t) == 2 for (t,) in tokens)


def test_nul_inside_a_page_keeps_every_entity(venue, landing):
    extract(landing, ["markets"])
    venue.add_fault(kind="nul", service="polymarket/data", path="/v2/trades", times=1)
    totals = extract(landing, ["trades_history"], items_from_catalog=True)
    assert totals.scopes_failed == 0
    (response, text, count), = landing.rows(
        "select response, response_text, record_count from landing.raw_api_responses "
        "where resource = 'trades' and is_sanitized")
    assert len(response["data"]) == count and "\\u0000" in text


def test_market_descriptions_with_nul_are_landed_sanitised(venue, landing):
    """The simulator puts a NUL in some market descriptions, as the venue has."""
    extract(landing, ["markets"])
    rows = landing.rows("select response, response_text from landing.raw_api_responses "
                        "where resource = 'markets' and is_sanitized")
    assert rows
    for response, text in rows:
        assert "\\u0000" in text
        assert any("\ufffd" in (m.get("description") or "") for m in response["markets"])


def test_a_walk_that_asks_for_the_same_page_again_fails_instead_of_looping(venue, landing, monkeypatch):
    """The engine's guard against an adapter bug: the page is landed with the reason and the
    walk fails after one request."""
    import dataclasses

    from prediction_markets.adapters.polymarket.gamma import EventsResource

    advance = EventsResource.advance

    def stuck(self, scope, ctx, progress, request, response):
        step = advance(self, scope, ctx, progress, request, response)
        return dataclasses.replace(step, next=request)

    monkeypatch.setattr(EventsResource, "advance", stuck)
    seq = venue.requests()[-1]["seq"] if venue.requests() else 0
    totals = extract(landing, ["events"])
    assert totals.scopes_failed == 1
    assert len([r for r in venue.requests(since=seq) if r["path"] == "/events/keyset"]) == 1
    (error,), = landing.rows("select error from landing.raw_api_responses where resource = 'events'")
    assert error == "walk made no progress: next request repeats this one"
