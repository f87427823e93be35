"""The platform's databases on a Postgres server: the warehouse (owned by the runtime role) and
Airflow's metadata database (owned by its own role), created idempotently through an
administrator connection (trust or password auth) with the least-privilege roles of
local_stack.roles."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote

import psycopg
from psycopg.conninfo import make_conninfo

from local_stack import roles

ADMIN_DSN = os.environ.get("PM_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
HOST = os.environ.get("PM_PG_HOST", "127.0.0.1")
PORT = int(os.environ.get("PM_PG_PORT", "5432"))
ROLE = os.environ.get("PM_PG_ROLE", "pm")
PASSWORD = os.environ.get("PM_PG_PASSWORD", "pm")
METADATA_ROLE = os.environ.get("PM_AIRFLOW_DB_ROLE", "pm_airflow")
METADATA_PASSWORD = os.environ.get("PM_AIRFLOW_DB_PASSWORD", "pm_airflow")

START_HINT = (
    "the warehouse Postgres at {host}:{port} is not reachable ({error}).\n"
    "Start it with:  pg_ctlcluster --skip-systemctl-redirect 15 main start\n"
    "or point PM_PG_ADMIN_DSN / PM_PG_HOST / PM_PG_PORT at a running server."
)


class WarehouseUnavailable(RuntimeError):
    pass


def admin_connect(dbname: str | None = None):
    try:
        conn = psycopg.connect(ADMIN_DSN, connect_timeout=5, autocommit=True, **({"dbname": dbname} if dbname else {}))
    except psycopg.OperationalError as exc:
        raise WarehouseUnavailable(START_HINT.format(host=HOST, port=PORT, error=str(exc).strip())) from None
    return conn


@dataclass
class Database:
    name: str
    role: str = ROLE
    password: str | None = PASSWORD
    host: str = HOST
    port: int = PORT

    @property
    def airflow_uri(self) -> str:
        auth = quote(self.role, safe="") + (f":{quote(self.password, safe='')}" if self.password else "")
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.name}"

    @property
    def dsn(self) -> str:
        return make_conninfo(host=self.host, port=self.port, user=self.role, dbname=self.name,
                             **({"password": self.password} if self.password else {}))

    def connect(self):
        return psycopg.connect(self.dsn)


def ensure_database(name: str, *, recreate: bool = False, reset_password: bool = False) -> Database:
    """The warehouse database `name` (created if missing, or afresh with recreate), owned by the
    runtime role, with the runtime and analyst roles in their least-privilege shape."""
    with admin_connect() as admin, admin.cursor() as cur:
        roles.ensure_login_role(cur, ROLE, PASSWORD, reset_password=reset_password)
        roles.ensure_analyst_role(cur)
        roles.ensure_database(cur, name, ROLE, recreate=recreate)
        roles.secure_warehouse(cur, name, ROLE)
    with admin_connect(name) as inside, inside.cursor() as cur:
        roles.secure_warehouse_inside(cur, ROLE)
    return Database(name)


def ensure_metadata_database(name: str, *, recreate: bool = False, reset_password: bool = False) -> Database:
    """Airflow's metadata database `name`, owned by its own role; nobody else may connect."""
    with admin_connect() as admin, admin.cursor() as cur:
        roles.ensure_login_role(cur, METADATA_ROLE, METADATA_PASSWORD, reset_password=reset_password)
        roles.ensure_database(cur, name, METADATA_ROLE, recreate=recreate)
    return Database(name, role=METADATA_ROLE, password=METADATA_PASSWORD)
