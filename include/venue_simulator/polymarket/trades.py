"""Trade schedule per market in closed form: counts and the k-th fill without materialising lists.

A market trades from ``accepting`` to ``close``; transaction j happens at
``a + span * g((j + v_j) / N)`` with ``g(x) = 1 - (1 - x)**beta`` (activity grows towards the
close), and ~8% of transactions reuse the previous timestamp. Each transaction is one taker
fill plus 1..3 maker fills; maker counts follow a fixed 8-transaction pattern (rotated per
block), so "fills before transaction j" is arithmetic.
"""
from __future__ import annotations

import struct

from .hashing import INV64, S_WALLET, h, mix64
from .timeline import Life

PATTERNS = ((1, 1, 1, 1, 1, 1, 1, 2), (1, 1, 2, 1, 1, 2, 1, 3), (1, 2, 3, 1, 2, 1, 3, 2))
TX_BLOCK = 8


class TradePlan:
    __slots__ = ("idx", "a", "b", "span", "n_tx", "beta", "pattern", "rows_per_block",
                 "jkey", "mkey", "notional")

    def __init__(self, idx: int, accepting: int, close: int, n_tx: int, beta: float, pattern_no: int,
                 notional: float, jkey: int, mkey: int) -> None:
        self.idx = idx
        self.a = accepting
        self.b = close
        self.span = max(1, close - accepting)
        self.n_tx = n_tx
        self.beta = beta
        self.pattern = PATTERNS[pattern_no]
        self.rows_per_block = TX_BLOCK + sum(self.pattern)
        self.jkey = jkey            # per-market keys of the transaction and maker-pattern hashes
        self.mkey = mkey
        self.notional = notional

    # ---------------------------------------------------------------- times
    def _base_time(self, j: int) -> int:
        v = 0.05 + 0.9 * (mix64(self.jkey ^ j) * INV64)
        x = (j + v) / self.n_tx
        return self.a + int(self.span * (1.0 - (1.0 - x) ** self.beta))

    def tx_time(self, j: int) -> int:
        if j > 0 and mix64(self.jkey ^ (j << 1) ^ 0xB0B) % 100 < 8:
            return self._base_time(j - 1)
        return self._base_time(j)

    def visible_tx(self, now: float) -> int:
        """Number of transactions with timestamp <= now."""
        n = self.n_tx
        if n == 0 or now < self.a:
            return 0
        if now >= self.b:
            return n
        s = (now - self.a) / self.span
        j = int((1.0 - (1.0 - s) ** (1.0 / self.beta)) * n)
        j = min(max(j, 0), n)
        while j < n and self.tx_time(j) <= now:
            j += 1
        while j > 0 and self.tx_time(j - 1) > now:
            j -= 1
        return j

    # ---------------------------------------------------------------- fills
    def _rotation(self, block: int) -> int:
        return mix64(self.mkey ^ block) % TX_BLOCK

    def makers(self, j: int) -> int:
        return self.pattern[(j % TX_BLOCK + self._rotation(j // TX_BLOCK)) % TX_BLOCK]

    def fills_before(self, j: int) -> int:
        """Fills (maker + taker rows) of transactions 0..j-1."""
        block, rem = divmod(j, TX_BLOCK)
        rot = self._rotation(block)
        partial = sum(1 + self.pattern[(k + rot) % TX_BLOCK] for k in range(rem))
        return block * self.rows_per_block + partial

    def row_count(self, now: float, taker_only: bool) -> int:
        v = self.visible_tx(now)
        return v if taker_only else self.fills_before(v)

    def locate(self, r: int, taker_only: bool) -> tuple[int, int]:
        """Chronological row number -> (transaction, fill position; position == makers is the taker)."""
        if taker_only:
            return r, self.makers(r)
        block, rem = divmod(r, self.rows_per_block)
        rot = self._rotation(block)
        k = 0
        while True:
            width = 1 + self.pattern[(k + rot) % TX_BLOCK]
            if rem < width:
                return block * TX_BLOCK + k, rem
            rem -= width
            k += 1

    def iter_desc(self, now: float, taker_only: bool, skip: int = 0):
        """Yield (timestamp, tx, fill position) newest first, after skipping ``skip`` rows."""
        total = self.row_count(now, taker_only)
        top = total - 1 - skip
        if top < 0:
            return
        j, f = self.locate(top, taker_only)
        while j >= 0:
            ts = self.tx_time(j)
            m = self.makers(j)
            if taker_only:
                yield ts, j, m
            else:
                if f < 0:
                    f = m
                while f >= 0:
                    yield ts, j, f
                    f -= 1
            j -= 1
            f = -1


# ---------------------------------------------------------------------------- rows

def f32_noise(x: float) -> float:
    """The float32 round trip seen in Data API prices (0.71 -> 0.709999979)."""
    return float(f"{struct.unpack('<f', struct.pack('<f', x))[0]:.9g}")


def fill_size(r: int):
    value = 1.0 + (1.0 - (r % 1_000_003) / 1_000_003) ** -1.35 * 4.0
    value = min(value, 60_000.0)
    style = (r >> 32) % 10
    if style < 4:
        return int(value)
    if style < 7:
        return round(value, 2)
    return round(value, 6)


def wallet_index(seed: int, r: int, pool: int, power: float) -> int:
    x = (r % 1_000_000_007) / 1_000_000_007
    return int(pool * x ** power) % pool


DUST_PER_MILLE = 5             # transactions whose fills are all smaller than 0.01 shares


def dust_size(rk: int, makers: int) -> float:
    """A fill small enough that the transaction's taker fill stays below 0.01 shares."""
    return round(0.0005 + (rk % 1000) / 1000 * (0.0085 / makers - 0.0005), 6)


def tx_fills(seed: int, plan: TradePlan, path, life: Life, j: int, pool: int):
    """All fills of transaction j, chronological (makers first, the taker last).

    Each fill: (wallet index, side, outcome index, size, price). About 0.5% of transactions
    are dust: every fill (the taker's too) is smaller than 0.01 shares.
    """
    r = mix64(mix64(plan.jkey ^ j) ^ 0x7F4A7C159E3779B9)
    ts = plan.tx_time(j)
    m = plan.makers(j)
    units = life.units
    taker_o = 0 if (r & 0xFF) < 150 else 1
    buy = ((r >> 8) & 0xFF) < 140
    p0 = path.p(ts)
    p_tok = p0 if taker_o == 0 else 1.0 - p0
    level = int(-(-p_tok * units // 1)) if buy else int(p_tok * units)
    level = min(max(level, 1), units - 1)
    walk = m > 1 and ((r >> 16) & 3) == 0
    dust = mix64(r ^ 0xD057) % 1000 < DUST_PER_MILLE
    taker_wallet = wallet_index(seed, r >> 20, pool, 2.2)
    used = {taker_wallet}
    fills = []
    total_size = 0.0
    notional = 0.0
    levels = set()
    for k in range(m):
        rk = mix64(r ^ (k + 1) * 0x9E3779B97F4A7C15)
        lvl = level + (k if buy else -k) if walk else level
        lvl = min(max(lvl, 1), units - 1)
        levels.add(lvl)
        size = dust_size(rk, m) if dust else fill_size(rk)
        w = wallet_index(seed, rk >> 24, pool, 4.0)
        while w in used:
            w = (w + 1) % pool
        used.add(w)
        if rk % 10 < 3:   # matched against a complementary buy: other token, same side
            fills.append((w, "BUY" if buy else "SELL", 1 - taker_o, size, (units - lvl) / units))
        else:
            fills.append((w, "SELL" if buy else "BUY", taker_o, size, lvl / units))
        total_size += size
        notional += size * lvl / units
    if len(levels) == 1:
        price = level / units
        if (r >> 40) % 100 < 15:
            price = f32_noise(price)
    else:
        price = f32_noise(notional / total_size)
    taker_size = round(total_size, 6)
    if taker_size == int(taker_size) and all(isinstance(f[3], int) for f in fills):
        taker_size = int(taker_size)
    fills.append((taker_wallet, "BUY" if buy else "SELL", taker_o, taker_size, price))
    return ts, fills


def wallet_profile(seed: int, k: int, adjectives, nouns) -> tuple[str, str, str, str, str]:
    """-> (name, pseudonym, bio, profileImage, profileImageOptimized)."""
    r = h(seed, S_WALLET, k)
    if r % 100 < 45:
        return "", "", "", "", ""
    pseudonym = f"{adjectives[(r >> 8) % len(adjectives)]}-{nouns[(r >> 16) % len(nouns)]}"
    name = ""
    roll = (r >> 24) % 100
    if roll < 50:
        name = f"{pseudonym.split('-')[1].lower()}{(r >> 32) % 10000}"
    elif roll < 60:
        name = f"Zoë_trades{(r >> 32) % 100}"
    elif roll < 65:
        name = "NYC-NO.1-Jungle-FanYang"
    bio = "" if (r >> 40) % 10 else "Macro, elections, and the occasional long shot ☕"
    image = ""
    optimized = ""
    if (r >> 44) % 100 < 20:
        image = f"https://polymarket-upload.s3.us-east-2.amazonaws.com/profile-image-{k}.png"
        optimized = image.replace(".png", "-optimized.webp") if (r >> 50) % 2 else ""
    return name, pseudonym, bio, image, optimized
