"""Price history per outcome from the Data API's `/v2/prices-history` (API-V2.md §3).

Explicit windows [start, end) of at most 15 days (the cap is re-checked on every page, so `end`
is re-sent with each cursor), cursor paging inside a window, points oldest first with
`resolution_seconds` (0 = an exact tick, else the bucket width). Buckets are asked explicitly
(the server would otherwise pick one by span): the configured width for recent windows, and the
finest width the venue still keeps for older ones (1-min buckets are kept about a week, 5-min
60 days, 30-min 90 days, 3-h from July 2026, 12-h since 2022).

An hourly run covers its interval, and the gap since an older checkpoint up to a catch-up
limit; beyond the limit the range is recorded as a gap (the run is partial) and a later run
fills it with coarser buckets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from prediction_markets.adapters.base import Gap, Request, Resource, Response, RunContext, Scope, ScopeState, Step
from prediction_markets.adapters.parsing import epoch, parse_ts
from prediction_markets.adapters.polymarket.data_api import DATA, page

PATH = "/v2/prices-history"
MAX_WINDOW = timedelta(days=15)
THREE_HOURLY_SINCE = datetime(2026, 7, 1, tzinfo=timezone.utc)
# (age of the window's start, finest bucket the venue keeps at that age)
RETENTION = ((timedelta(days=7), 60), (timedelta(days=60), 300), (timedelta(days=90), 1800))


def retained_bucket(start: datetime, now: datetime) -> int:
    age = now - start
    for limit, bucket in RETENTION:
        if age <= limit:
            return bucket
    return 10800 if start >= THREE_HOURLY_SINCE else 43200


def settlement_end(closed: datetime, bucket: int) -> datetime:
    """A closed market's series ends with its settlement point one bucket edge after the last
    row (at or before the close): an exclusive end a second past that edge keeps it."""
    return closed.replace(microsecond=0) + timedelta(seconds=bucket + 1)


def next_retention_edge(start: datetime, now: datetime) -> datetime | None:
    """The first instant after `start` where a finer bucket is kept: windows end there, so the
    recent part of a long catch-up is not read at the coarse width of its oldest part. Whole
    seconds, as requests are: a window never shrinks to nothing between two seconds."""
    now = now.replace(microsecond=0)
    start = start.replace(microsecond=0)
    edges = sorted([now - limit for limit, _ in RETENTION] + [THREE_HOURLY_SINCE])
    return next((edge for edge in edges if edge > start), None)


class PricesResource(Resource):
    name = "prices"
    landing_resource = "prices"
    conn_id = DATA
    per_market = True
    main_path = PATH

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.bucket = int(settings["prices_bucket_seconds"])
        if not 60 <= self.bucket <= 86400:
            raise ValueError(f"prices_bucket_seconds must be within 60..86400, got {self.bucket}")
        self.backfill = timedelta(seconds=float(settings["prices_backfill_s"]))
        self.max_catchup = timedelta(seconds=float(settings["prices_max_catchup_s"]))
        self.gaps_per_run = int(settings.get("gaps_per_run", 50))

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        tokens = {}
        for entry in ctx.items:
            for token in entry.keys.get("token_ids") or []:
                tokens[str(token)] = entry
                yield Scope(str(token), {"opened_at": entry.opened_at, "closed_at": entry.closed_at,
                                         "market_id": entry.market_id})
        if ctx.catalog is None or ctx.run_type == "backfill":
            return
        gaps = [g for g in ctx.catalog.open_gaps(self.name) if g.scope in tokens][: self.gaps_per_run]
        for gap in gaps:
            yield Scope(f"gap:{gap.gap_id}", {"token": gap.scope, "gap_id": gap.gap_id, "from": gap.gap_from,
                                              "to": gap.gap_to}, interval_bound=False, checkpointed=True)

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        if scope.key.startswith("gap:"):
            start, end = scope.params["from"], scope.params["to"]
            progress = {"token": scope.params["token"], "end": end.isoformat(), "gap_id": scope.params["gap_id"]}
            return self._window(progress, start, ctx.started_at), progress
        start, end = ctx.interval.start, ctx.interval.end
        hwm = previous.high_water_mark
        gaps = []
        if hwm is None:
            start = start - self.backfill
        elif hwm < start:
            floor = start - self.max_catchup
            if hwm < floor:
                gaps.append([hwm.isoformat(), floor.isoformat()])
            start = max(hwm, floor)
        opened, closed = scope.params.get("opened_at"), scope.params.get("closed_at")
        if opened is not None:
            start = max(start, opened)
        if closed is not None:
            end = min(end, settlement_end(closed, self.bucket))
        if start >= end:
            return None, {}
        progress = {"token": scope.key, "end": end.isoformat(), "gaps": gaps}
        return self._window(progress, start, ctx.started_at), progress

    def _window(self, progress: Mapping[str, Any], start: datetime, now: datetime) -> Request:
        end = min(datetime.fromisoformat(progress["end"]), start + MAX_WINDOW)
        edge = next_retention_edge(start, now)
        if edge is not None:
            end = min(end, edge)
        bucket = max(self.bucket, retained_bucket(start, now))
        params = (("token_id", progress["token"]), ("start", str(epoch(start))), ("end", str(epoch(end))),
                  ("bucket_seconds", str(bucket)))
        return Request(self.landing_resource, DATA, PATH, params)

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        points, cursor = page(response)
        gaps = [Gap(self.name, scope.key, parse_ts(a), parse_ts(b), "older than the hourly catch-up limit",
                    market_id=scope.params.get("market_id"))
                for a, b in progress.pop("gaps", None) or []]
        progress = {**progress, "gaps": []}
        if cursor is not None:
            return Step(request.with_params(cursor=cursor), progress=progress, records=len(points), gaps=gaps)
        window_end = datetime.fromtimestamp(int(request.param("end")), tz=timezone.utc)
        end = datetime.fromisoformat(progress["end"])
        nxt = self._window(progress, window_end, ctx.started_at) if window_end < end else None
        closed = [progress["gap_id"]] if nxt is None and progress.get("gap_id") is not None else []
        # Windows advance in time order: each completed window is a safe checkpoint.
        hwm = window_end if progress.get("gap_id") is None else None
        return Step(nxt, progress=progress, records=len(points), high_water_mark=hwm, gaps=gaps, closed_gaps=closed)


class PriceHistory(PricesResource):
    """The full sync: each outcome's whole price path, from the market's opening (or `since`) to
    its settlement point (or `until`, or now), resumable per outcome.

    History older than the finer retentions (90 days) exists only at 3-h (from July 2026) and 12-h
    widths: one `interval=max` request at 12 h reads a market's whole life (settlement point
    included) instead of a 15-day window per month of it; explicit windows then read the 3-h band
    and the recent bands at the finest width the venue keeps at their age."""

    name = "prices_history"
    interval_bound = False
    COARSE_BUCKET = 43200

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        states = ctx.catalog.scope_states(self.name, [str(t) for e in ctx.items for t in e.keys.get("token_ids") or []]) \
            if ctx.catalog else {}
        for entry in ctx.items:
            for token in entry.keys.get("token_ids") or []:
                if entry.is_closed and states.get(str(token)) and states[str(token)].state.get("complete"):
                    continue  # a closed market's path, walked to its end
                yield Scope(str(token), {"opened_at": entry.opened_at, "closed_at": entry.closed_at,
                                         "market_id": entry.market_id})

    def _bounds(self, scope: Scope, ctx: RunContext, previous: ScopeState) -> tuple[datetime, datetime, bool]:
        """(start, end, whether the coarse whole-life read comes first)."""
        opened, closed = scope.params.get("opened_at"), scope.params.get("closed_at")
        since, until = parse_ts(ctx.settings.get("since")), parse_ts(ctx.settings.get("until"))
        end = min(t for t in (ctx.started_at, until, settlement_end(closed, self.bucket) if closed else None) if t)
        end = end.replace(microsecond=0)  # requests carry whole seconds
        start = max((t for t in (opened, since) if t is not None), default=end - self.backfill)
        fine_edge = ctx.started_at - RETENTION[-1][0]
        coarse = previous.high_water_mark is None and start < fine_edge
        if coarse:
            # The 12-h read covers everything before the 3-h band; windows start there.
            start = max(start, min(THREE_HOURLY_SINCE, fine_edge))
        if previous.high_water_mark is not None:
            start = max(start, previous.high_water_mark)
        return start, end, coarse

    def _coarse(self, progress) -> Request:
        params = (("token_id", progress["token"]), ("interval", "max"), ("bucket_seconds", str(self.COARSE_BUCKET)))
        return Request(self.landing_resource, DATA, PATH, params)

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        start, end, coarse = self._bounds(scope, ctx, previous)
        progress = {"token": scope.key, "end": end.isoformat(), "next_start": start.isoformat(),
                    "complete": scope.params.get("closed_at") is not None}
        if coarse:
            return self._coarse(progress), {**progress, "stage": "coarse"}
        if start >= end:
            return None, {}
        return self._window(progress, start, ctx.started_at), progress

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        if progress.get("stage") == "coarse":
            points, cursor = page(response)
            if cursor is not None:
                return Step(request.with_params(cursor=cursor), progress=progress, records=len(points))
            start, end = datetime.fromisoformat(progress["next_start"]), datetime.fromisoformat(progress["end"])
            progress = {k: v for k, v in progress.items() if k != "stage"}
            nxt = self._window(progress, start, ctx.started_at) if start < end else None
            step = Step(nxt, progress=progress, records=len(points))
        else:
            step = super().advance(scope, ctx, progress, request, response)
        if step.next is None and progress.get("complete"):
            step.state = {"complete": True}
        return step

    def estimate_requests(self, ctx: RunContext) -> int:
        """One request per window (the windows are known in advance), plus the coarse read;
        pages beyond a window's first are not counted."""
        total = 0
        for scope in self.scopes(ctx):
            start, end, coarse = self._bounds(scope, ctx, ScopeState())
            total += int(coarse)
            progress = {"token": scope.key, "end": end.isoformat()}
            while start < end:
                total += 1
                start = datetime.fromtimestamp(int(self._window(progress, start, ctx.started_at).param("end")),
                                               tz=timezone.utc)
        return total
