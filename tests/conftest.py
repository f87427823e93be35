"""Test environment: a throwaway Airflow home (SQLite metadata), a fresh warehouse database on
the machine's Postgres, and the venue simulator on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Airflow reads its configuration at import: set it before anything imports airflow.
_AIRFLOW_HOME = Path(os.environ.get("PM_TEST_AIRFLOW_HOME") or tempfile.mkdtemp(prefix="pm-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME}/airflow.db",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        # cosmos caches dbt ls output and dbt's partial parse per DAG: one cache per test session,
        # so another checkout's project on the same machine is never read back.
        "AIRFLOW__COSMOS__CACHE_DIR": str(_AIRFLOW_HOME / "cosmos"),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        # transform_dbt exports the marts to Parquet: not into the working tree.
        "PM_EXPORT_DIR": str(_AIRFLOW_HOME / "exports"),
        "PYTHONWARNINGS": "ignore",
        # As in an activated venv: cosmos looks for `dbt` on PATH.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
)

import pytest  # noqa: E402

from tests.support.warehouse import Warehouse  # noqa: E402

WAREHOUSE_DB = os.environ.get("PM_TEST_DATABASE", "pm_test")


@pytest.fixture(scope="session")
def airflow_db():
    """An initialised Airflow metadata database (once per test session)."""
    if not (_AIRFLOW_HOME / "airflow.db").exists():
        subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            check=True, capture_output=True, env=os.environ.copy(),
        )
    return _AIRFLOW_HOME


@pytest.fixture(scope="session")
def warehouse():
    """A fresh warehouse database with the landing schema; its Connection is `warehouse`. Creating
    it applies the least-privilege roles (local_stack.roles) through the administrator connection,
    so the runtime role is repaired on a server where it was over-privileged."""
    wh = Warehouse.create(WAREHOUSE_DB)
    os.environ["AIRFLOW_CONN_WAREHOUSE"] = wh.airflow_uri
    wh.migrate()
    yield wh
    wh.close()


@pytest.fixture(scope="session")
def metadata_database():
    """A Postgres Airflow metadata database as deployed: owned by its own role, which alone may
    connect (the tests themselves keep their metadata in SQLite)."""
    from local_stack.warehouse import ensure_metadata_database

    return ensure_metadata_database(f"{WAREHOUSE_DB}_airflow", recreate=True)


@pytest.fixture
def landing(warehouse):
    """The warehouse with empty landing tables."""
    warehouse.truncate_landing()
    return warehouse
