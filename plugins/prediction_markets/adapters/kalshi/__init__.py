"""Kalshi Trade API v2: series, events, markets (live and historical tiers), trades, candles,
order books. Public reads need no auth; RSA-PSS signing is in hooks/kalshi.py.

The full sync (`backfill_kalshi`) lists every market of both tiers in full (settlement fields
come with the market objects), then walks each market's trades (`trades_history`) and candles
(`candlesticks_history`) to the end; the hourly walks continue from its checkpoints.

API notes and quirks: ../shared/api-samples/kalshi/API.md. Rate limit: the read token bucket
(basic tier 20 reads/s; the `rate_tier` extra of the connection picks another tier).
"""

from __future__ import annotations

from collections.abc import Sequence

from prediction_markets.adapters.base import RateRule, Resource, VenueAdapter
from prediction_markets.adapters.kalshi.candles import CandleHistory, CandlesResource
from prediction_markets.adapters.kalshi.orderbooks import OrderbooksResource
from prediction_markets.adapters.kalshi.paging import KALSHI
from prediction_markets.adapters.kalshi.reference import (
    CutoffResource,
    EventsResource,
    HistoricalMarketsResource,
    MarketsResource,
    SeriesResource,
)
from prediction_markets.adapters.kalshi.trades import TradeHistory, TradesResource

RATE_RULES = (RateRule("kalshi:read", 200, 10.0),)


class KalshiAdapter(VenueAdapter):
    source = "kalshi"
    schedule = "0 * * * *"
    reference_resources = ("historical_cutoff", "series", "events", "markets", "historical_markets", "trades")
    market_resources = ("candlesticks", "orderbooks")
    # The full sync: every listing in full (no hourly trade walk), then each market's whole
    # trade and candle history; resolutions come with the market objects of both tiers.
    backfill_reference_resources = ("historical_cutoff", "series", "events", "markets", "historical_markets")
    history_resources = ("trades_history", "candlesticks_history")
    default_settings = {
        "events_page_size": 200,
        "markets_page_size": 1000,
        "trades_page_size": 1000,
        # Parlay (multivariate) markets dominate /markets; None includes them.
        "mve_filter": "exclude",
        "updated_overlap_s": 3600,
        "historical_backfill": True,
        "trades_overlap_s": 60,
        "trades_max_catchup_s": 7 * 86400,
        "candle_periods": [1, 60, 1440],
        "candles_per_request": 1000,
        "candles_max_catchup_s": 2 * 86400,
        # Open gaps (ranges beyond a catch-up limit) an hourly run walks, per resource and batch.
        "gaps_per_run": 20,
        # The venue refuses a candle request spanning more than 5,000 candles.
        "history_candles_per_request": 5000,
        # How far back the full sync reads candles of a market without an opening time.
        "history_unknown_open_s": 90 * 86400,
        "orderbooks_batch": True,
        "orderbooks_per_request": 100,
        "orderbook_depth": 0,
        "closed_grace_s": 3600,
        "batch_size": 500,
        "max_batches": 16,
    }

    _RESOURCES = {
        "historical_cutoff": CutoffResource,
        "series": SeriesResource,
        "events": EventsResource,
        "markets": MarketsResource,
        "historical_markets": HistoricalMarketsResource,
        "trades": TradesResource,
        "trades_history": TradeHistory,
        "candlesticks": CandlesResource,
        "candlesticks_history": CandleHistory,
        "orderbooks": OrderbooksResource,
    }

    def resource(self, name: str) -> Resource:
        try:
            return self._RESOURCES[name](self.settings)
        except KeyError:
            raise KeyError(f"kalshi has no resource {name!r}") from None

    def rate_rules(self, conn_id: str) -> Sequence[RateRule]:
        return RATE_RULES

    def hook_class(self, conn_id: str) -> str:
        return "prediction_markets.hooks.kalshi:KalshiHook"


__all__ = ["KalshiAdapter", "KALSHI"]
