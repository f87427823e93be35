"""CLOB resources: price history per token and order book snapshots."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from prediction_markets.adapters.base import (
    PageShapeError,
    Request,
    Resource,
    Response,
    RunContext,
    Scope,
    ScopeState,
    Step,
)
from prediction_markets.adapters.parsing import epoch

CLOB = "polymarket_clob"
# /prices-history answers reliably only for these fidelities (minutes), for spans of at most
# 15 days, and with at most ~900 points; anything else comes back as HTTP 200 {"history": []}.
FIDELITIES = (1, 10, 60, 360, 720, 1440)
MAX_SPAN = timedelta(days=15)
MAX_POINTS = 840


class PricesResource(Resource):
    """Price history of each outcome token, in windows covering the data interval (or, when
    the checkpoint is older, the gap since it; a token never synced gets a bounded backfill)."""

    name = "prices"
    landing_resource = "prices"
    conn_id = CLOB
    per_market = True

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.fidelity = int(settings["prices_fidelity"])
        if self.fidelity not in FIDELITIES:
            raise ValueError(f"prices_fidelity must be one of {FIDELITIES}, got {self.fidelity}")
        self.window = min(MAX_SPAN, timedelta(minutes=self.fidelity * MAX_POINTS))
        self.backfill = timedelta(seconds=float(settings["prices_backfill_s"]))
        self.max_catchup = timedelta(seconds=float(settings["prices_max_catchup_s"]))

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        for entry in ctx.items:
            for token in entry.keys.get("token_ids") or []:
                yield Scope(str(token), {"opened_at": entry.opened_at, "closed_at": entry.closed_at})

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        start, end = ctx.interval.start, ctx.interval.end
        hwm = previous.high_water_mark
        if hwm is None:
            start = start - self.backfill
        elif hwm < start:
            start = max(hwm, start - self.max_catchup)
        opened, closed = scope.params.get("opened_at"), scope.params.get("closed_at")
        if opened is not None:
            start = max(start, opened)
        if closed is not None:
            end = min(end, closed + timedelta(minutes=self.fidelity))
        if start >= end:
            return None, {}
        progress = {"end": end.isoformat()}
        return self._request(scope.key, start, min(end, start + self.window)), progress

    def _request(self, token: str, start: datetime, end: datetime) -> Request:
        # endTs is inclusive: stop a second short so windows do not share a point.
        params = (("market", token), ("startTs", str(epoch(start))), ("endTs", str(epoch(end) - 1)),
                  ("fidelity", str(self.fidelity)))
        return Request("prices", CLOB, "/prices-history", params)

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        if response.status != 200:
            raise PageShapeError(f"HTTP {response.status}: {response.body[:300]!r}")
        body = response.data
        if not isinstance(body, dict) or not isinstance(body.get("history"), list):
            raise PageShapeError("expected {'history': [...]}")
        points = len(body["history"])
        window_end = datetime.fromtimestamp(int(request.param("endTs")) + 1, tz=timezone.utc)
        warnings = [f"{points} points in one window: the venue may have truncated it"] if points >= 900 else []
        end = datetime.fromisoformat(progress["end"])
        nxt = self._request(scope.key, window_end, min(end, window_end + self.window)) if window_end < end else None
        # Windows advance in time order, so each landed window is a safe checkpoint.
        return Step(nxt, progress=progress, records=points, high_water_mark=window_end, warnings=warnings)


class BooksResource(Resource):
    """Order book snapshots of open markets' tokens, batched through POST /books. A snapshot
    is "now": backfill runs skip it; nothing to resume, so no checkpoint."""

    name = "orderbooks"
    landing_resource = "orderbooks"
    conn_id = CLOB
    per_market = True

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.per_request = int(settings["books_per_request"])
        self.batch = bool(settings["books_batch"])

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        if ctx.run_type == "backfill":
            return []
        tokens = [str(t) for e in ctx.items if not e.is_closed for t in (e.keys.get("token_ids") or [])]
        if not self.batch:
            return [Scope(t, checkpointed=False) for t in tokens]
        return [
            Scope(f"batch:{tokens[i]}", {"tokens": tokens[i:i + self.per_request]}, checkpointed=False)
            for i in range(0, len(tokens), self.per_request)
        ]

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        if self.batch:
            body = [{"token_id": t} for t in scope.params["tokens"]]
            return Request("orderbooks", CLOB, "/books", method="POST", json=body), {}
        return Request("orderbooks", CLOB, "/book", (("token_id", scope.key),)), {}

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        if request.method == "GET" and response.status == 404:
            return Step(None)  # "No orderbook exists": the market closed since it was listed
        if response.status != 200:
            raise PageShapeError(f"HTTP {response.status}: {response.body[:300]!r}")
        body = response.data
        books = body if isinstance(body, list) else [body] if isinstance(body, dict) else None
        if books is None or not all(isinstance(b, dict) for b in books):
            raise PageShapeError("expected an order book object or a list of them")
        return Step(None, records=len(books))
