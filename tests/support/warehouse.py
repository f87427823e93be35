"""A test warehouse database and small query helpers over it."""

from __future__ import annotations

import secrets
from contextlib import contextmanager

from psycopg import sql

from local_stack.warehouse import Database, admin_connect, ensure_database
from prediction_markets.landing.migrations import apply_migrations

DBT_SCHEMAS = ("staging", "intermediate", "marts")
LANDING_TABLES = (
    "landing.raw_api_responses",
    "landing.sync_state",
    "landing.ingestion_runs",
    "landing.market_catalog",
    "landing.rate_limit_state",
    "landing.sync_gaps",
)


class Warehouse:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.conn = db.connect()
        self.conn.autocommit = True

    @classmethod
    def create(cls, name: str) -> Warehouse:
        return cls(ensure_database(name, recreate=True))

    @property
    def airflow_uri(self) -> str:
        return self.db.airflow_uri

    def migrate(self):
        conn = self.db.connect()
        try:
            return apply_migrations(conn)
        finally:
            conn.close()

    def truncate_landing(self) -> None:
        self.execute(f"truncate {', '.join(LANDING_TABLES)} restart identity")

    def drop_models(self) -> None:
        """Drop what dbt builds, so a test's transform starts from empty marts and cursors.

        Marts built over years of history hold thousands of partitions; one `drop schema` would
        need a lock on each in one transaction (past max_locks_per_transaction): the partitions
        go first, a batch per transaction."""
        for schema in DBT_SCHEMAS:
            partitions = [r[0] for r in self.rows(
                "select format('%%I.%%I', n.nspname, c.relname) from pg_inherits i "
                "join pg_class c on c.oid = i.inhrelid join pg_namespace n on n.oid = c.relnamespace "
                "where n.nspname = %s and c.relkind in ('r', 'p')", (schema,))]
            for start in range(0, len(partitions), 100):
                self.execute(f"drop table if exists {', '.join(partitions[start:start + 100])} cascade")
            self.execute(f"drop schema if exists {schema} cascade")

    def execute(self, query: str, args=None) -> None:
        with self.conn.cursor() as cur:
            cur.execute(query, args)

    def rows(self, query: str, args=None) -> list[tuple]:
        with self.conn.cursor() as cur:
            cur.execute(query, args)
            return cur.fetchall()

    def value(self, query: str, args=None):
        rows = self.rows(query, args)
        return rows[0][0] if rows else None

    def close(self) -> None:
        self.conn.close()


@contextmanager
def login_role(name: str, *member_of: str, database: str):
    """A throwaway LOGIN role (with a password) granted `member_of`, as a DBA would create one
    for a person; dropped afterwards. Yields its Database for `database`."""
    password = secrets.token_urlsafe(16)
    with admin_connect() as admin:
        admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("create role {} login password {}").format(sql.Identifier(name), sql.Literal(password)))
        for group in member_of:
            admin.execute(sql.SQL("grant {} to {}").format(sql.Identifier(group), sql.Identifier(name)))
    try:
        yield Database(database, role=name, password=password)
    finally:
        with admin_connect() as admin:
            # Its sessions first: a role with open connections cannot be dropped.
            admin.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = %s", (name,))
            admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))
