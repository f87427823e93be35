"""Defensive parsing of venue wire values (types drift; keys go missing)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

_EPOCH_MS_THRESHOLD = 10**11  # larger integers are milliseconds


def parse_ts(value: Any) -> datetime | None:
    """A UTC datetime from ISO-8601 (0-9 fractional digits, Z or offset), Postgres style
    ("2026-03-19 23:20:15+00"), date-only, or unix seconds/milliseconds; None if unusable."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if abs(value) >= _EPOCH_MS_THRESHOLD else value
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None  # 1e20, inf, nan: not a time any API means
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.isdigit():
        return parse_ts(int(text))
    if text.startswith("0001-01-01"):  # Go zero time: "no value"
        return None
    text = text.replace(" ", "T", 1).replace("Z", "+00:00").replace("z", "+00:00")
    if len(text) >= 3 and text[-3] in "+-" and text[-2:].isdigit() and "T" in text:
        text += ":00"  # "+00" -> "+00:00"
    if "." in text:
        head, _, tail = text.partition(".")
        digits = "".join(c for c in tail if c.isdigit())
        zone = tail[len(digits):]
        text = f"{head}.{(digits + '000000')[:6]}{zone}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def json_list(value: Any) -> list[Any]:
    """A list from a JSON-in-string field ('["Yes", "No"]'), tolerating a real list or junk."""
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.strip():
        try:
            parsed = json.loads(value)
        except ValueError:
            return []
        return parsed if isinstance(parsed, list) else []
    return []


def to_decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def epoch(value: datetime) -> int:
    return int(value.timestamp())


def venue_now(headers, fallback: datetime) -> datetime:
    """The venue's clock, from the HTTP `Date` header of its answer: windows a venue defines
    relative to its own now (a feed of "the current month") are computed with it."""
    import email.utils

    value = (headers or {}).get("date")
    if value:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return fallback
