"""Polymarket adapter over recorded responses: first request, paging, last page, quirks."""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from prediction_markets.adapters import get_adapter
from prediction_markets.adapters.base import (
    CatalogEntry,
    Interval,
    PageShapeError,
    Response,
    RunContext,
    Scope,
    ScopeState,
)
from prediction_markets.adapters.polymarket.data_api import trade_keys
from prediction_markets.adapters.polymarket.gamma import catalog_entry

UTC = timezone.utc
FIXTURES = Path(__file__).parents[1] / "fixtures" / "polymarket"
INTERVAL = Interval(datetime(2026, 8, 6, 10, tzinfo=UTC), datetime(2026, 8, 6, 11, tzinfo=UTC))


def sample(name):
    return json.loads((FIXTURES / name).read_text())


def ok(data):
    return Response(status=200, body=json.dumps(data).encode(), data=data)


def status(code, data=None):
    return Response(status=code, body=json.dumps(data).encode() if data is not None else b"", data=data)


@pytest.fixture
def adapter():
    return get_adapter("polymarket")


def ctx(**kw):
    return RunContext(interval=INTERVAL, started_at=datetime(2026, 8, 6, 11, 5, tzinfo=UTC), settings={}, **kw)


# -- catalog from Gamma market objects ------------------------------------------------------
def test_catalog_entry_open_market_uses_condition_id_and_json_in_string_tokens():
    market = sample("gamma_markets.json")[0]
    entry = catalog_entry(market)
    assert entry.market_id == "0x7d0aaf81bbd3fd73b6a1651cce08a452c0cbf9c0cbb4520ce0f981065b639d88"
    assert entry.event_id == "411239"
    assert entry.keys["gamma_id"] == "2063134"
    tokens = entry.keys["token_ids"]
    assert len(tokens) == 2 and all(t.isdigit() and 76 <= len(t) <= 78 for t in tokens)
    assert tokens[0] == json.loads(market["clobTokenIds"])[0]
    assert entry.is_closed is False and entry.closed_at is None
    assert entry.opened_at == datetime(2026, 4, 27, 21, 55, 14, 576000, tzinfo=UTC)


def test_catalog_entry_closed_market_reads_postgres_style_closed_time():
    entry = catalog_entry(sample("gamma_market_closed_resolved.json"))
    assert entry.is_closed is True
    assert entry.closed_at == datetime(2026, 3, 19, 23, 20, 15, tzinfo=UTC)


def test_catalog_entry_legacy_market_without_start_date_opens_at_creation():
    entry = catalog_entry(sample("gamma_market_closed_legacy_2020.json"))
    assert entry.opened_at == datetime(2020, 10, 2, 16, 10, 1, 467000, tzinfo=UTC)
    assert entry.closed_at == datetime(2020, 11, 2, 16, 31, 1, tzinfo=UTC)


def test_catalog_entry_tolerates_drifted_token_ids_and_missing_condition_id():
    market = dict(sample("gamma_markets.json")[0])
    market["clobTokenIds"] = json.loads(market["clobTokenIds"])  # a real array instead of a string
    assert len(catalog_entry(market).keys["token_ids"]) == 2
    del market["conditionId"]
    assert catalog_entry(market) is None


# -- markets keyset -------------------------------------------------------------------------
def test_markets_keyset_walk(adapter):
    res = adapter.resource("markets")
    scopes = {s.key: s for s in res.scopes(ctx())}
    req, progress = res.start(scopes["open"], ctx(), ScopeState())
    assert req.path == "/markets/keyset"
    assert req.param("closed") == "false" and req.param("limit") == "100" and req.param("after_cursor") is None

    page = sample("gamma_markets_keyset.json")
    step = res.advance(scopes["open"], ctx(), progress, req, ok(page))
    assert step.next.param("after_cursor") == page["next_cursor"]
    assert step.records == 1 and step.catalog[0].market_id.startswith("0x7d0aaf")

    last = res.advance(scopes["open"], ctx(), step.progress, step.next, ok({"markets": page["markets"]}))
    assert last.next is None  # next_cursor absent: the last page
    assert last.state is None  # the open walk keeps no cursor between runs


def test_closed_markets_resume_from_stored_cursor_and_remember_last_page(adapter):
    res = adapter.resource("markets")
    closed = next(s for s in res.scopes(ctx()) if s.key == "closed")
    req, progress = res.start(closed, ctx(), ScopeState(state={"after_cursor": "CUR-7"}))
    assert req.param("closed") == "true" and req.param("after_cursor") == "CUR-7"
    step = res.advance(closed, ctx(), progress, req, ok({"markets": [], "next_cursor": None}))
    assert step.next is None and step.state == {"after_cursor": "CUR-7"}


