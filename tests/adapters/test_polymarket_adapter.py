"""Polymarket adapter over recorded responses: first request, paging, last page, quirks."""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from prediction_markets.adapters import get_adapter
from prediction_markets.adapters.base import (
    CatalogEntry,
    Interval,
    OpenGap,
    PageShapeError,
    Response,
    RunContext,
    Scope,
    ScopeState,
)
from prediction_markets.adapters.polymarket import data_api as v2_page_module
from prediction_markets.adapters.polymarket.data_api import describe_error, trade_keys
from prediction_markets.adapters.polymarket.gamma import catalog_entry
from prediction_markets.adapters.polymarket.ids import is_combo_condition, normalise_condition_id

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
    # The keyset route: the legacy offset list carries a sunset date.
    assert req.path == "/markets/keyset" and req.param("closed") == "true" and len(ids) == 40
    step = res.advance(scope, run, progress, req, ok({"markets": []}))
    assert len([v for k, v in step.next.params if k == "condition_ids"]) == 40
    assert step.warnings  # none of the 40 came back
    # A batch answered over two keyset pages is followed to its end before the next batch.
    more = res.advance(scope, run, step.progress, step.next,
                       ok({"markets": [sample("gamma_markets.json")[0]], "next_cursor": "P2"}))
    assert more.next.param("after_cursor") == "P2" and len(more.catalog) == 1
    step = res.advance(scope, run, more.progress, more.next, ok({"markets": []}))
    assert len([v for k, v in step.next.params if k == "condition_ids"]) == 15
    assert step.next.param("after_cursor") is None
    assert res.advance(scope, run, step.progress, step.next, ok({"markets": []})).next is None


# -- events ---------------------------------------------------------------------------------
def test_events_keyset_walk_ends_only_without_next_cursor(adapter):
    res = adapter.resource("events")
    (scope,) = res.scopes(ctx())
    req, progress = res.start(scope, ctx(), ScopeState())
    assert req.path == "/events/keyset" and req.param("closed") == "false" and req.param("limit") == "100"
    assert req.param("offset") is None and req.param("cursor") is None
    page = sample("v2/gamma_events_keyset.json")
    short = res.advance(scope, ctx(), progress, req, ok({**page, "next_cursor": "E2"}))
    assert short.next.param("after_cursor") == "E2"  # a short page is not the end
    last = res.advance(scope, ctx(), progress, short.next, ok(page))  # no next_cursor: the end
    assert last.next is None and last.records == 1
    with pytest.raises(PageShapeError, match="loop"):
        res.advance(scope, ctx(), progress, short.next, ok({**page, "next_cursor": "E2"}))
    with pytest.raises(PageShapeError):
        res.advance(scope, ctx(), progress, req, ok(sample("gamma_events.json")))  # a bare array
    assert {s.key for s in res.scopes(ctx(run_type="backfill"))} == {"open", "closed"}


def test_events_page_size_is_capped_at_the_venue_maximum():
    res = get_adapter("polymarket", {"events_page_size": 500}).resource("events")
    req, _ = res.start(next(iter(res.scopes(ctx()))), ctx(), ScopeState())
    assert req.param("limit") == "100"


# -- outcome ids by protocol version ----------------------------------------------------------
def test_outcome_ids_follow_the_protocol_version():
    v1, v2 = sample("v2/gamma_markets_keyset_v2.json")["markets"]
    one, two = catalog_entry(v1), catalog_entry(v2)
    assert one.keys["token_ids"] == json.loads(v1["clobTokenIds"]) and one.keys["id_protocol"] == "ctf"
    assert two.keys["token_ids"] == v2["positionIds"] and two.keys["id_protocol"] == "position_manager"
    stale = dict(v2, clobTokenIds=json.dumps(["111", "222"]))  # legacy ids beside the position ids
    assert catalog_entry(stale).keys["token_ids"] == v2["positionIds"]
    no_version = {k: v for k, v in v1.items() if k != "version"}  # payloads older than the field
    assert catalog_entry(no_version).keys["token_ids"] == one.keys["token_ids"]
    as_string = dict(v2, positionIds=json.dumps(v2["positionIds"]))
    assert catalog_entry(as_string).keys["token_ids"] == v2["positionIds"]
    assert catalog_entry(dict(v2, positionIds=None)).keys["token_ids"] == []


