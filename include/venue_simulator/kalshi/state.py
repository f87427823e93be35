"""Trade volumes, plans and market state at ``now`` (top of book, last price, open interest)."""
from __future__ import annotations

import threading

from ..polymarket.hashing import INV64, keyed, mix64, rand8
from .eras import LEGACY_REMOVED
from .lifecycle import FRACTIONAL, PARLAY, PROVISIONAL
from .layout import N_SPECIAL
from .prices import PricePath, best_sizes, book_change, book_levels, book_top, quantize
from .trades import US, TradePlan

EXACT_SUM = 50_000
SAMPLE_BLOCKS = 2048
SPECIAL_SHARE = (0.03, 0.005, 0.005, 0.005, 0.005, 0.01)
PARLAY_SHARE = 0.04
REGULAR_SHARE = 0.90


class Volumes:
    """Per-market trade counts: heavy-tailed weights normalised to the configured total."""

    def __init__(self, layout, n_trades: int) -> None:
        self.lay = layout
        self.total = n_trades
        self._k_reg = keyed(layout.seed, 701)
        self._k_par = keyed(layout.seed, 702)
        self._sums: tuple[float, float] | None = None
        self._lock = threading.Lock()

    def _regular_w(self, i: int) -> float:
        return min(4000.0, (1.0 - mix64(self._k_reg ^ i) * INV64) ** -0.8)

    def _parlay_w(self, i: int) -> float:
        x = mix64(self._k_par ^ i) * INV64
        return 0.0 if x < 0.85 else min(50.0, (1.0 - (x - 0.85) / 0.15) ** -0.7)

    def _normalisation(self) -> tuple[float, float]:
        if self._sums is None:
            with self._lock:
                if self._sums is None:
                    self._sums = self._compute_sums()
        return self._sums

    def _compute_sums(self) -> tuple[float, float]:
        lay = self.lay
        blocks = range(lay.n_blocks)
        scale = 1.0
        if lay.n > EXACT_SUM:
            step = lay.n_blocks / SAMPLE_BLOCKS
            blocks = sorted({int(k * step) for k in range(SAMPLE_BLOCKS)})
            scale = lay.n_blocks / len(blocks)
        reg = par = 0.0
        for rb in blocks:
            base = lay.base(rb)
            m = lay.event_size(rb)
            top = min(lay.n, base + 16)
            reg += sum(self._regular_w(i) for i in range(base, base + m))
            par += sum(self._parlay_w(i) for i in range(base + m, top))
        return max(reg * scale, 1e-9), max(par * scale, 1e-9)

    def count(self, i: int, flags: int) -> int:
        if self.total <= 0 or flags & PROVISIONAL:
            return 0
        if i < N_SPECIAL:
            return int(round(self.total * SPECIAL_SHARE[i]))
        reg, par = self._normalisation()
        if flags & PARLAY:
            w = self._parlay_w(i)
            return int(round(self.total * PARLAY_SHARE * w / par)) if w else 0
        return int(round(self.total * REGULAR_SHARE * self._regular_w(i) / reg))


def mu_shift(strike, pos: int, size: int) -> float:
    """Starting logit offset: ladders price the low strikes high, long shots low."""
    if strike is None:
        return -2.5
    if strike.strike_type == "greater":
        return 2.5 - 5.0 * pos / max(1, size - 1)
    if strike.strike_type in ("less", "between"):
        return -1.8
    return 0.0


def make_plan(world, i: int) -> TradePlan:
    lay, life = world.layout, world.life
    flags = life.flags_of(i)
    n = world.volumes.count(i, flags)
    start, end = life.trade_window(i, lay.end)
    r = lay.mix(703, i)
    beta = 1.0 if (flags & PARLAY or i < N_SPECIAL) else 1.0 + 1.5 * ((r >> 8) % 1000) / 1000.0
    return TradePlan(i, n, start, end, beta, lay.mix(704, i), lay.mix(705, i), bool(flags & FRACTIONAL),
                     rand8(lay.seed, 707, i))


def make_path(world, i: int) -> PricePath:
    life = world.life
    created, opened, close, _, _, flags = life.row(i)
    if flags & PARLAY or i < N_SPECIAL:
        shift = mu_shift(None, 0, 1)
    else:
        first = world.layout.first_of(i)
        strikes = world.tickers.strikes(first)
        shift = mu_shift(strikes[i - first], i - first, len(strikes))
    end = close if i >= N_SPECIAL else world.layout.end
    return PricePath(world.layout.seed, i, opened, end, life.yes(i), shift)


def trade_at(world, i: int, j: int, t: int | None = None) -> tuple[int, int, int, bool, bool]:
    """-> (time µs, yes price mills, count hundredths, taker bought yes, block trade)."""
    plan = world.plan(i)
    if t is None:
        t = plan.t(j)
    bits = plan.side_bits(j)
    taker_yes = (bits & 0xFF) < 140
    price = quantize(world.path(i).p(t // US), world.life.structure(i), t / US, up=taker_yes)
    return t, price, plan.count_h(j), taker_yes, (bits >> 12) % 500 == 0


def book_at(world, i: int, now: float) -> tuple[list, list]:
    """Order book at ``now``: empty unless the market is active and has ever traded."""
    life = world.life
    if world.plan(i).n == 0 or life.status(i, now) != "active":
        return [], []
    opened = life.open_of(i)
    _, change = book_change(world.layout.mix, i, opened, now)
    fractional = bool(life.flags_of(i) & FRACTIONAL) and now >= LEGACY_REMOVED
    return book_levels(world.layout.mix, i, world.path(i), life.structure(i), change, now, fractional)


def top_at(world, i: int, now: float) -> tuple[int, int, int, int]:
    """-> (yes bid, yes ask, yes bid size, yes ask size); 0s when the book is empty."""
    life = world.life
    if world.plan(i).n == 0 or life.status(i, now) != "active":
        return 0, 0, 0, 0
    _, change = book_change(world.layout.mix, i, life.open_of(i), now)
    key, best_yes, best_no = book_top(world.layout.mix, i, world.path(i), life.structure(i), change, now)
    fractional = bool(life.flags_of(i) & FRACTIONAL) and now >= LEGACY_REMOVED
    yes_size, no_size = best_sizes(key, fractional)
    return best_yes, 1000 - best_no, yes_size, no_size


def last_price(world, i: int, now: float) -> int:
    v = world.plan(i).visible(now * US)
    return trade_at(world, i, v - 1)[1] if v else 0


def open_interest(world, i: int, volume_h: int, now: float) -> int:
    f = 0.25 + 0.4 * (world.layout.mix(706, i) % 1000) / 1000.0
    if now >= LEGACY_REMOVED and world.life.flags_of(i) & FRACTIONAL:
        return int(volume_h * f)
    return int(volume_h * f / 100) * 100
