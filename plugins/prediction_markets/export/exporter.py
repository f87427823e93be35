"""Export the marts to Parquet, incrementally.

Layout: `<dir>/<table>/source=<venue>/month=<YYYY-MM>/part-0.parquet` for a table partitioned on a
time column (the month of that column, UTC), `<dir>/<table>/source=<venue>/part-0.parquet` for the
others; `<dir>/manifest.json` says what each file holds and is written last.

What is rewritten: every mart row carries the `landing_id` of the page that gave it its current
values, and a row updated in place gets a newer one. A partition whose row count or greatest
`landing_id` differs from the manifest's, or whose file is missing, is rewritten; the others are
left as they are. A table rebuilt (dbt --full-refresh gives it a new oid), whose columns changed, or
from another database, is rewritten whole. Everything is read in one repeatable-read transaction,
so the files and the manifest describe one state of the warehouse.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from prediction_markets.export import files
from prediction_markets.export.catalog import LANDING_COLUMN, VENUE_COLUMN, Table, schema_tables
from prediction_markets.export.stream import BLOCK_BYTES, copy_batches, write_parquet

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[3]
EXPORT_DIR_ENV = "PM_EXPORT_DIR"
FORMAT = 1


def default_export_dir() -> Path:
    return Path(os.environ.get(EXPORT_DIR_ENV) or ROOT / "exports")


@dataclass
class TableResult:
    name: str
    rows: int
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class ExportResult:
    directory: Path
    manifest: Path
    tables: list[TableResult]

    def summary(self) -> dict:
        return {"directory": str(self.directory), "manifest": str(self.manifest),
                "tables": {t.name: {"rows": t.rows, "written": len(t.written), "kept": len(t.kept),
                                    "removed": len(t.removed)} for t in self.tables}}


def export_marts(params: dict[str, str], directory: Path, *, schema: str = "marts", tables: list[str] | None = None,
                 full: bool = False, block_bytes: int = BLOCK_BYTES) -> ExportResult:
    directory = Path(directory)
    with files.exclusive(directory):
        for stale in files.remove_temp_files(directory):
            log.warning("removed %s, left by an interrupted export", stale)
        previous = files.read_manifest(directory)
        with psycopg.connect(**params, application_name="pm_parquet_export") as conn:
            # One snapshot for every table and the manifest.
            conn.execute("set transaction isolation level repeatable read, read only")
            conn.execute("set local timezone = 'UTC'")
            conn.execute("set local datestyle = 'ISO, YMD'")
            database = conn.execute("select current_database()").fetchone()[0]
            listed = previous.get("tables", {})
            # Tables not exported this time keep their entries (and files), unless they came from
            # another database.
            entries = dict(listed) if previous.get("database") == database else {}
            results, vanished = [], []
            for table in schema_tables(conn, schema, tables):
                old = entries.get(table.name)
                entry, result = _export_table(conn, table, directory, None if full or not _same_table(old, table)
                                              else old, block_bytes)
                result.removed = [p["file"] for key, p in listed.get(table.name, {}).get("partitions", {}).items()
                                  if key not in entry["partitions"]]
                vanished += result.removed
                entries[table.name] = entry
                results.append(result)
        manifest = {"format": FORMAT, "exported_at": _now(), "database": database, "schema": schema,
                    "layout": "<table>/source=<venue>[/month=<YYYY-MM>]/part-0.parquet", "tables": entries}
        path = files.write_manifest(directory, manifest)
        for relative in vanished:  # after the manifest stops listing them
            files.remove_partition(directory, relative)
    return ExportResult(directory, path, results)


def _same_table(old: dict | None, table: Table) -> bool:
    return bool(old) and old.get("oid") == table.oid and old.get("columns") == table.signature() \
        and old.get("time_column") == table.time_column


def _export_table(conn, table: Table, directory: Path, old: dict | None, block_bytes: int) -> tuple[dict, TableResult]:
    stats = _partition_stats(conn, table)
    old_partitions = (old or {}).get("partitions", {})
    partitions, result = {}, TableResult(table.name, sum(rows for rows, _ in stats.values()))
    for (venue, month), (rows, landing_max) in sorted(stats.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        key = files.partition_dir(VENUE_COLUMN, venue, month)
        relative = f"{table.name}/{key}/{files.FILE_NAME}"
        before = old_partitions.get(key)
        unchanged = (before is not None and landing_max is not None and before["rows"] == rows
                     and before["landing_id_max"] == landing_max and (directory / relative).exists())
        if unchanged:
            partitions[key] = before
            result.kept.append(key)
            continue
        written = write_parquet(directory / relative, table.arrow_schema,
                                copy_batches(conn, _partition_query(table, venue, month), table.arrow_schema,
                                             block_bytes))
        if written != rows:
            raise RuntimeError(f"{table.name} {key}: wrote {written} rows, the snapshot holds {rows}")
        log.info("%s %s: %d rows written", table.name, key, rows)
        partitions[key] = {"file": relative, "rows": rows, "landing_id_max": landing_max,
                           "bytes": (directory / relative).stat().st_size, "written_at": _now()}
        result.written.append(key)
    entry = {"oid": table.oid, "columns": table.signature(), "time_column": table.time_column,
             "partitioned_by": [VENUE_COLUMN] + (["month"] if table.time_column else []),
             "key": list(table.key), "rows": result.rows,
             "landing_id_max": max((m for _, m in stats.values() if m is not None), default=None),
             "partitions": partitions}
    return entry, result


def _month(table: Table) -> sql.Composable:
    if table.time_column is None:
        return sql.SQL("null::text")
    return sql.SQL("to_char({}, 'YYYY-MM')").format(sql.Identifier(table.time_column))


def _partition_stats(conn, table: Table) -> dict[tuple[str | None, str | None], tuple[int, int | None]]:
    landing = sql.Identifier(LANDING_COLUMN) if table.has_landing_id else sql.SQL("null::bigint")
    query = sql.SQL("select {venue}, {month}, count(*), max({landing}) from {relation} group by 1, 2").format(
        venue=sql.Identifier(VENUE_COLUMN), month=_month(table), landing=landing, relation=table.relation)
    return {(venue, month): (rows, landing_max) for venue, month, rows, landing_max in conn.execute(query)}


def _partition_query(table: Table, venue: str | None, month: str | None) -> sql.Composable:
    conditions = [_equals(VENUE_COLUMN, venue)]
    if table.time_column:
        column = sql.Identifier(table.time_column)
        if month is None:
            conditions.append(sql.SQL("{} is null").format(column))
        else:
            start, end = _month_bounds(month, next(c for c in table.columns if c.name == table.time_column).base_type)
            # A range on the partition key: Postgres reads only that month's partitions.
            conditions.append(sql.SQL("{c} >= {s} and {c} < {e}").format(c=column, s=sql.Literal(start),
                                                                        e=sql.Literal(end)))
    order = [c for c in (table.time_column, *table.key) if c and c != VENUE_COLUMN]
    order = list(dict.fromkeys(order)) or [c.name for c in table.file_columns]
    return sql.SQL("select {columns} from {relation} where {where} order by {order}").format(
        columns=sql.SQL(", ").join(sql.SQL("{} as {}").format(c.select_expr(), sql.Identifier(c.name))
                                   for c in table.file_columns),
        relation=table.relation, where=sql.SQL(" and ").join(conditions),
        order=sql.SQL(", ").join(sql.Identifier(c) for c in order))


def _equals(column: str, value: str | None) -> sql.Composable:
    if value is None:
        return sql.SQL("{} is null").format(sql.Identifier(column))
    return sql.SQL("{} = {}").format(sql.Identifier(column), sql.Literal(value))


def _month_bounds(month: str, base_type: str):
    year, number = (int(x) for x in month.split("-"))
    following = (year + number // 12, number % 12 + 1)
    if base_type == "date":
        return date(year, number, 1), date(*following, 1)
    tz = UTC if base_type == "timestamp with time zone" else None
    return datetime(year, number, 1, tzinfo=tz), datetime(*following, 1, tzinfo=tz)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
