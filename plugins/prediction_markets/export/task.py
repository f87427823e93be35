"""The `export_parquet` task of transform_dbt: the marts to Parquet once they are built and their
foreign keys tested (directory: PM_EXPORT_DIR, else exports/ under the project root)."""

from __future__ import annotations

from airflow.sdk import task

from prediction_markets.operators.extract import WAREHOUSE_CONN_ID


@task(task_id="export_parquet")
def export_parquet(warehouse_conn_id: str = WAREHOUSE_CONN_ID) -> dict:
    """Rewrites the Parquet partitions whose mart rows changed since the last export; returns what it did."""
    from prediction_markets.export.connection import airflow_params
    from prediction_markets.export.exporter import default_export_dir, export_marts

    return export_marts(airflow_params(warehouse_conn_id), default_export_dir()).summary()
