"""Gamma API (events and markets) resources."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from prediction_markets.adapters.base import (
    CatalogEntry,
    PageShapeError,
    Request,
    Resource,
    Response,
    RunContext,
    Scope,
    ScopeState,
    Step,
)
from prediction_markets.adapters.parsing import parse_ts
from prediction_markets.adapters.polymarket.ids import normalise_condition_id, outcome_ids, protocol_version

GAMMA = "polymarket_gamma"
SOURCE = "polymarket"


def market_id(market: Mapping[str, Any]) -> str | None:
    """Polymarket markets are keyed by conditionId, the id every other API (CLOB, Data) uses."""
    return normalise_condition_id(market.get("conditionId") or market.get("condition_id"))


def catalog_entry(market: Mapping[str, Any]) -> CatalogEntry | None:
    mid = market_id(market)
    if mid is None:
        return None
    events = market.get("events") if isinstance(market.get("events"), list) else []
    event_id = str(events[0]["id"]) if events and isinstance(events[0], dict) and events[0].get("id") else None
    closed = market.get("closed") is True
    closed_at = None
    if closed:
        # closedTime is Postgres style; older markets lack it and only have their end dates.
        for key in ("closedTime", "umaEndDate", "endDate", "updatedAt"):
            closed_at = parse_ts(market.get(key))
            if closed_at:
                break
    ids, protocol = outcome_ids(market)
    return CatalogEntry(
        market_id=mid,
        event_id=event_id,
        keys={
            "condition_id": mid,
            "gamma_id": str(market.get("id")) if market.get("id") is not None else None,
            # The ids books, prices and trades use: chosen by the market's protocol version.
            "token_ids": ids,
            "id_protocol": protocol,
            "version": protocol_version(market),
        },
        opened_at=parse_ts(market.get("startDate")) or parse_ts(market.get("createdAt")),
        closed_at=closed_at,
        is_closed=closed,
    )


def catalog_entries(markets: Iterable[Any]) -> list[CatalogEntry]:
    entries = (catalog_entry(m) for m in markets if isinstance(m, dict))
    return [e for e in entries if e is not None]


def _fail_unless_ok(response: Response) -> None:
    if response.status != 200:
        raise PageShapeError(f"HTTP {response.status}: {response.body[:300]!r}")


def _keyset_page(response: Response, key: str) -> tuple[list[Any], str | None]:
    """(items, next cursor) of a Gamma keyset page; the walk ends only when `next_cursor` is
    absent (short pages happen before the end)."""
    _fail_unless_ok(response)
    body = response.data
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise PageShapeError(f"expected {{'{key}': [...], 'next_cursor': ...}}")
    cursor = body.get("next_cursor")
    return body[key], cursor if isinstance(cursor, str) and cursor else None


class EventsResource(Resource):
    """Events through /events/keyset (limit <= 100, continued with `after_cursor`; `cursor=`
    would be silently ignored and return page 1 for ever). Open events in full each run;
    closed events reach the marts through the event embedded in each market (and the full sync
    walks them too)."""

    name = "events"
    landing_resource = "events"
    conn_id = GAMMA

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.page_size = min(100, int(settings["events_page_size"]))

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        if ctx.run_type == "backfill":
            return [Scope("open", {"closed": "false"}), Scope("closed", {"closed": "true"})]
        return [Scope("open", {"closed": "false"})]

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        params = (("closed", scope.params["closed"]), ("limit", str(self.page_size)))
        return Request("events", GAMMA, "/events/keyset", params), {}

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        events, cursor = _keyset_page(response, "events")
        if cursor is not None:
            if cursor == request.param("after_cursor"):
                raise PageShapeError(f"keyset cursor loop: next_cursor repeats {cursor!r}")
            return Step(request.with_params(after_cursor=cursor), records=len(events))
        return Step(None, records=len(events))


class MarketsResource(Resource):
    """Markets through /markets/keyset.

    scope "open": every open market, walked in full each run (their state changes).
    scope "closed": the closed-market backfill; keeps the cursor of its last page, so later
    runs re-read that page and continue with whatever was appended since.
    """

    name = "markets"
    landing_resource = "markets"
    conn_id = GAMMA
    interval_bound = False

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.page_size = int(settings["markets_page_size"])

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        # The open walk is a snapshot of this run; the closed backfill may span many runs.
        return [Scope("open", {"closed": "false"}, interval_bound=True),
                Scope("closed", {"closed": "true"}, interval_bound=False)]

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        params = [("closed", scope.params["closed"]), ("limit", str(self.page_size))]
        cursor = previous.state.get("after_cursor") if scope.key == "closed" else None
        if cursor:
            params.append(("after_cursor", cursor))
        progress = {"resumed_from_state": bool(cursor), "walk_started_at": ctx.started_at.isoformat()}
        return Request("markets", GAMMA, "/markets/keyset", tuple(params)), progress

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        after = request.param("after_cursor")
        if response.status == 400 and after and progress.get("resumed_from_state"):
            # The venue no longer accepts the stored cursor: walk this scope again from the start.
            return Step(
                request.with_params(after_cursor=None), progress={**progress, "resumed_from_state": False},
                warnings=[f"stored keyset cursor rejected (HTTP 400); {scope.key} markets re-walked from the start"],
            )
        _fail_unless_ok(response)
        body = response.data
        if not isinstance(body, dict) or not isinstance(body.get("markets"), list):
            raise PageShapeError("expected {'markets': [...], 'next_cursor': ...}")
        markets = body["markets"]
        next_cursor = body.get("next_cursor")
        progress = {**progress, "resumed_from_state": False}
        if next_cursor and markets:
            if next_cursor == after:
                raise PageShapeError(f"keyset cursor loop: next_cursor repeats {after!r}")
            return Step(request.with_params(after_cursor=next_cursor), progress=progress,
                        records=len(markets), catalog=catalog_entries(markets))
        # Last page: remember the cursor that produced it; re-reading it later finds new markets.
        state = {"after_cursor": after} if scope.key == "closed" else None
        return Step(None, progress=progress, records=len(markets), catalog=catalog_entries(markets), state=state)


class ClosedMarketsRefresh(Resource):
    """Markets the catalog holds as open that this run's open walk no longer returned have
    closed (or left the listing): fetch their final state by condition id, closed=true."""

    name = "markets_refresh"
    landing_resource = "markets"
    conn_id = GAMMA

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.per_request = int(settings["condition_ids_per_request"])

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        open_walk = ctx.completed.get(("markets", "open"))
        if open_walk is None or ctx.catalog is None:
            return []
        # Every market the open walk returned was stamped after the walk started.
        left = ctx.catalog.open_markets_not_seen_since(SOURCE, parse_ts(open_walk["walk_started_at"]))
        ids = [e.market_id for e in left]
        return [Scope("left_open", {"condition_ids": ids})] if ids else []

    def _request(self, ids: Sequence[str]) -> Request:
        params = (("closed", "true"), ("limit", "100")) + tuple(("condition_ids", i) for i in ids)
        return Request("markets", GAMMA, "/markets/keyset", params)

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        ids = list(scope.params["condition_ids"])
        return self._request(ids[: self.per_request]), {"remaining": ids[self.per_request:], "found": []}

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        markets, cursor = _keyset_page(response, "markets")
        found = list(progress.get("found", [])) + [m for m in map(market_id, markets) if m]
        remaining = list(progress.get("remaining", []))
        catalog = catalog_entries(markets)
        if cursor is not None:
            return Step(request.with_params(after_cursor=cursor), progress={**progress, "found": found},
                        records=len(markets), catalog=catalog)
        asked = {v for k, v in request.params if k == "condition_ids"}
        missing = asked - set(found)
        warnings = [f"{len(missing)} markets left the open listing but are not returned closed"] if missing else []
        nxt = self._request(remaining[: self.per_request]) if remaining else None
        return Step(nxt, progress={"remaining": remaining[self.per_request:], "found": []}, records=len(markets),
                    catalog=catalog, warnings=warnings)

