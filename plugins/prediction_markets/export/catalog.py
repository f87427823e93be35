"""What to export, read from the Postgres catalog: the tables of a schema, their columns with the
Arrow type each becomes, the time column a table is partitioned on, and its unique key. Nothing
here knows a mart by name, so a new mart is exported as soon as dbt builds it."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from psycopg import sql

# The venue column of every mart: the first partition level of the export.
VENUE_COLUMN = "source"
# The landing cursor of every mart row: a row written since the last export has a newer one.
LANDING_COLUMN = "landing_id"
# Unconstrained Postgres numerics (every price, size and amount in the marts) become decimal128 with
# 26 integer and 12 fractional digits: exact for every value the venues send (at most 6 decimals),
# a computed ratio is rounded at the 12th decimal, and a product of two columns (price x quantity)
# still fits DuckDB's 38 digits. A value too large fails the export; none is ever cut silently.
NUMERIC_SCALE = 12
NUMERIC = pa.decimal128(38, NUMERIC_SCALE)
TIME_TYPES = ("timestamp with time zone", "timestamp without time zone", "date")

ARROW_TYPES = {
    "text": pa.string(),
    "character varying": pa.string(),
    "character": pa.string(),
    "uuid": pa.string(),
    "json": pa.string(),
    "jsonb": pa.string(),
    "smallint": pa.int16(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "real": pa.float32(),
    "double precision": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp with time zone": pa.timestamp("us", tz="UTC"),
    "timestamp without time zone": pa.timestamp("us"),
    "date": pa.date32(),
}


@dataclass(frozen=True)
class Column:
    name: str
    pg_type: str  # format_type(): `numeric`, `numeric(12,4)`, `jsonb`, ...
    base_type: str  # the type without modifiers

    @property
    def arrow_type(self) -> pa.DataType:
        if self.base_type == "numeric":
            precision, scale = _numeric_modifiers(self.pg_type)
            return pa.decimal128(precision, scale) if precision and precision <= 38 else NUMERIC
        # Types without an Arrow counterpart (arrays, ranges...) travel as their Postgres text.
        return ARROW_TYPES.get(self.base_type, pa.string())

    def select_expr(self) -> sql.Composable:
        ident = sql.Identifier(self.name)
        if self.base_type == "numeric" and self.arrow_type == NUMERIC:
            return sql.SQL("round({}, {})").format(ident, sql.Literal(NUMERIC_SCALE))
        if self.base_type in ARROW_TYPES:
            return ident
        return sql.SQL("{}::text").format(ident)

    def describe(self) -> dict[str, str]:
        return {"name": self.name, "postgres_type": self.pg_type, "arrow_type": str(self.arrow_type)}


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    oid: int
    columns: tuple[Column, ...]
    time_column: str | None  # the range partition key when it is a time: files per month
    key: tuple[str, ...]  # the unique key, the order of rows in a file

    @property
    def relation(self) -> sql.Composable:
        return sql.Identifier(self.schema, self.name)

    @property
    def file_columns(self) -> tuple[Column, ...]:
        """Every column but the venue, which the partition path carries."""
        return tuple(c for c in self.columns if c.name != VENUE_COLUMN)

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.arrow_type) for c in self.file_columns])

    @property
    def has_landing_id(self) -> bool:
        return any(c.name == LANDING_COLUMN for c in self.columns)

    def signature(self) -> list[dict[str, str]]:
        """What the files' layout depends on: a change (a new column, a new type) rewrites them all."""
        return [c.describe() for c in self.columns]


def _numeric_modifiers(pg_type: str) -> tuple[int | None, int]:
    if "(" not in pg_type:
        return None, 0
    inner = pg_type[pg_type.index("(") + 1:pg_type.index(")")]
    precision, _, scale = inner.partition(",")
    return int(precision), int(scale or 0)


def schema_tables(conn, schema: str, only: list[str] | None = None) -> list[Table]:
    """The tables (plain or partitioned parents) of `schema` that carry the venue column."""
    rows = conn.execute(
        "select c.oid, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = %s and c.relkind in ('r', 'p') and not c.relispartition order by c.relname",
        (schema,)).fetchall()
    tables = []
    for oid, name in rows:
        if only and name not in only:
            continue
        table = _table(conn, schema, name, oid)
        if any(c.name == VENUE_COLUMN for c in table.columns):
            tables.append(table)
    missing = set(only or ()) - {t.name for t in tables}
    if missing:
        raise LookupError(f"no table with a {VENUE_COLUMN!r} column named {sorted(missing)} in schema {schema!r}")
    return tables


def _table(conn, schema: str, name: str, oid: int) -> Table:
    columns = tuple(Column(n, t, b) for n, t, b in conn.execute(
        "select attname, format_type(atttypid, atttypmod), format_type(atttypid, null) from pg_attribute "
        "where attrelid = %s and attnum > 0 and not attisdropped order by attnum", (oid,)).fetchall())
    types = {c.name: c.base_type for c in columns}
    partition_key = conn.execute(
        "select a.attname from pg_partitioned_table p "
        "join pg_attribute a on a.attrelid = p.partrelid and a.attnum = p.partattrs[0] "
        "where p.partrelid = %s and p.partnatts = 1", (oid,)).fetchone()
    time_column = partition_key[0] if partition_key and types.get(partition_key[0]) in TIME_TYPES else None
    key = conn.execute(
        "select array(select a.attname from unnest(i.indkey) with ordinality k(attnum, ord) "
        "join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum order by k.ord) "
        "from pg_index i where i.indrelid = %s and i.indisunique "
        "order by i.indisprimary desc, i.indexrelid limit 1", (oid,)).fetchone()
    return Table(schema, name, oid, columns, time_column, tuple(key[0]) if key else ())
