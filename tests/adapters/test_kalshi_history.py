"""The Kalshi full sync over recorded responses: each market's trades (both tiers, to the end)
and candles (every period over its life), checkpoints per market, resumption, bounds."""

from datetime import datetime, timedelta, timezone

import pytest

from prediction_markets.adapters import get_adapter
from prediction_markets.adapters.base import CatalogEntry, ScopeState
from prediction_markets.adapters.kalshi.trades import HISTORICAL, LIVE
from tests.adapters.test_kalshi_adapter import CUTOFF, INTERVAL, Catalog, ok, sample, status, walk
from tests.adapters.test_kalshi_adapter import ctx as hourly_ctx

UTC = timezone.utc
NOW = datetime(2026, 8, 6, 11, 5, tzinfo=UTC)
LISTED = NOW - timedelta(minutes=3)
SETTLED_OLD = datetime(2026, 5, 1, tzinfo=UTC)  # before the cutoff (2026-06-07): historical tier


def market(ticker, opened=None, closed=None, settled=None, series="KXFED"):
    keys = {"series_ticker": series} if series else {}
    if settled:
        keys["settled_at"] = settled.isoformat()
    return CatalogEntry(ticker, "KXFED-27APR", keys, opened, closed or settled, (closed or settled) is not None)


def run(items, scopes=None, **settings):
    catalog = Catalog({("historical_cutoff", "current"): CUTOFF,
                       ("markets", "full"): {"walk_started_at": LISTED.isoformat()}}, scopes or {})
    context = hourly_ctx(items=items, catalog=catalog, run_type="backfill")
    context.started_at = NOW
    context.settings = settings
    return context


def trades_page(*stamps, cursor=""):
    row = sample("trades_2026-08.json")["trades"][0]
    return ok({"trades": [dict(row, created_time=s) for s in stamps], "cursor": cursor})


# -- trades ---------------------------------------------------------------------------------
def test_trade_history_scopes_route_by_tier_and_skip_walked_markets():
    res = get_adapter("kalshi").resource("trades_history")
    items = [market("LIVE-1"), market("OLD-1", settled=SETTLED_OLD), market("DONE-1"),
             market("RECENT-1", settled=datetime(2026, 7, 1, tzinfo=UTC))]
    done = {("trades_history", "DONE-1"): ScopeState(state={"complete": True})}
    scopes = {s.key: s.params["tiers"] for s in res.scopes(run(items, done))}
    # Settled before the cutoff: only the historical tier; otherwise both (trades older than
    # the trades cutoff are served by the historical tier even for live markets).
    assert scopes == {"LIVE-1": [LIVE, HISTORICAL], "OLD-1": [HISTORICAL], "RECENT-1": [LIVE, HISTORICAL]}
    assert res.estimate_requests(run(items, done)) == 5


def test_trade_history_walks_both_tiers_to_the_end_and_checkpoints_the_market():
    res = get_adapter("kalshi").resource("trades_history")
    context = run([market("KXCPI-26AUG-T1.0")])
    (scope,) = res.scopes(context)
    pages = [trades_page("2026-08-05T14:31:31.825908Z", "2026-08-05T14:30:00Z", cursor="L2"),
             trades_page("2026-07-01T00:00:00Z"),  # "" ends the live tier
             trades_page("2026-06-01T00:00:00Z", cursor="H2"),
             trades_page("2026-05-01T00:00:00Z", cursor=None)]  # null ends the historical tier
    requests, step = walk(res, scope, context, pages)
    assert [(r.path, r.param("cursor")) for r in requests] == [(LIVE, None), (LIVE, "L2"), (HISTORICAL, None),
                                                               (HISTORICAL, "H2")]
    for r in requests:  # the whole history up to the walk's start, one market
        assert r.param("ticker") == "KXCPI-26AUG-T1.0" and r.param("min_ts") is None
        assert r.param("max_ts") == str(int(NOW.timestamp())) and r.param("limit") == "1000"
    assert step.next is None and step.records == 1
    assert step.high_water_mark == datetime(2026, 8, 5, 14, 31, 31, 825908, tzinfo=UTC)
    assert step.state == {"complete": True, "walked_at": NOW.isoformat(), "walked_to": NOW.isoformat(),
                          "covers_from": None, "until": None, "feed_from": LISTED.isoformat()}


