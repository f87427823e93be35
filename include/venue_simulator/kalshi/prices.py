"""Yes-price paths (O(1) per evaluation), tick grids and order books derived from them.

Prices are integer mills (1/1000 dollar); sizes are integer hundredths of a contract.
Subpenny ticks and fractional sizes exist only from ``LEGACY_REMOVED`` on, so every price
and size shown in a legacy payload is a whole number of cents / contracts.
"""
from __future__ import annotations

import math

from ..polymarket.hashing import INV64, mix64, rand8
from .eras import LEGACY_REMOVED

OCTAVES = ((43200, 1.4), (7200, 0.9), (1440, 0.5), (180, 0.22), (20, 0.08))
SLOW = 3                     # octaves summed once per hour


def _smooth(f: float) -> float:
    return f * f * (3.0 - 2.0 * f)


class PricePath:
    """p(t): probability of YES, drifting towards the realised outcome as the close nears."""

    __slots__ = ("keys", "mu", "target", "t0", "span", "_knots")

    def __init__(self, seed: int, i: int, opened: int, close: int, yes: bool, mu_shift: float) -> None:
        raw = rand8(seed, 801, i)
        self.keys = raw[:len(OCTAVES)]
        self.mu = (raw[7] * INV64 - 0.5) * 4.0 + mu_shift
        self.target = 7.0 if yes else -7.0
        self.t0 = opened
        self.span = max(60, close - opened)
        self._knots: dict[int, float] = {}

    def _knot(self, octave: int, s: int) -> float:
        tag = (s << 3) | octave
        value = self._knots.get(tag)
        if value is None:
            if len(self._knots) > 4096:
                self._knots.clear()
            value = self._knots[tag] = mix64(self.keys[octave] ^ s) * INV64
        return value

    def _slow(self, hour: int) -> float:
        """The slow octaves, evaluated once per hour (piecewise constant within the hour)."""
        tag = -hour - 1
        value = self._knots.get(tag)
        if value is None:
            minute = hour * 60
            value = self.mu
            for octave in range(SLOW):
                spacing, amp = OCTAVES[octave]
                s0, rem = divmod(minute, spacing)
                a, b = self._knot(octave, s0), self._knot(octave, s0 + 1)
                value += amp * (2.0 * (a + (b - a) * _smooth(rem / spacing)) - 1.0)
            self._knots[tag] = value
        return value

    def p(self, ts: int) -> float:
        minute = ts // 60
        x = self._slow(minute // 60)
        knot = self._knot
        for octave in range(SLOW, len(OCTAVES)):
            spacing, amp = OCTAVES[octave]
            s0, rem = divmod(minute, spacing)
            a = knot(octave, s0)
            b = knot(octave, s0 + 1)
            x += amp * (2.0 * (a + (b - a) * _smooth(rem / spacing)) - 1.0)
        frac = (ts - self.t0) / self.span
        if frac > 0:
            x += self.target * min(1.0, frac) ** 5
        return min(0.99, max(0.01, 1.0 / (1.0 + math.exp(-x))))


def tick_at(structure: str, ts: float, mills: float) -> int:
    if ts < LEGACY_REMOVED or structure == "linear_cent":
        return 10
    if structure == "deci_cent":
        return 1
    return 1 if mills < 100 or mills > 900 else 10


def quantize(p: float, structure: str, ts: float, up: bool) -> int:
    x = p * 1000.0
    t = tick_at(structure, ts, x)
    v = int(math.ceil(x / t - 1e-9)) * t if up else int(math.floor(x / t + 1e-9)) * t
    return min(1000 - t, max(t, v))


def price_ranges(structure: str) -> list[dict]:
    if structure == "linear_cent":
        return [{"end": "1.0000", "start": "0.0000", "step": "0.0100"}]
    if structure == "deci_cent":
        return [{"end": "1.0000", "start": "0.0000", "step": "0.0010"}]
    return [{"end": "0.1000", "start": "0.0000", "step": "0.0010"},
            {"end": "0.9000", "start": "0.1000", "step": "0.0100"},
            {"end": "1.0000", "start": "0.9000", "step": "0.0010"}]


# ------------------------------------------------------------------------------ books

def book_change(mix, i: int, opened: int, now: float) -> tuple[int, int]:
    """-> (book epoch, change time) of the book current at ``now`` (it changes every 2-9 min)."""
    period = 120 + mix(802, i) % 420
    k = int((now - opened) // period)
    while k > 0:
        change = opened + k * period + mix(803, i, k) % period
        if change <= now:
            return k, change
        k -= 1
    return 0, opened


def _lower(price: int, structure: str, ts: float, steps: int) -> int:
    for _ in range(steps):
        t = tick_at(structure, ts, price - 1)
        price = (price - 1) // t * t
    return price


def book_top(mix, i: int, path: PricePath, structure: str, change: int, now: float) -> tuple[int, int, int]:
    """-> (level key, best yes bid, best no bid) of the book state that started at ``change``."""
    key = mix(804, i, change)
    p = path.p(change)
    t = tick_at(structure, now, p * 1000)
    spread = (1 + key % 3) if t == 10 else (2 + key % 10)
    best_yes = quantize(p - spread * t / 2000.0, structure, now, up=False)
    best_yes = min(best_yes, 1000 - 2 * t)
    yes_ask = min(1000 - t, best_yes + spread * t)
    return key, best_yes, 1000 - yes_ask


def book_levels(mix, i: int, path: PricePath, structure: str, change: int, now: float,
                fractional: bool) -> tuple[list, list]:
    """-> (yes bids, no bids), each ascending [(mills, hundredths)] with the best level last."""
    key, best_yes, best_no = book_top(mix, i, path, structure, change, now)
    sides = []
    for side, best in ((1, best_yes), (2, best_no)):
        levels, price, k = [], best, 0
        n = 2 + (key >> (8 * side)) % 22
        while price >= 1 and k < n:
            levels.append((price, _size(key, side, k, fractional)))
            price = _lower(price, structure, now, 1 + mix64(key ^ (side << 12 | k)) % 2)
            k += 1
        levels.reverse()
        sides.append(levels)
    return sides[0], sides[1]


def best_sizes(key: int, fractional: bool) -> tuple[int, int]:
    return _size(key, 1, 0, fractional), _size(key, 2, 0, fractional)


def _size(key: int, side: int, k: int, fractional: bool) -> int:
    r = mix64(key ^ (side << 40) ^ (k << 8) ^ 0x5A5A)
    value = (1.0 - (r % 10_000) / 10_000.0) ** -1.4 * (5 + k * 3)
    whole = max(1, int(min(value, 60_000.0)))
    if fractional and (r >> 30) % 3 == 0:
        return whole * 100 + (r >> 36) % 100
    return whole * 100
