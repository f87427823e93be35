"""Parquet export of the marts for research: hive-style partitions by venue and month, written
incrementally and atomically, with a manifest (see exporter.py; `include/bin/export` runs it,
and the `export_parquet` task of `transform_dbt` after every build)."""