def test_trade_history_intermediate_pages_keep_the_checkpoint_open():
    res = get_adapter("kalshi").resource("trades_history")
    context = run([market("OLD-1", settled=SETTLED_OLD)])
    (scope,) = res.scopes(context)
    req, progress = res.start(scope, context, ScopeState())
    assert req.path == HISTORICAL
    step = res.advance(scope, context, progress, req, trades_page("2026-04-01T00:00:00Z", cursor="H2"))
    assert step.next.param("cursor") == "H2" and step.state is None and step.high_water_mark is None
    step = res.advance(scope, context, step.progress, step.next, ok({"trades": [], "cursor": None}))
    assert step.next is None and step.state["complete"] is True
    assert step.high_water_mark == datetime(2026, 4, 1, tzinfo=UTC)


def test_trade_history_since_and_until_bound_the_walk():
    res = get_adapter("kalshi").resource("trades_history")
    since, until = datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC)
    context = run([market("LIVE-1")], since=since.isoformat(), until=until.isoformat())
    (scope,) = res.scopes(context)
    requests, step = walk(res, scope, context, [trades_page(), ok({"trades": [], "cursor": None})])
    assert all(r.param("min_ts") == str(int(since.timestamp())) and r.param("max_ts") == str(int(until.timestamp()))
               for r in requests)
    assert step.state["complete"] is False and step.state["covers_from"] == since.isoformat()
    assert step.state["feed_from"] == until.isoformat()  # the feed must continue from `until`
    covered = {("trades_history", "LIVE-1"): ScopeState(state=step.state)}
    assert list(res.scopes(run([market("LIVE-1")], covered, since=since.isoformat(), until=until.isoformat()))) == []
    # A wider range than the one walked is walked again; so is the whole history.
    wider = run([market("LIVE-1")], covered, since=(since - timedelta(days=1)).isoformat(), until=until.isoformat())
    assert [s.key for s in res.scopes(wider)] == ["LIVE-1"]
    assert [s.key for s in res.scopes(run([market("LIVE-1")], covered))] == ["LIVE-1"]
    # Walked from `since` up to its now: a rerun with the same `since` (a resumed full sync) skips it.
    context = run([market("LIVE-1")], since=since.isoformat())
    _, step = walk(res, next(iter(res.scopes(context))), context, [trades_page(), ok({"trades": [], "cursor": None})])
    assert step.state["until"] is None and step.state["complete"] is False
    covered = {("trades_history", "LIVE-1"): ScopeState(state=step.state)}
    assert list(res.scopes(run([market("LIVE-1")], covered, since=since.isoformat()))) == []
    assert list(res.scopes(run([market("LIVE-1")], covered, since=(since + timedelta(days=1)).isoformat()))) == []
    assert [s.key for s in res.scopes(run([market("LIVE-1")], covered, until=until.isoformat()))] == ["LIVE-1"]


# -- candles --------------------------------------------------------------------------------
def candle_scopes(res, context):
    return {s.key: s for s in res.scopes(context)}


