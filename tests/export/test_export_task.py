"""transform_dbt ends with export_parquet: the marts go to Parquet once built and their foreign keys
tested (the export itself runs in tests/dbt/test_marts_export.py)."""

from __future__ import annotations

from tests.support.airflow_runs import get_dag


def test_export_parquet_runs_last_after_the_relationship_tests(airflow_db):
    dag = get_dag("transform_dbt")
    task = dag.get_task("export_parquet")
    assert task.upstream_task_ids == {"mart_relationships"} and not task.downstream_task_ids
    assert {t.task_id for t in dag.tasks if t.task_id.startswith("marts.")} <= task.get_flat_relative_ids(upstream=True)
    assert task.retries >= 2
