"""Gamma conventions shared by the market and event routes: errors, keyset refusals, legacy lists."""
from __future__ import annotations

from ..routing import Request, Response

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_OFFSET = 2_000            # deeper offsets: 422 pointing to the keyset routes (since mid-2026)
SCHEMAS = "https://gamma-api.polymarket.com/schemas/"
MARKETS_SCHEMA = SCHEMAS + "MarketsKeysetListResponse.json"
EVENTS_SCHEMA = SCHEMAS + "EventsKeysetListResponse.json"
SUNSET = "Fri, 01 May 2026 00:00:00 GMT"


def validation_error(message: str, status: int = 422) -> Response:
    return Response.json(status, {"type": "validation error", "error": message})


def not_found() -> Response:
    return Response.json(404, {"type": "not found error", "error": "record not found"})


def offset_too_large(keyset: str) -> Response:
    return validation_error(f"offset too large, use {keyset} for deeper pagination")


def legacy_list(items: list, keyset: str) -> Response:
    """The offset lists still answer, announcing their sunset."""
    return Response.json(200, items, {"deprecation": "true", "sunset": SUNSET,
                                      "warning": f'299 - "use {keyset}"', "cache-control": "public, max-age=300"})


def keyset_refusal(req: Request) -> Response | None:
    """Keyset routes refuse ``offset``; ``cursor=`` (instead of ``after_cursor``) is ignored."""
    if req.arg("offset") is not None:
        return validation_error("offset is not supported on keyset pagination, use after_cursor")
    return None
