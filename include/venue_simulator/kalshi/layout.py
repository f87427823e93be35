"""Index layout of the Kalshi world (pure functions of seed and sizes).

Market indices are in creation order. Indices 0..5 are the one-off events (``KXELONMARS-99``,
``KXNEWPOPE-70`` with four markets, ``KXWARMING-50``). Then come blocks of ``BLOCK`` indices:
block ``rb`` opens with the markets of one recurring event (series ``rb % S``, its ``rb // S``-th
event) and is filled with parlay markets (one market per multivariate event), created over the
block's time slot. An event is identified by the index of its first market.
"""
from __future__ import annotations

import dataclasses
import functools

from ..polymarket.hashing import INV64, M64, h, keyed, mix64
from ..timeutil import parse_instant
from .catalog import DAY, HOUR, MAX_LEAD, SPECIALS, SeriesDef, build_series

BLOCK = 16
SPECIAL_SIZES = tuple(len(s[6]) for s in SPECIALS)       # (1, 4, 1)
N_SPECIAL = sum(SPECIAL_SIZES)
SPECIAL_FIRSTS = tuple(sum(SPECIAL_SIZES[:k]) for k in range(len(SPECIALS)))
N_FIXED_SERIES = 6                                         # specials + parlay collections
RENAME_AT = 0.3                                            # share of the epoch before series renames
FAMILY_SIZE = {"weather_high": 6, "weather_low": 6, "fed": 5, "econ": 4, "crypto": 6, "sports": 2}


@dataclasses.dataclass(frozen=True, slots=True)
class EventInfo:
    first: int                 # index of the first market (the event id)
    size: int                  # markets of the event in this world
    kind: str                  # special | regular
    series: SeriesDef
    rb: int                    # block (-1 for specials)
    k: int                     # n-th event of its series (specials: 0)
    created: int
    created_us: int
    open: int
    close: int
    det: int
    timer: int                 # settlement_timer_seconds
    renamed: bool              # ticker uses the series' old prefix


