"""Kalshi adapter over recorded responses: requests, cursor paging, cutoff routing, quirks."""

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
from prediction_markets.adapters.kalshi.reference import catalog_entry
from prediction_markets.adapters.kalshi.trades import HISTORICAL, LIVE, split_at_cutoff

UTC = timezone.utc
FIXTURES = Path(__file__).parents[1] / "fixtures" / "kalshi"
INTERVAL = Interval(datetime(2026, 8, 6, 10, tzinfo=UTC), datetime(2026, 8, 6, 11, tzinfo=UTC))
CUTOFF = {"market_settled_ts": "2026-06-07T00:00:00Z", "trades_created_ts": "2026-06-07T00:00:00Z",
          "orders_updated_ts": "2026-06-07T00:00:00Z", "market_positions_last_updated_ts": "2026-06-07T00:00:00Z"}


def sample(name):
    return json.loads((FIXTURES / name).read_text())


def ok(data):
    return Response(status=200, body=json.dumps(data).encode(), data=data)


def status(code, data):
    return Response(status=code, body=json.dumps(data).encode(), data=data)


class Catalog:
    """Landing state as the reader would return it: venue states, scope checkpoints, open gaps."""

    def __init__(self, state=None, scopes=None, gaps=(), earliest=None):
        self.state = state or {}
        self.scopes = scopes or {}  # (resource, scope) -> ScopeState
        self.gaps = list(gaps)
        self.earliest = earliest or {}  # (resource, key) -> datetime

    def venue_state(self, resource, scope):
        return self.state.get((resource, scope), {})

    def scope_states(self, resource, scopes):
        return {s: self.scopes[(resource, s)] for s in scopes if (resource, s) in self.scopes}

    def open_gaps(self, resource):
        return [g for g in self.gaps if g.resource == resource]

    def earliest_state_time(self, resource, key):
        return self.earliest.get((resource, key))

    def open_markets_not_seen_since(self, source, since):
        return []


def ctx(interval=INTERVAL, **kw):
    kw.setdefault("catalog", Catalog({("historical_cutoff", "current"): CUTOFF}))
    return RunContext(interval=interval, started_at=interval.end + timedelta(minutes=5), settings={}, **kw)


@pytest.fixture
def adapter():
    return get_adapter("kalshi")


def walk(resource, scope, run, pages, previous=ScopeState()):
    """Feed `pages` (responses) to a walk; returns the requests made and the last step."""
    request, progress = resource.start(scope, run, previous)
    requests, step = [], None
    for page in pages:
        requests.append(request)
        step = resource.advance(scope, run, progress, request, page)
        request, progress = step.next, step.progress
        if request is None:
            break
    return requests, step


# -- cursor paging --------------------------------------------------------------------------
@pytest.mark.parametrize("end", [{"cursor": ""}, {"cursor": None}, {}])
def test_markets_walk_ends_only_on_empty_null_or_missing_cursor(adapter, end):
    res = adapter.resource("markets")
    scope = next(s for s in res.scopes(ctx()) if s.key == "updated")
    full = sample("markets.json")
    short = {"markets": full["markets"][:1], "cursor": "CgwIyeGVywYQ0Lvs-page2"}  # a short page is not the end
    requests, step = walk(res, scope, ctx(), [ok(full), ok(short), ok({"markets": [], **end})])
    assert [r.param("cursor") for r in requests] == [None, full["cursor"], "CgwIyeGVywYQ0Lvs-page2"]
    assert step.next is None
    assert requests[0].param("mve_filter") == "exclude" and requests[0].param("limit") == "1000"
    assert requests[0].param("min_updated_ts") is None  # first run: everything live


def test_repeated_cursor_is_a_loop_error(adapter):
    res = adapter.resource("markets")
    scope = next(s for s in res.scopes(ctx()) if s.key == "updated")
    page = sample("markets.json")
    with pytest.raises(PageShapeError, match="cursor loop"):
        walk(res, scope, ctx(), [ok(page), ok({"markets": [], "cursor": "other"}), ok(page)])


