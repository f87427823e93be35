"""Builds `transform_dbt`: the dbt project as a cosmos DbtDag scheduled on landing Assets."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from airflow.sdk import AssetAny
from cosmos import DbtDag, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import InvocationMode, LoadMode, TestBehavior
from cosmos.profiles import PostgresUserPasswordProfileMapping

from prediction_markets.adapters import sources
from prediction_markets.assets import venue_landing_asset
from prediction_markets.operators.extract import WAREHOUSE_CONN_ID

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = Path(os.environ.get("PM_DBT_PROJECT_DIR") or ROOT / "dbt_project")

DOC = """
### transform_dbt

Runs the dbt project (`dbt_project/`: staging -> intermediate -> marts) with one task per
model, running `dbt build` on it: the model, then its tests. Triggered when an extract DAG run
has landed a venue (Asset `landing://<venue>`); incremental marts read only landing rows they
have not seen, so a run costs what is new. Profile: the `warehouse` Connection.
"""


def build_transform_dag() -> DbtDag:
    return DbtDag(
        dag_id="transform_dbt",
        # A venue's Asset is emitted once its whole extraction run has landed.
        schedule=AssetAny(*(venue_landing_asset(s) for s in sources())),
        start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        catchup=False,
        max_active_runs=1,
        tags=["transform", "dbt", "marts"],
        doc_md=DOC,
        default_args={"owner": "data-platform", "retries": 2, "retry_delay": timedelta(minutes=1)},
        project_config=ProjectConfig(DBT_PROJECT, install_dbt_deps=False),
        profile_config=ProfileConfig(
            profile_name="prediction_markets",
            target_name="airflow",
            profile_mapping=PostgresUserPasswordProfileMapping(
                conn_id=WAREHOUSE_CONN_ID, profile_args={"schema": "public"}
            ),
        ),
        # dbt runs in-process (dbtRunner): it is installed in Airflow's own environment.
        execution_config=ExecutionConfig(invocation_mode=InvocationMode.DBT_RUNNER),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_LS,
            test_behavior=TestBehavior.BUILD,
            invocation_mode=InvocationMode.DBT_RUNNER,
            # Tests spanning two models (relationships) run once both are built.
            should_detach_multiple_parents_tests=True,
        ),
    )
