"""The venue simulator at benchmark scale: startup time, memory and page latency.

    PYTHONPATH=include .venv/bin/python bench/simulator_scale.py [--markets 100000] [--trades 10000000]

Each venue's world runs in a child process (so RSS is the simulator's own) and serves a few
pages over loopback: the listing walk's pages and the deepest trade pages, as the extractors
request them. Medians of the timed requests are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, statistics, sys, time
import requests
from venue_simulator import SimConfig, SimulatorServer

markets, trades = int(sys.argv[1]), int(sys.argv[2])
t0 = time.perf_counter()
sim = SimulatorServer(SimConfig(seed=11, polymarket_markets=markets, polymarket_trades=trades,
                                kalshi_markets=markets, kalshi_trades=trades, now="2026-09-01T00:00:00Z")).start()
out = {"startup_s": round(time.perf_counter() - t0, 2), "rss_after_start_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}

def timed(session, url, params, n=5):
    ms = []
    for _ in range(n):
        t = time.perf_counter()
        r = session.get(url, params=params)
        ms.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code, r.text[:200])
    return round(statistics.median(ms), 1)

gamma, data, clob, kalshi = (sim.url(s) for s in ("polymarket/gamma", "polymarket/data", "polymarket/clob", "kalshi"))
world = sim.polymarket
deep = world.condition_id(0)
now = sim.now()
open_market = next(i for i in range(world.market_count(now) - 1, -1, -1) if not world.is_closed(i, now))
with requests.Session() as s:
    out["gamma_keyset_100_ms"] = timed(s, f"{gamma}/markets/keyset", {"closed": "true", "limit": 100})
    out["data_trades_500_ms"] = timed(s, f"{data}/trades", {"market": deep, "limit": 500, "offset": 3000, "takerOnly": "false"})
    out["clob_book_ms"] = timed(s, f"{clob}/book", {"token_id": world.token_ids(open_market)[0]})
    out["kalshi_markets_1000_ms"] = timed(s, f"{kalshi}/markets", {"limit": 1000, "mve_filter": "exclude"})
    out["kalshi_trades_1000_ms"] = timed(s, f"{kalshi}/markets/trades", {"limit": 1000})
    out["kalshi_historical_trades_1000_ms"] = timed(s, f"{kalshi}/historical/trades", {"limit": 1000})
sim.stop()
out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(out))
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--markets", type=int, default=100_000)
    p.add_argument("--trades", type=int, default=10_000_000)
    args = p.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "include")}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(args.markets), str(args.trades)], env=env,
                          capture_output=True, text=True)
    if proc.returncode:
        sys.exit(proc.stderr[-3000:])
    print(json.dumps({"markets": args.markets, "trades": args.trades,
                      **json.loads(proc.stdout.strip().splitlines()[-1])}, indent=2))


if __name__ == "__main__":
    main()
