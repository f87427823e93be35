"""Requests an hourly run makes for Polymarket trades: the v2 feed walk against the old design.

    PYTHONPATH=.:plugins:include .venv/bin/python bench/trade_feed_requests.py [--markets 30000] [--rate 10]

A simulator world of `--markets` markets whose trade count is chosen so the venue prints about
`--rate` taker trades per second around NOW. The new design is measured: the real TradeFeed
resource walks the hour through HTTP (status page, then feed pages of 1,000 rows down to the
interval start minus the overlap), and every request is counted. The old design (one Data API v1
`/trades?market=` walk per live market, 500 fills per page, taker and maker rows, down to the
interval start minus the overlap) is counted from the world's own fill schedule: it needed at
least one request per live market per hour.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from datetime import datetime, timedelta, timezone

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def trade_rate(world, now: datetime, span: timedelta = HOUR) -> float:
    """Taker trades per second over `span` before `now`, from the closed-form schedules."""
    end, start = now.timestamp(), (now - span).timestamp()
    count = world.market_count(end)
    rows = sum(world.plan(i).visible_tx(end) - world.plan(i).visible_tx(start) for i in range(count))
    return rows / span.total_seconds()


def old_design_requests(world, start: datetime, end: datetime, overlap_s: float, grace_s: float,
                        page: int = 500) -> tuple[int, int]:
    """(live markets, requests) of the per-market v1 walks of one hourly interval."""
    stop, now = start.timestamp() - overlap_s, end.timestamp()
    live = requests = 0
    for i in range(world.market_count(now)):
        life = world.lifecycle(i)
        if life["created"] >= now or life["close"] < start.timestamp() - grace_s:
            continue
        live += 1
        plan = world.plan(i)
        rows = plan.row_count(now, taker_only=False) - plan.row_count(stop, taker_only=False)
        requests += max(1, math.ceil((rows + 1) / page))  # the walk reads one row past its stop
    return live, requests


def new_design_requests(sim, start: datetime, end: datetime) -> dict:
    """Walk the feed for [start, end) with the platform's own resource, over HTTP."""
    from prediction_markets.adapters import get_adapter
    from prediction_markets.adapters.base import Interval, RunContext, ScopeState
    from prediction_markets.hooks.venue_http import VenueHttpHook

    os.environ["AIRFLOW_CONN_POLYMARKET_DATA"] = json.dumps({"conn_type": "http", "host": sim.url("polymarket/data")})
    adapter = get_adapter("polymarket")
    feed = adapter.resource("trades")
    hook = VenueHttpHook("polymarket_data", rate_rules=())
    ctx = RunContext(Interval(start, end), end, adapter.settings)
    scope = next(s for s in feed.scopes(ctx) if s.key == "feed")
    # The previous hour's run left its checkpoint at that hour's end.
    request, progress = feed.start(scope, ctx, ScopeState(high_water_mark=start))
    counts, rows, began = {}, 0, time.perf_counter()
    while request is not None:
        response = hook.fetch(request).final
        counts[request.path] = counts.get(request.path, 0) + 1
        step = feed.advance(scope, ctx, progress, request, response)
        rows += step.records
        request, progress = step.next, step.progress
    hook.close()
    return {"requests": sum(counts.values()), "by_path": counts, "rows": rows,
            "seconds": round(time.perf_counter() - began, 1)}


def main() -> None:
    from venue_simulator import SimConfig, SimulatorServer
    from venue_simulator.polymarket.world import PolymarketWorld

    parser = argparse.ArgumentParser()
    parser.add_argument("--markets", type=int, default=30_000)
    parser.add_argument("--rate", type=float, default=10.0, help="taker trades per second across the venue")
    args = parser.parse_args()
    probe = PolymarketWorld(42, args.markets, 10_000_000)
    trades = int(10_000_000 * args.rate / trade_rate(probe, NOW))
    started = time.perf_counter()
    with SimulatorServer(SimConfig(seed=42, polymarket_markets=args.markets, polymarket_trades=trades,
                                   now=NOW)) as sim:
        world = sim.polymarket
        rate = trade_rate(world, NOW)
        start, end = NOW - HOUR, NOW
        settings = {"overlap_s": 300, "grace_s": 3600}
        live, old = old_design_requests(world, start, end, settings["overlap_s"], settings["grace_s"])
        new = new_design_requests(sim, start, end)
    print(json.dumps({
        "markets": args.markets, "world_trades": trades, "taker_trades_per_s": round(rate, 2),
        "interval": [start.isoformat(), end.isoformat()],
        "old_design": {"live_markets": live, "requests": old},
        "new_design": new, "ratio_old_to_new": round(old / max(1, new["requests"]), 1),
        "bench_seconds": round(time.perf_counter() - started, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