def test_condition_ids_are_normalised_and_combos_told_apart():
    assert normalise_condition_id("0x" + "AB" * 31) == "0x" + "ab" * 31 + "00"
    assert normalise_condition_id("0x" + "ab" * 32) == "0x" + "ab" * 32
    combo = sample("v2/trades_v2_global.json")["data"][1]["condition_id"]
    assert is_combo_condition(combo) and not is_combo_condition("0x" + "ab" * 32)


# -- trades: the feed -----------------------------------------------------------------------
def v2_rows(n, newest_ts, step_s=1, condition=None):
    base = sample("v2/trades_v2.json")["data"][0]
    cid = condition or base["condition_id"]
    return [dict(base, timestamp=newest_ts - i * step_s, transaction_hash=f"0x{i:064x}", condition_id=cid)
            for i in range(n)]


def v2_page(rows, cursor=None):
    return ok({"data": rows, "pagination": {"limit": 1000, "offset": 0, "has_more": cursor is not None,
                                            "next_cursor": cursor}})


def status_page(lag):
    data = sample("v2/status_v2_recorded.json")
    data["data"]["serving"]["lag_seconds"] = lag
    return ok(data)


class GapCatalog:
    def __init__(self, gaps=(), markets=(), history_from=None):
        self.gaps, self.markets, self.history_from = list(gaps), list(markets), history_from

    def open_gaps(self, resource):
        return [g for g in self.gaps if g.resource == resource]

    def markets_live_between(self, start, end):
        return [CatalogEntry(m, None, {}, None, None, False) for m in self.markets]

    def earliest_state_time(self, resource, key):
        return self.history_from


def feed_walk(adapter, run, previous, pages, lag=4):
    """Drive the feed scope; returns the requests sent and the last step."""
    res = adapter.resource("trades")
    scope = next(s for s in res.scopes(run) if s.key == "feed")
    req, progress = res.start(scope, run, previous)
    assert req.path == "/v2/status"
    step = res.advance(scope, run, progress, req, status_page(lag))
    sent = [req]
    for body in pages:
        sent.append(step.next)
        step = res.advance(scope, run, step.progress, step.next, body)
        if step.next is None:
            break
    return sent, step


def test_feed_walks_newest_first_to_the_checkpoint_minus_overlap_and_lag(adapter):
    run = ctx(catalog=GapCatalog())
    hwm = INTERVAL.start + timedelta(minutes=30)  # later than the interval start: the start wins
    top = int(INTERVAL.end.timestamp())
    stop = INTERVAL.start.timestamp() - 300 - 7
    pages = [v2_page(v2_rows(1000, top), "C1"), v2_page(v2_rows(1000, top - 1000), "C2"),
             v2_page(v2_rows(1000, int(stop) + 500), "C3")]
    sent, last = feed_walk(adapter, run, ScopeState(high_water_mark=hwm), pages, lag=7)
    first, *rest = sent[1:]
    assert first.path == "/v2/trades" and first.param("cursor") is None and first.param("condition") is None
    assert first.param("taker_only") == "true" and first.param("limit") == "1000"
    # Filters re-sent with every cursor (a cursor alone would continue the global feed).
    assert [r.param("cursor") for r in rest] == ["C1", "C2"]
    assert all(r.param("taker_only") == "true" and r.param("limit") == "1000" for r in rest)
    assert last.next is None and last.high_water_mark == datetime.fromtimestamp(top, tz=UTC)
    assert last.progress["stop_ts"] == stop


def test_feed_first_walk_after_a_full_sync_starts_where_the_market_walks_began(adapter):
    began = INTERVAL.start - timedelta(hours=5)
    run = ctx(catalog=GapCatalog(history_from=began))
    res = adapter.resource("trades")
    scope = next(s for s in res.scopes(run) if s.key == "feed")
    _, progress = res.start(scope, run, ScopeState())
    assert progress["stop_ts"] == (began - timedelta(seconds=300)).timestamp()
    _, progress = res.start(scope, run, ScopeState(high_water_mark=INTERVAL.start))  # a checkpoint wins
    assert progress["stop_ts"] == (INTERVAL.start - timedelta(seconds=300)).timestamp()


def test_feed_counts_combo_fills_and_ends_on_a_null_cursor(adapter):
    run = ctx(catalog=GapCatalog())
    global_page = sample("v2/trades_v2_global.json")
    _, last = feed_walk(adapter, run, ScopeState(), [v2_page(global_page["data"])])
    assert last.next is None and last.records == 3 and last.counters == {"combo_trades": 1}