def test_incremental_markets_use_min_updated_ts_only_with_mve_exclude(adapter):
    res = adapter.resource("markets")
    hwm = datetime(2026, 8, 6, 9, tzinfo=UTC)
    scopes = {s.key: s for s in res.scopes(ctx())}
    req, _ = res.start(scopes["updated"], ctx(), ScopeState(high_water_mark=hwm))
    assert req.param("min_updated_ts") == str(int((hwm - timedelta(hours=1)).timestamp()))
    req, _ = res.start(scopes["open"], ctx(), ScopeState(high_water_mark=hwm))
    assert req.param("status") == "open" and req.param("min_updated_ts") is None
    with_parlays = get_adapter("kalshi", {"mve_filter": None}).resource("markets")
    req, _ = with_parlays.start(scopes["updated"], ctx(), ScopeState(high_water_mark=hwm))
    assert req.param("mve_filter") is None and req.param("min_updated_ts") is None


def test_markets_walk_records_newest_update_as_checkpoint(adapter):
    res = adapter.resource("markets")
    scope = next(s for s in res.scopes(ctx()) if s.key == "updated")
    market = sample("market_object_2026-08.json")
    page = {"markets": [dict(market, ticker="A", updated_time="2026-08-06T09:10:11.123Z"),
                        dict(market, ticker="B", updated_time="2026-08-06T09:40:00Z")], "cursor": "c2"}
    last = {"markets": [dict(market, ticker="C", updated_time="2026-08-06T09:20:00.5Z")], "cursor": ""}
    _, step = walk(res, scope, ctx(), [ok(page), ok(last)])
    assert step.high_water_mark == datetime(2026, 8, 6, 9, 40, tzinfo=UTC)
    # Pages of the January 2026 shape carry no updated_time: no checkpoint, the next walk is full.
    _, step = walk(res, scope, ctx(), [ok({**sample("markets.json"), "cursor": ""})])
    assert step.high_water_mark is None and len(step.catalog) == len(sample("markets.json")["markets"])


# -- catalog --------------------------------------------------------------------------------
def test_catalog_entry_from_live_market_and_zero_timestamps():
    market = sample("market_object_2026-08.json")
    entry = catalog_entry(market, "KXFED")
    assert entry.market_id == market["ticker"] and entry.event_id == market["event_ticker"]
    assert entry.keys["series_ticker"] == "KXFED"
    zero = dict(market, open_time="0001-01-01T00:00:00Z", status="finalized", settlement_ts="2026-05-01T00:00:00Z")
    entry = catalog_entry(zero)
    assert entry.opened_at is None and entry.is_closed
    assert entry.closed_at == datetime(2026, 5, 1, tzinfo=UTC) and "series_ticker" not in entry.keys


def test_events_give_nested_markets_their_series(adapter):
    res = adapter.resource("events")
    (scope,) = res.scopes(ctx())
    req, progress = res.start(scope, ctx(), ScopeState())
    assert req.param("with_nested_markets") == "true" and req.param("limit") == "200"
    event = dict(sample("events.json")["events"][0], series_ticker="KXFED",
                 markets=[dict(sample("market_object_2026-08.json"), ticker="FED-23FEB-T4.25", event_ticker="FED-23FEB")])
    step = res.advance(scope, ctx(), progress, req, ok({"events": [event], "cursor": ""}))
    assert [(e.market_id, e.keys["series_ticker"]) for e in step.catalog] == [("FED-23FEB-T4.25", "KXFED")]


def test_series_is_one_page_and_tolerates_null_arrays(adapter):
    res = adapter.resource("series")
    body = sample("series_list.json")
    assert body.get("cursor") is None
    _, step = walk(res, Scope("all"), ctx(), [ok(body)])
    assert step.next is None and step.records == len(body["series"])
    _, step = walk(res, Scope("all"), ctx(), [ok({"series": None})])  # "required" array sent as null
    assert step.records == 0


def test_error_envelopes_fail_the_walk_with_the_venue_message(adapter):
    res = adapter.resource("markets")
    scope = next(s for s in res.scopes(ctx()) if s.key == "updated")
    errors = sample("errors.json")
    with pytest.raises(PageShapeError, match="invalid_price: invalid price"):
        walk(res, scope, ctx(), [status(400, errors[1]["body"])])
    with pytest.raises(PageShapeError, match="too many requests"):
        walk(res, scope, ctx(), [status(429, errors[0]["body"])])


