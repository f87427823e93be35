"""A 100k-market / 10M-trade world serves every endpoint.

Runs in a child process; timings and RSS are printed (``pytest -s``) but not asserted: they
are measured by bench/simulator_scale.py and recorded in BENCHMARKS.md.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

INCLUDE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "include")

CHILD = r"""
import json, resource, time
import requests
t0 = time.perf_counter()
from venue_simulator import SimConfig, SimulatorServer
config = SimConfig(seed=11, polymarket_markets=100_000, polymarket_trades=10_000_000, now="2026-09-01T00:00:00Z",
                   polymarket_v1_trades="served")   # the v1 route is measured too
sim = SimulatorServer(config).start()
startup = time.perf_counter() - t0
world = sim.polymarket
out = {"startup_s": startup, "existing": world.market_count(sim.now())}
gamma, data, clob = sim.url("polymarket/gamma"), sim.url("polymarket/data"), sim.url("polymarket/clob")
with requests.Session() as s:
    cursor, pages, page_ms, ids = None, 0, [], []
    while pages < 6:
        params = {"limit": 100, "closed": "true"}
        if cursor:
            params["after_cursor"] = cursor
        t = time.perf_counter()
        r = s.get(f"{gamma}/markets/keyset", params=params)
        page_ms.append((time.perf_counter() - t) * 1000)
        body = r.json()
        ids += [m["id"] for m in body["markets"]]
        cursor = body.get("next_cursor")
        pages += 1
    out["keyset_status"] = r.status_code
    out["keyset_ids"] = len(ids)
    out["keyset_unique"] = len(set(ids))
    out["keyset_ms"] = page_ms
    cid = world.condition_id(0)
    out["deep_rows"] = world.trade_count(cid, sim.now())
    trade_ms = []
    for offset in (0, 1000, 3000):
        t = time.perf_counter()
        r = s.get(f"{data}/trades", params={"market": cid, "limit": 500, "offset": offset, "takerOnly": "false"})
        trade_ms.append((time.perf_counter() - t) * 1000)
        rows = r.json()
    out["trades_status"] = r.status_code
    out["trades_rows"] = len(rows)
    out["trades_ms"] = trade_ms
    token = world.token_ids(0)[0]
    out["book_status"] = s.get(f"{clob}/book", params={"token_id": token}).status_code
    out["history_points"] = len(s.get(f"{clob}/prices-history", params={"market": token, "interval": "max",
                                                                         "fidelity": 60}).json()["history"])
    # Data API v2 and the keyset events
    def page(url, params):
        t = time.perf_counter()
        r = s.get(url, params=params)
        return r, round((time.perf_counter() - t) * 1000, 1)
    v2 = {}
    r, v2["cond_p1_ms"] = page(f"{data}/v2/trades", {"condition": cid, "limit": 1000, "taker_only": "false"})
    r, v2["cond_p2_ms"] = page(f"{data}/v2/trades", {"condition": cid, "limit": 1000, "taker_only": "false",
                                                     "cursor": r.json()["pagination"]["next_cursor"]})
    v2["cond_rows"] = len(r.json()["data"])
    r, v2["global_p1_ms"] = page(f"{data}/v2/trades", {"limit": 1000})
    r, v2["global_p2_ms"] = page(f"{data}/v2/trades", {"limit": 1000, "cursor": r.json()["pagination"]["next_cursor"]})
    v2["global_rows"] = len(r.json()["data"])
    many = ",".join(world.condition_id(i) for i in range(1000, 1020))
    r, v2["resolutions_20_ms"] = page(f"{data}/v2/resolutions", {"condition": many})
    v2["resolutions"] = len(r.json()["data"])
    r, v2["prices_max_ms"] = page(f"{data}/v2/prices-history", {"token_id": token, "interval": "max"})
    v2["prices_points"] = len(r.json()["data"])
    r, v2["events_keyset_ms"] = page(f"{gamma}/events/keyset", {"limit": 100, "closed": "true"})
    v2["events"] = len(r.json()["events"])
    out["v2"] = v2
sim.stop()
out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def test_large_world_is_cheap():
    env = {**os.environ, "PYTHONPATH": INCLUDE}
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print("\nlarge world:", json.dumps(out))
    assert out["existing"] > 75_000
    assert out["keyset_status"] == 200 and out["keyset_ids"] == 600 and out["keyset_unique"] == 600
    assert out["deep_rows"] > 10_000
    assert out["trades_status"] == 200 and out["trades_rows"] == 500
    assert out["book_status"] == 200 and out["history_points"] == 900
    v2 = out["v2"]
    assert v2["cond_rows"] == 1000 and v2["global_rows"] == 1000 and v2["events"] == 100
    assert v2["resolutions"] == 20 and v2["prices_points"] > 100