def test_feed_records_what_lies_beyond_its_window_as_a_gap(adapter):
    run = ctx(catalog=GapCatalog())
    old = datetime(2026, 4, 20, tzinfo=UTC)  # before the previous month of an August run
    res = adapter.resource("trades")
    scope = next(s for s in res.scopes(run) if s.key == "feed")
    req, progress = res.start(scope, run, ScopeState(high_water_mark=old))
    step = res.advance(scope, run, progress, req, status_page(4))
    (gap,) = step.gaps
    assert gap.resource == "trades" and gap.scope == "feed" and not gap.unreachable
    assert gap.gap_from == old - timedelta(seconds=304) and gap.gap_to == datetime(2026, 7, 1, tzinfo=UTC)
    assert step.progress["stop_ts"] == datetime(2026, 7, 1, tzinfo=UTC).timestamp()


def test_the_feed_window_is_the_venues_month_by_its_own_clock(adapter):
    run = ctx(catalog=GapCatalog())  # our clock says August
    res = adapter.resource("trades")
    scope = next(s for s in res.scopes(run) if s.key == "feed")
    req, progress = res.start(scope, run, ScopeState(high_water_mark=datetime(2026, 8, 20, tzinfo=UTC)))
    answer = status_page(4)
    answer.headers = {"date": "Tue, 03 Nov 2026 10:00:00 GMT"}  # the venue's says November
    step = res.advance(scope, run, progress, req, answer)
    (gap,) = step.gaps
    assert gap.gap_to == datetime(2026, 10, 1, tzinfo=UTC)


def test_unreadable_status_assumes_a_lag_instead_of_failing(adapter):
    run = ctx(catalog=GapCatalog())
    res = adapter.resource("trades")
    scope = next(s for s in res.scopes(run) if s.key == "feed")
    req, progress = res.start(scope, run, ScopeState(high_water_mark=INTERVAL.start))
    step = res.advance(scope, run, progress, req, status(503, {"error": "no snapshot", "code": "dependency_unavailable"}))
    assert step.next.path == "/v2/trades" and step.warnings
    assert step.progress["stop_ts"] == INTERVAL.start.timestamp() - 300 - 60


def test_feed_gaps_are_filled_by_condition_walks_of_20_markets(adapter):
    gap = OpenGap(9, "trades", "feed", datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC), "window")
    markets = [f"0x{i:064x}" for i in range(45)]
    run = ctx(catalog=GapCatalog([gap], markets))
    res = adapter.resource("trades")
    scope = next(s for s in res.scopes(run) if s.key == "gap:9")
    assert scope.interval_bound is False
    req, progress = res.start(scope, run, ScopeState())
    sizes, cursors = [], []
    while True:
        ids = req.param("condition").split(",")
        sizes.append(len(ids))
        cursors.append(req.param("cursor"))
        assert req.param("taker_only") == "true"
        newest = int(datetime(2026, 8, 1, tzinfo=UTC).timestamp())
        body = v2_page(v2_rows(2, newest), "NEXT") if req.param("cursor") is None else v2_page([], None)
        step = res.advance(scope, run, progress, req, body)
        if step.next is None:
            break
        req, progress = step.next, step.progress
    assert sizes == [20, 20, 20, 20, 5, 5] and cursors == [None, "NEXT"] * 3
    assert step.closed_gaps == [9] and not step.gaps


def test_a_gap_with_no_live_market_is_closed_by_one_status_page(adapter):
    gap = OpenGap(4, "trades", "feed", datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC), "window")
    run = ctx(catalog=GapCatalog([gap], []))
    res = adapter.resource("trades")
    scope = next(s for s in res.scopes(run) if s.key == "gap:4")
    req, progress = res.start(scope, run, ScopeState())
    assert req.path == "/v2/status"
    assert res.advance(scope, run, progress, req, status_page(3)).closed_gaps == [4]


def test_maker_fills_are_off_unless_asked_for():
    run = ctx(catalog=GapCatalog())
    assert list(get_adapter("polymarket").resource("trade_fills").scopes(run)) == []
    fills = get_adapter("polymarket", {"maker_fills": True}).resource("trade_fills")
    scope = next(iter(fills.scopes(run)))
    req, progress = fills.start(scope, run, ScopeState())
    step = fills.advance(scope, run, progress, req, status_page(1))
    assert step.next.param("taker_only") == "false" and step.next.resource == "trade_fills"