def test_historical_markets_backfill_runs_once(adapter):
    res = adapter.resource("historical_markets")
    (scope,) = res.scopes(ctx())
    requests, step = walk(res, scope, ctx(), [ok({"markets": sample("markets.json")["markets"], "cursor": None})])
    assert requests[0].path == "/historical/markets" and step.state == {"complete": True}
    assert res.start(scope, ctx(), ScopeState(state={"complete": True}))[0] is None


def test_full_sync_listings_walk_everything_and_advance_the_hourly_checkpoints(adapter):
    run = ctx(run_type="backfill")
    market = sample("market_object_2026-08.json")
    for name, path, incremental in (("markets", "/markets", ("markets", "updated")),
                                    ("events", "/events", ("events", "all"))):
        res = adapter.resource(name)
        (scope,) = res.scopes(run)
        assert scope.key == "full" and scope.interval_bound is False
        # Even with an hourly checkpoint: no status, no min_updated_ts.
        req, progress = res.start(scope, run, ScopeState(high_water_mark=INTERVAL.start))
        assert req.path == path and req.param("min_updated_ts") is None and req.param("status") is None
        items = ([dict(market, updated_time="2026-08-06T09:40:00Z")] if name == "markets" else
                 [dict(sample("events.json")["events"][0], last_updated_ts="2026-08-06T09:40:00Z", markets=[market])])
        step = res.advance(scope, run, progress, req, ok({name: items, "cursor": "next"}))
        assert step.next.param("cursor") == "next" and not step.scope_checkpoints
        step = res.advance(scope, run, step.progress, step.next, ok({name: items, "cursor": ""}))
        assert step.next is None and step.state == {"walk_started_at": run.started_at.isoformat()}
        (checkpoint,) = step.scope_checkpoints
        assert (checkpoint.resource, checkpoint.scope) == incremental
        assert checkpoint.high_water_mark == datetime(2026, 8, 6, 9, 40, tzinfo=UTC)
    res = adapter.resource("historical_markets")
    (scope,) = res.scopes(run)
    req, progress = res.start(scope, run, ScopeState(state={"complete": True}))  # walked in full each time
    assert req.path == "/historical/markets" and req.param("mve_filter") == "exclude"
    step = res.advance(scope, run, progress, req, ok({"markets": [market]}))  # no cursor key: the end
    assert [(c.resource, c.scope, c.state) for c in step.scope_checkpoints] == [
        ("historical_markets", "backfill", {"complete": True})]
    assert [e.market_id for e in step.catalog] == [market["ticker"]]


def test_cutoff_is_kept_as_state(adapter):
    res = adapter.resource("historical_cutoff")
    _, step = walk(res, Scope("current"), ctx(), [ok(sample("historical_cutoff.json"))])
    assert step.state["trades_created_ts"] == "2026-06-07T00:00:00+00:00"


# -- trades and the historical cutoff -------------------------------------------------------
def test_split_at_cutoff():
    a, b, c = (datetime(2026, 6, 6, 23, tzinfo=UTC), datetime(2026, 6, 7, tzinfo=UTC),
               datetime(2026, 6, 7, 1, tzinfo=UTC))
    assert split_at_cutoff(a, b, c) == [(HISTORICAL, a, b)]
    assert split_at_cutoff(b, c, a) == [(LIVE, b, c)]
    assert split_at_cutoff(a, c, b) == [(HISTORICAL, a, b), (LIVE, b, c)]
    assert split_at_cutoff(a, c, None) == [(LIVE, a, c)]


