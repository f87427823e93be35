"""Price paths (minute resolution, O(1) per evaluation) and order books derived from them."""
from __future__ import annotations

import math

from .hashing import INV64, S_BOOK, S_GAP, S_PRICE, h, mix64, rand8
from .timeline import Life

# (knot spacing in minutes, amplitude in logit space)
OCTAVES = ((43200, 1.5), (7200, 0.9), (1440, 0.5), (180, 0.22), (20, 0.08))
FIDELITIES = (1, 10, 60, 360, 720, 1440)


def _smooth(f: float) -> float:
    return f * f * (3.0 - 2.0 * f)


class PricePath:
    """p(t) of a market's first outcome token; the second token trades at ~1 - p."""

    __slots__ = ("life", "keys", "mu", "target", "power", "t0", "span", "_knots")

    def __init__(self, seed: int, life: Life, size: int) -> None:
        self.life = life
        raw = rand8(seed, S_PRICE, life.idx)
        self.keys = raw[:len(OCTAVES)]
        mu = (raw[7] * INV64 - 0.5) * 5.0
        if size > 1:
            mu -= math.log(size)
        self.mu = mu
        self.target = 0.0 if life.res_kind == "void" else 6.5 if life.winner == 0 else -6.5
        self.power = 30.0 if life.early else 5.0
        self.t0 = life.accepting
        self.span = max(60, life.close - life.accepting)
        self._knots: dict[int, float] = {}

    def _knot(self, octave: int, s: int) -> float:
        memo = self._knots
        tag = (s << 3) | octave
        value = memo.get(tag)
        if value is None:
            if len(memo) > 2048:
                memo.clear()
            value = memo[tag] = mix64(self.keys[octave] ^ s) * INV64
        return value

    def logit(self, minute: int) -> float:
        x = self.mu
        knot = self._knot
        for octave, (spacing, amp) in enumerate(OCTAVES):
            s0, rem = divmod(minute, spacing)
            a = knot(octave, s0)
            b = knot(octave, s0 + 1)
            x += amp * (2.0 * (a + (b - a) * _smooth(rem / spacing)) - 1.0)
        frac = (minute * 60 - self.t0) / self.span
        if frac > 0:
            x += self.target * min(1.0, frac) ** self.power
        return x

    def p(self, ts: int) -> float:
        """Probability of outcome 0 at ``ts`` (clamped away from 0/1 while trading)."""
        x = self.logit(ts // 60)
        p = 1.0 / (1.0 + math.exp(-x))
        return min(0.995, max(0.005, p))

    def final(self) -> float:
        if self.life.res_kind == "void":
            return 0.5
        return 1.0 if self.life.winner == 0 else 0.0


def history_point(path: PricePath, ts: int, outcome: int, units: int) -> float:
    """Mid price on the half-tick grid, computed in floats (so it carries float noise)."""
    life = path.life
    if ts >= life.close - 600:
        p0 = path.final()
    else:
        p0 = path.p(ts)
    half_ticks = round(p0 * units * 2)
    value = half_ticks * (1.0 / units) / 2
    return value if outcome == 0 else 1.0 - value


def has_gap(seed: int, i: int, ts: int) -> bool:
    """Deterministic holes: ~2% of hours missing entirely, ~1% of single points."""
    if h(seed, S_GAP, i, ts // 3600) % 100 < 2:
        return True
    return h(seed, S_GAP, i, ts, 1) % 100 < 1


# ------------------------------------------------------------------------------ books

def book_period(seed: int, i: int) -> int:
    return 120 + h(seed, S_BOOK, i, 0) % 420


def book_epoch(seed: int, life: Life, now: float) -> tuple[int, int]:
    """-> (epoch number, change time in ms) of the book state current at ``now``."""
    period = book_period(seed, life.idx)
    base = life.accepting
    k = int((now - base) // period)
    while k >= 0:
        change_ms = (base + k * period) * 1000 + h(seed, S_BOOK, life.idx, k, 1) % (period * 500)
        if change_ms <= now * 1000:
            return k, change_ms
        k -= 1
    return -1, base * 1000


def book_top(seed: int, path: PricePath, epoch: int, change_ms: int) -> tuple[int, int, int]:
    """-> (best bid ticks, best ask ticks, level key) of token 0 for one book state."""
    life = path.life
    units = life.units
    key = h(seed, S_BOOK, life.idx, epoch, 2)
    p = path.p(change_ms // 1000)
    spread = 1 + key % (3 if units == 100 else 14)
    bid = int(math.floor(p * units - spread / 2))
    bid = min(max(1, bid), units - 2)
    ask = min(units - 1, bid + spread)
    return bid, ask, key


def book_levels(seed: int, path: PricePath, epoch: int, change_ms: int):
    """Token-0 book as integer ticks: (bids ascending, asks descending), each [(ticks, size_str)]."""
    units = path.life.units
    bid, ask, key = book_top(seed, path, epoch, change_ms)
    n_bids = 3 + (key >> 8) % 30
    n_asks = 3 + (key >> 16) % 30
    max_step = 1 if units == 100 else 12
    bids, asks = [], []
    level, k = bid, 0
    while level >= 1 and k < n_bids:
        bids.append((level, _size(key, 1, k, depth=k)))
        level -= 1 + mix64(key ^ (k << 4 | 1)) % max_step
        k += 1
    if bids and bids[-1][0] != 1 and (key >> 24) % 3 == 0:
        bids.append((1, _size(key, 3, 0, depth=40)))
    level, k = ask, 0
    while level <= units - 1 and k < n_asks:
        asks.append((level, _size(key, 2, k, depth=k)))
        level += 1 + mix64(key ^ (k << 4 | 2)) % max_step
        k += 1
    bids.reverse()   # ascending, best bid last
    asks.reverse()   # descending, best ask last
    return bids, asks


def _size(key: int, side: int, k: int, depth: int) -> str:
    r = mix64(key ^ (side << 40) ^ (k << 8) ^ 0x5A5A)
    base = 5.0 + (r % 10_000) / 100.0
    scale = (1.0 - (r >> 20) % 10_000 / 10_000.0) ** -1.3
    value = base * min(scale, 5_000.0) * (1.0 + depth / 4.0)
    style = (r >> 40) % 4
    if style == 0:
        return str(int(value))
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text


def price_str(ticks: int, units: int) -> str:
    digits = 2 if units == 100 else 3
    text = f"{ticks / units:.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"