# -- trades: market history (the full sync) ---------------------------------------------------
class StateCatalog:
    def __init__(self, states=None):
        self.states = states or {}

    def scope_states(self, resource, scopes):
        return {s: self.states[s] for s in scopes if s in self.states}


def test_history_walks_markets_20_at_a_time_to_the_end_and_checkpoints_each(adapter):
    res = adapter.resource("trades_history")
    entries = [CatalogEntry(f"0x{i:064x}", None, {}, datetime(2022, 1, 1, tzinfo=UTC) if i == 3 else None, None, True)
               for i in range(25)]
    done = {entries[0].market_id: ScopeState(state={"complete": True})}
    run = ctx(items=entries, catalog=StateCatalog(done))
    scopes = list(res.scopes(run))
    assert [len(s.params["markets"]) for s in scopes] == [20, 4]  # the complete one is skipped
    scope = scopes[0]
    req, progress = res.start(scope, run, ScopeState())
    assert req.param("condition").split(",") == scope.params["markets"]
    a, b = scope.params["markets"][:2]
    step = res.advance(scope, run, progress, req, v2_page(v2_rows(3, 1786000000, condition=a), "N"))
    assert step.next.param("cursor") == "N" and step.next.param("condition") == req.param("condition")
    step = res.advance(scope, run, step.progress, step.next, v2_page(v2_rows(2, 1785000000, condition=b)))
    assert step.next is None
    states = {c.scope: c for c in step.scope_checkpoints}
    assert set(states) == set(scope.params["markets"]) and all(c.state["complete"] for c in states.values())
    assert states[a].high_water_mark == datetime.fromtimestamp(1786000000, tz=UTC)
    assert states[scope.params["markets"][5]].high_water_mark is None  # walked, no trades
    (gap,) = step.gaps  # the market opened before the API's three-year window
    assert gap.scope == entries[3].market_id and gap.unreachable and gap.gap_to.year == 2023


def test_history_since_bounds_the_walk_and_is_not_a_complete_history():
    adapter = get_adapter("polymarket")
    res = adapter.resource("trades_history")
    entries = [CatalogEntry("0x" + "1" * 64, None, {}, None, None, True)]
    run = RunContext(interval=INTERVAL, started_at=INTERVAL.end, settings={"since": "2026-08-01T00:00:00Z"},
                     items=entries, catalog=StateCatalog())
    scope = next(iter(res.scopes(run)))
    req, progress = res.start(scope, run, ScopeState())
    since = datetime(2026, 8, 1, tzinfo=UTC).timestamp()
    step = res.advance(scope, run, progress, req, v2_page(v2_rows(3, int(since) + 1, step_s=1), "MORE"))
    assert step.next is None  # crossed `since`
    (cp,) = step.scope_checkpoints
    assert cp.state["complete"] is False and cp.state["covers_from"].startswith("2026-08-01")
    covered = StateCatalog({entries[0].market_id: ScopeState(state=cp.state)})
    run.catalog = covered
    assert list(res.scopes(run)) == []


def test_trade_keys_ignore_enrichment_and_read_legacy_rows():
    bare, labelled = sample("v2/trades_v2_global.json")["data"][2], dict(sample("v2/trades_v2_global.json")["data"][2])
    labelled.update(outcome_index=1, event_slug="next-prime-minister-of-ethiopia", title="x", pseudonym="p")
    assert trade_keys([bare]) == trade_keys([labelled])
    rows = sample("v2/trades_v2.json")["data"]
    keys = trade_keys(rows)
    assert len(set(keys)) == len(rows) and keys == trade_keys(json.loads(json.dumps(rows)))
    doubled = trade_keys([rows[0], rows[0]])
    assert len(set(doubled)) == 2 and doubled[0] == keys[0]
    assert trade_keys([dict(rows[0], size=rows[0]["size"] + 1)])[0] != keys[0]
    legacy = sample("data_trades.json")[0]
    as_v2 = {"condition_id": legacy["conditionId"], "token_id": legacy["asset"], "side": legacy["side"],
             "transaction_hash": legacy["transactionHash"], "proxy_wallet": legacy["proxyWallet"],
             "price": legacy["price"], "size": legacy["size"], "timestamp": legacy["timestamp"]}
    assert trade_keys([legacy]) == trade_keys([as_v2])


