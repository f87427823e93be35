"""Kalshi venue: Trade API v2 market data (plus one signed endpoint) over a deterministic world."""
from __future__ import annotations

from ..polymarket.hashing import hexdigest
from ..routing import Mount, Request, Response, Router, TokenRule
from . import api_books, api_events, api_markets, api_trades, auth
from .cursor import CursorCodec
from .errors import ApiError, error_body, not_found
from .params import list_param
from .world import KalshiWorld

__all__ = ["KalshiWorld", "build_mount", "PREFIX", "SERVICE"]

PREFIX = "/kalshi/trade-api/v2"
SERVICE = "kalshi"
READ_RATE = 200.0           # tokens per second (Basic tier)
READ_CAPACITY = 200.0       # one second of burst
READ_COST = 10
BATCH_PARAMS = {"/markets/orderbooks": "tickers", "/markets/candlesticks": "market_tickers"}


def read_cost(req: Request) -> int:
    """10 tokens per request; batch calls cost as many requests as their items."""
    param = BATCH_PARAMS.get(req.path.rstrip("/"))
    if param is not None:
        return READ_COST * max(1, len(list_param(req, param)))
    return READ_COST


class _Router(Router):
    """Turns ``ApiError`` raised by handlers into the Kalshi error envelope."""

    def add(self, method, pattern, handler):
        def guarded(req: Request) -> Response:
            try:
                return handler(req)
            except ApiError as exc:
                return exc.response()
        super().add(method, pattern, guarded)


def build_router(world: KalshiWorld, public_keys=None) -> Router:
    router = _Router()
    codec = CursorCodec(hexdigest(32, world.seed, "kalshi-cursor").encode())
    api_trades.register(router, world, codec)          # before /markets/{ticker}
    api_books.register(router, world)
    api_events.register(router, world, codec)
    api_markets.register(router, world, codec)
    auth.register(router, world, PREFIX, public_keys)
    return router


def build_mount(world: KalshiWorld, public_keys=None) -> Mount:
    return Mount(PREFIX, SERVICE, build_router(world, public_keys), [], error_body, None,
                 lambda req: not_found("route not found").response(),
                 [TokenRule("read", READ_RATE, READ_CAPACITY, read_cost)])
