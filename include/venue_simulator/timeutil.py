"""Instant parsing and the wire formats of timestamps."""
from __future__ import annotations

import functools
from datetime import datetime, timezone

UTC = timezone.utc


def parse_instant(value) -> datetime:
    """datetime / ISO-8601 string (``Z`` or offset) / epoch seconds -> aware UTC datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), tz=UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        dt = datetime.fromisoformat(text)
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    raise TypeError(f"cannot interpret {value!r} as an instant")


def to_epoch(value) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    return parse_instant(value).timestamp()


@functools.lru_cache(maxsize=16384)
def _iso_base(ts: int) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")


def iso_z(ts: int, micros: int | None = None, digits: int = 6) -> str:
    """``2026-03-11T09:27:51.140253Z``; ``digits`` 0/3/6, or -1 for Postgres-style trimming."""
    base = _iso_base(int(ts))
    if micros is None or digits == 0:
        return base + "Z"
    if digits == 3:
        return f"{base}.{micros // 1000:03d}Z"
    frac = f"{micros:06d}"
    if digits == -1:
        frac = frac.rstrip("0")
        return f"{base}.{frac}Z" if frac else base + "Z"
    return f"{base}.{frac}Z"


def pg_time(ts: int) -> str:
    """Postgres text style used by ``closedTime``: ``2026-03-19 23:20:15+00``."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%S+00")


def pg_time_ms(ts: int, millis: int) -> str:
    """``2024-03-07 20:44:01.258+00`` (tag ``publishedAt``)."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%S") + f".{millis:03d}+00"


def date_only(ts: int) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d")
