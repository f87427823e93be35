"""The platform under a real scheduler (LocalExecutor; api-server, scheduler, dag-processor and
triggerer as separate processes): an unpaused, triggered extract_polymarket run succeeds, its
landing Assets trigger transform_dbt by themselves, the marts come out populated, and every
component stops cleanly. dag.test() exercises none of pools, Assets or the executor."""

from __future__ import annotations

import os
import socket

import psutil
import pytest

from local_stack.platform import LocalPlatform
from local_stack.warehouse import ensure_database
from tests.support.sim import running_simulator

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_extract_run_triggers_transform_through_assets(landing, tmp_path):
    landing.truncate_landing()
    landing.drop_models()
    metadata = ensure_database(f"{landing.db.name}_airflow", recreate=True)
    # The simulator follows the wall clock: the scheduler picks the last complete hour.
    with running_simulator(now=None, polymarket_markets=40, polymarket_trades=400_000, kalshi_markets=0) as sim:
        platform = LocalPlatform(tmp_path / "airflow", landing.db, metadata, sim.base_url, api_port=free_port(),
                                 extra_env={"AIRFLOW__CORE__DAGS_FOLDER": os.environ["AIRFLOW__CORE__DAGS_FOLDER"]})
        platform.prepare()
        platform.stack.start()
        try:
            pids = {name: proc.pid for name, proc in platform.stack.procs.items()}
            followed = platform.start_extracts(["extract_polymarket"])
            run = platform.wait_for("extract_polymarket", followed["extract_polymarket"], timeout=600)
            assert run.state == "success", platform.stack.log_dir
            transforms = platform.wait_for_transforms(followed, timeout=900)
        finally:
            platform.stack.stop()
    assert transforms and all(t.run_type == "asset_triggered" for t in transforms)
    assert all(t.state == "success" for t in transforms)
    assert not [pid for pid in pids.values() if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
    counts = dict(landing.rows(
        "select 'markets', count(*) from marts.markets union all "
        "select 'outcomes', count(*) from marts.market_outcomes union all "
        "select 'trades', count(*) from marts.trades union all "
        "select 'fills', count(*) from marts.trade_fills union all "
        "select 'books', count(*) from marts.orderbook_snapshots"))
    assert counts["markets"] > 0 and counts["outcomes"] == 2 * counts["markets"]
    # Legacy /trades pages (taker and maker rows mixed) are fills; the v2 taker-only feed gives trades.
    assert counts["trades"] + counts["fills"] > 0 and counts["books"] > 0
    with metadata.connect() as conn:
        pools = {r[0] for r in conn.execute(
            "select distinct pool from task_instance where dag_id = 'extract_polymarket'").fetchall()}
    assert pools == {"polymarket"}
