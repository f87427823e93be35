"""Environment of a local run: Airflow settings and the Connections that point each venue at
the simulator (live runs set the same AIRFLOW_CONN_* variables to the real hosts)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Mapping

ROOT = Path(__file__).resolve().parents[2]

# connection id -> path of that host under the simulator's base URL
SIMULATED_HOSTS = {
    "polymarket_gamma": "polymarket/gamma",
    "polymarket_clob": "polymarket/clob",
    "polymarket_data": "polymarket/data",
    "kalshi": "kalshi/trade-api/v2",
}

LIVE_HOSTS = {
    "polymarket_gamma": "https://gamma-api.polymarket.com",
    "polymarket_clob": "https://clob.polymarket.com",
    "polymarket_data": "https://data-api.polymarket.com",
    "kalshi": "https://external-api.kalshi.com/trade-api/v2",
}


def connection_env(conn_id: str, base_url: str, extra: Mapping[str, Any] | None = None) -> tuple[str, str]:
    value = {"conn_type": "http", "host": base_url}
    if extra:
        value["extra"] = dict(extra)
    return f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(value)


def simulator_connections(sim_base_url: str, extra: Mapping[str, Any] | None = None) -> dict[str, str]:
    return dict(
        connection_env(cid, f"{sim_base_url.rstrip('/')}/{path}", extra) for cid, path in SIMULATED_HOSTS.items()
    )


def airflow_env(home: Path, warehouse_uri: str) -> dict[str, str]:
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        # cosmos caches dbt ls output and partial parses per DAG: keep them with this Airflow home.
        "AIRFLOW__COSMOS__CACHE_DIR": str(home / "cosmos"),
        "AIRFLOW_CONN_WAREHOUSE": warehouse_uri,
        "PYTHONWARNINGS": "ignore",
        "PYTHONPATH": f"{ROOT / 'plugins'}:{ROOT / 'include'}:{ROOT}",
        # As in an activated venv: cosmos looks for `dbt` on PATH.
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
