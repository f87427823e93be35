"""Data API (https://data-api.polymarket.com) v1: /trades (retired on 2026-10-24 unless served)."""
from __future__ import annotations

from ..routing import Request, Response, Router
from .params import ParamError, bool_arg, int_arg

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_OFFSET = 3_000


def error(status: int, message: str) -> Response:
    return Response.json(status, {"error": message})


def error_body(status: int) -> Response:
    if status == 429:
        return Response.json(429, {"error": "Too Many Requests"})
    if status >= 500:
        return Response.json(status, {"error": "internal server error"})
    return Response.json(status, {"error": "request failed"})


RETIRED = ("GET /trades was retired on 2026-10-24 with the rest of Data API v1; "
           "use /v2/trades (see /v2/openapi.json)")


def build_router(world, v1_trades: str = "retired") -> Router:
    router = Router()

    @router.get("/trades")
    def trades(req: Request) -> Response:
        if v1_trades != "served":
            return error(410, RETIRED)
        try:
            limit = int_arg(req, "limit", DEFAULT_LIMIT)
            offset = int_arg(req, "offset", 0)
            taker_only = bool_arg(req, "takerOnly", True)
        except ParamError as exc:
            return error(400, str(exc))
        limit = min(limit, MAX_LIMIT)
        if offset > MAX_OFFSET:
            return error(400, f"max historical activity offset of {MAX_OFFSET} exceeded")
        market = req.arg("market")
        event_id = req.arg("eventId")
        if market and event_id:
            return error(400, "market and eventId are mutually exclusive")
        side = req.arg("side")
        if side is not None and side.upper() not in ("BUY", "SELL"):
            return error(400, "side must be BUY or SELL")
        filter_type, filter_amount = req.arg("filterType"), req.arg("filterAmount")
        if (filter_type is None) != (filter_amount is None):
            return error(400, "filterType and filterAmount must be provided together")
        amount = 0.0
        if filter_type is not None:
            if filter_type not in ("CASH", "TOKENS"):
                return error(400, "filterType must be CASH or TOKENS")
            try:
                amount = float(filter_amount)
            except ValueError:
                return error(400, "filterAmount must be a number")
        user = (req.arg("user") or "").lower() or None
        row_filter = _row_filter(side.upper() if side else None, filter_type, amount, user)
        now = req.now
        if market:
            indices = [world.index_of_condition_id(c) for c in market.split(",") if c.strip()]
            indices = [i for i in indices if i is not None]
            rows = world.trades_page(indices, now, taker_only, offset, limit, row_filter)
        elif event_id:
            first = world.event_first_of_id(event_id.strip())
            if first is None:
                return Response.json(200, [])
            rows = world.trades_page(list(world.event_markets(first)), now, taker_only, offset, limit, row_filter)
        else:
            rows = world.global_trades(now, taker_only, offset, limit, row_filter)
        return Response.json(200, rows)

    return router


def _row_filter(side, filter_type, amount, user):
    if side is None and filter_type is None and user is None:
        return None

    def keep(row: dict) -> bool:
        if side is not None and row["side"] != side:
            return False
        if user is not None and row["proxyWallet"] != user:
            return False
        if filter_type == "CASH" and row["size"] * row["price"] < amount:
            return False
        if filter_type == "TOKENS" and row["size"] < amount:
            return False
        return True

    return keep
