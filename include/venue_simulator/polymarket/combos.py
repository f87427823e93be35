"""Combo markets: multi-leg positions traded by RFQ whose fills show up in the Data API v2 feed.

They are not Gamma markets. Each combo has a 62-hex-digit condition id with trailing zero
padding, two or three legs (regular markets created before it), a trading life and a trade
schedule like a market's; in the trade machinery a combo is "market" ``n_markets + c``.
"""
from __future__ import annotations

import dataclasses
import functools

from .hashing import INV64, S_COMBO, bigint, h, hexdigest
from .prices import PricePath
from .timeline import Life
from .trades import TradePlan

SHARE = 0.008                  # ~8 of 1,000 rows of a global page are combo fills
MIN_ROWS = 60                  # every combo trades a little, even in tiny worlds


@dataclasses.dataclass(frozen=True, slots=True)
class Combo:
    c: int
    idx: int                   # index in the trade machinery (n_markets + c)
    condition_id: str
    legs: tuple[int, ...]
    life: Life


class Combos:
    def __init__(self, seed: int, n_markets: int, n_trades: int, epoch_start: int, epoch_end: int,
                 timeline, count: int | None = None) -> None:
        self.seed = seed
        self.n = n_markets
        if count is None:
            count = 0 if n_markets == 0 else max(3, min(400, n_markets // 25))
        self.count = count if n_markets else 0
        self.start = epoch_start
        self.span = epoch_end - epoch_start
        self.timeline = timeline
        self.rows_each = max(MIN_ROWS, int(n_trades * SHARE / max(1, self.count)))
        self.get = functools.lru_cache(maxsize=1024)(self._combo)
        self.plan = functools.lru_cache(maxsize=1024)(self._plan)
        self.path = functools.lru_cache(maxsize=1024)(self._path)
        self._by_cid: dict[str, int] | None = None

    def _combo(self, c: int) -> Combo:
        r = [x * INV64 for x in (h(self.seed, S_COMBO, c, k) for k in range(6))]
        spacing = self.span / self.count
        created = int(self.start + spacing * (c + 0.3 + 0.4 * r[0]))
        close = int(created + spacing * (1.3 + 0.7 * r[1]))     # lives overlap: one always trades
        known = max(2, self.timeline.count_created(created))
        pool = min(known, self.n)
        n_legs = 2 + (r[2] < 0.35)
        legs: list[int] = []
        k = 0
        while len(legs) < min(n_legs, pool):
            leg = (pool - 1 - h(self.seed, S_COMBO, c, 10 + k) % min(pool, 40)) % pool
            if leg not in legs:
                legs.append(leg)
            k += 1
        cid = "0x" + hexdigest(28, self.seed, "combo", c) + "000000"
        life = Life(self.n + c, self.n + c, 0, "general", created, created + 60, close, close, False,
                    int(r[3] < 0.5), "exact", 100)
        return Combo(c, self.n + c, cid, tuple(legs), life)

    def _plan(self, c: int) -> TradePlan:
        combo = self.get(c)
        r = h(self.seed, S_COMBO, c, 99)
        n_tx = max(1, int(self.rows_each / 2.125))
        notional = 5.0 + r % 400 / 9.0
        return TradePlan(combo.idx, combo.life.accepting, combo.life.close, n_tx, 1.0, 0, notional,
                         h(self.seed, S_COMBO, c, 7), h(self.seed, S_COMBO, c, 8))

    def _path(self, c: int) -> PricePath:
        return PricePath(self.seed, self.get(c).life, 1)

    def index_of(self, condition_id: str) -> int | None:
        if self._by_cid is None:
            self._by_cid = {self.get(c).condition_id: c for c in range(self.count)}
        return self._by_cid.get(condition_id.strip().lower())

    def token_id(self, c: int, outcome: int) -> str:
        return str(bigint(31, self.seed, "combo-position", c, outcome))

    def title(self, c: int, question) -> str:
        """Legs joined with " AND " (``question(i)`` gives a leg's question)."""
        return " AND ".join(question(i).rstrip("?") for i in self.get(c).legs)
