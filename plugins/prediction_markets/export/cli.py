"""`python -m prediction_markets.export.cli` (include/bin/export): the marts to Parquet. (Not a
`__main__.py`: Airflow imports every module of the plugins folder, and would run it.)"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from prediction_markets.export.connection import describe, warehouse_params
from prediction_markets.export.exporter import EXPORT_DIR_ENV, default_export_dir, export_marts
from prediction_markets.export.stream import BLOCK_BYTES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="include/bin/export",
        description="Export the marts to Parquet, partitioned by venue and month; only partitions whose rows "
                    "changed since the last export are rewritten.")
    parser.add_argument("--dir", type=Path, default=None,
                        help=f"export directory (default: ${EXPORT_DIR_ENV}, else exports/ under the project root)")
    parser.add_argument("--dsn", help="libpq connection string or URI of the warehouse (default: the PM_PG_* "
                                      "variables, else AIRFLOW_CONN_WAREHOUSE, else the local defaults)")
    parser.add_argument("--schema", default="marts")
    parser.add_argument("--table", action="append", dest="tables", help="export only this table (repeatable)")
    parser.add_argument("--full", action="store_true", help="rewrite every partition")
    parser.add_argument("--block-bytes", type=int, default=BLOCK_BYTES,
                        help="CSV bytes parsed at a time and written as one row group (bounds memory; "
                             f"default {BLOCK_BYTES})")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    params = warehouse_params(args.dsn)
    directory = (args.dir or default_export_dir()).resolve()
    print(f"export: {args.schema} of {describe(params)} -> {directory}", flush=True)
    result = export_marts(params, directory, schema=args.schema, tables=args.tables, full=args.full,
                          block_bytes=args.block_bytes)
    for table in result.tables:
        print(f"  {table.name:<24} {table.rows:>10} rows  {len(table.written):>4} partitions written, "
              f"{len(table.kept)} unchanged, {len(table.removed)} removed")
    print(f"manifest: {result.manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
