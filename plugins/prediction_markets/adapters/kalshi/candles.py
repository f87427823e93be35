"""Kalshi candlesticks per market and period (1, 60, 1440 minutes).

Live candles need the market's series in the path, taken from its event (never split out of the
ticker); markets settled before the historical cutoff are read from
/historical/markets/{ticker}/candlesticks, which needs none, and a live 404 (the market crossed
the cutoff since the catalog saw it) falls back to that tier. Both bounds of a request are
inclusive (a candle is returned when start_ts <= end_period_ts <= end_ts), so windows follow each
other one second apart and never return a candle twice; a window holds at most
`candles_per_request` candle ends (the venue refuses more than 5,000 at once).

- `candlesticks` (hourly): the data interval per market and period, continued after the
  checkpoint (or after the full sync's checkpoint on a first run). A catch-up reaching back more
  than `candles_max_catchup_s` is cut there: the older range is recorded as a gap with the first
  page and later runs walk it (`gaps_per_run` per batch, at most one catch-up span each).
- `candlesticks_history` (the full sync): each market's whole life per period, resumable: a
  scope keeps the range it covered (`state.from` .. high-water mark) and a later run continues
  after it.

Batch calls (/markets/candlesticks) are not used: the venue charges them per ticker, caps them
at 10,000 candles in total and serves only the live tier, so they save no rate budget.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from prediction_markets.adapters.base import (
    CatalogEntry,
    Gap,
    PageShapeError,
    Request,
    Resource,
    Response,
    RunContext,
    Scope,
    ScopeState,
    Step,
)
from prediction_markets.adapters.kalshi.paging import KALSHI, body_of
from prediction_markets.adapters.kalshi.reference import catalog_cutoff
from prediction_markets.adapters.parsing import epoch, parse_ts

PERIODS = (1, 60, 1440)
SECOND = timedelta(seconds=1)
# Daily candles end at midnight America/New_York: 23 to 25 hours apart.
_SHORTEST = {1: 60, 60: 3600, 1440: 23 * 3600}
_LONGEST = {1: 60, 60: 3600, 1440: 25 * 3600}
LIVE_PATH = "/series/{series_ticker}/markets/{ticker}/candlesticks"
HISTORICAL_PATH = "/historical/markets/{ticker}/candlesticks"
CATCHUP = "older than the hourly catch-up limit (candles_max_catchup_s)"


def window_end(start: datetime, end: datetime, period: int, max_candles: int) -> datetime:
    """End of the window [start, .] holding at most `max_candles` candle ends."""
    return min(end, start + timedelta(seconds=_SHORTEST[period] * (max(1, max_candles) - 1)))


def final_candle_end(closed: datetime, period: int) -> datetime:
    """At or after the end of a closed market's last candle (the period holding its close)."""
    return closed + timedelta(seconds=_LONGEST[period])


