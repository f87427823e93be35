"""Event layout and market lifecycles: creation, end date, close, resolution (pure functions).

Lifecycles are computed per chunk of markets into compact arrays on first use, so scans over
100k markets (closed filters, sorts) cost a few array reads per market.
"""
from __future__ import annotations

import dataclasses
import functools
import threading
from array import array

from .hashing import INV64, S_CREATE, S_EVBLOCK, S_KIND, S_LIFE, S_RES, keyed, mix64, rand8

BLOCK = 8                       # markets are grouped into events inside blocks of 8
CHUNK = 256                     # lifecycle arrays are filled per chunk of markets
DAY = 86400
# Block 0 guarantees variety in tiny worlds: the flagship market, a 4-market neg-risk event,
# a crypto Up/Down market, a match with team-name outcomes and a general Yes/No market.
FORCED_BLOCK0 = (1, 4, 1, 1, 1)
FORCED_KINDS = {0: "politics_single", 1: "politics", 5: "crypto", 6: "sports_single", 7: "general"}
SINGLE_KINDS = (("crypto", 0.30), ("sports_single", 0.50), ("general", 0.85), ("politics_single", 1.0))
MULTI_KINDS = (("politics", 0.50), ("sports", 0.75), ("threshold", 1.0))
KINDS = ("crypto", "sports_single", "general", "politics_single", "politics", "sports", "threshold")
KIND_CODES = {name: code for code, name in enumerate(KINDS)}
RES_KINDS = ("exact", "fractional", "zero", "void")
EARLY_P = {"general": 0.30, "politics_single": 0.15, "politics": 0.25, "threshold": 0.35}


@dataclasses.dataclass(frozen=True, slots=True)
class EventInfo:
    first: int
    size: int                  # markets of the event that exist in this world
    kind: str
    neg_risk: bool
    created: int
    end: int
    start_time: int | None     # game / window start (eventStartTime)
    window: int                # crypto window length (s), else 0
    winner_pos: int            # position of the market resolving "Yes" (-1: none)
    flagship: bool


@dataclasses.dataclass(frozen=True, slots=True)
class Life:
    idx: int
    first: int
    pos: int
    kind: str
    created: int
    accepting: int
    end: int
    close: int
    early: bool                # closes before its endDate
    winner: int                # outcome index that wins at resolution
    res_kind: str              # exact | fractional | zero | void (shape of outcomePrices once closed;
                               # void markets resolve 50-50)
    units: int                 # ticks per 1.0: 100 (tick 0.01) or 1000 (tick 0.001)


def _midnight(ts: float) -> int:
    return int(ts) // DAY * DAY


