"""Resolutions from the Data API's `/v2/resolutions?condition=` (API-V2.md §4), up to 20 markets
per request (the endpoint is not paged).

Each market's checkpoint (scope = its condition id) keeps the last status seen; `resolved` is
final. The hourly run asks again for closed markets whose resolution is not final yet (proposed,
disputed, ...), up to an age limit; the full sync asks for every market it walks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from prediction_markets.adapters.base import (
    PageShapeError,
    Request,
    Resource,
    Response,
    RunContext,
    Scope,
    ScopeCheckpoint,
    ScopeState,
    Step,
)
from prediction_markets.adapters.polymarket.data_api import DATA, data_object
from prediction_markets.adapters.polymarket.ids import normalise_condition_id

PATH = "/v2/resolutions"
FINAL = "resolved"


class ResolutionsResource(Resource):
    name = "resolutions"
    landing_resource = "resolutions"
    conn_id = DATA
    main_path = PATH

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.per_request = min(20, int(settings["conditions_per_request"]))
        self.max_age = timedelta(seconds=float(settings["resolutions_max_age_s"]))

    def _markets(self, ctx: RunContext) -> list[str]:
        if ctx.catalog is None:
            return []
        # Markets closed within the age limit before the run's interval (a rerun of an old
        # interval asks about the markets of its own time).
        awaiting = ctx.catalog.closed_markets_awaiting(self.name, "final", ctx.interval.end - self.max_age)
        return [e.market_id for e in awaiting]

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        ids = self._markets(ctx)
        for i in range(0, len(ids), self.per_request):
            chunk = ids[i:i + self.per_request]
            # One request, nothing to resume: each market's checkpoint commits with the page.
            yield Scope(f"batch:{chunk[0]}", {"markets": chunk}, checkpointed=False)

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        return Request(self.landing_resource, DATA, PATH, (("condition", ",".join(scope.params["markets"])),)), {}

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        rows = data_object(response)
        if not isinstance(rows, list):
            raise PageShapeError(f"expected a list under 'data', got {type(rows).__name__}")
        return Step(None, records=len(rows), scope_checkpoints=self._checkpoints(scope.params["markets"], rows, ctx))

    def _checkpoints(self, asked: Sequence[str], rows: Sequence[Any], ctx: RunContext) -> list[ScopeCheckpoint]:
        status = {}
        for row in rows:
            if isinstance(row, dict):
                cid = normalise_condition_id(row.get("condition_id"))
                if cid is not None and isinstance(row.get("status"), str):
                    status[cid] = row["status"].lower()
        checked = ctx.started_at.isoformat()
        return [ScopeCheckpoint(self.name, m, None, {"status": status.get(m), "final": status.get(m) == FINAL,
                                                     "checked_at": checked})
                for m in asked]


class MarketResolutions(ResolutionsResource):
    """The full sync's variant: every market of its batch, open or closed."""

    name = "resolutions_history"
    per_market = True

    def _markets(self, ctx: RunContext) -> list[str]:
        return sorted(e.market_id for e in ctx.items)

    def _checkpoints(self, asked, rows, ctx):
        # Also mark the hourly resource's checkpoint, so it does not ask again for final ones.
        own = super()._checkpoints(asked, rows, ctx)
        return own + [ScopeCheckpoint(ResolutionsResource.name, c.scope, None, c.state) for c in own]
