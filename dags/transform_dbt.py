"""Airflow DAG `transform_dbt`: the dbt project (staging -> intermediate -> marts) as Airflow
tasks through astronomer-cosmos, one task per model with its tests right after it.

Scheduled on the landing Assets the extract DAGs emit, so new landing pages are modelled as
soon as they arrive. The dbt profile is built from the `warehouse` Connection: no credentials
live in files.
"""

from prediction_markets.transform import build_transform_dag

dag = build_transform_dag()
