"""Kalshi order book snapshots."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
from prediction_markets.adapters.kalshi.paging import KALSHI, body_of, error_message


class OrderbooksResource(Resource):
    """Order book snapshots of open markets: /markets/orderbooks for up to 100 tickers at a
    time (charged per ticker), falling back to /markets/{ticker}/orderbook one by one where
    the batch call is refused. A snapshot is "now": no checkpoint; backfill runs skip it."""

    name = "orderbooks"
    landing_resource = "orderbooks"
    conn_id = KALSHI
    per_market = True

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.per_request = int(settings["orderbooks_per_request"])
        self.batch = bool(settings["orderbooks_batch"])
        self.depth = int(settings["orderbook_depth"])

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        if ctx.run_type == "backfill":
            return []
        tickers = [e.market_id for e in ctx.items if not e.is_closed]
        return [Scope(f"batch:{tickers[i]}", {"tickers": tickers[i:i + self.per_request]}, checkpointed=False)
                for i in range(0, len(tickers), self.per_request)]

    def _single(self, ticker: str) -> Request:
        return Request("orderbooks", KALSHI, f"/markets/{ticker}/orderbook", (("depth", str(self.depth)),),
                       endpoint="/markets/{ticker}/orderbook")

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        tickers = list(scope.params["tickers"])
        if self.batch:
            params = tuple(("tickers", t) for t in tickers)
            return Request("orderbooks", KALSHI, "/markets/orderbooks", params, cost=len(tickers), signed=True), {}
        return self._single(tickers[0]), {"remaining": tickers[1:]}

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        if request.path == "/markets/orderbooks":
            if response.status in (401, 403, 404):
                tickers = list(scope.params["tickers"])
                return Step(self._single(tickers[0]), progress={"remaining": tickers[1:]},
                            warnings=[f"batch order books refused ({error_message(response)}); one by one"])
            _, books = body_of(response, "orderbooks")
            return Step(None, records=len(books))
        if response.status == 404:
            records = 0  # the market closed since it was listed
        elif response.status == 200 and isinstance(response.data, dict) and (
                "orderbook_fp" in response.data or "orderbook" in response.data):
            records = 1
        else:
            raise PageShapeError(f"HTTP {response.status}: {error_message(response)}")
        remaining = list(progress.get("remaining", []))
        nxt = self._single(remaining[0]) if remaining else None
        return Step(nxt, progress={"remaining": remaining[1:]}, records=records)
