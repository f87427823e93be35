"""Polymarket: Gamma (events, markets), CLOB (price history, order books), Data API (trades).

API notes and quirks: ../shared/api-samples/polymarket/API.md. Rate limits are the
published sliding-window limits per 10 s (section 6 there).
"""

from __future__ import annotations

from collections.abc import Sequence

from prediction_markets.adapters.base import RateRule, Resource, VenueAdapter
from prediction_markets.adapters.polymarket.clob import CLOB, BooksResource, PricesResource
from prediction_markets.adapters.polymarket.data_api import DATA, TradesResource
from prediction_markets.adapters.polymarket.gamma import (
    GAMMA,
    ClosedMarketsRefresh,
    EventsResource,
    MarketsResource,
)

_GLOBAL = RateRule("polymarket:global", 15000)
RATE_RULES: dict[str, tuple[RateRule, ...]] = {
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
        RateRule("polymarket_clob:/prices-history", 1000, paths=("/prices-history",)),
    ),
    DATA: (
        _GLOBAL,
        RateRule("polymarket_data:general", 1000),
        RateRule("polymarket_data:/trades", 200, paths=("/trades",)),
    ),
}


class PolymarketAdapter(VenueAdapter):
    source = "polymarket"
    schedule = "0 * * * *"
    reference_resources = ("events", "markets", "markets_refresh")
    market_resources = ("trades", "prices", "orderbooks")
    default_settings = {
        "events_page_size": 100,
        "markets_page_size": 100,
        # >40 condition ids per request drew Cloudflare 403s.
        "condition_ids_per_request": 40,
        "trades_page_size": 500,
        "trades_offset_ceiling": 3000,
        "trades_overlap_s": 300,
        "prices_fidelity": 1,
        "prices_backfill_s": 86400,
        "prices_max_catchup_s": 7 * 86400,
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
        "trades": TradesResource,
        "prices": PricesResource,
        "orderbooks": BooksResource,
    }

    def resource(self, name: str) -> Resource:
        try:
            return self._RESOURCES[name](self.settings)
        except KeyError:
            raise KeyError(f"polymarket has no resource {name!r}") from None

    def rate_rules(self, conn_id: str) -> Sequence[RateRule]:
        return RATE_RULES[conn_id]
