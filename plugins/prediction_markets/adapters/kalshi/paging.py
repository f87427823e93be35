"""Kalshi cursor paging and error handling shared by the Kalshi resources.

A page ends the walk only when its cursor is "", null or missing (the venue uses all three);
a short page is not the end. A cursor seen before in the same walk is an error, not a loop.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from prediction_markets.adapters.base import PageShapeError, Request, Response

KALSHI = "kalshi"
_SEEN_KEPT = 64


def body_of(response: Response, key: str, kind: type = list) -> tuple[dict, Any]:
    """The page object and its `key` entry, or PageShapeError with the venue's error."""
    if response.status != 200:
        raise PageShapeError(f"HTTP {response.status}: {error_message(response)}")
    body = response.data
    if not isinstance(body, dict):
        raise PageShapeError(f"expected a JSON object, got {type(body).__name__}")
    value = body.get(key)
    if kind is list and value is None and key in body:
        value = []  # "required" arrays sometimes arrive as null
    if not isinstance(value, kind):
        raise PageShapeError(f"expected {key!r} to be a {kind.__name__}, got {type(value).__name__}")
    return body, value


def error_message(response: Response) -> str:
    """Kalshi errors are {"error": {"code", "message"}} or, for 429, {"error": "text"}."""
    data = response.data
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict):
            return f"{err.get('code')}: {err.get('message')}"
        if isinstance(err, str):
            return err
    return repr(response.body[:300])


def next_page(request: Request, body: Mapping[str, Any], progress: dict) -> tuple[Request | None, dict]:
    cursor = body.get("cursor")
    if not cursor:
        return None, {**progress, "seen": []}
    digest = hashlib.sha1(str(cursor).encode()).hexdigest()[:16]
    seen = list(progress.get("seen", []))
    if digest in seen:
        raise PageShapeError(f"cursor loop: cursor {str(cursor)[:40]!r} was already followed in this walk")
    seen = (seen + [digest])[-_SEEN_KEPT:]
    return request.with_params(cursor=cursor), {**progress, "seen": seen}