def test_candle_history_covers_each_period_over_the_whole_life_in_5000_candle_windows():
    res = get_adapter("kalshi").resource("candlesticks_history")
    opened = NOW - timedelta(days=10)
    context = run([market("KXFED-27APR-T4.25", opened=opened)])
    scopes = candle_scopes(res, context)
    assert set(scopes) == {"KXFED-27APR-T4.25:1", "KXFED-27APR-T4.25:60", "KXFED-27APR-T4.25:1440"}
    requests, step = walk(res, scopes["KXFED-27APR-T4.25:1"], context, [ok({"candlesticks": []})] * 10)
    spans = [(int(r.param("start_ts")), int(r.param("end_ts"))) for r in requests]
    assert spans[0][0] == int(opened.timestamp()) and spans[-1][1] == int(NOW.timestamp())
    assert all(b - a == 4999 * 60 for a, b in spans[:-1]) and len(spans) == 3  # 14,400 minutes
    assert all(nxt[0] == prev[1] + 1 for prev, nxt in zip(spans, spans[1:]))
    assert {r.path for r in requests} == {"/series/KXFED/markets/KXFED-27APR-T4.25/candlesticks"}
    assert step.high_water_mark == NOW and step.state == {"from": opened.isoformat()}
    assert res.estimate_requests(context) == 3 + 1 + 1


def test_candle_history_checkpoints_every_window_and_resumes_after_it():
    res = get_adapter("kalshi").resource("candlesticks_history")
    opened = NOW - timedelta(days=10)
    context = run([market("M", opened=opened)])
    scope = candle_scopes(res, context)["M:1"]
    req, progress = res.start(scope, context, ScopeState())
    first = res.advance(scope, context, progress, req, ok(sample("candlesticks.json")))
    assert first.high_water_mark == datetime.fromtimestamp(int(req.param("end_ts")), UTC) and first.state is None
    assert first.records == len(sample("candlesticks.json")["candlesticks"])
    # A later run (the walk completed up to a checkpoint) continues after it, and keeps its start.
    hwm = NOW - timedelta(days=1)
    previous = ScopeState(high_water_mark=hwm, state={"from": opened.isoformat()})
    later = run([market("M", opened=opened)], {("candlesticks_history", "M:1"): previous})
    scope = candle_scopes(res, later)["M:1"]
    requests, step = walk(res, scope, later, [ok({"candlesticks": []})] * 3, previous)
    assert requests[0].param("start_ts") == str(int(hwm.timestamp()) + 1)
    assert step.state == {"from": opened.isoformat()}
    assert res.estimate_requests(later) == 1 + 1 + 1


def test_candle_history_of_closed_markets_ends_with_their_last_candle_and_is_then_skipped():
    res = get_adapter("kalshi").resource("candlesticks_history")
    opened, settled = SETTLED_OLD - timedelta(days=3), SETTLED_OLD
    context = run([market("OLD-1", opened=opened, settled=settled, series=None)])
    scopes = candle_scopes(res, context)
    ends = {}
    for key, scope in scopes.items():
        requests, step = walk(res, scope, context, [ok({"candlesticks": []})] * 5)
        assert {r.path for r in requests} == {"/historical/markets/OLD-1/candlesticks"}  # no series needed
        ends[key] = int(requests[-1].param("end_ts"))
        done = {("candlesticks_history", key): ScopeState(high_water_mark=step.high_water_mark, state=step.state)}
        assert key not in candle_scopes(res, run([market("OLD-1", opened=opened, settled=settled, series=None)], done))
    day = timedelta(hours=25)  # the day holding the close may last 25 h (New York DST)
    assert ends == {"OLD-1:1": int((settled + timedelta(minutes=1)).timestamp()),
                    "OLD-1:60": int((settled + timedelta(hours=1)).timestamp()),
                    "OLD-1:1440": int((settled + day).timestamp())}


def test_candle_history_asks_the_event_for_an_unknown_series_and_falls_back_on_404():
    res = get_adapter("kalshi").resource("candlesticks_history")
    context = run([market("KXELONMARS-99", opened=NOW - timedelta(hours=2), series=None)])
    scope = candle_scopes(res, context)["KXELONMARS-99:60"]
    requests, step = walk(res, scope, context, [
        ok(sample("event.json")),
        status(404, {"error": {"code": "not_found", "message": "market not found"}}),
        ok({"candlesticks": []}),
    ])
    assert [r.path for r in requests] == ["/events/KXFED-27APR",
                                          "/series/KXELONMARS/markets/KXELONMARS-99/candlesticks",
                                          "/historical/markets/KXELONMARS-99/candlesticks"]
    assert requests[1].params == requests[2].params and step.next is None and step.high_water_mark == NOW
    assert res.estimate_requests(context) == 3 * 2