@pytest.mark.parametrize("interval, paths", [
    (Interval(datetime(2026, 5, 1, 10, tzinfo=UTC), datetime(2026, 5, 1, 11, tzinfo=UTC)), [HISTORICAL]),
    (Interval(datetime(2026, 6, 6, 23, 30, tzinfo=UTC), datetime(2026, 6, 7, 0, 30, tzinfo=UTC)), [HISTORICAL, LIVE]),
    (INTERVAL, [LIVE]),
])
def test_trades_route_by_the_cutoff(adapter, interval, paths):
    res = adapter.resource("trades")
    run = ctx(interval)
    trades = sample("trades_2026-08.json")
    pages = [ok(sample("historical_cutoff.json"))] + [ok(trades)] * len(paths)
    requests, step = walk(res, Scope("all"), run, pages)
    assert requests[0].path == "/historical/cutoff" and requests[0].resource == "historical_cutoff"
    assert [r.path for r in requests[1:]] == paths
    first, last = requests[1], requests[-1]
    assert int(first.param("min_ts")) == int(interval.start.timestamp()) - 60  # overlap
    assert int(last.param("max_ts")) == int(interval.end.timestamp())
    if len(paths) == 2:
        cutoff = int(datetime(2026, 6, 7, tzinfo=UTC).timestamp())
        assert int(requests[1].param("max_ts")) == cutoff and int(requests[2].param("min_ts")) == cutoff - 60
    assert step.next is None and step.high_water_mark == interval.end


def test_trades_fill_the_gap_since_an_older_checkpoint(adapter):
    res = adapter.resource("trades")
    old = INTERVAL.start - timedelta(hours=5)
    _, progress = res.start(Scope("all"), ctx(), ScopeState(high_water_mark=old))
    assert progress["window"][0] == (old - timedelta(seconds=60)).isoformat()


def test_trades_catch_up_beyond_the_limit_records_a_gap_with_the_first_page(adapter):
    res = adapter.resource("trades")
    (scope, *gap_scopes) = res.scopes(ctx())
    assert scope.key == "all" and gap_scopes == []
    old = INTERVAL.start - timedelta(days=10)
    requests, step = walk(res, scope, ctx(), [ok(sample("historical_cutoff.json")), ok(sample("trades_2026-08.json"))],
                          ScopeState(high_water_mark=old))
    floor = INTERVAL.start - timedelta(days=7)
    assert requests[1].param("min_ts") == str(int(floor.timestamp()) - 60)
    # The gap commits with the walk's first page (the cutoff read), not its last one.
    req, progress = res.start(scope, ctx(), ScopeState(high_water_mark=old))
    first = res.advance(scope, ctx(), progress, req, ok(sample("historical_cutoff.json")))
    (gap,) = first.gaps
    assert (gap.resource, gap.scope, gap.gap_from, gap.gap_to) == ("trades", "all", old, floor)
    assert not step.gaps and step.high_water_mark == INTERVAL.end


def test_trades_gaps_are_walked_by_later_runs_one_span_at_a_time(adapter):
    old = datetime(2026, 6, 1, tzinfo=UTC)
    gaps = [OpenGap(11, "trades", "all", old, old + timedelta(days=10), "limit")]
    run = ctx(catalog=Catalog({("historical_cutoff", "current"): CUTOFF}, gaps=gaps))
    res = adapter.resource("trades")
    _, scope = res.scopes(run)
    assert scope.key == "gap:11" and scope.interval_bound is False
    pages = [ok(sample("historical_cutoff.json"))] + [ok({**sample("trades_2026-08.json"), "cursor": ""})] * 2
    requests, step = walk(res, scope, run, pages)
    # Seven days of it this run, split at the trades cutoff (2026-06-07).
    assert [r.path for r in requests] == ["/historical/cutoff", HISTORICAL, LIVE]
    assert requests[1].param("min_ts") == str(int(old.timestamp()) - 60)
    assert requests[2].param("max_ts") == str(int((old + timedelta(days=7)).timestamp()))
    assert step.closed_gaps == [11] and step.high_water_mark is None
    (rest,) = step.gaps
    assert (rest.scope, rest.gap_from, rest.gap_to) == ("all", old + timedelta(days=7), old + timedelta(days=10))


def test_first_trades_walk_after_a_full_sync_starts_where_its_listing_began(adapter):
    res = adapter.resource("trades")
    began = INTERVAL.start - timedelta(hours=30)
    run = ctx(catalog=Catalog({("historical_cutoff", "current"): CUTOFF},
                              earliest={("trades_history", "feed_from"): began}))
    scope, = res.scopes(run)
    _, progress = res.start(scope, run, ScopeState())
    assert progress["window"][0] == (began - timedelta(seconds=60)).isoformat()
    # Once the hourly walk has a checkpoint of its own, it continues from that.
    _, progress = res.start(scope, run, ScopeState(high_water_mark=INTERVAL.start))
    assert progress["window"][0] == (INTERVAL.start - timedelta(seconds=60)).isoformat()
    # A full sync later than the interval start does not shorten the interval.
    run = ctx(catalog=Catalog(earliest={("trades_history", "feed_from"): INTERVAL.end}))
    _, progress = res.start(next(iter(res.scopes(run))), run, ScopeState())
    assert progress["window"][0] == (INTERVAL.start - timedelta(seconds=60)).isoformat()