def test_the_adapters_trade_key_is_the_documented_rule_staging_computes():
    """dbt staging computes the key in SQL (macro polymarket_trade_key); the dbt tests check the SQL
    against the rule written out in tests.support.landing; the adapter's key is that same rule."""
    from tests.support.landing import polymarket_trade_keys

    pages = [sample("v2/trades_v2.json")["data"], sample("v2/trades_v2_global.json")["data"],
             sample("data_trades.json"), [dict(sample("v2/trades_v2.json")["data"][0], condition_id=None,
                                             conditionId=sample("v2/trades_v2.json")["data"][0]["condition_id"])]]
    for rows in pages:
        assert trade_keys(rows) == polymarket_trade_keys(rows)


def test_v2_error_bodies_are_described_with_their_trace_id():
    body = sample("v2/errors_v2.json")["GET /v2/trades?condition=<cid>&offset=1000 -> 400"]
    text = describe_error(status(400, body))
    assert "invalid_request" in text and "'offset'" in text and body["trace_id"] in text
    with pytest.raises(PageShapeError, match="disagree"):
        v2_page_module.page(ok({"data": [], "pagination": {"has_more": True, "next_cursor": None}}))


# -- prices ---------------------------------------------------------------------------------
def token_entry(opened=None, closed=None):
    return CatalogEntry("0xm", "e1", {"token_ids": ["111", "222"]}, opened, closed, closed is not None)


def prices_page(points, cursor=None):
    return ok({"data": points, "pagination": {"limit": 10000, "offset": 0, "has_more": cursor is not None,
                                              "next_cursor": cursor}})


def test_prices_one_window_per_token_for_an_hourly_interval(adapter):
    res = adapter.resource("prices")
    run = ctx(items=[token_entry(opened=datetime(2026, 1, 1, tzinfo=UTC))])
    scopes = list(res.scopes(run))
    assert [s.key for s in scopes] == ["111", "222"]
    req, progress = res.start(scopes[0], run, ScopeState(high_water_mark=INTERVAL.start))
    assert req.path == "/v2/prices-history"
    assert dict(req.params) == {"token_id": "111", "start": str(int(INTERVAL.start.timestamp())),
                                "end": str(int(INTERVAL.end.timestamp())), "bucket_seconds": "60"}
    points = sample("v2/prices_history_v2_recorded.json")["data"]
    paged = res.advance(scopes[0], run, progress, req, prices_page(points, "P2"))
    # The 15-day cap is re-checked on every page: the window is re-sent with the cursor.
    assert paged.next.param("cursor") == "P2" and paged.next.param("end") == req.param("end")
    assert paged.high_water_mark is None
    step = res.advance(scopes[0], run, paged.progress, paged.next, prices_page(points))
    assert step.next is None and step.records == 2 and step.high_water_mark == INTERVAL.end


def test_prices_backfill_windows_use_the_finest_bucket_the_venue_keeps():
    adapter = get_adapter("polymarket", {"prices_backfill_s": 40 * 86400})
    res = adapter.resource("prices")
    run = ctx(items=[token_entry()])
    scope = next(iter(res.scopes(run)))
    req, progress = res.start(scope, run, ScopeState())
    windows = []
    while req is not None:
        windows.append((int(req.param("start")), int(req.param("end")), int(req.param("bucket_seconds"))))
        step = res.advance(scope, run, progress, req, prices_page([]))
        req, progress = step.next, step.progress
    assert windows[0][0] == int((INTERVAL.start - timedelta(days=40)).timestamp())
    assert windows[-1][1] == int(INTERVAL.end.timestamp())
    assert all(b - a <= 15 * 86400 for a, b, _ in windows)
    assert all(windows[i][1] == windows[i + 1][0] for i in range(len(windows) - 1))
    # 1-min buckets are kept about a week: a window ends where the finer width begins.
    assert [w[2] for w in windows] == [300, 300, 300, 60]
    assert windows[-1][0] == int((run.started_at - timedelta(days=7)).timestamp())


def test_prices_catch_up_beyond_the_limit_is_recorded_as_a_gap(adapter):
    res = adapter.resource("prices")
    run = ctx(items=[token_entry()])
    scope = next(iter(res.scopes(run)))
    old = INTERVAL.start - timedelta(days=30)
    req, progress = res.start(scope, run, ScopeState(high_water_mark=old))
    assert int(req.param("start")) == int((INTERVAL.start - timedelta(days=7)).timestamp())
    step = res.advance(scope, run, progress, req, prices_page([]))
    (gap,) = step.gaps
    assert gap.gap_from == old and gap.gap_to == INTERVAL.start - timedelta(days=7) and gap.scope == "111"
    while step.next is not None:
        step = res.advance(scope, run, step.progress, step.next, prices_page([]))
        assert not step.gaps  # recorded once, with the first page


