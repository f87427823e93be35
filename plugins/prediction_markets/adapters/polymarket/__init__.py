"""Polymarket: Gamma (events, markets), Data API v2 (trades, prices, resolutions), CLOB (books).

API notes and quirks: ../shared/api-samples/polymarket/API-V2.md (the 2026 routes), which
supersedes API.md where they differ. Rate limits are sliding windows per 10 s.
"""

from __future__ import annotations

from collections.abc import Sequence

from prediction_markets.adapters.base import RateRule, Resource, VenueAdapter
from prediction_markets.adapters.polymarket.clob import CLOB, BooksResource
from prediction_markets.adapters.polymarket.data_api import DATA
from prediction_markets.adapters.polymarket.gamma import (
    GAMMA,
    ClosedMarketsRefresh,
    EventsResource,
    MarketsResource,
)
from prediction_markets.adapters.polymarket.prices import PriceHistory, PricesResource
from prediction_markets.adapters.polymarket.resolutions import MarketResolutions, ResolutionsResource
from prediction_markets.adapters.polymarket.trades import FillFeed, FillHistory, TradeFeed, TradeHistory

_GLOBAL = RateRule("polymarket:global", 15000)
_STATIC_RULES: dict[str, tuple[RateRule, ...]] = {
    GAMMA: (
        _GLOBAL,
        RateRule("polymarket_gamma:general", 4000),
        RateRule("polymarket_gamma:listing", 900, paths=("/markets", "/events")),
        RateRule("polymarket_gamma:/markets", 300, paths=("/markets",)),
        RateRule("polymarket_gamma:/events", 500, paths=("/events",)),
    ),
    CLOB: (
        _GLOBAL,
        RateRule("polymarket_clob:general", 9000),
        RateRule("polymarket_clob:/book", 1500, paths=("/book",)),
        RateRule("polymarket_clob:/books", 500, paths=("/books",)),
    ),
}


class PolymarketAdapter(VenueAdapter):
    source = "polymarket"
    schedule = "0 * * * *"
    reference_resources = ("events", "markets", "markets_refresh", "resolutions")
    feed_resources = ("trades", "trade_fills")
    market_resources = ("prices", "orderbooks")
    # The full sync: every market's whole history, resolutions included.
    history_resources = ("trades_history", "fills_history", "prices_history", "resolutions_history")
    default_settings = {
        "events_page_size": 100,
        "markets_page_size": 100,
        # >40 condition ids per Gamma request drew Cloudflare 403s.
        "condition_ids_per_request": 40,
        # Data API v2 `condition=` lists hold at most 20 ids.
        "conditions_per_request": 20,
        "trades_page_size": 1000,
        # >= the CDN's 300 s staleness of page 1 (the /v2/status lag is added per run).
        "trades_overlap_s": 300,
        "trades_assumed_lag_s": 60,
        # No official /v2/trades figure: clean at 20 req/s, 429s from ~30 (API-V2.md §6).
        "trades_requests_per_s": 20,
        # Third parties quote 200 per 10 s for /v2/prices-history (unverified).
        "prices_requests_per_10s": 200,
        # Fills under 0.01 shares are served only when a smaller positive minimum is sent (0 counts
        # as 0.01; a smaller value was accepted when tested, completeness unproven): None sends none.
        "trades_min_size": 0.000001,
        # Maker fills (taker_only=false) as their own resource, for wallet-level research.
        "maker_fills": False,
        "prices_bucket_seconds": 60,
        "prices_backfill_s": 86400,
        "prices_max_catchup_s": 7 * 86400,
        "resolutions_max_age_s": 90 * 86400,
        "gaps_per_run": 50,
        "books_batch": True,
        "books_per_request": 50,
        # Markets closed this long before an interval still get their last trades and prices.
        "closed_grace_s": 3600,
        "batch_size": 500,
        "max_batches": 16,
    }

    _RESOURCES = {
        "events": EventsResource,
        "markets": MarketsResource,
        "markets_refresh": ClosedMarketsRefresh,
        "resolutions": ResolutionsResource,
        "resolutions_history": MarketResolutions,
        "trades": TradeFeed,
        "trade_fills": FillFeed,
        "trades_history": TradeHistory,
        "fills_history": FillHistory,
        "prices": PricesResource,
        "prices_history": PriceHistory,
        "orderbooks": BooksResource,
    }

    def resource(self, name: str) -> Resource:
        try:
            return self._RESOURCES[name](self.settings)
        except KeyError:
            raise KeyError(f"polymarket has no resource {name!r}") from None

    def rate_rules(self, conn_id: str) -> Sequence[RateRule]:
        if conn_id == DATA:
            return (
                _GLOBAL,
                RateRule("polymarket_data:general", 1000),
                RateRule("polymarket_data:/v2/trades", int(float(self.settings["trades_requests_per_s"]) * 10),
                         paths=("/v2/trades",)),
                RateRule("polymarket_data:/v2/prices-history", int(self.settings["prices_requests_per_10s"]),
                         paths=("/v2/prices-history",)),
            )
        return _STATIC_RULES[conn_id]
