"""What a full sync of the real venues would cost at their published limits: requests per resource
and hours, from the venues' own (or published third-party) counts and the platform's request plan.

    PYTHONPATH=.:plugins:include .venv/bin/python bench/real_venue_estimate.py \
        [--prices-requests-per-token 5.3] [--json bench/results/full_sync_10k.json]

No venue is called: the counts below are cited where they come from. Rates are the limits the
adapters enforce (their rate rules at a backfill share of 1.0). Resources on different routes run
side by side, so the slowest resource bounds the wall time.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from prediction_markets.adapters.kalshi import KalshiAdapter
from prediction_markets.adapters.polymarket import PolymarketAdapter
from prediction_markets.hooks.ratelimit import slot_for

# Polymarket, Oct 2020 - Mar 2026: > 770 thousand markets, > 943 million fill records, ~2 million
# oracle events (arXiv 2604.20421, "Unlocking the Forecasting Economy", 2026-04-22).
POLYMARKET_MARKETS = 770_000
POLYMARKET_FILLS = 943_000_000
# Kalshi: 54.5 million trades in January 2026, ~2.5 million a day in February 2026 (Kalshi's
# figures as reported, phemex.com news 2026-02). Kalshi publishes no market count: per 100,000.
KALSHI_TRADES_PER_DAY = 2_500_000
KALSHI_MARKETS_UNIT = 100_000


def rate(adapter, conn_id: str, path: str) -> tuple[float, float]:
    """(requests per second the platform's limiter sustains, the published limit) under the
    tightest matching rule: the limiter keeps a safety margin below the published figure."""
    rules = [r for r in adapter.rate_rules(conn_id) if r.matches(path)]
    return (min(1.0 / slot_for(r).interval_s for r in rules), min(r.limit / r.period for r in rules))


def row(resource: str, requests: float, rates: tuple[float, float], basis: str) -> dict:
    sustained, published = rates
    return {"resource": resource, "requests": int(math.ceil(requests)), "requests_per_s": round(sustained, 2),
            "published_per_s": round(published, 2), "hours": round(requests / sustained / 3600, 2),
            "hours_at_published": round(requests / published / 3600, 2), "basis": basis}


def polymarket(prices_per_token: float) -> list[dict]:
    a = PolymarketAdapter({})
    page = int(a.settings["trades_page_size"])
    groups = POLYMARKET_MARKETS / 20  # condition lists of 20 markets per walk
    return [
        row("listings (markets + events keyset)", POLYMARKET_MARKETS / 100 * 1.1,
            rate(a, "polymarket_gamma", "/markets/keyset"), "100 a page; ~1 event per 10 markets"),
        # Upper bound: every fill record a feed row (taker_only rows are fewer: one per taker order).
        row("trades_history (/v2/trades)", POLYMARKET_FILLS / page + groups, rate(a, "polymarket_data", "/v2/trades"),
            f"{POLYMARKET_FILLS:,} fills / {page} a page + one last page per 20-market walk (upper bound)"),
        # At least one coarse (12-h bucket) read per token; markets traded in the last 90 days also
        # get finer windows. The 10k-market world, all of it recent, measures the upper end.
        row("prices_history, lower bound (/v2/prices-history)", POLYMARKET_MARKETS * 2,
            rate(a, "polymarket_data", "/v2/prices-history"), "2 tokens a market x 1 coarse read"),
        row("prices_history, every market recent", POLYMARKET_MARKETS * 2 * prices_per_token,
            rate(a, "polymarket_data", "/v2/prices-history"),
            f"2 tokens a market x {prices_per_token} requests a token (measured on the 10k-market world)"),
        row("resolutions_history (/v2/resolutions)", groups, rate(a, "polymarket_data", "/v2/resolutions"),
            "20 conditions a request"),
    ]


def kalshi(days: int) -> list[dict]:
    a = KalshiAdapter({})
    per_s = rate(a, "kalshi", "/markets")
    page = int(a.settings["trades_page_size"])
    per_candles = int(a.settings["candles_per_request"])
    # A market of a day's life: 1,440 one-minute candles, 24 hourly, 1 daily, one window each at
    # most `candles_per_request` candles.
    candle_requests = KALSHI_MARKETS_UNIT * (math.ceil(1440 / per_candles) + 1 + 1)
    return [
        row(f"listings per {KALSHI_MARKETS_UNIT:,} markets", KALSHI_MARKETS_UNIT / 1000 + KALSHI_MARKETS_UNIT / 200,
            per_s, "markets 1000 a page, events 200"),
        row(f"trades_history ({days} days at {KALSHI_TRADES_PER_DAY:,} a day)", days * KALSHI_TRADES_PER_DAY / page
            + KALSHI_MARKETS_UNIT, per_s, f"{page} a page + one last page per market ({KALSHI_MARKETS_UNIT:,})"),
        row(f"candlesticks_history per {KALSHI_MARKETS_UNIT:,} one-day markets", candle_requests, per_s,
            f"periods 1, 60, 1440 min; {per_candles} candles a request"),
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--prices-requests-per-token", type=float, default=None)
    p.add_argument("--json", type=Path, default=Path(__file__).with_name("results") / "full_sync_10k.json",
                   help="a full_sync.py result to take the measured prices requests per token from")
    p.add_argument("--kalshi-days", type=int, default=365)
    args = p.parse_args()
    per_token = args.prices_requests_per_token
    if per_token is None:
        measured = json.loads(args.json.read_text())
        tokens = 2 * measured["world"]["markets"]
        requests = sum(n for k, n in measured["requests_by_path"].items() if "/v2/prices-history" in k)
        per_token = round(requests / tokens, 2)
    out = {"polymarket": polymarket(per_token), "kalshi": kalshi(args.kalshi_days)}
    for venue, rows in out.items():
        if venue == "kalshi":  # one read bucket for every route: the resources add up
            print(f"{venue}: {sum(r['hours'] for r in rows):.1f} h in all (one read bucket shared by every route)")
        else:  # trades and prices have limits of their own: they run side by side
            print(f"{venue}: the slowest resource bounds the wall time (each route has a limit of its own)")
        for r in rows:
            print(f"  {r['resource']:<52} {r['requests']:>12,} req  {r['requests_per_s']:>6} req/s "
                  f"(published {r['published_per_s']})  {r['hours']:>7.1f} h   {r['basis']}")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