def test_candle_history_since_until_and_an_unknown_opening():
    res = get_adapter("kalshi", {"candle_periods": [60], "history_unknown_open_s": 86400}).resource(
        "candlesticks_history")
    since, until = NOW - timedelta(days=3), NOW - timedelta(days=1)
    context = run([market("M", opened=NOW - timedelta(days=30))], since=since.isoformat(), until=until.isoformat())
    (scope,) = res.scopes(context)
    requests, step = walk(res, scope, context, [ok({"candlesticks": []})])
    assert (requests[0].param("start_ts"), requests[0].param("end_ts")) == (str(int(since.timestamp())),
                                                                            str(int(until.timestamp())))
    assert step.state == {"from": since.isoformat()} and not step.gaps
    # No opening time: the configured depth, and the rest recorded as a gap with the first page.
    context = run([market("M", opened=None)])
    (scope,) = res.scopes(context)
    requests, step = walk(res, scope, context, [ok({"candlesticks": []})])
    assert requests[0].param("start_ts") == str(int((NOW - timedelta(days=1)).timestamp()))
    (gap,) = step.gaps
    assert (gap.resource, gap.scope, gap.gap_from) == ("candlesticks_history", "M:60", None)
    assert gap.gap_to == NOW - timedelta(days=1, seconds=1)


@pytest.mark.parametrize("name", ["trades_history", "candlesticks_history"])
def test_history_resources_are_per_market_and_not_bound_to_an_interval(name):
    res = get_adapter("kalshi").resource(name)
    assert res.per_market and res.interval_bound is False and res.main_path
    assert res.landing_resource in ("trades", "candlesticks")  # staged with the hourly pages


def test_walks_ending_between_two_seconds_end_with_their_last_window():
    """Requests take whole seconds: a walk ending at a fractional instant (the run's start, a
    settlement time) must not ask for a window past its end."""
    res = get_adapter("kalshi", {"candle_periods": [1]}).resource("candlesticks_history")
    context = run([market("M", opened=NOW - timedelta(days=5))])
    context.started_at = NOW + timedelta(microseconds=735906)
    requests, step = walk(res, next(iter(res.scopes(context))), context, [ok({"candlesticks": []})] * 5)
    assert len(requests) == 2 and step.next is None
    assert requests[-1].param("end_ts") == str(int(NOW.timestamp()))
    hourly = get_adapter("kalshi", {"candle_periods": [1]}).resource("candlesticks")
    closed = INTERVAL.start + timedelta(minutes=3, microseconds=470321)
    run_ = hourly_ctx(items=[market("M", settled=closed)])
    requests, step = walk(hourly, next(iter(hourly.scopes(run_))), run_, [ok({"candlesticks": []})] * 3)
    assert len(requests) == 1 and step.next is None


def test_candle_history_of_a_market_closed_today_includes_the_day_holding_its_close():
    res = get_adapter("kalshi", {"candle_periods": [1440]}).resource("candlesticks_history")
    closed = NOW - timedelta(minutes=10)
    context = run([market("M", opened=NOW - timedelta(days=3), closed=closed)])
    requests, step = walk(res, next(iter(res.scopes(context))), context, [ok({"candlesticks": []})])
    # The daily period holding the close ends after now; the venue serves it while it lasts.
    assert requests[0].param("end_ts") == str(int((closed + timedelta(hours=25)).timestamp()))
    assert step.next is None and step.high_water_mark == closed + timedelta(hours=25)
