"""Data API /v2/prices-history: bucketed price series with retention, terminal tick, settlement.

Stored grains and how far back they are kept (relative to now, except the fixed starts):
1 min 8 days, 5 min 62 days, 30 min 93 days, 3 h from 2026-07-01, 12 h from 2022-11-18. A
served bucket ``[t, t + width)`` has a point when some kept grain no wider than ``width`` has a
sample inside it, so widths finer than the kept data give empty or sparse pages. Buckets lie
inside the token's trading life and before its last trade in the window, which ends the
series as an exact tick (``resolution_seconds: 0``); a resolved market adds the token's payout
one bucket edge after that tick (clamped to an explicit ``end``).
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

from .prices import has_gap

DAY = 86400
GRAINS = (60, 300, 1800, 10800, 43200)
THREE_HOUR_FROM = int(datetime(2026, 7, 1, tzinfo=timezone.utc).timestamp())
TWELVE_HOUR_FROM = int(datetime(2022, 11, 18, tzinfo=timezone.utc).timestamp())
KEEP = {60: 8 * DAY, 300: 62 * DAY, 1800: 93 * DAY}
BUCKET, TICK, SETTLEMENT = 0, 1, 2          # order of points sharing a timestamp
MAX_WINDOW = 15 * DAY
INTERVALS = {"1h": 3600, "6h": 6 * 3600, "1d": DAY, "1w": 7 * DAY, "1m": 30 * DAY, "max": None, "all": None}
PRESET_GRAIN = {"1h": 60, "6h": 60, "1d": 60, "1w": 300, "1m": 1800, "max": 43200, "all": 43200}
GRAIN_FLOOR = {"max": 600, "all": 600, "1m": 600, "1w": 300}


class WindowError(ValueError):
    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


def retention_start(grain: int, now: float) -> int:
    if grain in KEEP:
        return int(now) - KEEP[grain]
    return THREE_HOUR_FROM if grain == 10800 else TWELVE_HOUR_FROM


def bucket_has_data(t: int, width: int, now: float) -> bool:
    for g in GRAINS:
        if g > width:
            return False
        if t >= retention_start(g, now) and -(-t // g) * g < t + width:
            return True
    return False


@dataclasses.dataclass(frozen=True)
class Window:
    lo: int                   # inclusive
    hi: int                   # exclusive
    width: int                # bucket width served
    explicit_end: int | None  # an explicit `end` clamps the settlement point


def picked_width(span: int) -> int:
    """The grain the server picks for an explicit window (< ~2,500 points)."""
    return 60 if span <= 12 * 3600 else 300 if span <= 7 * DAY else 1800


def window(now: int, start: int | None, end: int | None, interval: str | None, width: int | None,
           as_of: int | None) -> tuple[Window | None, int | None]:
    """-> (Window, None) or (None, as_of) from exactly one of start[+end], interval, as_of."""
    chosen = [name for name, v in (("start", start), ("interval", interval), ("as_of", as_of)) if v is not None]
    if end is not None and start is None:
        raise WindowError("end needs start", "end")
    if len(chosen) != 1:
        raise WindowError("provide exactly one of start (with optional end), interval or as_of")
    if as_of is not None:
        return None, as_of
    if interval is not None:
        if interval not in INTERVALS:
            raise WindowError("interval must be one of max, all, 1m, 1w, 1d, 6h, 1h", "interval")
        floor = GRAIN_FLOOR.get(interval)
        if width is not None and floor is not None and width < floor:
            raise WindowError(f"bucket_seconds must be at least {floor} for interval={interval}", "bucket_seconds")
        width = width or PRESET_GRAIN[interval]
        span = INTERVALS[interval]
        if span is None:   # the whole life at 3 h / 12 h, the last 30 days at finer widths
            lo = 0 if width >= 10800 else now - 30 * DAY
        else:
            lo = now - span
        return Window(lo, now + 1, width, None), None
    hi = now + 1 if end is None else end            # start alone: up to now, inclusive
    if hi <= start:
        raise WindowError("end must be after start", "end")
    if hi - start > MAX_WINDOW + (end is None):
        raise WindowError("explicit windows are limited to 15 days", "start" if end is None else "end")
    return Window(start, hi, width or picked_width(hi - start), end), None


def token_price(fill, outcome: int) -> float:
    """A fill's price for ``outcome`` (the complement for the other token)."""
    price = fill[4]
    return price if fill[2] == outcome else round(1.0 - price, 9)


def bucket_price(path, t: int, outcome: int, units: int) -> float:
    """Mid on the half-tick grid at ``t`` (computed in floats, so it carries float noise)."""
    half_ticks = round(path.p(t) * units * 2)
    value = half_ticks * (1.0 / units) / 2
    return value if outcome == 0 else 1.0 - value


def series(w, i: int, outcome: int, win: Window, now: float):
    """Points of one token in a window, oldest first: (timestamp, rank, price, resolution_seconds)."""
    plan = w.plan(i)
    life = w.timeline.life(i)
    path = w.path(i)
    v = plan.visible_tx(min(win.hi - 1, now))
    if v == 0:
        return
    first_ts = plan.tx_time(0)
    tick_ts = plan.tx_time(v - 1)
    width = win.width
    t = max(-(-win.lo // width) * width, first_ts // width * width)
    while t < tick_ts and t < win.hi:
        if bucket_has_data(t, width, now) and not has_gap(w.seed, i, t):
            yield t, BUCKET, bucket_price(path, max(t, first_ts), outcome, life.units), width
        t += width
    if win.lo <= tick_ts < win.hi:
        yield tick_ts, TICK, token_price(w._tx(i, v - 1)[-1], outcome), 0
    plan_r = w.resolution_plan(i)
    if v == plan.n_tx and now >= plan_r.resolved_at:
        settle = (tick_ts // width + 1) * width
        if win.explicit_end is not None:
            settle = min(settle, win.explicit_end - 1)
        if settle >= tick_ts and win.lo <= settle < win.hi:
            yield settle, SETTLEMENT, plan_r.payouts[outcome] / 1_000_000, 0


def as_of_point(w, i: int, outcome: int, as_of: int, now: float):
    """The point-in-time read: the payout once resolved by ``as_of``, else the last trade."""
    plan = w.plan(i)
    plan_r = w.resolution_plan(i)
    at = min(as_of, int(now))
    if at >= plan_r.resolved_at:
        return plan_r.resolved_at, SETTLEMENT, plan_r.payouts[outcome] / 1_000_000, 0
    v = plan.visible_tx(at)
    if v == 0:
        return None
    return plan.tx_time(v - 1), TICK, token_price(w._tx(i, v - 1)[-1], outcome), 0
