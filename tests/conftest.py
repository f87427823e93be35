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
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
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
    """A fresh warehouse database with the landing schema; its Connection is `warehouse`."""
    wh = Warehouse.create(WAREHOUSE_DB)
    os.environ["AIRFLOW_CONN_WAREHOUSE"] = wh.airflow_uri
    wh.migrate()
    yield wh
    wh.close()


@pytest.fixture
def landing(warehouse):
    """The warehouse with empty landing tables."""
    warehouse.truncate_landing()
    return warehouse
