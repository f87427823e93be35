"""Ground truth for tests, computed by plain iteration (no seeks, merges or cursors).

Mixed into ``PolymarketWorld``. Every helper takes the simulated ``now`` the API would answer
at; feeds honour the ingestion lag (``visible_horizon(now)``) and the API windows.
"""
from __future__ import annotations

from ..timeutil import to_epoch
from . import prices_v2, resolution
from .feed import previous_month_start, seq_of, three_years_before
from .rows import trade_row_v2

DEFAULT_MIN_SIZE = 0.01


class GroundTruth:
    # ------------------------------------------------------------ freshness and windows
    def ingestion_lag(self, now) -> int:
        """Seconds between ``now`` and the newest block time the Data API v2 serves."""
        return self.ingestion.lag(to_epoch(now))

    def visible_horizon(self, now) -> int:
        """Newest fill timestamp served by /v2/trades at ``now``."""
        return self.ingestion.horizon(to_epoch(now))

    def window_start(self, shape: str, now) -> int:
        """Oldest timestamp /v2/trades serves: ``market`` (condition=/event_id=): three years
        back; ``global`` (no filter): the start of the previous calendar month (UTC)."""
        now = to_epoch(now)
        if shape == "global":
            return previous_month_start(now)
        if shape == "market":
            return three_years_before(now)
        raise ValueError("shape is 'market' or 'global'")

    # ------------------------------------------------------------ trades
    def fill_index(self, condition_id: str) -> int | None:
        """Index of a market or combo (n + c) in the fill machinery, from its condition id."""
        i = self.index_of_condition_id(condition_id)
        if i is not None:
            return i
        c = self.combos.index_of(condition_id)
        return None if c is None else self.n + c

    def _fills_desc(self, i: int, horizon: int, taker_only: bool):
        plan = self.plan(i)
        j = plan.visible_tx(horizon) - 1
        while j >= 0:
            ts = plan.tx_time(j)
            m = plan.makers(j)
            fills = self._tx(i, j)
            for f in ((m,) if taker_only else range(m, -1, -1)):
                yield ts, j, f, fills[f]
            j -= 1

    def v2_trades(self, condition_id: str, now, taker_only: bool = True, min_size: float = DEFAULT_MIN_SIZE,
                  window: bool = True) -> list[dict]:
        """The rows /v2/trades?condition=<id> serves at ``now`` (all pages), newest first:
        visible fills of the market (or combo) of at least ``min_size`` shares, inside the
        three-year window unless ``window=False`` (then all of its history is counted)."""
        i = self.fill_index(condition_id)
        if i is None or (i < self.n and not self.exists(i, now)):
            return []
        now = to_epoch(now)
        lo = three_years_before(now) if window else -1
        out = []
        for ts, j, f, fill in self._fills_desc(i, self.visible_horizon(now), taker_only):
            if ts < lo:
                break
            if fill[3] >= min_size:
                out.append(trade_row_v2(self, i, j, f, fill, ts, False))
        return out

    def v2_trade_totals(self, condition_id: str, now, taker_only: bool = True,
                        min_size: float = DEFAULT_MIN_SIZE, window: bool = True) -> tuple[int, float]:
        """-> (row count, summed size in shares) of ``v2_trades`` with the same arguments."""
        rows = self.v2_trades(condition_id, now, taker_only, min_size, window)
        return len(rows), sum(r["size"] for r in rows)

    def v2_global_trades(self, now, taker_only: bool = True, min_size: float = DEFAULT_MIN_SIZE) -> list[dict]:
        """Every row of the bare global feed at ``now`` (current plus previous month, combos
        included, some rows unenriched), newest first. Touches every fill: small worlds only."""
        now = to_epoch(now)
        horizon, lo = self.visible_horizon(now), previous_month_start(now)
        keyed = []
        for i in range(self.n + self.combos.count):
            if i < self.n and not self.exists(i, now):
                continue
            for ts, j, f, fill in self._fills_desc(i, horizon, taker_only):
                if ts < lo:
                    break
                if fill[3] >= min_size:
                    keyed.append(((ts, seq_of(ts, i, j, f)), trade_row_v2(self, i, j, f, fill, ts, True)))
        keyed.sort(key=lambda kv: kv[0], reverse=True)
        return [row for _, row in keyed]

    def combo_condition_ids(self) -> list[str]:
        return [self.combos.get(c).condition_id for c in range(self.combos.count)]

    # ------------------------------------------------------------ resolutions
    def resolution(self, i: int, now) -> dict | None:
        """The /v2/resolutions row of market ``i`` for a condition lookup at ``now`` (None: no
        row: not created, or a Chainlink/EOA market not resolved yet)."""
        if not self.exists(i, now):
            return None
        return resolution.condition_row(self, self.resolution_plan(i), to_epoch(now))

    def question_resolution(self, i: int, now) -> dict | None:
        """The row a ``question_id`` lookup of market ``i`` returns at ``now`` (None: no UMA question)."""
        if not self.exists(i, now):
            return None
        return resolution.question_row(self, self.resolution_plan(i), to_epoch(now))

    def resolutions(self, now) -> list[dict]:
        """Every condition row at ``now``, in market order."""
        rows = (self.resolution(i, now) for i in range(self.market_count(now)))
        return [r for r in rows if r is not None]

    def resolution_stage(self, i: int, now) -> str:
        """open | pending | proposed | challenged | reproposed | disputed | resolved."""
        return resolution.stage(self.resolution_plan(i), to_epoch(now))

    def payouts(self, i: int) -> tuple[int, int]:
        """Micro-USDC per share paid to outcome 0 and 1 at resolution (void: 50-50)."""
        return self.resolution_plan(i).payouts

    # ------------------------------------------------------------ prices
    def price_points(self, token_id: str, now, start: int | None = None, end: int | None = None,
                     interval: str | None = None, bucket_seconds: int | None = None,
                     as_of: int | None = None) -> list[dict]:
        """Every point /v2/prices-history serves for these parameters at ``now`` (all pages),
        oldest first. Invalid parameter combinations raise ``ValueError`` (HTTP 400)."""
        now = int(to_epoch(now))
        win, point_in_time = prices_v2.window(now, start, end, interval, bucket_seconds, as_of)
        ref = self.token_ref(token_id)
        if ref is None or not self.exists(ref[0], now):
            return []
        if point_in_time is not None:
            points = [p for p in [prices_v2.as_of_point(self, ref[0], ref[1], point_in_time, now)] if p]
        else:
            points = prices_v2.series(self, ref[0], ref[1], win, now)
        return [{"timestamp": t, "price": p, "resolution_seconds": r} for t, _, p, r in points]