def test_legacy_trades_page_counts_records(adapter):
    res = adapter.resource("trades")
    legacy = sample("trades.json")
    requests, step = walk(res, Scope("all"), ctx(), [ok(sample("historical_cutoff.json")), ok({**legacy, "cursor": ""})])
    assert step.records == len(legacy["trades"])


# -- candles --------------------------------------------------------------------------------
def entry(ticker="KXFED-27APR-T4.25", series="KXFED", settled=None, closed=None, opened=None):
    keys = {"series_ticker": series} if series else {}
    if settled:
        keys["settled_at"] = settled.isoformat()
    return CatalogEntry(ticker, "KXFED-27APR", keys, opened, closed, closed is not None)


def test_candles_use_the_event_series_for_live_markets(adapter):
    res = adapter.resource("candlesticks")
    scopes = list(res.scopes(ctx(items=[entry(ticker="FED-23FEB-T4.25", series="KXFED")])))
    assert [s.key for s in scopes] == ["FED-23FEB-T4.25:1", "FED-23FEB-T4.25:60", "FED-23FEB-T4.25:1440"]
    req, progress = res.start(scopes[0], ctx(), ScopeState())
    assert req.path == "/series/KXFED/markets/FED-23FEB-T4.25/candlesticks"  # not "FED" from the ticker
    assert dict(req.params) == {"start_ts": str(int(INTERVAL.start.timestamp())),
                                "end_ts": str(int(INTERVAL.end.timestamp())), "period_interval": "1"}
    step = res.advance(scopes[0], ctx(), progress, req, ok(sample("candlesticks.json")))
    assert step.next is None and step.records == len(sample("candlesticks.json")["candlesticks"])
    assert step.high_water_mark == INTERVAL.end


def test_candles_of_markets_settled_before_the_cutoff_come_from_the_historical_tier(adapter):
    res = adapter.resource("candlesticks")
    run = ctx(items=[entry(series=None, settled=datetime(2026, 5, 1, tzinfo=UTC))])
    scope = next(iter(res.scopes(run)))
    req, _ = res.start(scope, run, ScopeState())
    assert req.path == "/historical/markets/KXFED-27APR-T4.25/candlesticks"


def test_candles_fall_back_to_historical_on_404(adapter):
    res = adapter.resource("candlesticks")
    scope = next(iter(res.scopes(ctx(items=[entry()]))))
    req, progress = res.start(scope, ctx(), ScopeState())
    step = res.advance(scope, ctx(), progress, req, status(404, {"error": {"code": "not_found", "message": "x"}}))
    assert step.next.path == "/historical/markets/KXFED-27APR-T4.25/candlesticks" and step.warnings
    assert dict(step.next.params) == dict(req.params)  # the same window, from the other tier


def test_candles_of_a_market_without_series_ask_its_event_first(adapter):
    """A market listed without its event (no series known) is not skipped: its event says."""
    res = adapter.resource("candlesticks")
    scope = next(iter(res.scopes(ctx(items=[entry(series=None)]))))
    requests, step = walk(res, scope, ctx(), [ok(sample("event.json")), ok(sample("candlesticks.json"))])
    assert [r.path for r in requests] == ["/events/KXFED-27APR",
                                          "/series/KXELONMARS/markets/KXFED-27APR-T4.25/candlesticks"]
    assert requests[0].resource == "events" and requests[1].param("start_ts") == str(int(INTERVAL.start.timestamp()))
    assert step.next is None and step.high_water_mark == INTERVAL.end


