"""CLOB API (https://clob.polymarket.com): /book, POST /books, /prices-history."""
from __future__ import annotations

import orjson

from ..routing import Request, Response, Router
from .prices import FIDELITIES

MAX_BOOKS = 500
MAX_SPAN = 15 * 86400
MAX_POINTS = 900
INTERVALS = {"1h": 3600, "6h": 6 * 3600, "1d": 86400, "1w": 7 * 86400, "1m": 30 * 86400}
EMPTY_HISTORY = {"history": []}


def error(status: int, message: str) -> Response:
    return Response.json(status, {"error": message})


def error_body(status: int) -> Response:
    if status == 429:
        return Response.json(429, {"error": "Too Many Requests"})
    if status >= 500:
        return Response.json(status, {"error": "Internal Server Error"})
    return Response.json(status, {"error": "request failed"})


def _int(raw: str) -> int:
    return int(raw.strip())


def build_router(world) -> Router:
    router = Router()

    @router.get("/book")
    def book(req: Request) -> Response:
        token = (req.arg("token_id") or "").strip()
        if not token:
            return error(400, "Invalid token id")
        obj = world.book(token, req.now)
        if obj is None:
            return error(404, "No orderbook exists for the requested token id")
        return Response.json(200, obj)

    @router.post("/books")
    def books(req: Request) -> Response:
        try:
            payload = orjson.loads(req.body) if req.body else None
        except orjson.JSONDecodeError:
            return error(400, "Invalid payload")
        if not isinstance(payload, list):
            return error(400, "Invalid payload")
        if len(payload) > MAX_BOOKS:
            return error(400, f"Too many token ids: the maximum is {MAX_BOOKS}")
        out = []
        for item in payload:
            if not isinstance(item, dict) or not isinstance(item.get("token_id"), str) or not item["token_id"]:
                return error(400, "Invalid payload")
            obj = world.book(item["token_id"], req.now)
            if obj is not None:
                out.append(obj)
        return Response.json(200, out)

    @router.get("/prices-history")
    def prices_history(req: Request) -> Response:
        market = (req.arg("market") or "").strip()
        start_raw, end_raw = req.arg("startTs"), req.arg("endTs")
        interval = req.arg("interval")
        has_range = bool(start_raw) or bool(end_raw)
        if not market:
            return error(400, "market is required")
        if not has_range and not interval:
            return error(400, "startTs and endTs or interval is required")
        if has_range and interval:
            return error(400, "interval is mutually exclusive with startTs and endTs")
        fidelity_raw = req.arg("fidelity")
        try:
            fidelity = _int(fidelity_raw) if fidelity_raw else 1
            start = _int(start_raw) if start_raw else None
            end = _int(end_raw) if end_raw else None
        except ValueError:
            return error(400, "invalid query parameters")
        if fidelity not in FIDELITIES:
            return Response.json(200, EMPTY_HISTORY)
        ref = world.token_ref(market)
        if ref is None or not world.exists(ref[0], req.now):
            return Response.json(200, EMPTY_HISTORY)
        now = req.now
        life = world.timeline.life(ref[0])
        if interval:
            if interval in ("max", "all"):
                start, end = life.accepting, now
            elif interval in INTERVALS:
                if now >= life.close:   # relative windows are anchored to now: nothing for closed markets
                    return Response.json(200, EMPTY_HISTORY)
                start, end = now - INTERVALS[interval], now
            else:
                return Response.json(200, EMPTY_HISTORY)
        else:
            if start is None:
                return Response.json(200, EMPTY_HISTORY)
            if end is None:
                end = int(now)
            if end < start or end - start > MAX_SPAN:
                return Response.json(200, EMPTY_HISTORY)
        points = world.price_history(market, start, end, fidelity, now, limit=MAX_POINTS)
        return Response.json(200, {"history": points})

    return router
