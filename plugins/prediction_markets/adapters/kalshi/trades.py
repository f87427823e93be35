"""Kalshi trades of the data interval, across all markets, routed by the historical cutoff.

The walk first reads /historical/cutoff: the part of the interval older than the trades
cutoff comes from /historical/trades, the rest from /markets/trades, so an interval of any
age (or one straddling the cutoff) is complete. Windows overlap their neighbours by a minute
(min_ts/max_ts inclusiveness is undocumented); trade_id dedupes downstream.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from prediction_markets.adapters.base import Request, Resource, Response, RunContext, Scope, ScopeState, Step
from prediction_markets.adapters.kalshi.paging import KALSHI, body_of, next_page
from prediction_markets.adapters.kalshi.reference import parse_cutoff
from prediction_markets.adapters.parsing import epoch

LIVE, HISTORICAL = "/markets/trades", "/historical/trades"


def split_at_cutoff(start: datetime, end: datetime, cutoff: datetime | None) -> list[tuple[str, datetime, datetime]]:
    """[(path, start, end)] covering [start, end]: historical before the cutoff, live after."""
    if cutoff is None or cutoff <= start:
        return [(LIVE, start, end)]
    if cutoff >= end:
        return [(HISTORICAL, start, end)]
    return [(HISTORICAL, start, cutoff), (LIVE, cutoff, end)]


class TradesResource(Resource):
    name = "trades"
    landing_resource = "trades"
    conn_id = KALSHI

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.page_size = int(settings["trades_page_size"])
        self.overlap = timedelta(seconds=float(settings["trades_overlap_s"]))
        self.max_catchup = timedelta(seconds=float(settings["trades_max_catchup_s"]))

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        return [Scope("all")]

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        start = ctx.interval.start
        hwm = previous.high_water_mark
        if hwm is not None and hwm < start:
            start = max(hwm, start - self.max_catchup)  # fill the gap since the last complete walk
        window = [(start - self.overlap).isoformat(), ctx.interval.end.isoformat()]
        return Request("historical_cutoff", KALSHI, "/historical/cutoff"), {"window": window}

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
            return Step(self._segment(path, a, b), progress={**progress, "segments": later})
        body, trades = body_of(response, "trades")
        nxt, progress = next_page(request, body, progress)
        if nxt is None and progress.get("segments"):
            (path, a, b), *rest = progress["segments"]
            nxt = self._segment(path, datetime.fromisoformat(a), datetime.fromisoformat(b))
            progress = {**progress, "segments": rest, "seen": []}
        hwm = datetime.fromisoformat(progress["window"][1]) if nxt is None else None
        return Step(nxt, progress=progress, records=len(trades), high_water_mark=hwm)