def test_prices_gaps_are_filled_in_later_runs_and_closed():
    gap = OpenGap(5, "prices", "111", INTERVAL.start - timedelta(days=30), INTERVAL.start - timedelta(days=7), "limit")

    class Catalog:
        def open_gaps(self, resource):
            return [gap] if resource == "prices" else []

    res = get_adapter("polymarket").resource("prices")
    run = ctx(items=[token_entry()], catalog=Catalog())
    scope = next(s for s in res.scopes(run) if s.key == "gap:5")
    req, progress = res.start(scope, run, ScopeState())
    buckets = []
    while req is not None:
        buckets.append(int(req.param("bucket_seconds")))
        step = res.advance(scope, run, progress, req, prices_page([]))
        req, progress = step.next, step.progress
    assert buckets == [300, 300] and step.closed_gaps == [5] and step.high_water_mark is None


def test_prices_stop_at_close_and_skip_markets_not_open_in_the_interval(adapter):
    res = adapter.resource("prices")
    closed_at = INTERVAL.start + timedelta(minutes=10)
    run = ctx(items=[token_entry(closed=closed_at)])
    scope = next(iter(res.scopes(run)))
    req, _ = res.start(scope, run, ScopeState(high_water_mark=INTERVAL.start))
    # The settlement point sits one bucket edge after the last row: the exclusive end keeps it.
    assert int(req.param("end")) == int((closed_at + timedelta(seconds=61)).timestamp())
    run = ctx(items=[token_entry(opened=INTERVAL.end)])
    assert res.start(next(iter(res.scopes(run))), run, ScopeState())[0] is None


def test_prices_reject_a_bucket_the_venue_refuses():
    with pytest.raises(ValueError):
        get_adapter("polymarket", {"prices_bucket_seconds": 30}).resource("prices")


def test_prices_error_body_fails_the_walk(adapter):
    res = adapter.resource("prices")
    run = ctx(items=[token_entry()])
    scope = next(iter(res.scopes(run)))
    req, progress = res.start(scope, run, ScopeState())
    body = sample("v2/errors_v2.json")["GET /v2/prices-history?token_id=<id>&start=1790000000 -> 503 (Retry-After: 5)"]
    with pytest.raises(PageShapeError, match="request_timeout"):
        res.advance(scope, run, progress, req, status(400, body))


def test_prices_walk_of_an_interval_ending_between_two_seconds_ends():
    """A manual run ends at its trigger time: the interval is floored to whole seconds, so
    the last window ends exactly there instead of asking for the same second for ever."""
    res = get_adapter("polymarket").resource("prices")
    interval = Interval(INTERVAL.start, INTERVAL.end + timedelta(minutes=6, seconds=14, microseconds=35906))
    assert interval.end == INTERVAL.end + timedelta(minutes=6, seconds=14)
    run = RunContext(interval=interval, started_at=interval.end, settings={}, items=[token_entry()])
    scope = next(iter(res.scopes(run)))
    req, progress = res.start(scope, run, ScopeState(high_water_mark=interval.end - timedelta(seconds=30)))
    step = res.advance(scope, run, progress, req, prices_page([]))
    assert req.param("end") == str(int(interval.end.timestamp()))
    assert step.next is None and step.high_water_mark == interval.end


