"""Page assembly: market/event scans and the newest-first trade feed (O(rows) per page).

Short pages happen before the end on purpose, as on the real API:
- a market page examines at most ``limit`` markets that pass the database-side filters and
  drops parlays afterwards when ``mve_filter`` is set (a page boundary falling on parlays
  comes back short, but never empty);
- any page also ends early right after a "page break" row (a deterministic ~1/1500 markets,
  1/300 events, 1/2000 trades), as if a storage partition ended there.
A cursor is only returned when at least one further matching row exists.
"""
from __future__ import annotations

import heapq

from ..polymarket.hashing import h, mix64
from .catalog import DAY, MAX_LEAD
from .layout import N_SPECIAL
from .trades import US

BREAK_EVERY = {"market": 1500, "event": 300, "trade": 2000}


class Breaks:
    def __init__(self, seed: int) -> None:
        self._keys = {kind: h(seed, 950, n) for n, kind in enumerate(BREAK_EVERY)}

    def __call__(self, kind: str, *key: int) -> bool:
        x = self._keys[kind]
        for part in key:
            x = mix64(x ^ part)
        return x % BREAK_EVERY[kind] == 0


def scan_page(source, start: int, accept, keep, limit: int, breaks, kind: str):
    """-> (chosen keys, next start or None). ``source(start)`` yields candidate keys descending
    from ``start``; ``accept`` is the scan filter, ``keep`` the post filter."""
    chosen, examined, last, stream = [], 0, None, source(start)
    for key in stream:
        if not accept(key):
            continue
        examined += 1
        last = key
        if keep(key):
            chosen.append(key)
        if examined >= limit and chosen:
            break
        if breaks(kind, key) and chosen:
            break
    if last is None:
        return chosen, None
    for key in source(last - 1):
        if accept(key) and keep(key):
            return chosen, last - 1
    return chosen, None


# ------------------------------------------------------------------------------ trades

def market_keys(w, i: int, upper: int, lower: int, before: tuple | None):
    """Keys (time µs, market, trade) of one market, newest first, lower <= time <= upper."""
    plan = w.plan(i)
    if before is not None:
        upper = min(upper, before[0])
    j = plan.visible(upper) - 1
    while j >= 0:
        t = plan.t(j)
        if t < lower:
            return
        key = (t, i, j)
        if before is None or key < before:
            yield key
        j -= 1


def trade_feed(w, now: float, limit: int, lower: int, upper: int, before: tuple | None,
               market: int | None) -> tuple[list[tuple], bool]:
    """Newest-first trade keys after ``before`` within [lower, upper] µs -> (keys, more)."""
    need = limit + 1
    upper = min(upper, int(now * US))
    if market is not None:
        keys = []
        for key in market_keys(w, market, upper, lower, before):
            keys.append(key)
            if len(keys) >= need:
                break
    else:
        keys = _merged(w, need, lower, upper, before)
    more = len(keys) > limit
    keys = keys[:limit]
    for n, key in enumerate(keys[:-1]):
        if w.breaks("trade", key[1], key[2]):
            return keys[:n + 1], True
    return keys, more


def _merged(w, need: int, lower: int, upper: int, before: tuple | None) -> list[tuple]:
    life, volumes = w.life, w.volumes
    top = min(upper, before[0]) if before else upper
    heap: list[tuple] = []

    def consider(i: int) -> None:
        for key in market_keys(w, i, upper, lower, before):
            if len(heap) < need:
                heapq.heappush(heap, key)
            elif key > heap[0]:
                heapq.heapreplace(heap, key)
            else:
                break

    for i in range(min(N_SPECIAL, w.layout.n)):
        if w.plan(i).n:
            consider(i)
    reach = (MAX_LEAD + DAY) * US
    for i in range(w.market_count(top / US) - 1, N_SPECIAL - 1, -1):
        threshold = heap[0][0] if len(heap) >= need else lower
        if life.created_of(i) * US + reach < threshold:
            break
        start, end = life.trade_window(i, w.layout.end)
        if end * US < threshold or start * US > top or volumes.count(i, life.flags_of(i)) == 0:
            continue
        consider(i)
    return sorted(heap, reverse=True)
