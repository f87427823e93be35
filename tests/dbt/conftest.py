"""dbt against the test warehouse: a runner for the project in dbt_project/ (a subprocess of the
venv's dbt, so each phase is one clean invocation), helpers to read the marts, and the landing and
builds every dbt test module shares (each phase is landed and built once per test run).

Phases, in simulated time:
1. Landing: an hour of Polymarket at NOW; Kalshi: an hour of January 2026 while the simulator serves
   the legacy payloads (integer cents and counts only), then, on a fresh extraction state, the hour
   ending NOW (after the historical cutoff, current payloads) and the same January hour again
   (before the cutoff: historical tier, current payloads). Then `dbt build`. The venue-truth tests
   (test_dbt_project.py, test_kalshi_marts.py) read this state.
2. One more hour of both venues and a page of Kalshi parlays, then an incremental `dbt build`;
   rerun, full refresh and the other incremental tests (test_marts_incremental.py). pytest collects a
   directory's modules in name order, so phase 2 runs after the phase-1 modules; a phase-1 test
   that finds phase 2 already built fails instead of comparing the wrong state.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from tests.support.sim import NOW, point_connection_at, point_connections_at, running_simulator

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")
DBT_SCHEMAS = ("staging", "intermediate", "marts")
MART_KEYS = {
    "markets": ("market_id", "source"),
    "market_outcomes": ("market_id", "outcome_id", "source"),
    "events": ("event_id", "source"),
    "trades": ("trade_id", "source"),
    "trade_fills": ("fill_id", "source"),
    "price_snapshots": ("market_id", "outcome_id", "snapshot_at", "source"),
    "orderbook_snapshots": ("market_id", "outcome_id", "snapshot_at", "source"),
    "market_resolutions": ("market_id", "source"),
    "market_completeness": ("market_id", "source"),
}
# The operational marts, rebuilt whole on every run (not incremental): what waits, what is missing.
REBUILT_MART_KEYS = {
    "late_references": ("mart", "source", "market_id", "outcome_id"),
    "open_gaps": ("gap_id",),
}
ALL_MARTS = {**MART_KEYS, **REBUILT_MART_KEYS}


@dataclass
class DbtResult:
    args: list[str]
    returncode: int
    output: str
    seconds: float

    def check(self) -> DbtResult:
        assert self.returncode == 0, f"dbt {' '.join(self.args)} failed:\n{self.output[-6000:]}"
        return self


class Dbt:
    def __init__(self, database, work_dir: Path) -> None:
        self.env = {
            **os.environ,
            "PM_PG_HOST": database.host,
            "PM_PG_PORT": str(database.port),
            "PM_PG_USER": database.role,
            "PM_PG_PASSWORD": database.password,
            "PM_PG_DATABASE": database.name,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        self.target = work_dir / "target"
        self.logs = work_dir / "logs"

    def __call__(self, *args: str) -> DbtResult:
        cmd = [str(DBT), *args, "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
               "--target-path", str(self.target), "--log-path", str(self.logs)]
        started = time.monotonic()
        proc = subprocess.run(cmd, cwd=PROJECT, env=self.env, capture_output=True, text=True)
        return DbtResult(list(args), proc.returncode, proc.stdout + proc.stderr, time.monotonic() - started)


@pytest.fixture(scope="session")
def dbt(warehouse, tmp_path_factory):
    """The dbt project against the test warehouse, its own schemas dropped first."""
    warehouse.drop_models()
    return Dbt(warehouse.db, tmp_path_factory.mktemp("dbt"))


def mart_rows(warehouse, table: str) -> list[tuple]:
    """Every row of a mart, every column, in key order (jsonb and numerics compared as text)."""
    columns = [r[0] for r in warehouse.rows(
        "select column_name from information_schema.columns where table_schema = 'marts' and table_name = %s "
        "order by ordinal_position", (table,))]
    assert columns, f"marts.{table} does not exist"
    select = ", ".join(f"{c}::text" for c in columns)
    order = ", ".join(ALL_MARTS[table])
    return warehouse.rows(f"select {select} from marts.{table} order by {order}")


def all_marts(warehouse) -> dict[str, list[tuple]]:
    return {table: mart_rows(warehouse, table) for table in ALL_MARTS}


def run_extract(logical_date, dag_id: str = "extract_polymarket"):
    """dag.test() of an extract DAG, loading only dags/extract_venues.py (the DAG file that builds
    the extract DAGs), so the dbt tests do not depend on the state of other DAG files."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags" / "extract_venues.py"))
    assert not bag.import_errors, bag.import_errors
    run = bag.dags[dag_id].test(logical_date=logical_date)
    assert run.state == "success", f"{dag_id} {logical_date}: {run.state}"
    return run


