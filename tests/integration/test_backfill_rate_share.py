"""A long full sync and the hourly DAG at the same time, against a simulator that enforces the
venue's limits (scaled down): together they never exceed a limit (no 429, no window over it), and
the hourly run completes while the full sync is still walking (it draws on a lower share)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections import deque

import pytest

from tests.support.airflow_runs import run_dag
from tests.support.sim import NOW, point_connections_at, running_simulator

pytestmark = pytest.mark.slow
FACTOR = 0.2  # every published limit x 0.2, in the simulator and in the client alike
CHILD = textwrap.dedent(
    """
    from datetime import datetime
    from tests.support.airflow_runs import get_dag
    get_dag("backfill_polymarket").test(logical_date=datetime.fromisoformat({now!r}),
                                        run_conf={{"resources": ["trades_history"]}})
    """
)


def busiest_window(times: list[float], period: float = 10.0) -> int:
    """The most requests inside any sliding window of `period` seconds."""
    window, best = deque(), 0
    for t in sorted(times):
        window.append(t)
        while window[0] <= t - period:
            window.popleft()
        best = max(best, len(window))
    return best


def test_full_sync_and_hourly_runs_share_the_budget(airflow_db, landing, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_POLYMARKET_SETTINGS", json.dumps({"trades_page_size": 200}))
    with running_simulator(polymarket_markets=40, polymarket_trades=200_000, kalshi_markets=0,
                           enforce_rate_limits=True, rate_limit_factor=FACTOR,
                           epoch_start="2026-06-01T00:00:00Z", epoch_end="2027-01-01T00:00:00Z") as sim:
        point_connections_at(sim, {"rate_limit_scale": FACTOR})
        run_dag("extract_polymarket", NOW)  # the catalog the full sync walks
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        started = sim.requests()[-1]["seq"]
        child = subprocess.Popen([sys.executable, "-c", CHILD.format(now=NOW.isoformat())], env=env,
                                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while not any(r["path"] == "/v2/trades" and "condition" in r["query"] for r in sim.requests(since=started)):
                assert time.monotonic() < deadline and child.poll() is None, "the full sync never started walking"
                time.sleep(0.2)
            run_dag("extract_polymarket", NOW)  # an hourly run in the middle of the full sync
            hourly_done = time.monotonic()
            assert child.poll() is None, "the full sync should still be walking: make the world larger"
            assert child.wait(timeout=900) == 0
        finally:
            if child.poll() is None:
                child.kill()
        log = [r for r in sim.requests(since=started) if r["service"] == "polymarket/data"]
    assert hourly_done and log
    assert not [r for r in log if r["status"] == 429], "a published limit was exceeded"
    trades = [r["time"] for r in log if r["path"] == "/v2/trades"]
    data = [r["time"] for r in log]
    # The simulator's own windows (300 and 1,000 per 10 s, scaled) were never full.
    assert busiest_window(trades) <= 300 * FACTOR and busiest_window(data) <= 1000 * FACTOR
    history = [r["time"] for r in log if r["path"] == "/v2/trades" and "condition" in r["query"]]
    # The full sync kept to its share of the client's budget (20/s x 0.2, at half, with 10% safety).
    assert busiest_window(history) <= 20 * 10 * FACTOR * 0.5 + 2
    assert landing.value("select count(*) from landing.ingestion_runs where outcome not in ('success')") == 0
