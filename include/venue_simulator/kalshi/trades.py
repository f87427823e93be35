"""Trade schedules per market in closed form: counts, the k-th trade and volume prefix sums.

Trade j of a market happens at ``a + span * g((j + v_j) / n)`` microseconds with
``g(x) = 1 - (1 - x)**beta`` (activity grows towards the close). Contract counts follow an
8-trade pattern rotated per block of 8 trades, so the volume of the first j trades is
arithmetic; fractional markets switch to a fractional pattern for trades from
``LEGACY_REMOVED`` on.
"""
from __future__ import annotations

from ..polymarket.hashing import INV64, mix64
from .eras import LEGACY_REMOVED

US = 1_000_000
PAT = 8


class TradePlan:
    __slots__ = ("i", "n", "a", "span", "beta", "jkey", "ckey", "pat", "pat_sum", "fpat", "fpat_sum", "j_frac")

    def __init__(self, i: int, n: int, start: int, end: int, beta: float, jkey: int, ckey: int,
                 fractional: bool, raw: tuple) -> None:
        self.i = i
        self.n = n if end > start else 0
        self.a = start * US
        self.span = max(1, (end - start) * US)
        self.beta = beta
        self.jkey = jkey
        self.ckey = ckey
        scale = 1 + ckey % 25
        self.pat = tuple(max(1, int(min(5000.0, scale * (1.0 - (x % 10_000) / 10_000.0) ** -1.3))) * 100
                         for x in raw)
        self.pat_sum = sum(self.pat)
        self.fpat = tuple(c + ((x >> 20) % 100 if (x >> 40) % 2 else 0) for c, x in zip(self.pat, raw))
        self.fpat_sum = sum(self.fpat)
        self.j_frac = self.n
        if fractional and self.n:
            self.j_frac = self.visible(LEGACY_REMOVED * US - 1)

    # ---------------------------------------------------------------- times (µs)
    def t(self, j: int) -> int:
        v = 0.05 + 0.9 * (mix64(self.jkey ^ j) * INV64)
        x = (j + v) / self.n
        return self.a + int(self.span * (1.0 - (1.0 - x) ** self.beta))

    def visible(self, now_us: float) -> int:
        """Number of trades with time <= now_us."""
        n = self.n
        if n == 0 or now_us < self.a:
            return 0
        s = (now_us - self.a) / self.span
        if s >= 1.0:
            return n
        j = min(max(int((1.0 - (1.0 - s) ** (1.0 / self.beta)) * n), 0), n)
        while j < n and self.t(j) <= now_us:
            j += 1
        while j > 0 and self.t(j - 1) > now_us:
            j -= 1
        return j

    # ---------------------------------------------------------------- counts (hundredths)
    def _rot(self, block: int) -> int:
        return mix64(self.ckey ^ (block << 3) ^ 0xC0FFEE) % PAT

    def _pattern_prefix(self, pat: tuple, total: int, j: int) -> int:
        block, rem = divmod(j, PAT)
        rot = self._rot(block)
        return block * total + sum(pat[(k + rot) % PAT] for k in range(rem))

    def count_h(self, j: int) -> int:
        pat = self.fpat if j >= self.j_frac else self.pat
        return pat[(j % PAT + self._rot(j // PAT)) % PAT]

    def prefix_h(self, j: int) -> int:
        """Contracts (hundredths) traded by trades 0..j-1."""
        if j <= self.j_frac:
            return self._pattern_prefix(self.pat, self.pat_sum, j)
        return (self._pattern_prefix(self.pat, self.pat_sum, self.j_frac)
                + self._pattern_prefix(self.fpat, self.fpat_sum, j)
                - self._pattern_prefix(self.fpat, self.fpat_sum, self.j_frac))

    def side_bits(self, j: int) -> int:
        return mix64(self.jkey ^ (j * 0x9E3779B97F4A7C15 & 0xFFFFFFFFFFFFFFFF) ^ 0x7F4A)


def uuid_of(digest: str) -> str:
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