def test_long_candle_windows_are_chunked_without_overlap():
    res = get_adapter("kalshi", {"candles_per_request": 100, "candle_periods": [1]}).resource("candlesticks")
    scope = next(iter(res.scopes(ctx(items=[entry()]))))
    old = INTERVAL.start - timedelta(hours=5)
    requests, _ = walk(res, scope, ctx(), [ok({"candlesticks": []})] * 10, ScopeState(high_water_mark=old))
    spans = [(int(r.param("start_ts")), int(r.param("end_ts"))) for r in requests]
    # The candle ending at the checkpoint was landed by the walk that set it.
    assert spans[0][0] == int(old.timestamp()) + 1 and spans[-1][1] == int(INTERVAL.end.timestamp())
    assert all(b - a <= 99 * 60 for a, b in spans) and len(spans) == 4  # at most 100 candle ends each
    assert all(nxt[0] == prev[1] + 1 for prev, nxt in zip(spans, spans[1:]))


def test_consecutive_candle_walks_do_not_repeat_the_boundary_candle(adapter):
    res = adapter.resource("candlesticks")
    scope = next(iter(res.scopes(ctx(items=[entry()]))))
    req, _ = res.start(scope, ctx(), ScopeState(high_water_mark=INTERVAL.start))  # the previous interval's end
    assert req.param("start_ts") == str(int(INTERVAL.start.timestamp()) + 1)
    req, _ = res.start(scope, ctx(), ScopeState(high_water_mark=INTERVAL.end))  # a rerun: the whole interval
    assert req.param("start_ts") == str(int(INTERVAL.start.timestamp()))


def test_candles_of_a_closed_market_run_to_its_last_candle_once(adapter):
    """The day holding the close ends up to 25 h later, when the market has left the hourly
    batches: its last candles are read in the run that sees it closed, and not again."""
    res = adapter.resource("candlesticks")
    closed = INTERVAL.start + timedelta(minutes=10)
    run = ctx(items=[entry(closed=closed)])
    firsts = {s.params["period"]: res.start(s, run, ScopeState())[0] for s in res.scopes(run)}
    final = {1: closed + timedelta(minutes=1), 60: closed + timedelta(hours=1), 1440: closed + timedelta(hours=25)}
    assert {p: r.param("end_ts") for p, r in firsts.items()} == {p: str(int(t.timestamp())) for p, t in final.items()}
    following = ctx(interval=Interval(INTERVAL.end, INTERVAL.end + timedelta(hours=1)), items=[entry(closed=closed)])
    for scope in res.scopes(following):
        assert res.start(scope, following, ScopeState(high_water_mark=final[scope.params["period"]])) == (None, {})
    # A rerun of the interval it closed in reads that interval again; one before its close, only that.
    for scope in res.scopes(run):
        req, _ = res.start(scope, run, ScopeState(high_water_mark=final[scope.params["period"]]))
        assert req.param("start_ts") == str(int(INTERVAL.start.timestamp()))
    later = ctx(items=[entry(closed=INTERVAL.end + timedelta(days=3))])
    assert {res.start(s, later, ScopeState())[0].param("end_ts") for s in res.scopes(later)} == {
        str(int(INTERVAL.end.timestamp()))}


def test_first_hourly_candles_continue_after_the_full_sync(adapter):
    res = adapter.resource("candlesticks")
    synced = INTERVAL.start + timedelta(minutes=20, seconds=7)
    catalog = Catalog({("historical_cutoff", "current"): CUTOFF},
                      {("candlesticks_history", "KXFED-27APR-T4.25:60"): ScopeState(high_water_mark=synced)})
    run = ctx(items=[entry()], catalog=catalog)
    scopes = {s.key: s for s in res.scopes(run)}
    req, _ = res.start(scopes["KXFED-27APR-T4.25:60"], run, ScopeState())
    assert req.param("start_ts") == str(int(synced.timestamp()) + 1)
    req, _ = res.start(scopes["KXFED-27APR-T4.25:1"], run, ScopeState())  # no full sync of this period
    assert req.param("start_ts") == str(int(INTERVAL.start.timestamp()))
    done = Catalog({("historical_cutoff", "current"): CUTOFF},
                   {("candlesticks_history", "KXFED-27APR-T4.25:60"): ScopeState(high_water_mark=INTERVAL.end)})
    run = ctx(items=[entry()], catalog=done)
    scope = next(s for s in res.scopes(run) if s.key == "KXFED-27APR-T4.25:60")
    assert res.start(scope, run, ScopeState()) == (None, {})  # the full sync already landed the interval


