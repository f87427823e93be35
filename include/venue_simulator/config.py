"""Configuration of a simulator instance."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

from .timeutil import parse_instant

DEFAULT_EPOCH_START = datetime(2025, 1, 1, tzinfo=timezone.utc)
DEFAULT_EPOCH_END = datetime(2027, 1, 1, tzinfo=timezone.utc)
# Polymarket Protocol V2 switchover ("about" 2026-11-02 per the announcement).
DEFAULT_V2_SWITCHOVER = datetime(2026, 11, 2, tzinfo=timezone.utc)
V1_TRADES_MODES = ("retired", "served")


@dataclasses.dataclass
class SimConfig:
    """Everything that shapes a simulator run.

    ``now`` fixes the simulated clock (frozen at that instant until changed through
    ``set_now`` or ``POST /_sim/clock``); ``None`` follows the wall clock.
    """

    host: str = "127.0.0.1"
    port: int = 0
    seed: int = 42
    polymarket_markets: int = 500
    polymarket_trades: int = 250_000
    # Data API v1 GET /trades: "retired" (410, as after 2026-10-24) or "served" (the v1 route).
    polymarket_v1_trades: str = "retired"
    # Markets created on/after this instant are Protocol V2 markets for about half of them;
    # None = no V2 markets at all.
    polymarket_v2_switchover: datetime | str | float | None = DEFAULT_V2_SWITCHOVER
    # Combo (multi-leg) markets trading in the Data API feed; None = automatic (a few per world).
    polymarket_combos: int | None = None
    # Resolution mix: share of single-question markets voided (paid 50-50), of UMA markets
    # disputed (settled by the DVM 2-5 days later) and kept in extended review (2-30 days).
    polymarket_void_share: float = 0.03
    polymarket_dispute_share: float = 0.05
    polymarket_slow_resolution_share: float = 0.06
    # Kalshi: recurring series (plus 3 one-off and 3 parlay series), markets and trades.
    kalshi_series: int = 12
    kalshi_markets: int = 600
    kalshi_trades: int = 150_000
    # Historical cutoff (market_settled_ts = trades_created_ts); None = 90 days before now.
    kalshi_historical_cutoff: datetime | str | float | None = None
    # Public keys accepted for signed requests: PEM string(s), or {key id: PEM}.
    kalshi_public_keys: list | dict | str | None = None
    now: datetime | str | float | None = None
    epoch_start: datetime | str | float = DEFAULT_EPOCH_START
    epoch_end: datetime | str | float = DEFAULT_EPOCH_END
    enforce_rate_limits: bool = False
    # Multiplies every published limit (0.01 turns 200/10s into 2/10s for tests).
    rate_limit_factor: float = 1.0
    rate_limit_window: float = 10.0
    # Over the limit a request is first queued up to this many seconds, then answered 429.
    rate_limit_max_queue: float = 1.0
    # Longest request target (path + query) accepted before answering 414.
    max_url_length: int = 8000
    # Request log entries kept in memory (oldest dropped first).
    request_log_size: int = 200_000
    # Idle keep-alive connections are closed after this many seconds.
    keepalive_timeout: float = 120.0

    def __post_init__(self) -> None:
        if self.now is not None:
            self.now = parse_instant(self.now)
        self.epoch_start = parse_instant(self.epoch_start)
        self.epoch_end = parse_instant(self.epoch_end)
        if self.epoch_end <= self.epoch_start:
            raise ValueError("epoch_end must be after epoch_start")
        sizes = (self.polymarket_markets, self.polymarket_trades, self.kalshi_series, self.kalshi_markets,
                 self.kalshi_trades)
        if min(sizes) < 0:
            raise ValueError("world sizes must be >= 0")
        if self.polymarket_v1_trades not in V1_TRADES_MODES:
            raise ValueError(f"polymarket_v1_trades must be one of {V1_TRADES_MODES}")
        if self.polymarket_v2_switchover is not None:
            self.polymarket_v2_switchover = parse_instant(self.polymarket_v2_switchover)
        for name in ("polymarket_void_share", "polymarket_dispute_share", "polymarket_slow_resolution_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1]")
        if self.polymarket_combos is not None and self.polymarket_combos < 0:
            raise ValueError("polymarket_combos must be >= 0")
        if self.kalshi_historical_cutoff is not None:
            self.kalshi_historical_cutoff = parse_instant(self.kalshi_historical_cutoff)
