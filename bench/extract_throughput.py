"""Extraction throughput: pages/s and rows/s landed, side by side for engine variants.

    PYTHONPATH=.:plugins:include .venv/bin/python bench/extract_throughput.py [--markets 100000] [--trades 10000000]

The simulator runs in its own process (a 100k-market / 10M-trade world by default); the
extraction engine (prediction_markets.operators.walk.Extraction, the operator's loop) lands
into a fresh Postgres database. Workloads:
  markets  every market through /markets/keyset: the open walk and the closed backfill
  trades   full history of the busiest markets through the Data API v2 (`condition=` lists of
           20 markets, 1,000 taker trades per page, each walk to the end of the API's window)
Variants, in one run so their ratios are comparable:
  w1-unlimited  one walk at a time, rate limits lifted
  w4-unlimited  four walks in parallel, rate limits lifted
  w4-published  four walks in parallel at the venue's published limits (a live run's pace)
Peak RSS of this process (client + writer) and of the simulator are reported too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 9, 1, tzinfo=timezone.utc)
INTERVAL_HOURS = 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def start_simulator(markets: int, trades: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "venue_simulator", "--port", str(port), "--polymarket-markets", str(markets),
         "--polymarket-trades", str(trades), "--now", NOW.isoformat()],
        env={**os.environ, "PYTHONPATH": str(ROOT / "include")}, stdout=subprocess.PIPE, text=True,
    )
    proc.stdout.readline()  # "venue simulator ready ..."
    return proc, f"http://127.0.0.1:{port}"


def busiest_markets(markets: int, trades: int, count: int):
    """Catalog entries of the markets with the most fills at NOW (from the simulator's world)."""
    from prediction_markets.adapters.base import CatalogEntry
    from venue_simulator.polymarket.world import PolymarketWorld

    world = PolymarketWorld(seed=42, n_markets=markets, n_trades=trades,
                            epoch_start=datetime(2025, 1, 1, tzinfo=timezone.utc),
                            epoch_end=datetime(2027, 1, 1, tzinfo=timezone.utc))
    now = NOW.timestamp()
    ranked = sorted(range(world.market_count(now)), key=lambda i: world.plan(i).row_count(now, False), reverse=True)
    return [CatalogEntry(world.condition_id(i), None, {}, None, None, False) for i in ranked[:count]]


def run_variant(db, base_url: str, resources: list[str], workers: int, scale: float, items=None, settings=None):
    from local_stack.env import simulator_connections
    from prediction_markets.adapters import get_adapter
    from prediction_markets.adapters.base import Interval, RunContext
    from prediction_markets.hooks.ratelimit import LocalStore
    from prediction_markets.hooks.venue_http import VenueHttpHook
    from prediction_markets.landing.reader import LandingReader
    from prediction_markets.landing.writer import LandingWriter, RunInfo
    from prediction_markets.operators.walk import Extraction

    os.environ.update(simulator_connections(base_url, {"rate_limit_scale": scale}))
    adapter = get_adapter("polymarket", settings)
    store = LocalStore()
    hooks = {c: VenueHttpHook(c, rate_rules=adapter.rate_rules(c), limiter_store=store, pool_size=workers + 2)
             for c in adapter.conn_ids(resources)}
    interval = Interval(NOW - timedelta(hours=INTERVAL_HOURS), NOW)
    reader = LandingReader(db.connect(), "polymarket")
    writer = LandingWriter(db.connect(), RunInfo("polymarket", resources, interval, run_id="bench"))
    writer.start_run()
    ctx = RunContext(interval, datetime.now(timezone.utc), adapter.settings, catalog=reader)
    if items is not None:
        ctx.items = items
    started = time.perf_counter()
    totals = Extraction(adapter, ctx, hooks, writer, reader, max_workers=workers).run(resources)
    seconds = time.perf_counter() - started
    nbytes = sum(h.stats.bytes for h in hooks.values())
    return {"pages": totals.pages, "rows": totals.records, "seconds": round(seconds, 2),
            "pages_per_s": round(totals.pages / seconds, 1), "rows_per_s": round(totals.records / seconds),
            "mb_per_s": round(nbytes / seconds / 1e6, 2), "failed": totals.scopes_failed}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--markets", type=int, default=100_000)
    p.add_argument("--trades", type=int, default=10_000_000)
    p.add_argument("--trade-markets", type=int, default=100, help="busiest markets whose trades are synced")
    args = p.parse_args()
    sys.path[:0] = [str(ROOT), str(ROOT / "plugins"), str(ROOT / "include")]
    from local_stack.warehouse import ensure_database
    from prediction_markets.landing.migrations import apply_migrations

    sim, base_url = start_simulator(args.markets, args.trades)
    sample = busiest_markets(args.markets, args.trades, args.trade_markets)
    results = {}
    try:
        for variant, workers, scale in (("w1-unlimited", 1, 1000.0), ("w4-unlimited", 4, 1000.0),
                                        ("w4-published", 4, 1.0)):
            db = ensure_database("pm_bench", recreate=True)
            with db.connect() as conn:
                apply_migrations(conn)
            markets = run_variant(db, base_url, ["markets"], workers, scale)
            trades = run_variant(db, base_url, ["trades_history"], workers, scale, items=sample)
            results[variant] = {"markets": markets, "trades": trades}
            print(variant, json.dumps(results[variant]), flush=True)
    finally:
        sim_rss = rss_mb(sim.pid)
        sim.terminate()
        sim.wait()
    results["rss_mb"] = {"client": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                         "simulator": round(sim_rss, 1)}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
