"""Server core: routing, content types, keep-alive, determinism, lifecycle and the CLI."""
from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys

import requests

from sim_truth import NOW, NOW_TS, SMALL, biggest_market, open_indices
from venue_simulator import SimConfig, SimulatorServer

INCLUDE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "include")


def test_unknown_routes_are_json_404(http, sim, gamma):
    for url in (f"{sim.base_url}/nowhere", f"{gamma}/nowhere", f"{sim.base_url}/polymarket/unknown/x",
                f"{sim.base_url}/_sim/nothing"):
        resp = http.get(url)
        assert resp.status_code == 404, url
        assert resp.headers["content-type"] == "application/json"
        assert "error" in resp.json()


def test_keep_alive_and_content_length(sim, world):
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    for path in ("/polymarket/gamma/markets?limit=2", "/polymarket/clob/book?token_id=" + world.token_ids(0)[0],
                 "/polymarket/data/trades?limit=3&market=" + world.condition_id(0)):
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 200 and resp.version == 11
        assert int(resp.getheader("Content-Length")) == len(body)
        assert resp.getheader("Content-Type") == "application/json"
        assert not resp.will_close
    conn.close()


def test_same_seed_same_bytes_other_seed_other_bytes():
    deep = None
    bodies = []
    for seed in (42, 42, 43):
        with SimulatorServer(SimConfig(**{**SMALL, "seed": seed})) as sim, requests.Session() as s:
            world = sim.polymarket
            if deep is None:
                deep = biggest_market(world)
            i = open_indices(world)[0]
            bodies.append([
                s.get(f"{sim.url('polymarket/gamma')}/markets/keyset", params={"limit": 50}).content,
                s.get(f"{sim.url('polymarket/gamma')}/events", params={"limit": 50}).content,
                s.get(f"{sim.url('polymarket/data')}/trades",
                      params={"market": world.condition_id(deep), "limit": 500, "takerOnly": "false"}).content,
                s.get(f"{sim.url('polymarket/clob')}/book", params={"token_id": world.token_ids(i)[0]}).content,
                s.get(f"{sim.url('polymarket/clob')}/prices-history",
                      params={"market": world.token_ids(i)[1], "interval": "1w", "fidelity": 60}).content,
            ])
    assert bodies[0] == bodies[1]
    assert all(a != b for a, b in zip(bodies[0], bodies[2]))


def test_start_stop_and_port_zero():
    server = SimulatorServer(SimConfig(seed=1, polymarket_markets=5, polymarket_trades=100, now=NOW))
    server.start()
    url = server.base_url
    assert url.startswith("http://127.0.0.1:") and server.port > 0
    with requests.Session() as s:
        assert s.get(f"{url}/_sim/health").json()["ok"] is True
        server.stop()
        try:
            s.get(f"{url}/_sim/health", timeout=2)
            raise AssertionError("server still answering after stop()")
        except requests.exceptions.ConnectionError:
            pass


def test_cli_serves_until_sigterm():
    env = {**os.environ, "PYTHONPATH": INCLUDE}
    proc = subprocess.Popen(
        [sys.executable, "-m", "venue_simulator", "--port", "0", "--seed", "7", "--polymarket-markets", "30",
         "--polymarket-trades", "5000", "--now", "2026-07-01T00:00:00Z", "--enforce-rate-limits"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = proc.stdout.readline()
        assert "ready" in first, first + proc.stderr.read()
        lines = [proc.stdout.readline() for _ in range(4)]
        urls = {line.split()[0]: line.split()[1] for line in lines}
        assert set(urls) == {"kalshi", "polymarket/gamma", "polymarket/clob", "polymarket/data"}
        assert urls["kalshi"].endswith("/kalshi/trade-api/v2")
        assert urls["polymarket/gamma"].endswith("/polymarket/gamma")
        base = urls["polymarket/gamma"].rsplit("/polymarket/gamma", 1)[0]
        assert requests.get(f"{base}/_sim/clock", timeout=5).json()["epoch"] == NOW_TS
        assert requests.get(f"{base}/_sim/ratelimits", timeout=5).json()["enforced"] is True
        markets = requests.get(f"{urls['polymarket/gamma']}/markets/keyset", timeout=5).json()["markets"]
        assert markets
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert "stopped" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
