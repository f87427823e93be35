"""A 100k-market / 10M-trade Kalshi world starts and serves pages.

Runs in a child process; timings and RSS are printed (``pytest -s``), never asserted.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

INCLUDE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "include")

CHILD = r"""
import json, time
import requests

def rss_mb(field):      # /proc figures: ru_maxrss would include the forking pytest process
    with open("/proc/self/status") as fh:
        return next(round(int(l.split()[1]) / 1024, 1) for l in fh if l.startswith(field))

t0 = time.perf_counter()
from venue_simulator import SimConfig, SimulatorServer
config = SimConfig(seed=11, kalshi_series=40, kalshi_markets=100_000, kalshi_trades=10_000_000,
                   now="2026-09-01T00:00:00Z")
sim = SimulatorServer(config, mount_polymarket=False).start()
out = {"startup_s": round(time.perf_counter() - t0, 3), "rss_after_start_mb": rss_mb("VmRSS:")}
world, base = sim.kalshi, sim.url("kalshi")
out["existing"] = world.market_count(sim.now())

def walk(s, path, params, key, pages):
    cursor, seen, ms = None, [], []
    for _ in range(pages):
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        t = time.perf_counter()
        r = s.get(base + path, params=query)
        ms.append(round((time.perf_counter() - t) * 1000, 1))
        body = r.json()
        seen += [x.get("trade_id") or x.get("ticker") or x.get("event_ticker") for x in body[key]]
        cursor = body.get("cursor")
        if not cursor:
            break
    return {"status": r.status_code, "items": len(seen), "unique": len(set(seen)), "ms": ms}

with requests.Session() as s:
    out["markets"] = walk(s, "/markets", {"limit": 200}, "markets", 3)
    out["markets_exclude"] = walk(s, "/markets", {"limit": 200, "mve_filter": "exclude"}, "markets", 2)
    out["events"] = walk(s, "/events", {"limit": 200}, "events", 2)
    out["trades"] = walk(s, "/markets/trades", {"limit": 1000}, "trades", 3)
    out["historical_trades"] = walk(s, "/historical/trades", {"limit": 1000}, "trades", 2)
    out["historical_markets"] = walk(s, "/historical/markets", {"limit": 200}, "markets", 2)
    deep = "KXELONMARS-99"
    out["deep_trades"] = world.trade_count(deep, sim.now())
    out["deep_walk"] = walk(s, "/markets/trades", {"limit": 1000, "ticker": deep}, "trades", 2)
    t = time.perf_counter()
    book = s.get(f"{base}/markets/{deep}/orderbook")
    candles = s.get(f"{base}/series/KXELONMARS/markets/{deep}/candlesticks",
                    params={"start_ts": int(sim.now()) - 7 * 86400, "end_ts": int(sim.now()), "period_interval": 60})
    out["book_status"], out["candles"] = book.status_code, len(candles.json()["candlesticks"])
    out["book_and_168_candles_ms"] = round((time.perf_counter() - t) * 1000, 1)
sim.stop()
out["rss_end_mb"], out["peak_rss_mb"] = rss_mb("VmRSS:"), rss_mb("VmHWM:")
print(json.dumps(out))
"""


def test_large_kalshi_world_is_cheap():
    env = {**os.environ, "PYTHONPATH": INCLUDE}
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print("\nlarge kalshi world:", json.dumps(out))
    assert out["existing"] > 75_000
    for name in ("markets", "markets_exclude", "events", "trades", "historical_trades", "historical_markets",
                 "deep_walk"):
        page = out[name]
        assert page["status"] == 200 and page["items"] == page["unique"] > 0, name
    assert out["markets"]["items"] > 200 and out["trades"]["items"] > 1000
    assert out["deep_trades"] > 100_000
    assert out["book_status"] == 200 and out["candles"] == 169