# -- resolutions ----------------------------------------------------------------------------
def test_resolutions_ask_for_closed_markets_not_final_yet_20_at_a_time(adapter):
    rows = sample("v2/resolutions_v2.json")["data"]
    asked = [rows[0]["condition_id"], rows[1]["condition_id"]] + [f"0x{i:064x}" for i in range(23)]

    class Catalog:
        def closed_markets_awaiting(self, resource, flag, since):
            assert resource == "resolutions" and flag == "final"
            assert since == INTERVAL.end - timedelta(days=90)  # the run's own time, not the wall clock
            return [CatalogEntry(m, None, {}, None, None, True) for m in asked]

    res = adapter.resource("resolutions")
    run = ctx(catalog=Catalog())
    scopes = list(res.scopes(run))
    assert [len(s.params["markets"]) for s in scopes] == [20, 5] and not scopes[0].checkpointed
    req, progress = res.start(scopes[0], run, ScopeState())
    assert req.path == "/v2/resolutions" and req.param("condition").split(",") == asked[:20]
    step = res.advance(scopes[0], run, progress, req, ok({"data": rows}))
    states = {c.scope: c.state for c in step.scope_checkpoints}
    assert len(states) == 20 and step.records == 3
    assert states[asked[0]] == {"status": "resolved", "final": True, "checked_at": run.started_at.isoformat()}
    assert states[asked[1]]["status"] == "proposed" and states[asked[1]]["final"] is False
    assert states[asked[5]]["status"] is None  # not answered: asked again next run
    with pytest.raises(PageShapeError, match="exactly one"):
        body = sample("v2/errors_v2.json")["GET /v2/resolutions?event_id=1&condition=0x1 -> 400"]
        res.advance(scopes[0], run, progress, req, status(400, body))


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




def test_price_windows_never_shrink_to_nothing_between_two_seconds():
    """A retention edge or a close with a fraction of a second must not yield a window whose
    whole-second start and end are equal (the venue answers 400)."""
    res = get_adapter("polymarket", {"prices_backfill_s": 20 * 86400}).resource("prices")
    started = datetime(2026, 8, 6, 11, 5, 7, 654321, tzinfo=UTC)
    closed = INTERVAL.end - timedelta(microseconds=250)
    run = RunContext(interval=INTERVAL, started_at=started, settings={},
                     items=[CatalogEntry("0xm", "e1", {"token_ids": ["111"]}, None, closed, True)])
    scope = next(iter(res.scopes(run)))
    req, progress = res.start(scope, run, ScopeState())
    while req is not None:
        assert int(req.param("end")) > int(req.param("start")), dict(req.params)
        step = res.advance(scope, run, progress, req, prices_page([]))
        req, progress = step.next, step.progress


def test_a_full_price_history_up_to_now_ends_on_a_whole_second():
    res = get_adapter("polymarket").resource("prices_history")
    started = datetime(2026, 8, 6, 11, 5, 7, 654321, tzinfo=UTC)
    opened = started - timedelta(days=1, seconds=13, microseconds=752000)
    run = RunContext(interval=Interval(started, started), started_at=started, settings={},
                     items=[CatalogEntry("0xm", "e1", {"token_ids": ["111"]}, opened, None, False)])
    scope = next(iter(res.scopes(run)))
    req, progress = res.start(scope, run, ScopeState())
    ends = []
    while req is not None:
        assert int(req.param("end")) > int(req.param("start")), dict(req.params)
        ends.append(int(req.param("end")))
        step = res.advance(scope, run, progress, req, prices_page([]))
        req, progress = step.next, step.progress
    assert ends[-1] == int(started.timestamp())


def test_a_long_price_history_reads_its_old_part_once_at_12_hours():
    res = get_adapter("polymarket").resource("prices_history")
    started = datetime(2026, 11, 20, 12, tzinfo=UTC)
    opened, closed = datetime(2024, 3, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    run = RunContext(interval=Interval(started, started), started_at=started, settings={},
                     items=[CatalogEntry("0xm", "e1", {"token_ids": ["111"]}, opened, closed, True)])
    scope = next(iter(res.scopes(run)))
    req, progress = res.start(scope, run, ScopeState())
    assert dict(req.params) == {"token_id": "111", "interval": "max", "bucket_seconds": "43200"}
    paged = res.advance(scope, run, progress, req, prices_page([], "C2"))
    assert paged.next.param("cursor") == "C2" and paged.next.param("interval") == "max"
    step = res.advance(scope, run, paged.progress, paged.next, prices_page([]))
    windows = []
    req, progress = step.next, step.progress
    while req is not None:
        windows.append((datetime.fromtimestamp(int(req.param("start")), tz=UTC), int(req.param("bucket_seconds"))))
        step = res.advance(scope, run, progress, req, prices_page([]))
        req, progress = step.next, step.progress
    # Then the 3-h band from July 2026, and finer widths where the venue keeps them.
    assert windows[0] == (datetime(2026, 7, 1, tzinfo=UTC), 10800)
    assert [b for _, b in windows] == sorted([b for _, b in windows], reverse=True) and windows[-1][1] <= 1800
    assert step.state == {"complete": True}
    assert res.estimate_requests(run) == 1 + len(windows)