def test_rejected_stored_cursor_restarts_the_walk(adapter):
    res = adapter.resource("markets")
    closed = next(s for s in res.scopes(ctx()) if s.key == "closed")
    req, progress = res.start(closed, ctx(), ScopeState(state={"after_cursor": "EXPIRED"}))
    step = res.advance(closed, ctx(), progress, req, status(400, {"error": "invalid cursor"}))
    assert step.next is not None and step.next.param("after_cursor") is None
    assert step.warnings


def test_repeated_cursor_is_an_error(adapter):
    res = adapter.resource("markets")
    scope = Scope("open", {"closed": "false"})
    req, progress = res.start(scope, ctx(), ScopeState())
    req = req.with_params(after_cursor="SAME")
    page = {"markets": sample("gamma_markets.json"), "next_cursor": "SAME"}
    with pytest.raises(PageShapeError, match="loop"):
        res.advance(scope, ctx(), progress, req, ok(page))


def test_markets_page_shape_drift_is_an_error(adapter):
    res = adapter.resource("markets")
    scope = Scope("open", {"closed": "false"})
    req, progress = res.start(scope, ctx(), ScopeState())
    with pytest.raises(PageShapeError):
        res.advance(scope, ctx(), progress, req, ok(sample("gamma_markets.json")))  # bare array
    with pytest.raises(PageShapeError):
        res.advance(scope, ctx(), progress, req, status(500, {"type": "internal error"}))


def test_refresh_asks_for_markets_that_left_the_open_listing_in_batches_of_40(adapter):
    class Catalog:
        def open_markets_not_seen_since(self, source, since):
            assert since == datetime(2026, 8, 6, 11, 0, tzinfo=UTC)
            return [CatalogEntry(f"0x{i:064x}", None, {}, None, None, False) for i in range(95)]

    res = adapter.resource("markets_refresh")
    assert list(res.scopes(ctx(catalog=Catalog()))) == []  # open walk not complete: nothing to compare
    run = ctx(catalog=Catalog())
    run.completed[("markets", "open")] = {"walk_started_at": "2026-08-06T11:00:00+00:00"}
    (scope,) = res.scopes(run)
    req, progress = res.start(scope, run, ScopeState())
    ids = [v for k, v in req.params if k == "condition_ids"]
    assert req.path == "/markets" and req.param("closed") == "true" and len(ids) == 40
    step = res.advance(scope, run, progress, req, ok([]))
    assert len([v for k, v in step.next.params if k == "condition_ids"]) == 40
    assert step.warnings  # none of the 40 came back
    step = res.advance(scope, run, step.progress, step.next, ok([]))
    assert len([v for k, v in step.next.params if k == "condition_ids"]) == 15
    assert res.advance(scope, run, step.progress, step.next, ok([])).next is None


# -- events ---------------------------------------------------------------------------------
def test_events_offset_paging_ends_on_empty_page_or_422(adapter):
    res = adapter.resource("events")
    (scope,) = res.scopes(ctx())
    req, progress = res.start(scope, ctx(), ScopeState())
    assert req.param("closed") == "false" and req.param("offset") == "0"
    events = sample("gamma_events.json")
    step = res.advance(scope, ctx(), progress, req, ok(events))
    assert step.next.param("offset") == str(len(events))  # advances by what came back, not by limit
    assert res.advance(scope, ctx(), progress, step.next, ok([])).next is None
    late = req.with_params(offset=10100)
    end = res.advance(scope, ctx(), progress, late, status(422, {"type": "validation error", "error": "offset"}))
    assert end.next is None and "422" in end.warnings[0]


# -- trades ---------------------------------------------------------------------------------
def trade_rows(n, newest_ts, step_s=10):
    base = sample("data_trades.json")[0]
    return [dict(base, timestamp=newest_ts - i * step_s, transactionHash=f"0x{i:064x}") for i in range(n)]