def test_candle_catch_up_beyond_the_limit_records_a_gap_with_the_first_page(adapter):
    res = adapter.resource("candlesticks")
    run = ctx(items=[entry()])
    scope = next(s for s in res.scopes(run) if s.key.endswith(":60"))
    old = INTERVAL.start - timedelta(days=5)
    requests, step = walk(res, scope, run, [ok({"candlesticks": []})], ScopeState(high_water_mark=old))
    floor = INTERVAL.start - timedelta(days=2)
    assert requests[0].param("start_ts") == str(int(floor.timestamp()))
    first = res.advance(scope, run, res.start(scope, run, ScopeState(high_water_mark=old))[1], requests[0],
                        ok({"candlesticks": []}))
    (gap,) = first.gaps
    assert (gap.resource, gap.scope) == ("candlesticks", scope.key)
    assert gap.gap_from == old + timedelta(seconds=1) and gap.gap_to == floor - timedelta(seconds=1)
    assert first.high_water_mark == INTERVAL.end and not first.closed_gaps


def test_a_market_leaving_the_batches_is_caught_up_in_full(adapter):
    """Closed longer ago than the planner's grace by the next run, no later run would walk the
    rest: no gap is left to it."""
    res = adapter.resource("candlesticks")
    closed = INTERVAL.start - timedelta(minutes=30)  # the next run plans markets closed since 10:00
    run = ctx(items=[entry(closed=closed)])
    scope = next(s for s in res.scopes(run) if s.key.endswith(":1440"))
    old = INTERVAL.start - timedelta(days=5)
    requests, step = walk(res, scope, run, [ok({"candlesticks": []})] * 5, ScopeState(high_water_mark=old))
    assert requests[0].param("start_ts") == str(int(old.timestamp()) + 1) and not step.gaps
    assert requests[-1].param("end_ts") == str(int((closed + timedelta(hours=25)).timestamp()))


def test_a_market_first_seen_late_is_walked_from_its_opening(adapter):
    res = adapter.resource("candlesticks")
    for opened, first in ((INTERVAL.start - timedelta(hours=5), INTERVAL.start - timedelta(hours=5)),
                          (INTERVAL.start - timedelta(days=30), INTERVAL.start)):  # older: the full sync's
        run = ctx(items=[entry(opened=opened)])
        req, _ = res.start(next(iter(res.scopes(run))), run, ScopeState())
        assert req.param("start_ts") == str(int(first.timestamp()))


def test_candle_gaps_are_walked_by_later_runs_and_closed(adapter):
    gap_from, gap_to = INTERVAL.start - timedelta(days=3), INTERVAL.start - timedelta(days=2, seconds=1)
    gaps = [OpenGap(7, "candlesticks", "KXFED-27APR-T4.25:60", gap_from, gap_to, "limit"),
            OpenGap(8, "candlesticks", "OTHER-MARKET:60", gap_from, gap_to, "limit")]
    run = ctx(items=[entry()], catalog=Catalog({("historical_cutoff", "current"): CUTOFF}, gaps=gaps))
    res = adapter.resource("candlesticks")
    (scope,) = [s for s in res.scopes(run) if s.key.startswith("gap:")]  # only the batch's markets
    assert scope.key == "gap:7" and scope.interval_bound is False
    requests, step = walk(res, scope, run, [ok({"candlesticks": []})] * 5)
    assert requests[0].param("start_ts") == str(int(gap_from.timestamp()))
    assert requests[-1].param("end_ts") == str(int(gap_to.timestamp()))
    assert step.closed_gaps == [7] and step.high_water_mark is None and not step.gaps


