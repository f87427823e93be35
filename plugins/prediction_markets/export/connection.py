"""Where the warehouse is, as libpq keywords: an explicit DSN, else the PM_PG_* variables of the
dbt profile, else the `warehouse` Airflow Connection (from AIRFLOW_CONN_WAREHOUSE, or Airflow's
own store inside a task), else the profile's local defaults."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from psycopg.conninfo import conninfo_to_dict

# The defaults of dbt_project/profiles.yml.
DEFAULTS = {"host": "127.0.0.1", "port": "5432", "user": "pm", "password": "pm", "dbname": "prediction_markets"}
PROFILE_ENV = {"host": "PM_PG_HOST", "port": "PM_PG_PORT", "user": "PM_PG_USER", "password": "PM_PG_PASSWORD",
               "dbname": "PM_PG_DATABASE"}
CONNECTION_ENV = "AIRFLOW_CONN_WAREHOUSE"


def warehouse_params(dsn: str | None = None, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    if dsn:
        return {k: str(v) for k, v in conninfo_to_dict(dsn).items()}
    if any(var in environ for var in PROFILE_ENV.values()):
        return {key: environ.get(var, DEFAULTS[key]) for key, var in PROFILE_ENV.items()}
    if environ.get(CONNECTION_ENV):
        return from_airflow_value(environ[CONNECTION_ENV])
    return dict(DEFAULTS)


def from_airflow_value(value: str) -> dict[str, str]:
    """An AIRFLOW_CONN_* value: a URI (postgresql://user:pw@host:port/db) or Airflow's JSON form."""
    value = value.strip()
    if not value.startswith("{"):
        return {k: str(v) for k, v in conninfo_to_dict(value.replace("postgres+psycopg2://", "postgresql://")).items()}
    conn = json.loads(value)
    params = {"host": conn.get("host"), "port": conn.get("port"), "user": conn.get("login"),
              "password": conn.get("password"), "dbname": conn.get("schema")}
    return {k: str(v) for k, v in params.items() if v not in (None, "")}


def airflow_params(conn_id: str) -> dict[str, str]:
    """The libpq keywords of an Airflow Connection (inside a task: Airflow's secrets backends)."""
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    params = {"host": conn.host, "port": conn.port, "user": conn.login, "password": conn.password,
              "dbname": conn.schema, "sslmode": (conn.extra_dejson or {}).get("sslmode")}
    return {k: str(v) for k, v in params.items() if v not in (None, "")}


def profile_env(params: Mapping[str, str]) -> dict[str, str]:
    """The PM_PG_* variables that point dbt_project/profiles.yml at the same warehouse."""
    return {var: str(params.get(key, DEFAULTS[key])) for key, var in PROFILE_ENV.items()}


def describe(params: Mapping[str, str]) -> str:
    """host:port/dbname as user, without the password (for messages)."""
    return f"{params.get('host', '')}:{params.get('port', '5432')}/{params.get('dbname', '')} as {params.get('user', '')}"