def test_trades_first_sync_walks_to_the_offset_ceiling(adapter):
    res = adapter.resource("trades")
    scope = Scope("0xc5943cca")
    req, progress = res.start(scope, ctx(), ScopeState())
    assert dict(req.params) == {"market": "0xc5943cca", "limit": "500", "offset": "0", "takerOnly": "false"}
    offsets = []
    newest = 1786000000
    while req is not None:
        offsets.append(int(req.param("offset")))
        rows = trade_rows(500, newest - int(req.param("offset")) * 10)
        step = res.advance(scope, ctx(), progress, req, ok(rows))
        req, progress = step.next, step.progress
    assert offsets == [0, 500, 1000, 1500, 2000, 2500, 3000]
    assert "ceiling" in step.warnings[0]
    assert step.high_water_mark == datetime.fromtimestamp(newest, tz=UTC)


def test_trades_stop_at_checkpoint_minus_overlap(adapter):
    res = adapter.resource("trades")
    scope = Scope("0xabc")
    hwm = INTERVAL.start + timedelta(minutes=30)  # later than the interval start: the start wins
    req, progress = res.start(scope, ctx(), ScopeState(high_water_mark=hwm))
    assert progress["stop_ts"] == (INTERVAL.start - timedelta(seconds=300)).timestamp()
    newest = int(INTERVAL.end.timestamp())
    rows = trade_rows(500, newest, step_s=5)  # 500 rows x 5 s = 41 min: does not reach the stop
    step = res.advance(scope, ctx(), progress, req, ok(rows))
    assert step.next is not None
    rows = trade_rows(500, newest - 2500, step_s=5)  # crosses the stop time
    step = res.advance(scope, ctx(), step.progress, step.next, ok(rows))
    assert step.next is None and step.high_water_mark == datetime.fromtimestamp(newest, tz=UTC)


def test_trades_gap_walks_back_to_an_older_checkpoint(adapter):
    res = adapter.resource("trades")
    old = INTERVAL.start - timedelta(days=2)
    _, progress = res.start(Scope("0xabc"), ctx(), ScopeState(high_water_mark=old))
    assert progress["stop_ts"] == (old - timedelta(seconds=300)).timestamp()


def test_trades_short_page_ends_and_400_past_first_page_is_the_ceiling(adapter):
    res = adapter.resource("trades")
    scope = Scope("0xabc")
    req, progress = res.start(scope, ctx(), ScopeState())
    step = res.advance(scope, ctx(), progress, req, ok(trade_rows(3, 1786000000)))
    assert step.next is None and step.records == 3
    deep = req.with_params(offset=3500)
    step = res.advance(scope, ctx(), progress, deep, status(400, {"error": "offset too large"}))
    assert step.next is None and "400" in step.warnings[0]
    with pytest.raises(PageShapeError):
        res.advance(scope, ctx(), progress, req, status(400, {"error": "bad market"}))


def test_trade_keys_are_stable_and_tell_apart_identical_rows_on_a_page():
    rows = sample("data_trades.json")
    keys = trade_keys(rows)
    assert keys == trade_keys(json.loads(json.dumps(rows)))  # stable across fetches
    assert len(set(keys)) == 2
    doubled = trade_keys([rows[0], rows[0]])
    assert len(set(doubled)) == 2 and doubled[0] == keys[0]
    changed = dict(rows[0], size=rows[0]["size"] + 1)
    assert trade_keys([changed])[0] != keys[0]


# -- prices ---------------------------------------------------------------------------------
def token_entry(opened=None, closed=None):
    return CatalogEntry("0xm", "e1", {"token_ids": ["111", "222"]}, opened, closed, closed is not None)


def test_prices_one_window_per_token_for_an_hourly_interval(adapter):
    res = adapter.resource("prices")
    run = ctx(items=[token_entry(opened=datetime(2026, 1, 1, tzinfo=UTC))])
    scopes = list(res.scopes(run))
    assert [s.key for s in scopes] == ["111", "222"]
    req, progress = res.start(scopes[0], run, ScopeState(high_water_mark=INTERVAL.start))
    assert dict(req.params) == {
        "market": "111", "startTs": str(int(INTERVAL.start.timestamp())),
        "endTs": str(int(INTERVAL.end.timestamp()) - 1), "fidelity": "1",
    }
    step = res.advance(scopes[0], run, progress, req, ok(sample("clob_prices_history.json")))
    assert step.next is None and step.records == 5 and step.high_water_mark == INTERVAL.end