# ------------------------------------------------------------------------------ shared landing

HOUR = timedelta(hours=1)
LEGACY = datetime(2026, 1, 5, 12, tzinfo=UTC)  # before 2026-01-12: Kalshi cents and integer counts only
# Small, with open Polymarket markets shallow and deeper than the trades API reaches, and closed ones
# settled exactly and with fractional last prices.
POLYMARKET_WORLD = {"polymarket_markets": 16, "polymarket_trades": 40000, "kalshi_markets": 0,
                    "epoch_start": "2026-03-01T00:00:00Z", "epoch_end": "2027-01-01T00:00:00Z"}
# Kalshi from October 2025, so that January 2026 is traded (legacy payloads) and the historical
# cutoff (90 days before the simulated now) falls between January and November.
KALSHI_WORLD = {"polymarket_markets": 0, "kalshi_markets": 480, "kalshi_trades": 4_000_000,
                "epoch_start": "2025-10-01T00:00:00Z", "epoch_end": "2027-01-01T00:00:00Z"}
PHASE = {"incremental": False}


@pytest.fixture(scope="session")
def simulators(airflow_db, warehouse):
    """One simulator per venue (their worlds need different epochs), the connections pointed at them."""
    warehouse.truncate_landing()
    with running_simulator(**POLYMARKET_WORLD) as polymarket, \
            running_simulator(now=LEGACY, **KALSHI_WORLD) as kalshi:
        point_connections_at(polymarket)
        point_connection_at("kalshi", kalshi.url("kalshi"))
        yield {"polymarket": polymarket, "kalshi": kalshi}


@pytest.fixture(scope="session")
def kalshi_runs(simulators, warehouse):
    """Phase 1 landing of both venues; returns the Kalshi run_id -> the simulated now it ran at."""
    kalshi = simulators["kalshi"]
    runs = {run_extract(LEGACY, "extract_kalshi").run_id: LEGACY}
    # A fresh extraction state in the current era: every Kalshi listing is walked again at NOW.
    warehouse.execute("delete from landing.sync_state where source = 'kalshi'")
    warehouse.execute("delete from landing.market_catalog where source = 'kalshi'")
    kalshi.set_now(NOW)
    runs[run_extract(NOW, "extract_kalshi").run_id] = NOW
    runs[run_extract(LEGACY, "extract_kalshi").run_id] = NOW  # January again: historical tier, current shape
    run_extract(NOW, "extract_polymarket")
    return runs


@pytest.fixture(scope="session")
def first_build(kalshi_runs, dbt):
    return dbt("build").check()


@pytest.fixture
def phase_one(first_build):
    """The phase 1 build, for tests comparing it with the venues at NOW."""
    assert not PHASE["incremental"], "phase 1 tests must run before the phase 2 build"
    return first_build


def land_kalshi_parlays(warehouse, world) -> None:
    """A /markets page and a trades page of parlay markets, as landed with `mve_filter` unset."""
    parlays = world.markets(NOW, tier="live", mve=True)[:3]
    traded = [t for m in world.markets(NOW, tier="historical", mve=True)
              for t in world.trades(NOW, ticker=m["ticker"], tier="historical", limit=5)][:5]
    assert parlays and traded
    for resource, endpoint, body in (("markets", "/markets", {"markets": parlays, "cursor": ""}),
                                     ("trades", "/historical/trades", {"trades": traded, "cursor": None})):
        warehouse.execute(
            "insert into landing.raw_api_responses (request_id, source, resource, scope, endpoint, url, "
            "status_code, fetched_at, response) values (%s, 'kalshi', %s, 'test', %s, 'test://parlays', 200, "
            "now(), %s::jsonb)", (str(uuid4()), resource, endpoint, json.dumps(body)))


@pytest.fixture(scope="session")
def incremental_build(first_build, simulators, warehouse, dbt):
    """Phase 2: one more hour of both venues and a page of parlays, then an incremental build."""
    PHASE["incremental"] = True
    for venue in simulators.values():
        venue.set_now(NOW + HOUR)
    try:
        run_extract(NOW + HOUR, "extract_polymarket")
        run_extract(NOW + HOUR, "extract_kalshi")
    finally:
        for venue in simulators.values():
            venue.set_now(NOW)
    land_kalshi_parlays(warehouse, simulators["kalshi"].kalshi)
    cursor_before = warehouse.value("select min(landing_id) from intermediate.landing_cursors")
    result = dbt("build").check()
    return result, cursor_before


@pytest.fixture(scope="session")
def incremental_marts(incremental_build, warehouse):
    return all_marts(warehouse)
