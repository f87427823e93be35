"""Order books (single and batch) and candlesticks (live, batch and historical)."""
from __future__ import annotations

from ..routing import Request, Response
from . import candles as C
from .eras import Era, dollars, era_at, fp
from .errors import bad_request, not_found, ok
from .params import bool_param, int_param, list_param
from .state import book_at

MAX_BATCH = 100
MAX_DEPTH = 100


def book_payload(yes: list, no: list, era: Era) -> dict:
    """The era's orderbook keys for one market (legacy empty sides are null, modern ones [])."""
    out: dict = {}
    if era.legacy:
        legacy = {"yes": [[p // 10, q // 100] for p, q in yes] or None,
                  "no": [[p // 10, q // 100] for p, q in no] or None}
        if era.dollars:
            legacy["yes_dollars"] = [[dollars(p), q // 100] for p, q in yes] or None
            legacy["no_dollars"] = [[dollars(p), q // 100] for p, q in no] or None
        out["orderbook"] = legacy
    if era.fp:
        out["orderbook_fp"] = {"yes_dollars": [[dollars(p), fp(q)] for p, q in yes],
                               "no_dollars": [[dollars(p), fp(q)] for p, q in no]}
    return out


def _candle_args(req: Request) -> tuple[int, int, int]:
    start = int_param(req, "start_ts", required=True)
    end = int_param(req, "end_ts", required=True)
    period = int_param(req, "period_interval", required=True)
    if period not in C.PERIODS:
        raise bad_request("period_interval must be one of 1, 60, 1440")
    if end < start:
        raise bad_request("end_ts must not be before start_ts")
    bool_param(req, "include_latest_before_start")
    return start, end, period


def register(router, world) -> None:
    def live_index(ticker: str, now: float) -> int | None:
        i = world.index_of(ticker)
        return i if i is not None and world.tier(i, now) == "live" else None

    def periods(i: int, start: int, end: int, period: int, now: float, budget: int) -> list | None:
        """The market's candle periods, or None when there would be more than ``budget``."""
        _, opened, close, _, _, _ = world.life.row(i)
        hi = min(int(now), close)
        if C.count_ends(start, end, period, opened, hi) > budget + 3:
            return None
        ends = C.period_ends(start, end, period, opened, hi, world.tz)
        return ends if len(ends) <= budget else None

    @router.get("/markets/orderbooks")
    def orderbooks(req: Request) -> Response:
        tickers = list_param(req, "tickers")
        if not tickers:
            raise bad_request("tickers is required")
        if len(tickers) > MAX_BATCH:
            raise bad_request(f"at most {MAX_BATCH} tickers are allowed")
        era = era_at(req.now)
        out = []
        for ticker in tickers:
            i = live_index(ticker, req.now)
            if i is not None:
                out.append({"ticker": ticker, **book_payload(*book_at(world, i, req.now), era)})
        return ok({"orderbooks": out})

    @router.get("/markets/candlesticks")
    def batch_candles(req: Request) -> Response:
        tickers = list_param(req, "market_tickers")
        if not tickers:
            raise bad_request("market_tickers is required")
        if len(tickers) > MAX_BATCH:
            raise bad_request(f"at most {MAX_BATCH} market tickers are allowed")
        start, end, period = _candle_args(req)
        now = req.now
        budget, chosen = C.MAX_CANDLES, []
        for ticker in tickers:
            i = live_index(ticker, now)
            if i is None:
                continue
            ends = periods(i, start, end, period, now, budget)
            if ends is None:
                raise bad_request(f"the request would return more than {C.MAX_CANDLES} candlesticks")
            budget -= len(ends)
            chosen.append((ticker, i, ends))
        era = era_at(now)
        return ok({"markets": [{"candlesticks": [C.live_candle(C.compute(world, i, ps, pe, now), era)
                                                 for ps, pe in ends], "market_ticker": t}
                               for t, i, ends in chosen]})

    @router.get("/markets/{ticker}/orderbook")
    def orderbook(req: Request) -> Response:
        depth = int_param(req, "depth", 0)
        if depth > MAX_DEPTH:
            raise bad_request(f"depth must be at most {MAX_DEPTH}")
        i = live_index(req.path_params["ticker"], req.now)
        if i is None:
            raise not_found("market not found")
        yes, no = book_at(world, i, req.now)
        if depth > 0:
            yes, no = yes[-depth:], no[-depth:]
        return ok(book_payload(yes, no, era_at(req.now)))

    def candles(req: Request, ticker: str, i: int | None, historical: bool) -> Response:
        start, end, period = _candle_args(req)
        if i is None:
            raise not_found("market not found")
        now = req.now
        ends = periods(i, start, end, period, now, C.MAX_SINGLE)
        if ends is None:
            raise bad_request(f"max candlesticks: {C.MAX_SINGLE}")
        rows = [C.compute(world, i, ps, pe, now) for ps, pe in ends]
        era = era_at(now)
        rendered = [C.historical_candle(c) if historical else C.live_candle(c, era) for c in rows]
        return ok({"candlesticks": rendered, "ticker": ticker})

    @router.get("/series/{series_ticker}/markets/{ticker}/candlesticks")
    def series_candles(req: Request) -> Response:
        ticker = req.path_params["ticker"]
        i = live_index(ticker, req.now)
        if i is not None and world.series_ticker_of(i) != req.path_params["series_ticker"]:
            i = None                       # the series must be the event's, never a ticker prefix
        return candles(req, ticker, i, False)

    @router.get("/historical/markets/{ticker}/candlesticks")
    def historical_candles(req: Request) -> Response:
        ticker = req.path_params["ticker"]
        i = world.index_of(ticker)
        if i is not None and world.tier(i, req.now) != "historical":
            i = None
        return candles(req, ticker, i, True)
