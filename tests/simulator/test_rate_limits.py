"""Optional rate-limit enforcement: sliding windows, queueing first, then 429 without Retry-After."""
from __future__ import annotations

import requests

from sim_truth import NOW
from venue_simulator import SimConfig, SimulatorServer


def test_over_the_limit_is_queued_then_refused():
    config = SimConfig(seed=3, polymarket_markets=20, polymarket_trades=2000, now=NOW, enforce_rate_limits=True,
                       rate_limit_factor=0.01, rate_limit_max_queue=0.3,   # /trades: 200 -> 2 per 10 s
                       polymarket_v1_trades="served")
    with SimulatorServer(config) as sim, requests.Session() as http:
        url = f"{sim.url('polymarket/data')}/trades"
        codes = [http.get(url, params={"limit": 1}).status_code for _ in range(4)]
        assert codes == [200, 200, 429, 429]
        resp = http.get(url)
        assert resp.status_code == 429 and "Retry-After" not in resp.headers
        assert resp.json() == {"error": "Too Many Requests"}
        refused = [e for e in sim.requests() if e["status"] == 429]
        assert refused and all(e["queued_seconds"] >= 0.29 for e in refused)
        # other endpoints of the host have their own (larger) budget
        assert http.get(f"{sim.url('polymarket/gamma')}/markets").status_code == 200


def test_queueing_absorbs_a_short_burst():
    config = SimConfig(seed=3, polymarket_markets=20, polymarket_trades=2000, now=NOW, enforce_rate_limits=True,
                       rate_limit_factor=0.01, rate_limit_window=1.0, rate_limit_max_queue=1.5,
                       polymarket_v1_trades="served")
    with SimulatorServer(config) as sim, requests.Session() as http:
        url = f"{sim.url('polymarket/data')}/trades"
        codes = [http.get(url, params={"limit": 1}).status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        first, _, third = sim.requests()
        assert third["queued_seconds"] > 0          # the third waited for the window to slide
        assert third["time"] + third["queued_seconds"] >= first["time"] + 0.9


def test_limits_are_off_by_default(sim, http, data, world):
    codes = {http.get(f"{data}/trades", params={"market": world.condition_id(0), "limit": 1}).status_code
             for _ in range(30)}
    assert codes == {200}
