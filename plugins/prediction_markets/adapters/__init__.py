"""Venue adapters and their registry: adding a venue is one entry here plus its module."""

from __future__ import annotations

from importlib import import_module
from typing import Any, Mapping

from prediction_markets.adapters.base import VenueAdapter

# source -> "module:class"; imported lazily so DAG parsing stays cheap.
REGISTRY: dict[str, str] = {
    "polymarket": "prediction_markets.adapters.polymarket:PolymarketAdapter",
    "kalshi": "prediction_markets.adapters.kalshi:KalshiAdapter",
}


def sources() -> list[str]:
    return sorted(REGISTRY)


def adapter_class(source: str) -> type[VenueAdapter]:
    try:
        module_name, class_name = REGISTRY[source].split(":")
    except KeyError:
        raise KeyError(f"unknown venue {source!r}; known: {', '.join(sources())}") from None
    return getattr(import_module(module_name), class_name)


def get_adapter(source: str, settings: Mapping[str, Any] | None = None) -> VenueAdapter:
    return adapter_class(source)(settings)