def windows_needed(start: datetime, end: datetime, period: int, max_candles: int) -> int:
    span = (_SHORTEST[period] * (max(1, max_candles) - 1)) + 1
    return max(1, -(-int((end - start).total_seconds() + 1) // span))


def _whole(value: datetime) -> datetime:
    """Requests take whole seconds: a bound between two is the second before it."""
    return value.replace(microsecond=0)


def _utc(ts: str | None) -> datetime | None:
    return datetime.fromtimestamp(int(ts), tz=timezone.utc) if ts is not None else None


class _CandleWalks(Resource):
    """Windows over [start, end] of one market and period; the target (ticker, series, period,
    tier) travels in the walk's progress so a resumed walk needs nothing else."""

    conn_id = KALSHI
    per_market = True
    main_path = "/historical/markets"

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.periods = [int(p) for p in settings["candle_periods"]]
        if not set(self.periods) <= set(PERIODS):
            raise ValueError(f"candle_periods must be among {PERIODS}, got {self.periods}")
        self.max_candles = int(settings["candles_per_request"])
        self.settings = settings

    def _targets(self, ctx: RunContext) -> Iterable[tuple[CatalogEntry, int, dict]]:
        cutoff = catalog_cutoff(ctx)
        for entry in ctx.items:
            settled = parse_ts(entry.keys.get("settled_at"))
            historical = bool(cutoff and settled and settled < cutoff)
            for period in self.periods:
                yield entry, period, {
                    "ticker": entry.market_id, "series": entry.keys.get("series_ticker"), "period": period,
                    "historical": historical, "event": entry.event_id,
                    "opened_at": entry.opened_at, "closed_at": entry.closed_at, "is_closed": entry.is_closed,
                }

    @staticmethod
    def _target(params: Mapping[str, Any]) -> dict[str, Any]:
        return {k: params.get(k) for k in ("ticker", "series", "period", "historical", "event")}

    def _request(self, progress: Mapping[str, Any], start: datetime) -> Request:
        period = int(progress["period"])
        end = window_end(start, datetime.fromisoformat(progress["end"]), period, self.max_candles)
        params = (("start_ts", str(epoch(start))), ("end_ts", str(epoch(end))), ("period_interval", str(period)))
        ticker = progress["ticker"]
        if progress["historical"]:
            return Request("candlesticks", KALSHI, f"/historical/markets/{ticker}/candlesticks", params,
                           endpoint=HISTORICAL_PATH)
        path = f"/series/{progress['series']}/markets/{ticker}/candlesticks"
        return Request("candlesticks", KALSHI, path, params, endpoint=LIVE_PATH)

    def _first(self, progress: dict, start: datetime) -> Request:
        """The first request: the candles, or the market's event when its series is unknown."""
        progress["next_start"] = start.isoformat()
        if not progress["historical"] and not progress.get("series"):
            event = progress.get("event")
            if not event:
                raise PageShapeError(f"{progress['ticker']}: neither a series nor an event to find it")
            return Request("events", KALSHI, f"/events/{event}", endpoint="/events/{event_ticker}")
        return self._request(progress, start)

    def _window(self, progress: dict, request: Request, response: Response) -> tuple[Step | None, datetime | None]:
        """(a step that retries elsewhere, None) or (None, end of the window just read)."""
        if request.endpoint == "/events/{event_ticker}":
            _, event = body_of(response, "event", dict)
            series = event.get("series_ticker")
            if not series:
                raise PageShapeError(f"event {progress.get('event')} has no series_ticker")
            progress = {**progress, "series": series}
            start = datetime.fromisoformat(progress["next_start"])
            return Step(self._request(progress, start), progress=progress, records=1), None
        if response.status == 404 and not progress["historical"]:
            # Settled since the catalog saw it: the candles moved to the historical tier.
            progress = {**progress, "historical": True}
            retry = self._request(progress, _utc(request.param("start_ts")))
            return Step(retry, progress=progress,
                        warnings=[f"{progress['ticker']}: live candles 404, read from the historical tier"]), None
        body_of(response, "candlesticks")
        return None, _utc(request.param("end_ts"))

    @staticmethod
    def _records(response: Response) -> int:
        return len(response.data.get("candlesticks") or []) if isinstance(response.data, dict) else 0


class CandlesResource(_CandleWalks):
    """The hourly walk: the data interval per market and period, plus open gaps of the batch."""

    name = "candlesticks"
    landing_resource = "candlesticks"
    history_resource = "candlesticks_history"

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        self.max_catchup = timedelta(seconds=float(settings["candles_max_catchup_s"]))
        self.gaps_per_run = int(settings.get("gaps_per_run", 20))
        self.grace = timedelta(seconds=float(settings.get("closed_grace_s", 0)))

    def _returns(self, params: Mapping[str, Any], ctx: RunContext) -> bool:
        """Whether the next hourly run plans this market again (closed ones stay for the grace
        period): only then may a catch-up be cut and the rest left to later runs."""
        closed = params.get("closed_at")
        return not params.get("is_closed") or (closed is not None and closed >= ctx.interval.end - self.grace)

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        targets = {f"{e.market_id}:{period}": params for e, period, params in self._targets(ctx)}
        landed = ctx.catalog.scope_states(self.history_resource, list(targets)) if ctx.catalog and targets else {}
        for key, params in targets.items():
            history = landed.get(key)
            yield Scope(key, {**params, "history_hwm": history.high_water_mark if history else None})
        if ctx.catalog is None or not targets:
            return
        gaps = [g for g in ctx.catalog.open_gaps(self.name) if g.scope in targets and g.gap_from and g.gap_to]
        # Markets leaving the batches first: no later run will see them.
        gaps.sort(key=lambda g: (self._returns(targets[g.scope], ctx), g.gap_id))
        for gap in gaps[: self.gaps_per_run]:
            yield Scope(f"gap:{gap.gap_id}", {**targets[gap.scope], "gap_id": gap.gap_id, "scope": gap.scope,
                                              "from": gap.gap_from, "to": gap.gap_to}, interval_bound=False)

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        p = scope.params
        returns = self._returns(p, ctx)
        if scope.key.startswith("gap:"):
            first, last = p["from"], p["to"]
            to = _whole(min(last, first + self.max_catchup) if returns else last)
            progress = {**self._target(p), "end": to.isoformat(), "gap_id": p["gap_id"], "scope": p["scope"],
                        "rest": [(to + SECOND).isoformat(), last.isoformat()] if to < last else None}
            return self._first(progress, first), progress
        start, end = ctx.interval.start, ctx.interval.end
        floor = start - self.max_catchup
        closed, opened = p["closed_at"], p["opened_at"]
        if closed is not None and closed <= end:
            # Its last candles end up to a day after the close, when it has left the hourly
            # batches: read them now (the venue serves the period holding the close).
            end = final_candle_end(closed, p["period"])
        own, landed = previous.high_water_mark, p.get("history_hwm")
        if own is not None:
            # Windows end inclusive: the candle at the checkpoint is landed. A checkpoint past
            # the interval start is a rerun (the interval again), unless the market closed before.
            if own <= start or (closed is not None and closed < start):
                start = own + SECOND
        elif landed is not None:
            start = landed + SECOND  # the full sync landed everything up to its checkpoint
        elif opened is not None and floor <= opened < start:
            start = opened  # first seen late (runs were missed): its whole short life
        if opened is not None:
            start = max(start, opened)
        if start > end:
            return None, {}
        gaps = []
        floor = min(floor, end - self.max_catchup)
        if start < floor and returns:
            gaps.append([start.isoformat(), (floor - SECOND).isoformat()])
            start = floor
        progress = {**self._target(p), "end": _whole(end).isoformat(), "gaps": gaps}
        return self._first(progress, start), progress

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        gaps = [Gap(self.name, scope.key, parse_ts(a), parse_ts(b), CATCHUP, market_id=progress.get("ticker"))
                for a, b in progress.get("gaps") or []]
        progress = {**progress, "gaps": []}
        retry, read_to = self._window(progress, request, response)
        if retry is not None:
            retry.gaps = gaps
            return retry
        end = datetime.fromisoformat(progress["end"])
        records = self._records(response)
        if read_to < end:
            return Step(self._request(progress, read_to + SECOND), progress=progress, records=records, gaps=gaps,
                        high_water_mark=read_to if progress.get("gap_id") is None else None)
        if progress.get("gap_id") is None:
            return Step(None, progress=progress, records=records, gaps=gaps, high_water_mark=read_to)
        # A gap walk leaves the main checkpoint alone; what it did not reach stays a gap.
        if progress.get("rest"):
            a, b = progress["rest"]
            gaps.append(Gap(self.name, progress["scope"], parse_ts(a), parse_ts(b), CATCHUP,
                            market_id=progress.get("ticker")))
        return Step(None, progress=progress, records=records, gaps=gaps, closed_gaps=[int(progress["gap_id"])])


class CandleHistory(_CandleWalks):
    """The full sync: every candle of each market and period, from its opening (or `since`) to
    its last candle (or `until`, or now). A scope covers [state.from, high-water mark]; a later
    run continues after it, and skips it once it reaches the end."""

    name = "candlesticks_history"
    landing_resource = "candlesticks"
    interval_bound = False

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        self.max_candles = int(settings.get("history_candles_per_request") or self.max_candles)
        self.unknown_open = timedelta(seconds=float(settings["history_unknown_open_s"]))

    def _bounds(self, params: Mapping[str, Any], ctx: RunContext) -> tuple[datetime | None, datetime]:
        since, until = parse_ts(ctx.settings.get("since")), parse_ts(ctx.settings.get("until"))
        closed = params.get("closed_at")
        # A closed market's candles run to the period holding its close, which the venue serves
        # even while that period lasts; an open one's up to now.
        last = final_candle_end(closed, params["period"]) if closed is not None else ctx.started_at
        end = _whole(min(last, until) if until is not None else last)
        start = max((t for t in (params.get("opened_at"), since) if t is not None), default=None)
        return start, end

    def _span(self, params, ctx, previous: ScopeState) -> tuple[datetime, datetime, bool]:
        """(first instant to read, last, whether the opening is unknown)."""
        start, end = self._bounds(params, ctx)
        unknown = start is None
        if unknown:
            start = end - self.unknown_open
        covered_from = parse_ts(previous.state.get("from"))
        hwm = previous.high_water_mark
        if hwm is not None and covered_from is not None and covered_from <= start <= hwm + SECOND:
            start = hwm + SECOND  # this range is landed: continue after it
        return start, end, unknown

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        targets = {f"{e.market_id}:{period}": params for e, period, params in self._targets(ctx)}
        states = ctx.catalog.scope_states(self.name, list(targets)) if ctx.catalog and targets else {}
        for key, params in targets.items():
            start, end, _ = self._span(params, ctx, states.get(key, ScopeState()))
            if start <= end:
                yield Scope(key, params)

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        start, end, unknown = self._span(scope.params, ctx, previous)
        if start > end:
            return None, {}
        covered_from = parse_ts(previous.state.get("from"))
        hwm = previous.high_water_mark
        resumed = hwm is not None and covered_from is not None and start == hwm + SECOND
        progress = {**self._target(scope.params), "end": end.isoformat(),
                    "from": (covered_from if resumed else start).isoformat(),
                    "unknown_open": start.isoformat() if unknown and not resumed else None}
        return self._first(progress, start), progress

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        gaps = []
        if progress.get("unknown_open"):
            # No opening time in the catalog: the candles before the configured depth are not read.
            gaps.append(Gap(self.name, scope.key, None, parse_ts(progress["unknown_open"]) - SECOND,
                            "market opening time unknown; older candles not read (history_unknown_open_s)"))
            progress = {**progress, "unknown_open": None}
        retry, read_to = self._window(progress, request, response)
        if retry is not None:
            retry.gaps = gaps
            return retry
        end = datetime.fromisoformat(progress["end"])
        nxt = self._request(progress, read_to + SECOND) if read_to < end else None
        # Windows advance in time order: each completed one is a safe checkpoint.
        return Step(nxt, progress=progress, records=self._records(response), gaps=gaps, high_water_mark=read_to,
                    state={"from": progress["from"]} if nxt is None else None)

    def estimate_requests(self, ctx: RunContext) -> int:
        targets = {f"{e.market_id}:{period}": params for e, period, params in self._targets(ctx)}
        states = ctx.catalog.scope_states(self.name, list(targets)) if ctx.catalog and targets else {}
        total = 0
        for key, params in targets.items():
            start, end, _ = self._span(params, ctx, states.get(key, ScopeState()))
            if start <= end:
                lookup = 0 if params["historical"] or params.get("series") else 1
                total += lookup + windows_needed(start, end, params["period"], self.max_candles)
        return total
