"""Running DAGs in tests with dag.test() (real tasks, real operators, SQLite metadata)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=None)
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def get_dag(dag_id: str):
    bag = dagbag()
    assert not bag.import_errors, bag.import_errors
    return bag.dags[dag_id]


def run_dag(dag_id: str, logical_date, expect: str = "success"):
    """dag.test() for `logical_date`; the hourly interval is [logical_date - 1h, logical_date)."""
    run = get_dag(dag_id).test(logical_date=logical_date)
    assert run.state == expect, f"{dag_id} {logical_date}: {run.state}"
    return run