def _align_up(ts: float, step: int) -> int:
    return -(-int(ts) // step) * step


def _uni(x: int) -> float:
    return x * INV64


class Timeline:
    def __init__(self, seed: int, n_markets: int, epoch_start: int, epoch_end: int,
                 void_share: float = 0.03) -> None:
        self.seed = seed
        self.void_share = void_share
        self.n = n_markets
        self.start = epoch_start
        self.end = epoch_end
        self.span = epoch_end - epoch_start
        self._k_create = keyed(seed, S_CREATE)
        self._k_block = keyed(seed, S_EVBLOCK)
        self._k_kind = keyed(seed, S_KIND)
        self.block_sizes = functools.lru_cache(maxsize=16384)(self._block_sizes)
        self.event = functools.lru_cache(maxsize=16384)(self._event)
        self.life = functools.lru_cache(maxsize=16384)(self._life_from_arrays)
        self._chunks: dict[int, tuple] = {}
        self._chunk_lock = threading.Lock()

    # ---------------------------------------------------------------- layout
    def _block_sizes(self, b: int) -> tuple[int, ...]:
        if b == 0:
            return FORCED_BLOCK0
        sizes, rem = [], BLOCK
        x = mix64(self._k_block ^ b)
        while rem:
            r = x % 100
            x = mix64(x)
            s = 1 if r < 60 else 2 if r < 70 else 3 if r < 81 else 4 if r < 90 else 5 if r < 96 else 6
            s = min(s, rem)
            sizes.append(s)
            rem -= s
        return tuple(sizes)

    def layout(self, i: int) -> tuple[int, int, int]:
        """market index -> (first market of its event, event size, position in the event)."""
        b = i // BLOCK
        first = b * BLOCK
        for s in self.block_sizes(b):
            if i < first + s:
                return first, min(s, self.n - first), i - first
            first += s
        raise AssertionError("unreachable")

    def is_event_start(self, i: int) -> bool:
        return 0 <= i < self.n and self.layout(i)[2] == 0

    def event_starts(self, lo: int, hi: int):
        """First-market indices of the events starting in [lo, hi)."""
        b = max(0, lo) // BLOCK
        hi = min(hi, self.n)
        while b * BLOCK < hi:
            first = b * BLOCK
            for s in self.block_sizes(b):
                if first >= hi:
                    return
                if first >= lo:
                    yield first
                first += s
            b += 1

    # ---------------------------------------------------------------- creation times
    def created(self, i: int) -> int:
        first, _, pos = self.layout(i)
        return self._created(first, pos)

    def _created(self, first: int, pos: int) -> int:
        slot = self.start + self.span * (first + 0.1 + 0.8 * mix64(self._k_create ^ first) * INV64) / self.n
        if pos == 0:
            return int(slot)
        delta = min(90.0, self.span / (8.0 * self.n)) * (0.5 + 0.5 * mix64(self._k_create ^ ~first) * INV64)
        return int(slot + pos * delta)

    def count_created(self, now: float) -> int:
        """Number of markets with created <= now (creation is monotone in the index)."""
        lo, hi = 0, self.n
        while lo < hi:
            mid = (lo + hi) // 2
            if self.created(mid) <= now:
                lo = mid + 1
            else:
                hi = mid
        return lo

    # ---------------------------------------------------------------- events
    def kind_of_event(self, first: int, size: int) -> str:
        if first in FORCED_KINDS and (size > 1) == (first == 1):
            return FORCED_KINDS[first]
        r = _uni(mix64(self._k_kind ^ first))
        table = SINGLE_KINDS if size == 1 else MULTI_KINDS
        for name, edge in table:
            if r < edge:
                return "politics" if name == "sports" and size > 3 else name
        return table[-1][0]

    def _market_rand(self, i: int) -> tuple[int, ...]:
        return rand8(self.seed, S_LIFE, i)

    def _early(self, i: int, kind: str, r0: int) -> bool:
        return i != 0 and _uni(r0) < EARLY_P.get(kind, 0.0)

    def _event(self, first: int) -> EventInfo:
        _, size, _ = self.layout(first)
        kind = self.kind_of_event(first, size)
        c = self._created(first, 0)
        r = [_uni(x) for x in rand8(self.seed, S_LIFE, first, 1)]
        start_time, window = None, 0
        flagship = first == 0
        if flagship:
            end = _midnight(self.end + 600 * DAY)
        elif kind == "crypto":
            window = (300, 900, 3600, 14400)[int(r[1] * 4)]
            start_time = _align_up(c + DAY * (0.6 + 0.4 * r[2]), 300 if window < 3600 else 3600)
            end = start_time + window
        elif kind in ("sports", "sports_single"):
            start_time = _align_up(c + DAY * (1 + 10 * r[1]), 900)
            end = start_time + 3 * 3600
        elif kind in ("general", "politics_single"):
            end = _midnight(c + DAY * (7 + 400 * r[1]))
        elif kind == "politics":
            end = _midnight(c + DAY * (90 + 900 * r[1]))
        else:  # threshold
            end = _midnight(c + DAY * (30 + 470 * r[1]))
        end = max(end, self._created(first, size - 1) + 3600)
        neg_risk = kind in ("politics", "sports") or (kind == "threshold" and r[3] < 0.3)
        winner_pos = -1
        if size > 1 and kind in ("politics", "sports"):
            candidates = [p for p in range(size)
                          if not self._early(first + p, kind, self._market_rand(first + p)[0])]
            if candidates:
                winner_pos = candidates[int(r[4] * len(candidates))]
        return EventInfo(first, size, kind, neg_risk, c, end, start_time, window, winner_pos, flagship)

    # ---------------------------------------------------------------- market lifecycle
    def _compute(self, i: int, first: int, pos: int, ev: EventInfo) -> tuple:
        """-> (created, accepting, end, close, flags) where flags packs kind/early/winner/res/units."""
        created = self._created(first, pos)
        raw = self._market_rand(i)
        accepting = created + 30 + int(370 * raw[1] * INV64)
        end = ev.end
        kind = ev.kind
        early = self._early(i, kind, raw[0])
        r2 = raw[2] * INV64
        if kind == "crypto":
            close = end + 60 + int(840 * r2)
        elif kind in ("sports", "sports_single"):
            close = end + int(3600 * (0.5 + 6 * r2))
        else:
            close = end + int(3600 + 20 * DAY * r2 ** 2)
        if ev.flagship:
            close = end + 14 * DAY
        if early:
            close = max(created + int((end - created) * (0.1 + 0.8 * raw[3] * INV64)), accepting + 3600)
        r4 = raw[4] * INV64
        if ev.winner_pos >= 0:
            winner = 0 if pos == ev.winner_pos else 1
        elif kind == "threshold":
            winner = 0 if early or r4 < 0.15 else 1
        elif early:
            winner = 0 if r4 < 0.9 else 1
        else:
            winner = 0 if r4 < {"crypto": 0.5, "sports_single": 0.5, "general": 0.3}.get(kind, 0.4) else 1
        rk = mix64(raw[5] ^ S_RES) * INV64
        res = 0 if rk < 0.72 else 1 if rk < 0.95 else 2
        voidable = kind != "crypto" and ev.size == 1 and not ev.flagship   # single questions only
        if voidable and mix64(raw[5] ^ S_RES ^ 0x5A) * INV64 < self.void_share:
            res = 3
        units_big = not (kind in ("crypto", "sports_single") or raw[6] * INV64 < 0.55)
        flags = KIND_CODES[kind] | (early << 3) | (winner << 4) | (res << 5) | (units_big << 7)
        return created, accepting, end, close, flags

    def _chunk(self, c: int) -> tuple:
        chunk = self._chunks.get(c)
        if chunk is not None:
            return chunk
        lo, hi = c * CHUNK, min(self.n, (c + 1) * CHUNK)
        created, accepting, end, close = array("q"), array("q"), array("q"), array("q")
        flags = bytearray()
        for first in self.event_starts(lo - BLOCK, hi):
            ev = self.event(first)
            for pos in range(ev.size):
                i = first + pos
                if lo <= i < hi:
                    a, b, e, d, f = self._compute(i, first, pos, ev)
                    created.append(a)
                    accepting.append(b)
                    end.append(e)
                    close.append(d)
                    flags.append(f)
        assert len(flags) == hi - lo
        chunk = (created, accepting, end, close, flags)
        with self._chunk_lock:
            self._chunks.setdefault(c, chunk)
        return chunk

    def close_of(self, i: int) -> int:
        return self._chunk(i // CHUNK)[3][i % CHUNK]

    def end_of(self, i: int) -> int:
        return self._chunk(i // CHUNK)[2][i % CHUNK]

    def accepting_of(self, i: int) -> int:
        return self._chunk(i // CHUNK)[1][i % CHUNK]

    def _life_from_arrays(self, i: int) -> Life:
        created, accepting, end, close, flags = self._chunk(i // CHUNK)
        k = i % CHUNK
        f = flags[k]
        first, _, pos = self.layout(i)
        return Life(i, first, pos, KINDS[f & 7], created[k], accepting[k], end[k], close[k],
                    bool(f >> 3 & 1), f >> 4 & 1, RES_KINDS[f >> 5 & 3], 1000 if f >> 7 & 1 else 100)