class Mixer:
    """Keyed hashing: ``mix(salt, i, ...)`` costs one mix64 per part (the key is cached per salt)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._keys: dict[int, int] = {}

    def __call__(self, salt: int, *parts: int) -> int:
        x = self._keys.get(salt)
        if x is None:
            x = self._keys[salt] = keyed(self.seed, salt)
        for p in parts:
            x = mix64(x ^ (p & M64))
        return x

    def uni(self, salt: int, *parts: int) -> float:
        return self(salt, *parts) * INV64


class Layout:
    def __init__(self, seed: int, n_markets: int, n_series: int, epoch_start: int, epoch_end: int) -> None:
        self.seed = seed
        self.mix = Mixer(seed)
        self.n = n_markets if n_series > 0 else 0
        self.n_regular = n_series if self.n > 0 else 0
        self.start = epoch_start
        self.end = epoch_end
        self.span = epoch_end - epoch_start
        self.n_blocks = max(0, -(-(self.n - N_SPECIAL) // BLOCK)) if self.n_regular else 0
        self.slot = self.span / max(1, self.n_blocks)
        spacing = self.slot * (max(1, self.n_regular) - 0.05)
        self.series = build_series(seed, self.n_regular, spacing, epoch_start) if self.n else []
        self.series_by_prefix: dict[str, SeriesDef] = {}
        for s in self.series:
            self.series_by_prefix[s.ticker] = s
            if s.old_prefix:
                self.series_by_prefix.setdefault(s.old_prefix, s)
        self.rename_at = {s.idx: epoch_start + int(self.span * RENAME_AT + (h(seed, 402, s.idx) % 20) * DAY)
                          for s in self.series if s.old_prefix}
        self.event = functools.lru_cache(maxsize=16384)(self._event)
        self.event_size = functools.lru_cache(maxsize=65536)(self._event_size)

    # ---------------------------------------------------------------- structure
    def block_of(self, i: int) -> tuple[int, int]:
        """-> (block, offset); block -1 for the one-off events."""
        if i < N_SPECIAL:
            return -1, i
        return divmod(i - N_SPECIAL, BLOCK)

    def base(self, rb: int) -> int:
        return N_SPECIAL + rb * BLOCK

    def regular_series(self, rb: int) -> tuple[SeriesDef, int]:
        """-> (series, k) of the recurring event of block rb."""
        return self.series[N_FIXED_SERIES + rb % self.n_regular], rb // self.n_regular

    def _event_size(self, rb: int) -> int:
        series, _ = self.regular_series(rb)
        size = FAMILY_SIZE[series.family]
        if series.family == "econ":
            size = 4 + h(self.seed, 403, rb) % 3
        return max(1, min(size, self.n - self.base(rb)))

    def first_of(self, i: int) -> int:
        """Index of the first market of i's event."""
        rb, o = self.block_of(i)
        if rb < 0:
            return max(f for f in SPECIAL_FIRSTS if f <= i)
        return self.base(rb) if o < self.event_size(rb) else i

    def is_parlay(self, i: int) -> bool:
        rb, o = self.block_of(i)
        return rb >= 0 and o >= self.event_size(rb)

    def regular_firsts_desc(self, below: int):
        """Event ids (first indices) of non-parlay events with first < below, newest first."""
        below = min(below, self.n)
        if below <= 0:
            return
        rb = self.block_of(below - 1)[0]
        while rb >= 0:
            yield self.base(rb)
            rb -= 1
        for f in reversed(SPECIAL_FIRSTS):
            if f < below:
                yield f

    def series_firsts_desc(self, series: SeriesDef, below: int):
        """Event ids of one series with first < below, newest first (closed form, no scan)."""
        below = min(below, self.n)
        if series.kind == "special":
            f = SPECIAL_FIRSTS[series.idx]
            if f < below:
                yield f
            return
        if series.kind != "regular" or below <= N_SPECIAL:
            return
        s = series.idx - N_FIXED_SERIES
        rb = self.block_of(below - 1)[0]
        rb -= (rb - s) % self.n_regular
        while rb >= 0:
            yield self.base(rb)
            rb -= self.n_regular

    def events_of_series(self, series: SeriesDef) -> int:
        if series.kind == "special":
            return 1
        if series.kind != "regular":
            return 0
        s = series.idx - N_FIXED_SERIES
        return max(0, -(-(self.n_blocks - s) // self.n_regular))

    # ---------------------------------------------------------------- times
    def block_time(self, rb: int) -> int:
        return self.start + int(self.slot * (rb + 0.05 * self.mix.uni(404, rb)))

    def parlay_created(self, i: int) -> tuple[int, int]:
        """-> (seconds, micros) of a parlay's creation inside its block's slot."""
        rb, o = self.block_of(i)
        m = self.event_size(rb)
        frac = 0.1 + 0.8 * (o - m + self.mix.uni(405, i)) / (BLOCK - m)
        t = self.start + self.slot * (rb + frac)
        sec = int(t)
        return sec, int((t - sec) * 1e6) % 1_000_000

    def _event(self, first: int) -> EventInfo:
        seed = self.seed
        rb, o = self.block_of(first)
        if rb < 0:
            k = SPECIAL_FIRSTS.index(first)
            created = self.start - 600 * DAY + k * 3 * DAY
            close = int(parse_instant(SPECIALS[k][5]).timestamp())
            far = close + 365 * DAY
            size = min(SPECIAL_SIZES[k], self.n - first)
            return EventInfo(first, size, "special", self.series[k], -1, 0, created, 0,
                             created + 10 * DAY + 45 * 60, close, far, 1800, False)
        if o >= self.event_size(rb):
            raise ValueError("parlay markets are handled by the lifecycle module")
        series, k = self.regular_series(rb)
        created = self.block_time(rb)
        r = h(seed, 406, rb)
        opened = created + r % 3
        if (r >> 8) % 100 < 8:                       # scheduled opening: unopened for a while
            opened = created + min(series.lead // 3, HOUR + (r >> 16) % (2 * DAY))
        close = created + min(series.lead, MAX_LEAD)
        det = close + 600 + (r >> 24) % (6 * HOUR)
        timer = (600, 1800, 3600)[(r >> 40) % 3]
        renamed = series.old_prefix is not None and created < self.rename_at[series.idx]
        return EventInfo(first, self.event_size(rb), "regular", series, rb, k, created, (r >> 44) % 1_000_000,
                         opened, close, det, timer, renamed)

    def count_created(self, now: float, created_of) -> int:
        """Markets created at or before now (creation is monotone in the index)."""
        lo, hi = 0, self.n
        while lo < hi:
            mid = (lo + hi) // 2
            if created_of(mid) <= now:
                lo = mid + 1
            else:
                hi = mid
        return lo
