"""Rows from Postgres to a Parquet file in bounded memory: `COPY (select ...) TO STDOUT` in CSV,
cut into blocks of whole rows (Postgres sends one row per CopyData message), each block parsed by
Arrow's CSV reader into the table's Arrow schema and written as one row group."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
from psycopg import sql

from prediction_markets.export.files import publish, temp_path

BLOCK_BYTES = 16 << 20  # CSV bytes per parsed block (and row group): about 100k trades
COMPRESSION = "zstd"


def _convert_options(schema: pa.Schema) -> pcsv.ConvertOptions:
    # COPY's CSV: NULL is an unquoted empty field, an empty string is "", booleans are t/f,
    # timestamps ISO with a numeric offset (the session is in UTC).
    return pcsv.ConvertOptions(
        column_types=schema, null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=False,
        true_values=["t"], false_values=["f"],
        timestamp_parsers=["%Y-%m-%d %H:%M:%S%z", pcsv.ISO8601])


def copy_batches(conn, query: sql.Composable, schema: pa.Schema,
                 block_bytes: int = BLOCK_BYTES) -> Iterator[pa.RecordBatch]:
    read = pcsv.ReadOptions(column_names=schema.names, use_threads=False)
    convert = _convert_options(schema)

    def parse(block: bytearray) -> Iterator[pa.RecordBatch]:
        table = pcsv.read_csv(io.BytesIO(block), read_options=read, convert_options=convert)
        yield from table.combine_chunks().to_batches()

    with conn.cursor() as cur, cur.copy(sql.SQL("copy ({}) to stdout (format csv)").format(query)) as copy:
        block = bytearray()
        for row in copy:
            block += row
            if len(block) >= block_bytes:
                yield from parse(block)
                block = bytearray()
        if block:
            yield from parse(block)


def write_parquet(final: Path, schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> int:
    """Write the batches to `final` atomically; returns the row count. The temporary file exists
    from the first byte to the rename; on any failure it is removed and `final` is untouched."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path(final)
    rows = 0
    try:
        with pq.ParquetWriter(temp, schema, compression=COMPRESSION) as writer:
            for batch in batches:
                writer.write_batch(batch)
                rows += batch.num_rows
        publish(temp, final)
    finally:
        temp.unlink(missing_ok=True)
    return rows
