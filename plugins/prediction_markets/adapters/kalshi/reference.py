"""Kalshi listings: series, events (with nested markets), markets, the historical tier's
markets, and the historical cutoff.

The full sync (run type "backfill") walks each listing in full under a scope of its own, "full",
resumable across task retries: every event, every live-tier market (open, closed, settled) and
every historical-tier market, each with the settlement fields of its payload generation. On its
last page a full walk also advances the hourly walks' checkpoints (the incremental listings
continue from what it saw; the one-time historical walk is done).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from prediction_markets.adapters.base import (
    CatalogEntry,
    Request,
    Resource,
    Response,
    RunContext,
    Scope,
    ScopeCheckpoint,
    ScopeState,
    Step,
)
from prediction_markets.adapters.kalshi.paging import KALSHI, body_of, next_page
from prediction_markets.adapters.parsing import epoch, parse_ts

# Market statuses after which a market no longer trades (the /markets filter says "closed"
# or "settled"; the objects say these).
CLOSED_STATUSES = frozenset({"closed", "determined", "disputed", "amended", "finalized", "settled"})


def catalog_entry(market: Mapping[str, Any], series_ticker: str | None = None) -> CatalogEntry | None:
    ticker = market.get("ticker")
    if not ticker:
        return None
    status = str(market.get("status") or "")
    closed = status in CLOSED_STATUSES
    settled_at = parse_ts(market.get("settlement_ts"))
    keys = {"event_ticker": market.get("event_ticker"), "series_ticker": series_ticker,
            "settled_at": settled_at.isoformat() if settled_at else None}
    return CatalogEntry(
        market_id=str(ticker),
        event_id=market.get("event_ticker"),
        keys={k: v for k, v in keys.items() if v is not None},
        opened_at=parse_ts(market.get("open_time")),
        closed_at=(settled_at or parse_ts(market.get("close_time"))) if closed else None,
        is_closed=closed,
    )


def catalog_cutoff(ctx: RunContext) -> datetime | None:
    """The market cutoff the listing task read (markets settled before it are historical)."""
    state = ctx.catalog.venue_state("historical_cutoff", "current") if ctx.catalog else {}
    return parse_ts((state or {}).get("market_settled_ts"))


def is_backfill(ctx: RunContext) -> bool:
    return ctx.run_type == "backfill"


FULL = Scope("full", interval_bound=False)


def _max_ts(values: Iterable[Any], current: float | None) -> float | None:
    stamps = [t.timestamp() for t in (parse_ts(v) for v in values) if t is not None]
    if current is not None:
        stamps.append(current)
    return max(stamps) if stamps else None


class SeriesResource(Resource):
    """Every series in one page (/series has no cursor; one is followed if it ever appears)."""

    name = "series"
    landing_resource = "series"
    conn_id = KALSHI

    def __init__(self, settings: Mapping[str, Any]) -> None:
        pass

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        return [Scope("all")]

    def start(self, scope, ctx, previous):
        return Request("series", KALSHI, "/series"), {}

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        body, series = body_of(response, "series")
        nxt, progress = next_page(request, body, progress)
        return Step(nxt, progress=progress, records=len(series))


class _UpdatedSinceResource(Resource):
    """A listing walked in full on its first run, then from `min_updated_ts` = the newest
    update it has seen minus an overlap."""

    items_key: str
    updated_field: str
    conn_id = KALSHI
    interval_bound = False

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.overlap = timedelta(seconds=float(settings["updated_overlap_s"]))
        self.settings = settings

    # The hourly scope a full walk's last page advances.
    incremental_scope: str = "all"

    def params(self, ctx: RunContext, previous: ScopeState) -> list[tuple[str, str]]:
        params = []
        if previous.high_water_mark is not None:
            params.append(("min_updated_ts", str(epoch(previous.high_water_mark - self.overlap))))
        return params

    def catalog(self, items: list[dict]) -> list[CatalogEntry]:
        return []

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        body, items = body_of(response, self.items_key)
        newest = _max_ts((i.get(self.updated_field) for i in items if isinstance(i, dict)), progress.get("newest"))
        nxt, progress = next_page(request, body, {**progress, "newest": newest})
        done = nxt is None
        hwm = datetime.fromtimestamp(newest, tz=timezone.utc) if done and newest else None
        step = Step(nxt, progress=progress, records=len(items), catalog=self.catalog(items), high_water_mark=hwm)
        if done and scope.key == FULL.key:
            # Everything listed as of the walk: the hourly walk continues from its newest update.
            step.state = {"walk_started_at": progress.get("walk_started_at")}
            step.scope_checkpoints = [ScopeCheckpoint(self.name, self.incremental_scope, hwm)] if hwm else []
        return step


class EventsResource(_UpdatedSinceResource):
    """Events with their nested markets: the nested markets tell the catalog each market's
    series (candles need it; tickers are never split to guess it)."""

    name = "events"
    landing_resource = "events"
    items_key = "events"
    updated_field = "last_updated_ts"

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        return [FULL] if is_backfill(ctx) else [Scope("all")]

    def start(self, scope, ctx, previous):
        params = [("limit", str(self.settings["events_page_size"])), ("with_nested_markets", "true")]
        if scope.key != FULL.key:
            params += self.params(ctx, previous)
        return Request("events", KALSHI, "/events", tuple(params)), {"walk_started_at": ctx.started_at.isoformat()}

    def catalog(self, items: list[dict]) -> list[CatalogEntry]:
        entries = []
        for event in items:
            if not isinstance(event, dict):
                continue
            for market in event.get("markets") or []:
                if isinstance(market, dict):
                    entry = catalog_entry(market, event.get("series_ticker"))
                    if entry:
                        entries.append(entry)
        return entries


class MarketsResource(_UpdatedSinceResource):
    """scope "open": every open market, each run (their quotes change every minute).
    scope "updated": everything live, then only what changed since (min_updated_ts).
    scope "full" (the full sync): every live-tier market, whatever its status; its start time is
    kept (`walk_started_at`): markets created later were not listed, so the hourly trade feed
    must reach back to it.
    Parlay (multivariate) markets are left out unless the `mve_filter` setting is None."""

    name = "markets"
    landing_resource = "markets"
    items_key = "markets"
    updated_field = "updated_time"
    incremental_scope = "updated"

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        if is_backfill(ctx):
            return [FULL]
        return [Scope("open", interval_bound=True), Scope("updated")]

    def start(self, scope, ctx, previous):
        params = [("limit", str(self.settings["markets_page_size"]))]
        mve = self.settings.get("mve_filter")
        if mve:
            params.append(("mve_filter", mve))
        if scope.key == "open":
            params.append(("status", "open"))
        elif scope.key == "updated" and mve == "exclude":  # min_updated_ts combines only with mve_filter=exclude
            params += self.params(ctx, previous)
        return Request("markets", KALSHI, "/markets", tuple(params)), {"walk_started_at": ctx.started_at.isoformat()}

    def catalog(self, items: list[dict]) -> list[CatalogEntry]:
        return [e for e in (catalog_entry(m) for m in items if isinstance(m, dict)) if e]


class HistoricalMarketsResource(Resource):
    """Markets settled before the historical cutoff, walked once by the hourly DAG (scope
    "backfill", resumed across runs; markets crossing the cutoff later were already seen live),
    and in full by each full sync (scope "full", which also marks the hourly walk done)."""

    name = "historical_markets"
    landing_resource = "markets"
    conn_id = KALSHI
    interval_bound = False

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        if is_backfill(ctx):
            return [FULL]
        return [Scope("backfill")] if self.settings.get("historical_backfill") else []

    def start(self, scope, ctx, previous):
        if scope.key != FULL.key and previous.state.get("complete"):
            return None, {}
        params = [("limit", str(self.settings["markets_page_size"]))]
        if self.settings.get("mve_filter"):
            params.append(("mve_filter", self.settings["mve_filter"]))
        return Request("markets", KALSHI, "/historical/markets", tuple(params)), {}

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        body, markets = body_of(response, "markets")
        nxt, progress = next_page(request, body, progress)
        entries = [e for e in (catalog_entry(m) for m in markets if isinstance(m, dict)) if e]
        done = nxt is None
        step = Step(nxt, progress=progress, records=len(markets), catalog=entries,
                    state={"complete": True} if done else None)
        if done and scope.key == FULL.key:
            step.scope_checkpoints = [ScopeCheckpoint(self.name, "backfill", state={"complete": True})]
        return step


class CutoffResource(Resource):
    """/historical/cutoff, kept in sync_state.state for the per-market resources' routing."""

    name = "historical_cutoff"
    landing_resource = "historical_cutoff"
    conn_id = KALSHI

    def __init__(self, settings: Mapping[str, Any]) -> None:
        pass

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        return [Scope("current")]

    def start(self, scope, ctx, previous):
        return Request("historical_cutoff", KALSHI, "/historical/cutoff"), {}

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        cutoff = parse_cutoff(response)
        return Step(None, records=1, state={k: v.isoformat() for k, v in cutoff.items()})


def parse_cutoff(response: Response) -> dict[str, datetime]:
    body, _ = body_of(response, "market_settled_ts", str)
    out = {}
    for key in ("market_settled_ts", "trades_created_ts", "orders_updated_ts", "market_positions_last_updated_ts"):
        value = parse_ts(body.get(key))
        if value is not None:
            out[key] = value
    return out
