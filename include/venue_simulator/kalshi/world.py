"""The deterministic Kalshi world: a pure function of (seed, sizes, epoch) queried at ``now``.

Nothing is stored per market or per trade: lifecycles are computed per chunk on first use,
trades in closed form from per-market schedules, and every ticker maps back to its index.
All methods taking ``now`` render the payload generation of that date (see ``eras``).
"""
from __future__ import annotations

import functools
from zoneinfo import ZoneInfo

from ..polymarket.hashing import h, mix64
from ..timeutil import parse_instant, to_epoch
from . import candles as C
from . import objects
from .catalog import MAX_LEAD
from .eras import dollars, era_at, fp, go_time
from .layout import Layout
from .lifecycle import PARLAY, Lifecycles
from .paging import Breaks, trade_feed
from .state import Volumes, book_at, make_path, make_plan, trade_at
from .tickers import Tickers
from .trades import US, uuid_of

NY = ZoneInfo("America/New_York")
DAY = 86400
LIVE_WINDOW = 90 * DAY
FILTER_STATUS = {"unopened": ("initialized",), "open": ("active",), "paused": ("inactive",),
                 "closed": ("closed", "determined", "disputed"), "settled": ("finalized", "amended")}


class KalshiWorld:
    def __init__(self, seed: int = 42, n_series: int = 12, n_markets: int = 600, n_trades: int = 150_000,
                 epoch_start="2025-01-01T00:00:00Z", epoch_end="2027-01-01T00:00:00Z",
                 historical_cutoff=None) -> None:
        if min(n_series, n_markets, n_trades) < 0:
            raise ValueError("world sizes must be >= 0")
        self.seed = int(seed)
        self.tz = NY
        self.layout = Layout(self.seed, int(n_markets), int(n_series), int(to_epoch(epoch_start)),
                             int(to_epoch(epoch_end)))
        self.tickers = Tickers(self.layout, NY)
        self.life = Lifecycles(self.layout, self.tickers)
        self.volumes = Volumes(self.layout, int(n_trades))
        self.breaks = Breaks(self.seed)
        self.fixed_cutoff = None if historical_cutoff is None else int(parse_instant(historical_cutoff).timestamp())
        self.plan = functools.lru_cache(maxsize=16384)(lambda i: make_plan(self, i))
        self.path = functools.lru_cache(maxsize=8192)(lambda i: make_path(self, i))
        self._counts: dict[float, int] = {}
        self._volumes: dict[int, dict] = {}

    # ================================================================ time, tiers
    def cutoff_ts(self, now) -> int:
        """``market_settled_ts`` = ``trades_created_ts``: fixed, or 90 days before now at midnight UTC."""
        if self.fixed_cutoff is not None:
            return self.fixed_cutoff
        return (int(to_epoch(now)) - LIVE_WINDOW) // DAY * DAY

    def cutoff(self, now) -> dict:
        iso = go_time(self.cutoff_ts(now))
        return {"market_positions_last_updated_ts": iso, "market_settled_ts": iso, "orders_updated_ts": iso,
                "trades_created_ts": iso}

    def market_count(self, now) -> int:
        """Markets created at or before ``now`` (indices 0..count-1)."""
        now = to_epoch(now)
        count = self._counts.get(now)
        if count is None:
            count = self.layout.count_created(now, self.life.created_of)
            if len(self._counts) > 256:
                self._counts.clear()
            self._counts[now] = count
        return count

    def live_floor(self, now) -> int:
        """Index below which every recurring or parlay market is historical at ``now``: they
        settle at most MAX_LEAD + 4 days after their creation."""
        return self.market_count(self.cutoff_ts(now) - MAX_LEAD - 4 * DAY)

    def is_historical(self, i: int, now) -> bool:
        """Settled before the cutoff: served only by ``/historical/*``."""
        return self.life.settle_of(i) < self.cutoff_ts(now)

    def tier(self, i: int, now) -> str | None:
        if not 0 <= i < self.market_count(now):
            return None
        return "historical" if self.is_historical(i, now) else "live"

    def updated(self, i: int, now) -> tuple[int, int]:
        """Last non-trading change of market i at ``now`` -> (seconds, micros)."""
        created, opened, close, det, settle, _ = self.life.row(i)
        ts = max(t for t in (created, opened, close, det, settle) if t <= now) if created <= now else created
        return ts, mix_micros(self.seed, i, ts)

    def series_volume(self, s, now) -> int:
        """Contracts (hundredths) traded in a series' markets up to ``now``."""
        return self.series_volumes(now).get(s.idx, 0)

    def series_volumes(self, now) -> dict[int, int]:
        """Traded contracts per series index: one pass over the markets, cached per simulated minute."""
        now = to_epoch(now)
        key = int(now) // 60
        cached = self._volumes.get(key)
        if cached is not None:
            return cached
        lay, life, tk = self.layout, self.life, self.tickers
        totals: dict[int, int] = {}
        for i in range(self.market_count(now)):
            flags = life.flags_of(i)
            if self.volumes.count(i, flags) == 0 or life.open_of(i) > now:
                continue
            plan = self.plan(i)
            idx = tk.parlay_series(i) if flags & PARLAY else lay.event(lay.first_of(i)).series.idx
            totals[idx] = totals.get(idx, 0) + plan.prefix_h(plan.visible(now * US))
        self._volumes = {key: totals}
        return totals

    # ================================================================ identifiers
    def index_of(self, ticker: str) -> int | None:
        return self.tickers.index_of_market(ticker)

    def ticker(self, i: int) -> str:
        return self.tickers.market_ticker(i)

    def event_ticker_of(self, i: int) -> str:
        return self.tickers.event_ticker(self.layout.first_of(i))

    def series_ticker_of(self, i: int) -> str:
        return self.series_of_event(self.layout.first_of(i)).ticker

    def series_of_event(self, first: int):
        if self.layout.is_parlay(first):
            return self.layout.series[self.tickers.parlay_series(first)]
        return self.layout.event(first).series

    def is_parlay(self, i: int) -> bool:
        return bool(self.life.flags_of(i) & PARLAY)

    def status(self, i: int, now) -> str:
        return self.life.status(i, to_epoch(now))

    def lifecycle(self, i: int) -> dict:
        created, opened, close, det, settle, flags = self.life.row(i)
        return {"created": created, "open": opened, "close": close, "determined": det, "settled": settle,
                "flags": flags, "structure": self.life.structure(i), "trades": self.plan(i).n}

    # ================================================================ objects
    def series_list(self, now) -> list[dict]:
        era = era_at(to_epoch(now))
        return [objects.series_object(self, s, to_epoch(now), era) for s in self.layout.series]

    def series(self, ticker: str, now) -> dict | None:
        s = self.layout.series_by_prefix.get(ticker)
        if s is None or s.ticker != ticker:
            return None
        return objects.series_object(self, s, to_epoch(now), era_at(to_epoch(now)))

    def market(self, ticker: str, now, tier: str | None = "live") -> dict | None:
        """The market object at ``now``; ``tier`` live/historical restricts to that tier (None: any)."""
        i = self.index_of(ticker)
        now = to_epoch(now)
        if i is None or self.tier(i, now) is None or (tier is not None and self.tier(i, now) != tier):
            return None
        return objects.market_object(self, i, now, era_at(now))

    def markets(self, now, tier: str = "live", mve: bool | None = None) -> list[dict]:
        """Every market of a tier at ``now``, newest first (a full scan: for tests)."""
        now = to_epoch(now)
        era = era_at(now)
        return [objects.market_object(self, i, now, era) for i in range(self.market_count(now) - 1, -1, -1)
                if self.tier(i, now) == tier and (mve is None or self.is_parlay(i) == mve)]

    def event_markets(self, first: int, now, live_only: bool = True) -> list[int]:
        size = 1 if self.layout.is_parlay(first) else self.layout.event(first).size
        count = self.market_count(now)
        return [i for i in range(first, first + size)
                if i < count and not (live_only and self.is_historical(i, now))]

    def event(self, event_ticker: str, now, with_markets: bool = True) -> dict | None:
        first = self.tickers.event_first(event_ticker)
        now = to_epoch(now)
        if first is None or first >= self.market_count(now):
            return None
        era = era_at(now)
        nested = None
        if with_markets:
            nested = [objects.market_object(self, i, now, era) for i in self.event_markets(first, now)]
        return objects.event_object(self, first, now, era, nested)

    def events(self, now, with_markets: bool = False) -> list[dict]:
        """Non-parlay events, newest first (what ``/events`` walks through)."""
        now = to_epoch(now)
        era = era_at(now)
        out = []
        for first in self.layout.regular_firsts_desc(self.market_count(now)):
            nested = None
            if with_markets:
                nested = [objects.market_object(self, i, now, era) for i in self.event_markets(first, now)]
            out.append(objects.event_object(self, first, now, era, nested))
        return out

    # ================================================================ trades
    def trade_row(self, i: int, j: int, era, t: int | None = None) -> dict:
        t, price, count, taker_yes, block = trade_at(self, i, j, t)
        side = "yes" if taker_yes else "no"
        a = mix64(self.plan(i).jkey ^ (j << 2) ^ 0x3C6EF372)
        row = {"created_time": go_time(t // US, t % US), "taker_side": side, "ticker": self.ticker(i),
               "trade_id": uuid_of(f"{a:016x}{mix64(a ^ 0x5DEECE66D):016x}")}
        if era.legacy:
            row.update(count=count // 100, yes_price=price // 10, no_price=(1000 - price) // 10,
                       price=round(price / 1000, 2))
        if era.dollars:
            row.update(yes_price_dollars=dollars(price), no_price_dollars=dollars(1000 - price))
        if era.fp:
            row["count_fp"] = fp(count)
        if era.modern:
            row.update(taker_outcome_side=side, taker_book_side="bid" if taker_yes else "ask", is_block_trade=block)
        return row

    def trade_bounds(self, now, tier: str, min_ts=None, max_ts=None) -> tuple[int, int]:
        """[lower, upper] in µs of a tier's trades (live: from the cutoff on; historical: before it)."""
        cut = self.cutoff_ts(now) * US
        lower = -(1 << 62) if min_ts is None else int(min_ts) * US
        upper = int(to_epoch(now) * US) if max_ts is None else int(max_ts) * US
        if tier == "live":
            lower = max(lower, cut)
        else:
            upper = min(upper, cut - 1)
        return lower, upper

    def trades(self, now, ticker: str | None = None, tier: str = "live", min_ts=None, max_ts=None,
               limit: int | None = None) -> list[dict]:
        """Trades newest first, as ``/markets/trades`` (live) or ``/historical/trades`` rows."""
        now = to_epoch(now)
        market = None
        if ticker is not None:
            market = self.index_of(ticker)
            if market is None or market >= self.market_count(now):
                return []
        lower, upper = self.trade_bounds(now, tier, min_ts, max_ts)
        era = era_at(now)
        keys, before, out = [], None, []
        while limit is None or len(out) < limit:
            keys, more = trade_feed(self, now, 1000, lower, upper, before, market)
            out.extend(self.trade_row(k[1], k[2], era, k[0]) for k in keys)
            if not more or not keys:
                break
            before = keys[-1]
        return out if limit is None else out[:limit]

    def trade_count(self, ticker: str, now, tier: str | None = None) -> int:
        i = self.index_of(ticker)
        now = to_epoch(now)
        if i is None or i >= self.market_count(now):
            return 0
        plan = self.plan(i)
        total = plan.visible(now * US)
        if tier is None:
            return total
        before_cut = plan.visible(self.cutoff_ts(now) * US - 1)
        return total - before_cut if tier == "live" else before_cut

    # ================================================================ books, candles
    def orderbook(self, ticker: str, now, depth: int = 0) -> dict | None:
        """``{"yes": [(price $, qty fp)], "no": [...]}`` ascending, best last (None: unknown)."""
        i = self.index_of(ticker)
        now = to_epoch(now)
        if i is None or self.tier(i, now) != "live":
            return None
        yes, no = book_at(self, i, now)
        if depth > 0:
            yes, no = yes[-depth:], no[-depth:]
        return {"yes": [(dollars(p), fp(q)) for p, q in yes], "no": [(dollars(p), fp(q)) for p, q in no]}

    def candle_list(self, i: int, start_ts: int, end_ts: int, period: int, now: float) -> list:
        _, opened, close, _, _, _ = self.life.row(i)
        hi = min(int(now), close)
        return [C.compute(self, i, ps, pe, now) for ps, pe in C.period_ends(start_ts, end_ts, period, opened, hi, NY)]

    def candles(self, ticker: str, start_ts: int, end_ts: int, period: int, now,
                tier: str = "live") -> list[dict] | None:
        """Candles as served by the live (era-shaped) or historical endpoint; None if not in that tier."""
        i = self.index_of(ticker)
        now = to_epoch(now)
        if i is None or self.tier(i, now) != tier:
            return None
        era = era_at(now)
        render = C.historical_candle if tier == "historical" else (lambda c: C.live_candle(c, era))
        return [render(c) for c in self.candle_list(i, start_ts, end_ts, period, now)]


def mix_micros(seed: int, i: int, ts: int) -> int:
    return h(seed, 960, i, ts) % 1_000_000
