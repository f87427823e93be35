"""CLOB order book snapshots (price history moved to the Data API's /v2/prices-history).

Books are asked by the outcome id the market's protocol version selects: the CLOB token id of
a v1 market, the Poly V2 position id of a v2 market (API-V2.md §5.7)."""

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

CLOB = "polymarket_clob"


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
