"""A run killed between pages resumes where it stopped: no gap, no page fetched twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import defaultdict
from datetime import timedelta

import pytest

from prediction_markets.adapters.polymarket.data_api import trade_keys
from tests.support.airflow_runs import run_dag
from tests.support.sim import NOW, point_connections_at, running_simulator

pytestmark = pytest.mark.slow
PAGE = 5  # small pages: the hour's feed walk spans many of them
CHILD = textwrap.dedent(
    """
    from datetime import datetime
    from tests.support.airflow_runs import get_dag
    get_dag("extract_polymarket").test(logical_date=datetime.fromisoformat({now!r}))
    """
)


def landed_trade_pages(warehouse):
    return warehouse.rows(
        "select scope, coalesce(request_params->>'cursor', ''), response from landing.raw_api_responses "
        "where resource = 'trades' and status_code = 200 order by landing_id")


def wait_for(predicate, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_killed_extraction_resumes_without_gap_or_duplicate(airflow_db, landing, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_POLYMARKET_SETTINGS", json.dumps({"trades_page_size": PAGE}))
    with running_simulator(polymarket_markets=10, polymarket_trades=400_000,
                           epoch_start="2026-10-20T00:00:00Z", epoch_end="2027-01-01T00:00:00Z") as sim:
        point_connections_at(sim)
        sim.add_fault(kind="slow", delay=0.1, service="polymarket/data", path="/v2/trades", times=None)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        child = subprocess.Popen([sys.executable, "-c", CHILD.format(now=NOW.isoformat())], env=env,
                                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert wait_for(lambda: len(landed_trade_pages(landing)) >= 6), "no trade pages landed"
        finally:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        before_kill = landed_trade_pages(landing)
        pending = landing.rows("select scope, cursor from landing.sync_state where resource = 'trades' and cursor is not null")
        assert pending, "the kill must interrupt at least one walk"

        sim.clear_faults()
        seq = sim.requests()[-1]["seq"]
        run_dag("extract_polymarket", NOW)
        resumed_requests = [r for r in sim.requests(since=seq) if r["path"] == "/v2/trades"]

        pages = landed_trade_pages(landing)
        cursors = defaultdict(list)
        keys = []
        for scope, cursor, response in pages:
            cursors[scope].append(cursor)
            keys.extend(trade_keys(response["data"]))
        for scope, seen in cursors.items():
            assert len(seen) == len(set(seen)), f"{scope}: a page was landed twice"
        # Every fill of the interval is landed once, none missing across the kill.
        since = (NOW - timedelta(hours=1)).timestamp()
        truth = [r for r in sim.polymarket.v2_global_trades(NOW, min_size=1e-6) if r["timestamp"] >= since]
        assert set(trade_keys(truth)) <= set(keys)
        assert len(keys) == len(set(keys)), "a fill was landed twice"
        # The interrupted walk continued at its cursor, not at the top of the feed.
        for scope, cursor in pending:
            first = next((r for r in resumed_requests), None)
            assert first is not None, f"{scope}: interrupted walk not continued"
            assert first["query"].get("cursor") == [dict(cursor["next"]["params"])["cursor"]], (scope, cursor)
        assert len(pages) > len(before_kill)