def test_gaps_of_markets_leaving_the_batches_come_first_and_are_walked_whole():
    res = get_adapter("kalshi", {"candle_periods": [60], "gaps_per_run": 1}).resource("candlesticks")
    gap_from = INTERVAL.start - timedelta(days=9)
    gaps = [OpenGap(1, "candlesticks", "OPEN-1:60", gap_from, gap_from + timedelta(hours=1), "x"),
            OpenGap(2, "candlesticks", "SHUT-1:60", gap_from, gap_from + timedelta(days=5), "x")]
    items = [entry(ticker="OPEN-1"), entry(ticker="SHUT-1", closed=INTERVAL.start - timedelta(hours=2))]
    run = ctx(items=items, catalog=Catalog({("historical_cutoff", "current"): CUTOFF}, gaps=gaps))
    (scope,) = [s for s in res.scopes(run) if s.key.startswith("gap:")]
    assert scope.key == "gap:2"
    requests, step = walk(res, scope, run, [ok({"candlesticks": []})] * 5)
    assert requests[-1].param("end_ts") == str(int((gap_from + timedelta(days=5)).timestamp()))
    assert step.closed_gaps == [2] and not step.gaps


def test_a_candle_gap_longer_than_the_limit_is_walked_one_span_per_run():
    res = get_adapter("kalshi", {"candle_periods": [60], "gaps_per_run": 1}).resource("candlesticks")
    gap_from = INTERVAL.start - timedelta(days=9)
    gaps = [OpenGap(3, "candlesticks", "KXFED-27APR-T4.25:60", gap_from, INTERVAL.start - timedelta(days=2), "x"),
            OpenGap(4, "candlesticks", "KXFED-27APR-T4.25:60", gap_from, gap_from + timedelta(hours=1), "x")]
    run = ctx(items=[entry()], catalog=Catalog({("historical_cutoff", "current"): CUTOFF}, gaps=gaps))
    (scope,) = [s for s in res.scopes(run) if s.key.startswith("gap:")]  # gaps_per_run
    requests, step = walk(res, scope, run, [ok({"candlesticks": []})] * 5)
    assert requests[-1].param("end_ts") == str(int((gap_from + timedelta(days=2)).timestamp()))
    (rest,) = step.gaps
    assert step.closed_gaps == [3] and rest.gap_from == gap_from + timedelta(days=2, seconds=1)
    assert rest.gap_to == INTERVAL.start - timedelta(days=2) and rest.scope == "KXFED-27APR-T4.25:60"


# -- order books ----------------------------------------------------------------------------
def test_orderbooks_batch_costs_per_ticker_and_falls_back_one_by_one(adapter):
    res = adapter.resource("orderbooks")
    items = [entry(ticker=f"T{i}") for i in range(3)] + [entry(ticker="SHUT", closed=INTERVAL.start)]
    (scope,) = res.scopes(ctx(items=items))
    req, progress = res.start(scope, ctx(), ScopeState())
    assert req.path == "/markets/orderbooks" and req.cost == 3 and req.signed
    assert [v for k, v in req.params if k == "tickers"] == ["T0", "T1", "T2"]
    batch = {"orderbooks": [{"ticker": "T0", "orderbook_fp": sample("orderbook.json")["orderbook_fp"]}]}
    assert res.advance(scope, ctx(), progress, req, ok(batch)).records == 1
    refused = status(401, sample("errors.json")[2]["body"])
    requests, step = walk(res, scope, ctx(), [refused, ok(sample("orderbook.json")),
                                              status(404, {"error": {"code": "not_found"}}),
                                              ok(sample("orderbook_2026-01_empty_legacy.json"))])
    assert [r.path for r in requests] == ["/markets/orderbooks", "/markets/T0/orderbook", "/markets/T1/orderbook",
                                          "/markets/T2/orderbook"]
    assert step.next is None
    assert list(res.scopes(ctx(items=items, run_type="backfill"))) == []


def test_candle_walk_of_an_interval_ending_between_two_seconds_ends(adapter):
    """A manual run ends at its trigger time; the floored interval ends the walk in one window."""
    interval = Interval(INTERVAL.start, INTERVAL.end + timedelta(minutes=6, seconds=14, microseconds=35906))
    res = adapter.resource("candlesticks")
    run = ctx(interval=interval, items=[entry()])
    scope = next(iter(res.scopes(run)))
    requests, step = walk(res, scope, run, [ok({"candlesticks": []})] * 3, ScopeState(high_water_mark=interval.start))
    assert len(requests) == 1 and step.next is None
    assert requests[0].param("end_ts") == str(int(interval.end.timestamp()))
