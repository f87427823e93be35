"""Polymarket venue: Gamma, CLOB and Data API hosts over a deterministic world."""
from __future__ import annotations

from .. import htmlpages
from ..routing import Mount, RateRule, Request, Response
from . import clob, data_api, data_v2, gamma
from .world import PolymarketWorld

__all__ = ["PolymarketWorld", "build_mounts", "PREFIX"]

PREFIX = "/polymarket"

# Published limits per 10 s window (docs.polymarket.com rate-limits page).
GAMMA_RULES = [
    RateRule("general", 4000),
    RateRule("events", 500, ("/events", "/events/*")),
    RateRule("markets", 300, ("/markets", "/markets/*")),
    RateRule("listing", 900, ("/markets", "/markets/keyset", "/events")),
]
CLOB_RULES = [
    RateRule("general", 9000),
    RateRule("book", 1500, ("/book",)),
    RateRule("books", 500, ("/books",)),
    RateRule("prices-history", 1000, ("/prices-history",)),
]
DATA_RULES = [
    RateRule("general", 1000),
    RateRule("trades", 200, ("/trades",)),
    RateRule("v2-trades", 300, ("/v2/trades",)),     # third-party quotes of the later limits page
]


def _too_long() -> Response:
    return Response.html(414, htmlpages.uri_too_long())


def _not_found_gamma(req: Request) -> Response:
    return Response.json(404, {"type": "not found error", "error": "not found"})


def _not_found_plain(req: Request) -> Response:
    return Response.json(404, {"error": "not found"})


def build_mounts(world: PolymarketWorld, v1_trades: str = "retired") -> list[Mount]:
    data_router = data_api.build_router(world, v1_trades)
    data_v2.add_routes(data_router, world)
    return [
        Mount(f"{PREFIX}/gamma", "polymarket/gamma", gamma.build_router(world), GAMMA_RULES,
              gamma.error_body, _too_long, _not_found_gamma),
        Mount(f"{PREFIX}/clob", "polymarket/clob", clob.build_router(world), CLOB_RULES,
              clob.error_body, _too_long, _not_found_plain),
        Mount(f"{PREFIX}/data", "polymarket/data", data_router, DATA_RULES, data_api.error_body, _too_long,
              data_v2.not_found_or_v1(data_router, _not_found_plain), error_response=data_v2.error_response,
              limited_response=data_v2.limited_response, finish=data_v2.finish),
    ]
