"""The deterministic Polymarket world: a pure function of (seed, sizes, epoch) queried at ``now``.

Nothing is materialised per market or per trade: every attribute is computed from hashes of
the market index, and the index is recoverable from every public identifier.
"""
from __future__ import annotations

import functools
import heapq
from array import array
import threading

from ..timeutil import to_epoch
from . import objects, resolution, state
from .combos import Combos
from .feed import Feed, Ingestion
from .rows import book_object, trade_row
from .hashing import INV64, S_TEXT, S_V2, S_WEIGHT, h, keyed, mix64, rand8
from .ids import Ids
from .prices import FIDELITIES, PricePath, book_levels, has_gap, history_point
from .static import event_static, market_static
from .timeline import Timeline
from .trades import TradePlan, tx_fills, wallet_profile
from .truth import GroundTruth
from . import text as T

PARETO_ALPHA = 1.25
WEIGHT_CAP = 4000.0
FLAGSHIP_FACTOR = 2.5        # market 0 is the deepest market of any world (history > offset ceilings)
EXACT_SUM = 300_000
SAMPLE = 65_536


def _ts(value) -> float:
    return to_epoch(value)


class PolymarketWorld(GroundTruth):
    def __init__(self, seed: int = 42, n_markets: int = 500, n_trades: int = 250_000,
                 epoch_start="2025-01-01T00:00:00Z", epoch_end="2027-01-01T00:00:00Z",
                 v2_switchover="2026-11-02T00:00:00Z", combos: int | None = None, void_share: float = 0.03,
                 dispute_share: float = 0.05, slow_resolution_share: float = 0.06) -> None:
        self.seed = int(seed)
        self.n = int(n_markets)
        self.n_trades = int(n_trades)
        self.epoch_start = int(_ts(epoch_start))
        self.epoch_end = int(_ts(epoch_end))
        self.v2_switchover = None if v2_switchover is None else int(_ts(v2_switchover))
        self.ids = Ids(self.seed, self.n, self._v2_module)
        self.timeline = Timeline(self.seed, self.n, self.epoch_start, self.epoch_end, void_share)
        self.dispute_share = dispute_share
        self.slow_resolution_share = slow_resolution_share
        self.combos = Combos(self.seed, self.n, self.n_trades, self.epoch_start, self.epoch_end,
                             self.timeline, combos)
        self.feed = Feed(self)
        self.ingestion = Ingestion(self.seed)
        self.resolution_plan = functools.lru_cache(maxsize=16384)(self._resolution_plan)
        self.wallet_pool = max(200, min(2_000_000, self.n_trades // 8))
        self._k_weight = keyed(self.seed, S_WEIGHT)
        self.static = functools.lru_cache(maxsize=4096)(self._static)
        self.event_static = functools.lru_cache(maxsize=4096)(self._event_static)
        self.path = functools.lru_cache(maxsize=4096)(self._path)
        self._plan_cached = functools.lru_cache(maxsize=16384)(self._plan)
        self.wallet = functools.lru_cache(maxsize=32768)(self._wallet)
        self._counts: dict[float, int] = {}
        self.event_cache: dict[tuple[int, float], dict] = {}
        self.book_levels = functools.lru_cache(maxsize=8192)(self._book_levels)
        self._cache_lock = threading.Lock()
        self._sorted_cache: dict = {}
        self._slugs: dict[str, int] | None = None
        self._flagship_weight, self._weight_total = self._normalisation()

    # ================================================================ internals
    def _raw_weight(self, i: int) -> float:
        x = mix64(self._k_weight ^ i) * INV64
        return min(WEIGHT_CAP, (1.0 - x) ** (-1.0 / PARETO_ALPHA))

    def _normalisation(self) -> tuple[float, float]:
        """-> (flagship weight, sum of all weights): exact up to EXACT_SUM markets, sampled beyond."""
        if self.n == 0:
            return 0.0, 1.0
        if self.n <= EXACT_SUM:
            key, cap, expo = self._k_weight, WEIGHT_CAP, -1.0 / PARETO_ALPHA
            weights = [min(cap, (1.0 - mix64(key ^ i) * INV64) ** expo) for i in range(1, self.n)]
            scale = 1.0
        else:
            step = self.n / SAMPLE
            weights = [self._raw_weight(max(1, int(k * step))) for k in range(SAMPLE)]
            scale = (self.n - 1) / SAMPLE
        flagship = FLAGSHIP_FACTOR * max(weights, default=1.0)
        return flagship, flagship + scale * sum(weights)

    def _weight(self, i: int) -> float:
        return self._flagship_weight if i == 0 else self._raw_weight(i)

    def plan(self, i: int) -> TradePlan:
        """Trade schedule of market ``i`` (or of combo ``i - n`` for i >= n)."""
        if i >= self.n:
            return self.combos.plan(i - self.n)
        return self._plan_cached(i)

    def plan_uncached(self, i: int) -> TradePlan:
        return self.combos.plan(i - self.n) if i >= self.n else self._plan(i)

    def _plan(self, i: int) -> TradePlan:
        tl = self.timeline
        a, b = tl.accepting_of(i), tl.close_of(i)
        r, jkey, mkey = rand8(self.seed, S_WEIGHT, i)[:3]
        pattern_no = r % 3
        beta = 1.0 if i == 0 else 1.0 + 1.5 * ((r >> 8) % 1000) / 1000.0
        target = self.n_trades * self._weight(i) / self._weight_total
        rows_per_tx = (8 + (9, 12, 15)[pattern_no]) / 8.0
        s_end = min(1.0, max(0.0, (self.epoch_end - a) / max(1, b - a)))
        frac = max(0.001, 1.0 - (1.0 - s_end) ** (1.0 / beta))
        n_tx = int(round(target / (rows_per_tx * frac)))
        notional = 8.0 + (r >> 20) % 5000 / 37.0
        return TradePlan(i, a, b, n_tx, beta, pattern_no, notional, jkey, mkey)

    def _path(self, i: int) -> PricePath:
        life = self.timeline.life(i)
        return PricePath(self.seed, life, self.timeline.layout(i)[1])

    def _book_levels(self, i: int, epoch: int, change_ms: int):
        return book_levels(self.seed, self.path(i), epoch, change_ms)

    def _has_nul(self, i: int) -> bool:
        return i == min(2, self.n - 1) or h(self.seed, S_TEXT, i, 77) % 53 == 0

    def _static(self, i: int) -> dict:
        life = self.timeline.life(i)
        ev = self.timeline.event(life.first)
        return market_static(self.seed, life, ev, self.ids.market_id(i), self._has_nul(i))

    def _event_static(self, first: int) -> dict:
        ev = self.timeline.event(first)
        s0 = self.static(first)
        return event_static(self.seed, ev, s0["slug"], s0["question"], self.ids.event_id(first))

    def _v2_module(self, i: int) -> bool | None:
        """None for a CTF (v1) market; for a Protocol V2 market whether it is neg-risk."""
        if not self.is_v2(i):
            return None
        return self.timeline.event(self.timeline.layout(i)[0]).neg_risk

    def is_v2(self, i: int) -> bool:
        """Protocol V2 market: created on/after the switchover, about half of them."""
        return (self.v2_switchover is not None and 0 <= i < self.n
                and self.timeline.created(i) >= self.v2_switchover and h(self.seed, S_V2, i) % 2 == 0)

    def _resolution_plan(self, i: int):
        return resolution.build_plan(self, i)

    def _wallet(self, k: int) -> tuple:
        return (self.ids.wallet(k),) + wallet_profile(self.seed, k, T.ADJECTIVES, T.NOUNS)

    # ================================================================ existence / state
    def market_count(self, now) -> int:
        """Markets created at or before ``now`` (they are indices 0..count-1)."""
        now = _ts(now)
        count = self._counts.get(now)
        if count is None:
            count = self.timeline.count_created(now)
            if len(self._counts) > 256:
                self._counts.clear()
            self._counts[now] = count
        return count

    def exists(self, i: int, now) -> bool:
        return 0 <= i < self.market_count(now)

    def is_closed(self, i: int, now) -> bool:
        return _ts(now) >= self.timeline.close_of(i)

    def lifecycle(self, i: int) -> dict:
        life = self.timeline.life(i)
        return {"created": life.created, "accepting": life.accepting, "end": life.end,
                "close": life.close, "early": life.early, "winner": life.winner,
                "kind": life.kind, "res_kind": life.res_kind, "tick": 1 / life.units}

    # ================================================================ identifiers
    def market_id(self, i: int) -> str:
        return self.ids.market_id(i)

    def condition_id(self, i: int) -> str:
        return self.ids.condition_id(i)

    def token_ids(self, i: int) -> tuple[str, str]:
        """The outcome ids the CLOB and the Data API use: CTF token ids, or Protocol V2
        position ids for V2 markets (Gamma ``positionIds``)."""
        return self.ids.asset_id(i, 0), self.ids.asset_id(i, 1)

    def legacy_token_ids(self, i: int) -> tuple[str, str]:
        """CTF-style ids that some V2 markets list as ``clobTokenIds``: unknown to the CLOB."""
        return self.ids.token_id(i, 0), self.ids.token_id(i, 1)

    def question_id(self, i: int) -> str:
        """Gamma ``questionID`` (the UMA question of the market)."""
        first = self.timeline.layout(i)[0]
        if self.timeline.event(first).neg_risk:
            return self.ids.neg_risk_market_id(first)[:-2] + f"{i - first:02x}"
        return self.ids.question_id(i)

    def index_of_market_id(self, text: str) -> int | None:
        return self.ids.index_of_market_id(text)

    def index_of_condition_id(self, text: str) -> int | None:
        return self.ids.index_of_condition_id(text)

    def token_ref(self, token_id: str) -> tuple[int, int] | None:
        """CLOB asset id (CTF token id of a v1 market, position id of a V2 market) ->
        (market index, outcome index); None for unknown ids and V2 markets' legacy ids."""
        return self.ids.asset_ref(token_id)

    def index_of_slug(self, slug: str) -> int | None:
        if self._slugs is None:
            table: dict[str, int] = {}
            for i in range(self.n):
                table.setdefault(self.static(i)["slug"], i)
            self._slugs = table
        return self._slugs.get(slug)

    def event_first_of_id(self, event_id: str) -> int | None:
        first = self.ids.first_of_event_id(event_id)
        return first if first is not None and self.timeline.is_event_start(first) else None

    def event_markets(self, first: int) -> range:
        return range(first, first + self.timeline.event(first).size)

    # ================================================================ gamma objects
    def market(self, i: int, now, embed_event: bool = True) -> dict | None:
        """The market object exactly as Gamma serves it at ``now`` (None if not created yet)."""
        if not self.exists(i, now):
            return None
        return objects.market_object(self, i, _ts(now), embed_event)

    def markets(self, now, closed: bool | None = None) -> list[dict]:
        """Every market existing at ``now`` in creation order (optionally filtered on closed)."""
        now = _ts(now)
        out = []
        for i in range(self.market_count(now)):
            if closed is None or self.is_closed(i, now) == closed:
                out.append(objects.market_object(self, i, now, True))
        return out

    def event_closed(self, first: int, now) -> bool:
        now = _ts(now)
        count = self.market_count(now)
        idx = [i for i in self.event_markets(first) if i < count]
        return bool(idx) and all(self.is_closed(i, now) for i in idx)

    def event(self, first: int, now, with_markets: bool = True) -> dict | None:
        if not (self.timeline.is_event_start(first) and self.exists(first, now)):
            return None
        return objects.event_object(self, first, _ts(now), with_markets)

    def event_firsts(self, now) -> list[int]:
        return list(self.timeline.event_starts(0, self.market_count(now)))

    def events(self, now, closed: bool | None = None) -> list[dict]:
        now = _ts(now)
        return [objects.event_object(self, f, now, True) for f in self.event_firsts(now)
                if closed is None or self.event_closed(f, now) == closed]

    # ================================================================ volumes
    def volume(self, i: int, now: float, window: float | None = None) -> float:
        plan = self.plan(i)
        count = plan.visible_tx(now)
        if window is not None:
            count -= plan.visible_tx(now - window)
        return count * plan.notional

    def sorted_indices(self, now: float, key: str, closed: bool | None, ascending: bool):
        """Existing markets sorted on a Gamma ``order`` field.

        Cached per minute of simulated time: like the real API's caches, the order of a
        volume-sorted listing may lag the volumes in the objects by up to a minute."""
        now = float(int(now) // 60 * 60)
        cache_key = (now, key, closed, ascending)
        with self._cache_lock:
            hit = self._sorted_cache.get(cache_key)
        if hit is not None:
            return hit
        count = self.market_count(now)
        close_of = self.timeline.close_of
        idx = [i for i in range(count) if closed is None or (now >= close_of(i)) == closed]
        keyfn = state.sort_key(self, key, now)
        idx.sort(key=lambda i: (keyfn(i), i), reverse=not ascending)
        return self._remember(cache_key, array("l", idx))

    def _remember(self, key, value):
        """Keep a few sorted index arrays (compact: 8 bytes per market)."""
        with self._cache_lock:
            if len(self._sorted_cache) >= 6:
                self._sorted_cache.pop(next(iter(self._sorted_cache)))
            self._sorted_cache[key] = value
        return value

    # ================================================================ clob
    def book(self, token_id: str, now) -> dict | None:
        """The CLOB book of a token at ``now`` (None: unknown, not created or closed)."""
        ref = self.token_ref(token_id)
        if ref is None:
            return None
        i, outcome = ref
        now = _ts(now)
        if not self.exists(i, now) or self.is_closed(i, now):
            return None
        return book_object(self, i, outcome, now)

    def price_history(self, token_id: str, start_ts: float, end_ts: float, fidelity: int, now,
                      limit: int | None = None) -> list[dict]:
        """Points ``{"t","p"}`` at multiples of ``fidelity`` minutes inside the market's trading
        life, within [start_ts, end_ts] and <= now, oldest first (no API quirks applied)."""
        ref = self.token_ref(token_id)
        if ref is None or fidelity not in FIDELITIES:
            return []
        i, outcome = ref
        now = _ts(now)
        if not self.exists(i, now):
            return []
        life = self.timeline.life(i)
        path = self.path(i)
        step = fidelity * 60
        lo = max(int(start_ts), life.accepting)
        hi = min(int(end_ts), int(now), life.close)
        t = -(-lo // step) * step
        out = []
        while t <= hi:
            if not has_gap(self.seed, i, t):
                out.append({"t": t, "p": history_point(path, t, outcome, life.units)})
                if limit is not None and len(out) >= limit:
                    break
            t += step
        return out

    # ================================================================ data api
    def trade_count(self, condition_id: str, now, taker_only: bool = False) -> int:
        i = self.index_of_condition_id(condition_id)
        if i is None or not self.exists(i, now):
            return 0
        return self.plan(i).row_count(_ts(now), taker_only)

    def trades(self, condition_id: str, now, taker_only: bool = False, limit: int | None = None,
               offset: int = 0) -> list[dict]:
        """Fills of one market newest first, as the Data API rows."""
        i = self.index_of_condition_id(condition_id)
        if i is None:
            return []
        return self.trades_page([i], now, taker_only, offset, limit)

    def _iter_market_desc(self, i: int, now: float, taker_only: bool, skip: int = 0):
        for ts, j, f in self.plan(i).iter_desc(now, taker_only, skip):
            yield -ts, -i, -j, -f

    def trades_page(self, indices, now, taker_only: bool, offset: int, limit: int | None,
                    row_filter=None) -> list[dict]:
        """Merged newest-first page over several markets; ``row_filter(row)`` drops rows."""
        now = _ts(now)
        count = self.market_count(now)
        indices = sorted({i for i in indices if 0 <= i < count})
        if not indices or (limit is not None and limit <= 0):
            return []
        if len(indices) == 1 and row_filter is None:
            stream = self._iter_market_desc(indices[0], now, taker_only, offset)
            skip = 0
        else:
            stream = heapq.merge(*(self._iter_market_desc(i, now, taker_only) for i in indices))
            skip = offset
        rows: list[dict] = []
        tx_cache: dict = {}
        for key in stream:
            ts, i, j, f = -key[0], -key[1], -key[2], -key[3]
            fills = tx_cache.get((i, j))
            if fills is None:
                if len(tx_cache) > 64:
                    tx_cache.clear()
                fills = tx_cache[(i, j)] = self._tx(i, j)
            row = trade_row(self, i, j, fills[f], ts)
            if row_filter is not None and not row_filter(row):
                continue
            if skip:
                skip -= 1
                continue
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
        return rows

    def _tx(self, i: int, j: int):
        if i >= self.n:
            c = i - self.n
            return tx_fills(self.seed, self.combos.plan(c), self.combos.path(c), self.combos.get(c).life, j,
                            self.wallet_pool)[1]
        life = self.timeline.life(i)
        return tx_fills(self.seed, self.plan(i), self.path(i), life, j, self.wallet_pool)[1]

    def recent_market_order(self, now: float):
        """-> (newest visible trade timestamp, market) of every market with trades, newest first.

        Computed once per simulated instant: it touches every market's schedule."""
        key = (now, "recent")
        with self._cache_lock:
            hit = self._sorted_cache.get(key)
        if hit is not None:
            return hit
        pairs = []
        for i in range(self.market_count(now)):
            plan = self._plan(i) if i >= 64 else self.plan(i)
            v = plan.visible_tx(now)
            if v:
                pairs.append((plan.tx_time(v - 1), i))
        pairs.sort(reverse=True)
        return self._remember(key, (array("q", [p[0] for p in pairs]), array("l", [p[1] for p in pairs])))

    def global_trades(self, now, taker_only: bool, offset: int, limit: int, row_filter=None) -> list[dict]:
        """Newest fills across all markets (Data API /trades without a market filter)."""
        now = _ts(now)
        newest_ts, order = self.recent_market_order(now)
        need = offset + limit
        chosen: list[int] = []
        top: list[int] = []      # min-heap of the newest ``need`` timestamps collected so far
        for last_ts, i in zip(newest_ts, order):
            if len(top) >= need and last_ts < top[0]:
                break            # this market and every later one only has older fills
            chosen.append(i)
            for ts, _, _ in self.plan(i).iter_desc(now, taker_only):
                if len(top) < need:
                    heapq.heappush(top, ts)
                elif ts > top[0]:
                    heapq.heapreplace(top, ts)
                else:
                    break
        return self.trades_page(chosen, now, taker_only, offset, limit, row_filter)
