"""Kalshi trades, routed by the historical cutoff (trades older than `trades_created_ts` are only
served by /historical/trades, also for markets still live).

- `trades` (hourly): one walk over every market's trades of the data interval. It first reads
  /historical/cutoff: the part of the window older than the trades cutoff comes from
  /historical/trades, the rest from /markets/trades. Windows overlap their neighbours by a minute
  (min_ts/max_ts inclusiveness is undocumented); trade_id dedupes downstream. A walk continues
  from its checkpoint, or, on its first run after a full sync, from where the full sync's listing
  began; a catch-up reaching back more than `trades_max_catchup_s` is cut there and the older
  range recorded as a gap with the first page. Later runs walk open gaps (`gaps_per_run`, at
  most one catch-up span each; the rest stays a gap) and close them with their last page.
- `trades_history` (the full sync): each market's trades, `ticker=` walks to the end, bounded
  by `since`/`until` when given. Live tier first, then the historical tier (read after the live
  walk, so trades the moving cutoff carries over in between are still found); markets settled
  before the cutoff only have the historical tier. One checkpoint per market.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from prediction_markets.adapters.base import Gap, Request, Resource, Response, RunContext, Scope, ScopeState, Step
from prediction_markets.adapters.kalshi.paging import KALSHI, body_of, next_page
from prediction_markets.adapters.kalshi.reference import catalog_cutoff, parse_cutoff
from prediction_markets.adapters.parsing import epoch, parse_ts

LIVE, HISTORICAL = "/markets/trades", "/historical/trades"
CATCHUP = "older than the hourly catch-up limit (trades_max_catchup_s)"
# The state key of `trades_history` the hourly walk starts from on its first run.
FEED_FROM = "feed_from"


def split_at_cutoff(start: datetime, end: datetime, cutoff: datetime | None) -> list[tuple[str, datetime, datetime]]:
    """[(path, start, end)] covering [start, end]: historical before the cutoff, live after."""
    if cutoff is None or cutoff <= start:
        return [(LIVE, start, end)]
    if cutoff >= end:
        return [(HISTORICAL, start, end)]
    return [(HISTORICAL, start, cutoff), (LIVE, cutoff, end)]


def _newest(trades: list, current: float | None) -> float | None:
    stamps = [t.timestamp() for t in (parse_ts(x.get("created_time")) for x in trades if isinstance(x, dict)) if t]
    if current is not None:
        stamps.append(current)
    return max(stamps) if stamps else None


class TradesResource(Resource):
    name = "trades"
    landing_resource = "trades"
    conn_id = KALSHI
    main_path = LIVE
    history_resource = "trades_history"

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.page_size = int(settings["trades_page_size"])
        self.overlap = timedelta(seconds=float(settings["trades_overlap_s"]))
        self.max_catchup = timedelta(seconds=float(settings["trades_max_catchup_s"]))
        self.gaps_per_run = int(settings.get("gaps_per_run", 20))

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        history_from = ctx.catalog.earliest_state_time(self.history_resource, FEED_FROM) if ctx.catalog else None
        yield Scope("all", {"history_from": history_from})
        gaps = ctx.catalog.open_gaps(self.name) if ctx.catalog else []
        for gap in [g for g in gaps if g.gap_from and g.gap_to][: self.gaps_per_run]:
            yield Scope(f"gap:{gap.gap_id}", {"gap_id": gap.gap_id, "scope": gap.scope, "from": gap.gap_from,
                                              "to": gap.gap_to}, interval_bound=False)

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        cutoff = Request("historical_cutoff", KALSHI, "/historical/cutoff")
        if scope.key.startswith("gap:"):
            first, last = scope.params["from"], scope.params["to"]
            to = min(last, first + self.max_catchup)
            rest = [to.isoformat(), last.isoformat()] if to < last else None
            progress = {"window": [(first - self.overlap).isoformat(), to.isoformat()],
                        "gap_id": scope.params["gap_id"], "scope": scope.params["scope"], "rest": rest}
            return cutoff, progress
        start = ctx.interval.start
        base = previous.high_water_mark
        if base is None:
            # First walk after a full sync: from where its listing began (markets listed later
            # were not walked), or the interval if that is older.
            base = scope.params.get("history_from")
        gaps = []
        if base is not None and base < start:
            floor = start - self.max_catchup
            if base < floor:
                gaps.append([base.isoformat(), floor.isoformat()])
                base = floor
            start = base
        window = [(start - self.overlap).isoformat(), ctx.interval.end.isoformat()]
        return cutoff, {"window": window, "gaps": gaps}

    def _segment(self, path: str, start: datetime, end: datetime) -> Request:
        params = (("min_ts", str(epoch(start))), ("max_ts", str(epoch(end))), ("limit", str(self.page_size)))
        return Request("trades", KALSHI, path, params)

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        if request.path == "/historical/cutoff":
            cutoff = parse_cutoff(response).get("trades_created_ts")
            start, end = (datetime.fromisoformat(v) for v in progress["window"])
            (path, a, b), *rest = split_at_cutoff(start, end, cutoff)
            # The live part starts an overlap before the cutoff: nothing falls between the tiers.
            later = [[p, (x - self.overlap).isoformat(), y.isoformat()] for p, x, y in rest]
            gaps = [Gap(self.name, scope.key, parse_ts(x), parse_ts(y), CATCHUP) for x, y in progress.get("gaps") or []]
            return Step(self._segment(path, a, b), progress={**progress, "segments": later, "gaps": []}, gaps=gaps)
        body, trades = body_of(response, "trades")
        nxt, progress = next_page(request, body, progress)
        if nxt is None and progress.get("segments"):
            (path, a, b), *rest = progress["segments"]
            nxt = self._segment(path, datetime.fromisoformat(a), datetime.fromisoformat(b))
            progress = {**progress, "segments": rest, "seen": []}
        if nxt is not None:
            return Step(nxt, progress=progress, records=len(trades))
        if progress.get("gap_id") is None:
            return Step(None, progress=progress, records=len(trades),
                        high_water_mark=datetime.fromisoformat(progress["window"][1]))
        # A gap walk leaves the feed's checkpoint alone; what it did not reach stays a gap.
        gaps = []
        if progress.get("rest"):
            a, b = progress["rest"]
            gaps.append(Gap(self.name, progress["scope"], parse_ts(a), parse_ts(b), CATCHUP))
        return Step(None, progress=progress, records=len(trades), gaps=gaps, closed_gaps=[int(progress["gap_id"])])


class TradeHistory(Resource):
    """Every trade of each market of a batch, walked to the end of each tier; one checkpoint per
    market: `state` = {complete, walked_at, walked_to, covers_from, until, feed_from}, high-water mark =
    its newest trade. Markets whose range is covered are skipped, so a killed run resumes where
    it stopped (an unfinished market from its cursor)."""

    name = "trades_history"
    landing_resource = "trades"
    conn_id = KALSHI
    per_market = True
    interval_bound = False
    main_path = LIVE

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.page_size = int(settings["trades_page_size"])

    @staticmethod
    def _bounds(ctx: RunContext) -> tuple[datetime | None, datetime | None]:
        return parse_ts(ctx.settings.get("since")), parse_ts(ctx.settings.get("until"))

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        cutoff = catalog_cutoff(ctx)
        since, until = self._bounds(ctx)
        done = ctx.catalog.scope_states(self.name, [e.market_id for e in ctx.items]) if ctx.catalog else {}
        listed = ctx.catalog.venue_state("markets", "full").get("walk_started_at") if ctx.catalog else None
        for entry in ctx.items:
            state = done.get(entry.market_id)
            if state is not None and _covered(state.state, since, until):
                continue
            settled = parse_ts(entry.keys.get("settled_at"))
            historical = bool(cutoff and settled and settled < cutoff)
            yield Scope(entry.market_id, {"tiers": [HISTORICAL] if historical else [LIVE, HISTORICAL],
                                          "listed_at": listed})

    def _request(self, path: str, ticker: str, since: str | None, to: str) -> Request:
        params = [("ticker", ticker)]
        if since:
            params.append(("min_ts", str(epoch(datetime.fromisoformat(since)))))
        params += [("max_ts", str(epoch(datetime.fromisoformat(to)))), ("limit", str(self.page_size))]
        return Request("trades", KALSHI, path, tuple(params))

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        since, until = self._bounds(ctx)
        to = min(t for t in (ctx.started_at, until) if t is not None)
        if since is not None and since > to:
            return None, {}
        first, *rest = scope.params["tiers"]
        listed = parse_ts(scope.params.get("listed_at"))
        progress = {
            "tiers": rest, "since": since.isoformat() if since else None, "walked_to": to.isoformat(),
            "until": until.isoformat() if until else None,
            "walked_at": ctx.started_at.isoformat(), "complete": since is None and until is None,
            # Trades after this are the hourly feed's: from the listing's start at the latest.
            FEED_FROM: min(t for t in (listed, to) if t is not None).isoformat(), "newest": None,
        }
        return self._request(first, scope.key, progress["since"], to.isoformat()), progress

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        body, trades = body_of(response, "trades")
        nxt, progress = next_page(request, body, {**progress, "newest": _newest(trades, progress.get("newest"))})
        if nxt is None and progress.get("tiers"):
            path, *rest = progress["tiers"]
            nxt = self._request(path, scope.key, progress["since"], progress["walked_to"])
            progress = {**progress, "tiers": rest, "seen": []}
        if nxt is not None:
            return Step(nxt, progress=progress, records=len(trades))
        newest = progress.get("newest")
        state = {k: progress.get(k) for k in ("complete", "walked_at", "walked_to", "until", FEED_FROM)}
        state["covers_from"] = progress["since"]
        return Step(None, progress=progress, records=len(trades), state=state,
                    high_water_mark=datetime.fromtimestamp(newest, tz=timezone.utc) if newest else None)

    def estimate_requests(self, ctx: RunContext) -> int:
        """One page per tier a market may hold trades in; deeper pages are not known in advance."""
        return sum(len(scope.params["tiers"]) for scope in self.scopes(ctx))


def _covered(state: Mapping[str, Any], since: datetime | None, until: datetime | None) -> bool:
    """The market's trades are landed over the range asked: from at or before `since` (or its
    beginning) up to at or after `until`, or up to the walk's own now when no `until` is asked
    (later trades are the hourly feed's)."""
    if state.get("complete"):
        return True
    walked_to = parse_ts(state.get("walked_to"))
    if walked_to is None:
        return False
    covers_from = parse_ts(state.get("covers_from"))
    lower = covers_from is None or (since is not None and covers_from <= since)
    upper = state.get("until") is None if until is None else walked_to >= until
    return lower and upper
