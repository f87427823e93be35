"""dbt against the test warehouse: a runner for the project in dbt_project/ (a subprocess of the
venv's dbt, so each phase is one clean invocation) and helpers to read the marts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")
DBT_SCHEMAS = ("staging", "intermediate", "marts")
MART_KEYS = {
    "markets": ("market_id", "source"),
    "market_outcomes": ("market_id", "outcome_id", "source"),
    "events": ("event_id", "source"),
    "trades": ("trade_id", "source"),
    "price_snapshots": ("market_id", "outcome_id", "snapshot_at", "source"),
    "orderbook_snapshots": ("market_id", "outcome_id", "snapshot_at", "source"),
}


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


@pytest.fixture(scope="module")
def dbt(warehouse, tmp_path_factory):
    """The dbt project against the test warehouse, its own schemas dropped first."""
    for schema in DBT_SCHEMAS:
        warehouse.execute(f"drop schema if exists {schema} cascade")
    return Dbt(warehouse.db, tmp_path_factory.mktemp("dbt"))


def mart_rows(warehouse, table: str) -> list[tuple]:
    """Every row of a mart, every column, in key order (jsonb and numerics compared as text)."""
    columns = [r[0] for r in warehouse.rows(
        "select column_name from information_schema.columns where table_schema = 'marts' and table_name = %s "
        "order by ordinal_position", (table,))]
    assert columns, f"marts.{table} does not exist"
    select = ", ".join(f"{c}::text" for c in columns)
    order = ", ".join(MART_KEYS[table])
    return warehouse.rows(f"select {select} from marts.{table} order by {order}")


def all_marts(warehouse) -> dict[str, list[tuple]]:
    return {table: mart_rows(warehouse, table) for table in MART_KEYS}


def run_extract(logical_date, dag_id: str = "extract_polymarket"):
    """dag.test() of an extract DAG, loading only dags/extract_venues.py (the DAG file that builds
    the extract DAGs), so the dbt tests do not depend on the state of other DAG files."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags" / "extract_venues.py"))
    assert not bag.import_errors, bag.import_errors
    run = bag.dags[dag_id].test(logical_date=logical_date)
    assert run.state == "success", f"{dag_id} {logical_date}: {run.state}"
    return run
