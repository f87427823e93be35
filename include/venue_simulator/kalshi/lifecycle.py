"""Market lifecycles: creation, open, close, determination, settlement and flags.

Computed per chunk of markets into compact arrays on first use, so scans over 100k markets
(status filters, the historical split) cost a few array reads per market.

Status at ``now``: created <= now < open -> ``initialized``; open <= now < close -> ``active``
(``inactive`` inside a pause window); close <= now < determination -> ``closed``; until
settlement -> ``determined`` (``disputed`` for disputed markets, whose settlement is two days
late); from settlement on -> ``finalized`` (``amended`` for amended markets).
"""
from __future__ import annotations

import functools
import threading
from array import array

from .catalog import DAY, HOUR
from .layout import Layout

CHUNK = 256
PARLAY, DISPUTED, AMENDED, PAUSED, YES, PROVISIONAL, FRACTIONAL, ZERO_CREATED = (1 << k for k in range(8))
STRUCT_SHIFT = 8                       # 2 bits: 0 linear_cent, 1 deci_cent, 2 tapered_deci_cent
STRUCTURES = ("linear_cent", "deci_cent", "tapered_deci_cent")
FAR = 1 << 42


class Lifecycles:
    def __init__(self, layout: Layout, tickers) -> None:
        self.lay = layout
        self.tk = tickers
        self.seed = layout.seed
        self._chunks: dict[int, tuple] = {}
        self._lock = threading.Lock()
        self._regular = functools.lru_cache(maxsize=65536)(self._regular_row)
        self.parlay_legs = functools.lru_cache(maxsize=16384)(self._parlay_legs)
        self._yes = functools.lru_cache(maxsize=16384)(self._parlay_yes)

    # ---------------------------------------------------------------- computation
    def _parlay_legs(self, i: int) -> list[tuple[int, str]]:
        """-> [(leg market index, side)]: markets of recent recurring events that existed when the
        parlay was created and are determined by the time it is (when there are such events)."""
        lay, mix = self.lay, self.lay.mix
        rb, _ = lay.block_of(i)
        created, _ = lay.parlay_created(i)
        det = self.det_of(i)
        pool = [b for b in range(rb, max(-1, rb - 8), -1)
                if lay.event(lay.base(b)).created <= created and lay.event(lay.base(b)).det <= det] or [rb]
        want = 2 + mix(601, i) % 5
        legs, seen = [], set()
        for leg in range(want + 6):
            if len(legs) >= want:
                break
            x = mix(602, i, leg)
            rb2 = pool[x % len(pool)]
            m = lay.base(rb2) + (x >> 8) % lay.event_size(rb2)
            if m in seen:
                continue
            seen.add(m)
            legs.append((m, "no" if (x >> 16) % 5 == 0 else "yes"))
        return legs

    def _parlay_yes(self, i: int) -> bool:
        """A parlay resolves Yes when every leg was determined on its side by the parlay's determination."""
        if self.flags_of(i) & PROVISIONAL:
            return False
        det = self.det_of(i)
        for m, side in self.parlay_legs(i):
            _, _, _, leg_det, _, flags = self._regular(m)
            if leg_det > det or bool(flags & YES) != (side == "yes"):
                return False
        return True

    def _parlay(self, i: int) -> tuple:
        created, _ = self.lay.parlay_created(i)
        r = self.lay.mix(603, i)
        flags = PARLAY | (1 << STRUCT_SHIFT)
        if r % 100 < 20:                      # provisional: closes a minute later, removed without activity
            close = created + 60
            return created, created, close, close, close, flags | PROVISIONAL
        u = ((r >> 8) % 1_000_000) / 1_000_000
        close = created + int(min(14 * DAY, 6 * HOUR * (1.0 - u) ** -1.3))
        det = close + 5 + (r >> 32) % 55
        return created, created, close, det, det + 5, flags

    def _regular_row(self, i: int) -> tuple:
        lay = self.lay
        first = lay.first_of(i)
        ev = lay.event(first)
        strike = self.tk.strikes(first)[i - first]
        r = lay.mix(604, i)
        flags = YES if strike.yes else 0
        structure = 0
        if ev.kind == "regular":
            roll = r % 100
            flags |= DISPUTED if roll < 3 else AMENDED if roll < 5 else PAUSED if roll < 7 else 0
            s = (r >> 8) % 100
            structure = 1 if s < 8 else 2 if s < 13 else 0
            if ev.renamed and (r >> 16) % 4 == 0:
                flags |= ZERO_CREATED
        else:
            flags |= ZERO_CREATED
        if (r >> 24) % 4 == 0:
            flags |= FRACTIONAL
        settle = ev.det + ev.timer + (2 * DAY if flags & DISPUTED else 0)
        return ev.created, ev.open, ev.close, ev.det, settle, flags | (structure << STRUCT_SHIFT)

    def _chunk(self, c: int) -> tuple:
        chunk = self._chunks.get(c)
        if chunk is not None:
            return chunk
        lo, hi = c * CHUNK, min(self.lay.n, (c + 1) * CHUNK)
        cols = tuple(array("q") for _ in range(5)) + (array("H"),)
        for i in range(lo, hi):
            row = self._parlay(i) if self.lay.is_parlay(i) else self._regular(i)
            for col, value in zip(cols, row):
                col.append(value)
        with self._lock:
            self._chunks.setdefault(c, cols)
        return cols

    # ---------------------------------------------------------------- accessors
    def created_of(self, i: int) -> int:
        return self._chunk(i // CHUNK)[0][i % CHUNK]

    def open_of(self, i: int) -> int:
        return self._chunk(i // CHUNK)[1][i % CHUNK]

    def close_of(self, i: int) -> int:
        return self._chunk(i // CHUNK)[2][i % CHUNK]

    def det_of(self, i: int) -> int:
        return self._chunk(i // CHUNK)[3][i % CHUNK]

    def settle_of(self, i: int) -> int:
        return self._chunk(i // CHUNK)[4][i % CHUNK]

    def flags_of(self, i: int) -> int:
        return self._chunk(i // CHUNK)[5][i % CHUNK]

    def row(self, i: int) -> tuple[int, int, int, int, int, int]:
        cols = self._chunk(i // CHUNK)
        k = i % CHUNK
        return cols[0][k], cols[1][k], cols[2][k], cols[3][k], cols[4][k], cols[5][k]

    def pause_window(self, i: int) -> tuple[int, int]:
        _, opened, close, _, _, _ = self.row(i)
        life = close - opened
        p0 = opened + int(life * 0.3)
        return p0, p0 + int(min(6 * HOUR, life * 0.2))

    def status(self, i: int, now: float) -> str:
        created, opened, close, det, settle, flags = self.row(i)
        if now < opened:
            return "initialized"
        if now < close:
            if flags & PAUSED:
                p0, p1 = self.pause_window(i)
                if p0 <= now < p1:
                    return "inactive"
            return "active"
        if now < det:
            return "closed"
        if now < settle:
            return "disputed" if flags & DISPUTED else "determined"
        return "amended" if flags & AMENDED else "finalized"

    def yes(self, i: int) -> bool:
        """Realised outcome (meaningful once determined)."""
        flags = self.flags_of(i)
        return self._yes(i) if flags & PARLAY else bool(flags & YES)

    def structure(self, i: int) -> str:
        return STRUCTURES[self.flags_of(i) >> STRUCT_SHIFT & 3]

    def trade_window(self, i: int, epoch_end: int) -> tuple[int, int]:
        """[start, end) of the market's trading (one-offs trade until the end of the epoch)."""
        _, opened, close, _, _, flags = self.row(i)
        if flags & PROVISIONAL:
            return opened, opened
        if close > epoch_end + 400 * DAY:
            return opened, epoch_end
        return opened, close
