"""Ticker strings and their O(log n) reverse lookups (no tables: indices are recoverable).

Recurring events: ``SERIES-DATECODE`` (``KXHIGHNY-24JAN01``, sports add the teams:
``KXNFLGAME-26JAN12HOUPIT``), markets add a strike suffix (``-T60``, ``-B59.5``, ``-PIT``);
events created before a series was renamed keep the old prefix (``FED-25MAR`` belongs to
``KXFED``). Parlays: ``KXMVE...-S2026<11 hex>`` events with one ``-<11 hex>`` market each; the
event hex is a keyed bijection of the market index.
"""
from __future__ import annotations

import functools
import re
from datetime import datetime, timezone

from ..polymarket.hashing import Feistel, h, hexdigest
from .catalog import MVE, SPECIALS
from .layout import N_FIXED_SERIES, N_SPECIAL, SPECIAL_FIRSTS, Layout
from .strikes import CODE_LEN, code_key, date_code, event_strikes, sports_teams

PARLAY_PART = re.compile(r"^S(\d{4})([0-9A-F]{11})$")
SHARD_FROM = 1780272000          # 2026-06-01: cross-category parlays carry a shard segment


class Tickers:
    def __init__(self, layout: Layout, tz) -> None:
        self.lay = layout
        self.tz = tz
        self.seed = layout.seed
        self._feistel = Feistel(h(layout.seed, 510), half_bits=22)
        self.strikes = functools.lru_cache(maxsize=8192)(self._strikes)
        self.event_ticker = functools.lru_cache(maxsize=16384)(self._event_ticker)
        self.market_ticker = functools.lru_cache(maxsize=32768)(self._market_ticker)
        self._specials: dict[str, int] = {}
        for k, (ticker, *_rest) in enumerate(SPECIALS):
            first = SPECIAL_FIRSTS[k]
            if first < layout.n:
                self._specials[f"{ticker}-{SPECIALS[k][4]}"] = first

    # ---------------------------------------------------------------- forward
    def _strikes(self, first: int):
        return event_strikes(self.seed, self.lay.event(first), self.tz)

    def parlay_series(self, i: int) -> int:
        """Series index (3..5) of a parlay market."""
        return 3 + self.lay.mix(511, i) % len(MVE)

    def _event_ticker(self, first: int) -> str:
        lay = self.lay
        if lay.is_parlay(first):
            return self._parlay_event(first)
        ev = lay.event(first)
        if ev.kind == "special":
            return f"{ev.series.ticker}-{SPECIALS[ev.series.idx][4]}"
        s = ev.series
        prefix = s.old_prefix if ev.renamed else s.ticker
        code = date_code(ev.close, s.granularity, self.tz)
        if s.family == "sports":
            away, home = sports_teams(self.seed, ev.rb, s.extra[2])
            code += away + home
        return f"{prefix}-{code}"

    def _parlay_event(self, i: int) -> str:
        series = MVE[self.parlay_series(i) - 3][0]
        created, _ = self.lay.parlay_created(i)
        year = datetime.fromtimestamp(created, timezone.utc).year
        shard = ""
        if series == "KXMVECROSSCATEGORY" and created >= SHARD_FROM:
            shard = f"-SHARD{1 + h(self.seed, 512, i) % 3}"
        return f"{series}{shard}-S{year}{self._feistel.encode(i):011X}"

    def _market_ticker(self, i: int) -> str:
        lay = self.lay
        if lay.is_parlay(i):
            return f"{self._parlay_event(i)}-{hexdigest(6, self.seed, 'mve', i)[:11].upper()}"
        first = lay.first_of(i)
        strike = self.strikes(first)[i - first]
        event = self.event_ticker(first)
        return event if strike.suffix is None else f"{event}-{strike.suffix}"

    # ---------------------------------------------------------------- reverse
    def index_of_market(self, ticker: str) -> int | None:
        if not ticker or len(ticker) > 200:
            return None
        if ticker.startswith("KXMVE"):
            i = self._parlay_index(ticker, market=True)
        else:
            first = self._event_first(ticker)
            if first is not None and self.market_ticker(first) == ticker:
                return first
            head, _, suffix = ticker.rpartition("-")
            first = self._event_first(head) if head else None
            if first is None:
                return None
            for pos, st in enumerate(self.strikes(first)):
                if st.suffix == suffix:
                    return first + pos
            return None
        return i

    def event_first(self, ticker: str) -> int | None:
        """Event ticker -> event id (first market index), parlay events included."""
        if not ticker or len(ticker) > 200:
            return None
        if ticker.startswith("KXMVE"):
            return self._parlay_index(ticker, market=False)
        return self._event_first(ticker)

    def _parlay_index(self, ticker: str, market: bool) -> int | None:
        parts = ticker.split("-")
        for part in parts:
            m = PARLAY_PART.match(part)
            if m:
                try:
                    i = self._feistel.decode(int(m.group(2), 16))
                except ValueError:
                    return None
                if not (N_SPECIAL <= i < self.lay.n and self.lay.is_parlay(i)):
                    return None
                want = self.market_ticker(i) if market else self._parlay_event(i)
                return i if want == ticker else None
        return None

    def _event_first(self, ticker: str) -> int | None:
        special = self._specials.get(ticker)
        if special is not None:
            return special
        prefix, sep, code = ticker.partition("-")
        lay = self.lay
        series = lay.series_by_prefix.get(prefix)
        if not sep or series is None or series.kind != "regular" or "-" in code:
            return None
        key = code_key(code[:CODE_LEN[series.granularity]])
        if key is None:
            return None
        s = series.idx - N_FIXED_SERIES
        n_k = lay.events_of_series(series)
        lo, hi = 0, n_k
        while lo < hi:                       # first k whose code key >= key
            mid = (lo + hi) // 2
            rb = s + mid * lay.n_regular
            mid_key = code_key(date_code(lay.event(lay.base(rb)).close, series.granularity, self.tz))
            if mid_key < key:
                lo = mid + 1
            else:
                hi = mid
        if lo >= n_k:
            return None
        first = lay.base(s + lo * lay.n_regular)
        return first if self.event_ticker(first) == ticker else None
