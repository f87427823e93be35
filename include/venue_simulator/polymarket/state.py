"""Market state derived at ``now``: top of book, volumes, liquidity, last trade, sort keys."""
from __future__ import annotations

from .hashing import INV64, S_BOOK, mix64, rand8
from .prices import book_epoch, book_top

DAY = 86400


def book_state(w, i: int, now: float):
    """-> (bids, asks, change_ms) of token 0 at ``now``."""
    life = w.timeline.life(i)
    epoch, change_ms = book_epoch(w.seed, life, now)
    bids, asks = w.book_levels(i, epoch, change_ms)
    return bids, asks, change_ms


def top_of_book(w, i: int, now: float) -> tuple[int, int]:
    life = w.timeline.life(i)
    epoch, change_ms = book_epoch(w.seed, life, now)
    bid, ask, _ = book_top(w.seed, w.path(i), epoch, change_ms)
    return bid, ask


def volumes(w, i: int, now: float) -> tuple[float, float, float, float, float]:
    """-> (total, 24h, 1 week, 1 month, 1 year) traded notional at ``now``."""
    plan = w.plan(i)
    total = plan.visible_tx(now)
    out = [total * plan.notional]
    for days in (1, 7, 30, 365):
        out.append((total - plan.visible_tx(now - days * DAY)) * plan.notional)
    return tuple(out)


def last_trade_p0(w, i: int, now: float) -> float | None:
    plan = w.plan(i)
    v = plan.visible_tx(now)
    if v == 0:
        return None
    taker = w._tx(i, v - 1)[-1]
    return taker[4] if taker[2] == 0 else 1.0 - taker[4]


def liquidity(w, i: int, now: float) -> float:
    tl = w.timeline
    if now >= tl.close_of(i):
        return 0.0
    r = rand8(w.seed, S_BOOK, i, 7)
    period = 120 + r[0] % 420
    base = 400.0 * min(2000.0, (1.0 - r[1] * INV64) ** -1.2)
    k = int(max(0.0, now - tl.accepting_of(i)) // period)
    return round(base * (0.8 + 0.4 * (mix64(r[2] ^ k) * INV64)), 5)


def sort_key(w, field: str, now: float):
    fields = [f.strip() for f in field.split(",") if f.strip()]

    def one(name):
        tl = w.timeline
        if name == "id":
            return lambda i: i
        if name in ("volumeNum", "volume", "volumeClob"):
            return lambda i: -1.0 if now >= tl.close_of(i) else w.volume(i, now)
        if name in ("volume24hr", "volume24hrClob"):
            return lambda i: -1.0 if now >= tl.close_of(i) else w.volume(i, now, DAY)
        if name in ("volume1wk", "volume1wkClob"):
            return lambda i: -1.0 if now >= tl.close_of(i) else w.volume(i, now, 7 * DAY)
        if name in ("liquidityNum", "liquidity", "liquidityClob"):
            return lambda i: liquidity(w, i, now)
        if name == "endDate":
            return lambda i: tl.end_of(i)
        if name == "startDate":
            return lambda i: tl.accepting_of(i)
        if name in ("createdAt", "created_at"):
            return lambda i: tl.created(i)
        if name == "closedTime":
            return lambda i: tl.close_of(i) if now >= tl.close_of(i) else 0
        if name == "competitive":
            return lambda i: w.static(i)["competitive"]
        raise KeyError(name)

    fns = [one(f) for f in fields]
    if len(fns) == 1:
        return fns[0]
    return lambda i: tuple(fn(i) for fn in fns)


SORT_FIELDS = ("id", "volumeNum", "volume", "volumeClob", "volume24hr", "volume24hrClob", "volume1wk",
               "volume1wkClob", "liquidityNum", "liquidity", "liquidityClob", "endDate", "startDate",
               "createdAt", "closedTime", "competitive")
