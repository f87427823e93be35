"""Trades from the Data API v2 `/v2/trades` (API-V2.md §2).

- The feed (`trades`): one keyset walk per run over the venue-wide feed covers every market at
  once, newest first, down to the checkpoint (or the interval start) minus an overlap: page 1 can
  be up to five minutes stale (CDN) and rows become visible `/v2/status` `lag_seconds` after their
  block, so the overlap is at least both. The feed only serves the current and previous month;
  a stop point older than that is recorded as a gap, and a gap is filled by `condition=` walks
  over the markets live in it.
- Market history (`trades_history`, the full sync): `condition=` lists of up to 20 markets, each
  walked to the end of the API's fixed three-year window; each market's checkpoint commits with
  the page that completes it. Older trades are out of the API's reach: recorded as unreachable
  gaps per market, so completeness says so instead of pretending.
- `taker_only=true` rows are the trades (one per taker order per transaction: sums count each
  match once); `taker_only=false` (maker fills as well) are landed as `trade_fills` only when
  the `maker_fills` setting asks for them.
Filters are re-sent with every cursor: a cursor alone continues the global feed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from prediction_markets.adapters.base import (
    Gap,
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
from prediction_markets.adapters.parsing import parse_ts, venue_now
from prediction_markets.adapters.polymarket.data_api import DATA, data_object, page
from prediction_markets.adapters.polymarket.ids import is_combo_condition

PATH = "/v2/trades"
API_WINDOW = "older than the Data API's fixed three-year window for market trades"


def feed_window_start(now: datetime) -> datetime:
    """The bare feed serves the current and the previous calendar month (UTC)."""
    first = now.astimezone(timezone.utc).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first - timedelta(days=1)).replace(day=1)


def api_window_start(now: datetime) -> datetime:
    """`condition=` walks serve three years back from now."""
    now = now.astimezone(timezone.utc)
    try:
        return now.replace(year=now.year - 3)
    except ValueError:  # 29 February
        return now.replace(year=now.year - 3, day=28)


def _epoch(value: datetime) -> float:
    return value.timestamp()


def _utc(ts: float | None) -> datetime | None:
    return datetime.fromtimestamp(ts, tz=timezone.utc) if ts is not None else None


class _Rows:
    """What one page of trade rows says: timestamps per market, combos, unreadable rows."""

    def __init__(self, rows: Sequence[Any]) -> None:
        self.stamps: list[float] = []
        self.newest_by_market: dict[str, float] = {}
        self.combos = 0
        self.unreadable = 0
        for row in rows:
            ts = parse_ts(row.get("timestamp")) if isinstance(row, dict) else None
            if ts is None:
                self.unreadable += 1  # landed as is; staging flags it
                continue
            stamp = ts.timestamp()
            self.stamps.append(stamp)
            cid = row.get("condition_id")
            if is_combo_condition(cid):
                self.combos += 1
            elif isinstance(cid, str):
                key = cid.lower()
                self.newest_by_market[key] = max(stamp, self.newest_by_market.get(key, stamp))

    @property
    def oldest(self) -> float | None:
        return min(self.stamps) if self.stamps else None

    @property
    def newest(self) -> float | None:
        return max(self.stamps) if self.stamps else None

    def counters(self, taker_only: bool) -> dict[str, int]:
        out = {}
        if self.combos:
            out["combo_trades" if taker_only else "combo_fills"] = self.combos
        if self.unreadable:
            out["trade_rows_without_timestamp"] = self.unreadable
        return out


class _TradeWalks(Resource):
    """Shared by the feed and the market-history walks: the request shape and the settings."""

    conn_id = DATA
    taker_only = True
    main_path = PATH

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.page_size = int(settings["trades_page_size"])
        self.overlap = timedelta(seconds=float(settings["trades_overlap_s"]))
        self.per_request = min(20, int(settings["conditions_per_request"]))
        self.enabled = self.taker_only or bool(settings.get("maker_fills"))
        min_size = settings.get("trades_min_size")
        self.min_size = float(min_size) if min_size is not None else None
        self.settings = settings

    def _trades_request(self, conditions: Sequence[str] = ()) -> Request:
        params: list[tuple[str, str]] = []
        if conditions:
            params.append(("condition", ",".join(conditions)))
        params += [("taker_only", "true" if self.taker_only else "false"), ("limit", str(self.page_size))]
        if self.min_size is not None:
            # The feed hides fills under 0.01 shares unless a smaller minimum is asked for.
            params += [("filter_type", "TOKENS"), ("filter_amount", format(self.min_size, "f").rstrip("0"))]
        return Request(self.landing_resource, DATA, PATH, tuple(params))


class TradeFeed(_TradeWalks):
    """The venue-wide feed, newest first, plus condition walks over its open gaps."""

    name = "trades"
    landing_resource = "trades"

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        if not self.enabled:
            return []
        history_from = ctx.catalog.earliest_state_time(self.history_resource, "walked_at") if ctx.catalog else None
        scopes = [Scope("feed", {"history_from": history_from})]
        for gap in ctx.catalog.open_gaps(self.name) if ctx.catalog else []:
            end = gap.gap_to or ctx.interval.end
            markets = ctx.catalog.markets_live_between(gap.gap_from or datetime.min.replace(tzinfo=timezone.utc), end)
            scopes.append(Scope(f"gap:{gap.gap_id}", {
                "gap_id": gap.gap_id, "from": gap.gap_from, "to": gap.gap_to,
                "markets": [e.market_id for e in markets],
            }, interval_bound=False))
        return scopes

    history_resource = "trades_history"

    # -- the feed ----------------------------------------------------------------------------
    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        if scope.key != "feed":
            return self._start_gap(scope)
        base = ctx.interval.start
        if previous.high_water_mark is not None:
            base = min(base, previous.high_water_mark)
        elif scope.params.get("history_from") is not None:
            # The first feed walk after a full sync continues where its market walks began.
            base = min(base, scope.params["history_from"])
        progress = {"stage": "status", "stop_ts": _epoch(base - self.overlap), "newest_ts": None}
        return Request("status", DATA, "/v2/status"), progress

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        if scope.key != "feed":
            return self._advance_gap(scope, ctx, progress, request, response)
        if progress.get("stage") == "status":
            return self._after_status(progress, response, ctx)
        rows, cursor = page(response)
        seen = _Rows(rows)
        newest = max(t for t in (progress.get("newest_ts"), seen.newest) if t is not None) \
            if seen.newest is not None or progress.get("newest_ts") is not None else None
        progress = {**progress, "newest_ts": newest}
        counters = seen.counters(self.taker_only)
        if cursor is None or (seen.oldest is not None and seen.oldest < progress["stop_ts"]):
            return Step(None, progress=progress, records=len(rows), high_water_mark=_utc(newest), counters=counters)
        return Step(request.with_params(cursor=cursor), progress=progress, records=len(rows), counters=counters)

    def _after_status(self, progress: dict, response: Response, ctx: RunContext) -> Step:
        warnings = []
        # The feed's window is the venue's current and previous month: its clock, not ours.
        window_start = feed_window_start(venue_now(response.headers, ctx.started_at))
        try:
            lag = float(data_object(response)["serving"]["lag_seconds"])
        except (PageShapeError, KeyError, TypeError, ValueError) as exc:
            lag = float(self.settings["trades_assumed_lag_s"])
            warnings.append(f"/v2/status unreadable ({exc}); assuming a {lag:.0f}s feed lag")
        stop, window = progress["stop_ts"] - max(0.0, lag), _epoch(window_start)
        gaps = []
        if stop < window:
            gaps.append(Gap(self.name, "feed", _utc(stop), _utc(window),
                            "older than the trade feed's window (current and previous month)"))
            stop = window
        progress = {**progress, "stage": "feed", "stop_ts": stop, "lag_s": lag, "window_ts": window}
        return Step(self._trades_request(), progress=progress, gaps=gaps, warnings=warnings)

    # -- gaps: condition walks over the markets live in them ----------------------------------
    def _chunks(self, scope: Scope) -> list[list[str]]:
        ids = list(scope.params.get("markets") or [])
        return [ids[i:i + self.per_request] for i in range(0, len(ids), self.per_request)]

    def _start_gap(self, scope: Scope):
        chunks = self._chunks(scope)
        progress = {"stage": "gap", "chunk": 0}
        if not chunks:
            # Nothing was live in the gap: one status read lands the page that closes it.
            return Request("status", DATA, "/v2/status"), {**progress, "stage": "gap_empty"}
        return self._trades_request(chunks[0]), progress

    def _advance_gap(self, scope, ctx, progress, request, response) -> Step:
        gap_id = int(scope.params["gap_id"])
        if progress.get("stage") == "gap_empty":
            data_object(response)
            return Step(None, progress=progress, closed_gaps=[gap_id])
        rows, cursor = page(response)
        seen = _Rows(rows)
        start = scope.params.get("from")
        stop = _epoch(start - self.overlap) if start is not None else None
        counters = seen.counters(self.taker_only)
        if cursor is not None and not (stop is not None and seen.oldest is not None and seen.oldest < stop):
            return Step(request.with_params(cursor=cursor), progress=progress, records=len(rows), counters=counters)
        chunks = self._chunks(scope)
        nxt = progress["chunk"] + 1
        if nxt < len(chunks):
            return Step(self._trades_request(chunks[nxt]), progress={**progress, "chunk": nxt},
                        records=len(rows), counters=counters)
        gaps = []
        window = api_window_start(venue_now(response.headers, ctx.started_at))
        if start is not None and start < window:
            gaps.append(Gap(self.name, scope.key, start, window, API_WINDOW, unreachable=True))
        return Step(None, progress=progress, records=len(rows), counters=counters, closed_gaps=[gap_id], gaps=gaps)


class FillFeed(TradeFeed):
    """Maker and taker fills (`taker_only=false`), when the `maker_fills` setting asks for them."""

    name = "trade_fills"
    landing_resource = "trade_fills"
    taker_only = False
    history_resource = "fills_history"


class TradeHistory(_TradeWalks):
    """Every trade of a batch of markets, `condition=` lists of up to 20, to the end of the API's
    window (or down to `since`); one checkpoint per market."""

    name = "trades_history"
    landing_resource = "trades"
    per_market = True
    interval_bound = False

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        if not self.enabled:
            return []
        entries = {e.market_id: e for e in ctx.items}
        done = ctx.catalog.scope_states(self.name, list(entries)) if ctx.catalog else {}
        since = parse_ts(ctx.settings.get("since"))
        todo = sorted(m for m in entries if not (m in done and _covered(done[m].state, since)))
        for i in range(0, len(todo), self.per_request):
            ids = todo[i:i + self.per_request]
            opened = {m: entries[m].opened_at.isoformat() if entries[m].opened_at else None for m in ids}
            digest = hashlib.sha1(",".join(ids).encode()).hexdigest()[:16]
            yield Scope(f"markets:{digest}", {"markets": ids, "opened": opened})

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        since = ctx.settings.get("since")
        progress = {"newest": {}, "since_ts": _epoch(parse_ts(since)) if since else None,
                    "walked_at": ctx.started_at.isoformat()}
        return self._trades_request(scope.params["markets"]), progress

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        rows, cursor = page(response)
        seen = _Rows(rows)
        if not progress.get("venue_now"):
            # The three-year window is the venue's: measured from its clock when the walk began.
            progress = {**progress, "venue_now": venue_now(response.headers, ctx.started_at).isoformat()}
        newest = dict(progress.get("newest") or {})
        for market, stamp in seen.newest_by_market.items():
            newest[market] = max(stamp, newest.get(market, stamp))
        progress = {**progress, "newest": newest}
        counters = seen.counters(self.taker_only)
        since = progress.get("since_ts")
        if cursor is not None and not (since is not None and seen.oldest is not None and seen.oldest < since):
            return Step(request.with_params(cursor=cursor), progress=progress, records=len(rows), counters=counters)
        window = api_window_start(datetime.fromisoformat(progress.get("venue_now") or progress["walked_at"]))
        covers_from = _utc(since) if since is not None else window
        checkpoints, gaps = [], []
        for market in scope.params["markets"]:
            checkpoints.append(ScopeCheckpoint(self.name, market, _utc(newest.get(market)), {
                "complete": since is None, "walked_at": progress["walked_at"], "covers_from": covers_from.isoformat(),
            }))
            opened = parse_ts((scope.params.get("opened") or {}).get(market))
            if opened is not None and opened < window and since is None:
                gaps.append(Gap(self.name, market, opened, window, API_WINDOW, unreachable=True, market_id=market))
        return Step(None, progress=progress, records=len(rows), counters=counters,
                    scope_checkpoints=checkpoints, gaps=gaps)


def _covered(state: Mapping[str, Any], since: datetime | None) -> bool:
    """A market's history is walked: in full, or from at or before `since`."""
    if state.get("complete"):
        return True
    covers_from = parse_ts(state.get("covers_from"))
    return since is not None and covers_from is not None and covers_from <= since


class FillHistory(TradeHistory):
    name = "fills_history"
    landing_resource = "trade_fills"
    taker_only = False
