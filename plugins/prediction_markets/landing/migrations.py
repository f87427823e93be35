"""Versioned, idempotent migrations of the landing schema (include/sql/landing/V<n>__<name>.sql).

Each file runs once, in its own transaction, under an advisory lock so concurrent tasks
cannot race; a file changed after it was applied is an error, not a silent divergence.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

MIGRATION_FILE = re.compile(r"^V(\d+)__([A-Za-z0-9_]+)\.sql$")
_LOCK_KEY = (7311031, 0)


def include_dir() -> Path:
    override = os.environ.get("PM_INCLUDE_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "include"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


class MigrationError(RuntimeError):
    pass


def discover(directory: Path | None = None) -> list[Migration]:
    directory = directory or include_dir() / "sql" / "landing"
    found = []
    for path in sorted(directory.iterdir()):
        match = MIGRATION_FILE.match(path.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration versions in {directory}")
    return sorted(found, key=lambda m: m.version)


def apply_migrations(conn, directory: Path | None = None) -> list[Migration]:
    """Apply pending migrations on a DB-API connection; returns those applied now."""
    migrations = discover(directory)
    conn.autocommit = False
    applied_now = []
    with conn.cursor() as cur:
        cur.execute("select pg_advisory_lock(%s, %s)", _LOCK_KEY)
        conn.commit()
        try:
            cur.execute("create schema if not exists landing")
            cur.execute(
                """
                create table if not exists landing.schema_migrations (
                    version integer primary key,
                    name text not null,
                    checksum text not null,
                    applied_at timestamptz not null default now()
                )
                """
            )
            conn.commit()
            cur.execute("select version, checksum from landing.schema_migrations")
            done = dict(cur.fetchall())
            for migration in migrations:
                if migration.version in done:
                    if done[migration.version] != migration.checksum:
                        raise MigrationError(
                            f"{migration.path.name} changed after it was applied; "
                            "add a new migration instead of editing an applied one"
                        )
                    continue
                cur.execute(migration.sql)
                cur.execute(
                    "insert into landing.schema_migrations (version, name, checksum) values (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
                conn.commit()
                applied_now.append(migration)
        except Exception:
            conn.rollback()
            raise
        finally:
            cur.execute("select pg_advisory_unlock(%s, %s)", _LOCK_KEY)
            conn.commit()
    return applied_now
