"""Kalshi per-market resources: candlesticks and order books."""

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
from prediction_markets.adapters.kalshi.paging import KALSHI, body_of, error_message
from prediction_markets.adapters.parsing import epoch, parse_ts

PERIODS = (1, 60, 1440)


class CandlesResource(Resource):
    """Candlesticks per market and period over the data interval (or the gap since an older
    checkpoint). Live candles need the market's series, taken from its event (never split out
    of the ticker); markets settled before the historical cutoff are read from
    /historical/markets/{ticker}/candlesticks, which needs none."""

    name = "candlesticks"
    landing_resource = "candlesticks"
    conn_id = KALSHI
    per_market = True

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.periods = [int(p) for p in settings["candle_periods"]]
        if not set(self.periods) <= set(PERIODS):
            raise ValueError(f"candle_periods must be among {PERIODS}, got {self.periods}")
        self.max_candles = int(settings["candles_per_request"])
        self.max_catchup = timedelta(seconds=float(settings["candles_max_catchup_s"]))

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        cutoff = parse_ts((ctx.catalog.venue_state("historical_cutoff", "current") if ctx.catalog else {})
                          .get("market_settled_ts"))
        for entry in ctx.items:
            settled = parse_ts(entry.keys.get("settled_at"))
            historical = bool(cutoff and settled and settled < cutoff)
            for period in self.periods:
                yield Scope(f"{entry.market_id}:{period}", {
                    "ticker": entry.market_id, "series": entry.keys.get("series_ticker"), "period": period,
                    "historical": historical, "opened_at": entry.opened_at, "closed_at": entry.closed_at,
                })

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        p = scope.params
        start, end = ctx.interval.start, ctx.interval.end
        if previous.high_water_mark is not None and previous.high_water_mark < start:
            start = max(previous.high_water_mark, start - self.max_catchup)
        if p["opened_at"]:
            start = max(start, p["opened_at"])
        if p["closed_at"]:
            end = min(end, p["closed_at"] + timedelta(minutes=p["period"]))
        if start >= end:
            return None, {}
        if not p["historical"] and not p["series"]:
            return None, {}  # series unknown yet (the market's event not listed): next run
        progress = {"end": end.isoformat(), "historical": p["historical"]}
        return self._request(scope, start, end, p["historical"]), progress

    def _request(self, scope: Scope, start: datetime, end: datetime, historical: bool) -> Request:
        period = scope.params["period"]
        end = min(end, start + timedelta(minutes=period * self.max_candles))
        params = (("start_ts", str(epoch(start))), ("end_ts", str(epoch(end))), ("period_interval", str(period)))
        ticker = scope.params["ticker"]
        if historical:
            path, template = f"/historical/markets/{ticker}/candlesticks", "/historical/markets/{ticker}/candlesticks"
        else:
            path = f"/series/{scope.params['series']}/markets/{ticker}/candlesticks"
            template = "/series/{series_ticker}/markets/{ticker}/candlesticks"
        return Request("candlesticks", KALSHI, path, params, endpoint=template)

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        if response.status == 404 and not progress["historical"]:
            # Settled since the catalog saw it: the candles moved to the historical tier.
            start = datetime.fromtimestamp(int(request.param("start_ts")), tz=timezone.utc)
            retry = self._request(scope, start, datetime.fromisoformat(progress["end"]), True)
            return Step(retry, progress={**progress, "historical": True},
                        warnings=[f"{scope.params['ticker']}: live candles 404, read from the historical tier"])
        _, candles = body_of(response, "candlesticks")
        window_end = datetime.fromtimestamp(int(request.param("end_ts")), tz=timezone.utc)
        end = datetime.fromisoformat(progress["end"])
        nxt = self._request(scope, window_end, end, progress["historical"]) if window_end < end else None
        return Step(nxt, progress=progress, records=len(candles), high_water_mark=window_end)


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