def test_prices_backfill_is_stitched_in_windows_within_venue_limits():
    adapter = get_adapter("polymarket", {"prices_fidelity": 60, "prices_backfill_s": 40 * 86400})
    res = adapter.resource("prices")
    run = ctx(items=[token_entry()])
    scope = next(iter(res.scopes(run)))
    req, progress = res.start(scope, run, ScopeState())
    windows = []
    while req is not None:
        start, end = int(req.param("startTs")), int(req.param("endTs")) + 1
        windows.append((start, end))
        step = res.advance(scope, run, progress, req, ok({"history": []}))
        req, progress = step.next, step.progress
    assert windows[0][0] == int((INTERVAL.start - timedelta(days=40)).timestamp())
    assert windows[-1][1] == int(INTERVAL.end.timestamp())
    assert all(b - a <= 15 * 86400 and (b - a) / 3600 <= 900 for a, b in windows)
    assert all(windows[i][1] == windows[i + 1][0] for i in range(len(windows) - 1))


def test_prices_stop_at_close_and_skip_markets_not_open_in_the_interval(adapter):
    res = adapter.resource("prices")
    closed_at = INTERVAL.start + timedelta(minutes=10)
    run = ctx(items=[token_entry(closed=closed_at)])
    scope = next(iter(res.scopes(run)))
    req, _ = res.start(scope, run, ScopeState(high_water_mark=INTERVAL.start))
    assert int(req.param("endTs")) + 1 == int((closed_at + timedelta(minutes=1)).timestamp())
    run = ctx(items=[token_entry(opened=INTERVAL.end)])
    assert res.start(next(iter(res.scopes(run))), run, ScopeState())[0] is None


def test_prices_reject_unreliable_fidelity():
    with pytest.raises(ValueError):
        get_adapter("polymarket", {"prices_fidelity": 5}).resource("prices")


def test_prices_error_body_fails_the_walk(adapter):
    res = adapter.resource("prices")
    run = ctx(items=[token_entry()])
    scope = next(iter(res.scopes(run)))
    req, progress = res.start(scope, run, ScopeState())
    with pytest.raises(PageShapeError):
        res.advance(scope, run, progress, req, status(400, {"error": "missing time"}))


# -- order books ----------------------------------------------------------------------------
def test_books_batch_open_tokens_and_skip_backfills():
    adapter = get_adapter("polymarket", {"books_per_request": 3})
    res = adapter.resource("orderbooks")
    items = [token_entry(), token_entry(), token_entry(closed=INTERVAL.start)]
    scopes = list(res.scopes(ctx(items=items)))
    assert [len(s.params["tokens"]) for s in scopes] == [3, 1]
    assert not any(s.checkpointed for s in scopes)
    req, progress = res.start(scopes[0], ctx(), ScopeState())
    assert req.method == "POST" and req.path == "/books"
    assert req.json == [{"token_id": "111"}, {"token_id": "222"}, {"token_id": "111"}]
    step = res.advance(scopes[0], ctx(), progress, req, ok([sample("clob_book.json")]))
    assert step.next is None and step.records == 1
    assert list(res.scopes(ctx(items=items, run_type="backfill"))) == []


def test_single_book_404_means_no_book():
    adapter = get_adapter("polymarket", {"books_batch": False})
    res = adapter.resource("orderbooks")
    (scope, _) = list(res.scopes(ctx(items=[token_entry()])))
    req, progress = res.start(scope, ctx(), ScopeState())
    assert req.path == "/book" and req.param("token_id") == "111"
    errors = sample("clob_errors.json")
    body = errors["GET /book?token_id=<known-closed-market-yes-token> (HTTP 404)"]
    assert res.advance(scope, ctx(), progress, req, status(404, body)).records == 0


def test_prices_walk_of_an_interval_ending_between_two_seconds_ends():
    """A manual run ends at its trigger time: the interval is floored to whole seconds, so
    the last window ends exactly there instead of asking for the same second for ever."""
    adapter = get_adapter("polymarket")
    res = adapter.resource("prices")
    interval = Interval(INTERVAL.start, INTERVAL.end + timedelta(minutes=6, seconds=14, microseconds=35906))
    assert interval.end == INTERVAL.end + timedelta(minutes=6, seconds=14)
    run = RunContext(interval=interval, started_at=interval.end, settings={}, items=[token_entry()])
    scope = next(iter(res.scopes(run)))
    req, progress = res.start(scope, run, ScopeState(high_water_mark=interval.end - timedelta(seconds=30)))
    step = res.advance(scope, run, progress, req, ok({"history": []}))
    assert req.param("endTs") == str(int(interval.end.timestamp()) - 1)
    assert step.next is None and step.high_water_mark == interval.end
