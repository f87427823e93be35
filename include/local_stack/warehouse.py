"""The local warehouse: a login role and a database on the machine's Postgres, created
idempotently through an administrator connection (trust or password auth)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import psycopg
from psycopg import sql

ADMIN_DSN = os.environ.get("PM_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
HOST = os.environ.get("PM_PG_HOST", "127.0.0.1")
PORT = int(os.environ.get("PM_PG_PORT", "5432"))
ROLE = os.environ.get("PM_PG_ROLE", "pm")
PASSWORD = os.environ.get("PM_PG_PASSWORD", "pm")

START_HINT = (
    "the warehouse Postgres at {host}:{port} is not reachable ({error}).\n"
    "Start it with:  pg_ctlcluster --skip-systemctl-redirect 15 main start\n"
    "or point PM_PG_ADMIN_DSN / PM_PG_HOST / PM_PG_PORT at a running server."
)


class WarehouseUnavailable(RuntimeError):
    pass


def admin_connect():
    try:
        conn = psycopg.connect(ADMIN_DSN, connect_timeout=5, autocommit=True)
    except psycopg.OperationalError as exc:
        raise WarehouseUnavailable(START_HINT.format(host=HOST, port=PORT, error=str(exc).strip())) from None
    return conn


@dataclass
class Database:
    name: str
    role: str = ROLE
    password: str = PASSWORD
    host: str = HOST
    port: int = PORT

    @property
    def airflow_uri(self) -> str:
        return f"postgresql://{self.role}:{self.password}@{self.host}:{self.port}/{self.name}"

    @property
    def dsn(self) -> str:
        return f"host={self.host} port={self.port} user={self.role} password={self.password} dbname={self.name}"

    def connect(self):
        return psycopg.connect(self.dsn)


def ensure_database(name: str, *, recreate: bool = False) -> Database:
    """Create the role (if missing) and the database (if missing, or afresh with recreate)."""
    admin = admin_connect()
    try:
        with admin.cursor() as cur:
            cur.execute("select 1 from pg_roles where rolname = %s", (ROLE,))
            if cur.fetchone() is None:
                cur.execute(
                    sql.SQL("create role {} login password {} createdb createrole").format(
                        sql.Identifier(ROLE), sql.Literal(PASSWORD)
                    )
                )
            if recreate:
                cur.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
            cur.execute("select 1 from pg_database where datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("create database {} owner {}").format(sql.Identifier(name), sql.Identifier(ROLE)))
    finally:
        admin.close()
    return Database(name)
