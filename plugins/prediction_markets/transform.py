"""Builds `transform_dbt`: the dbt project as a cosmos DbtDag scheduled on landing Assets."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from airflow.sdk import AssetAny
from cosmos import DbtDag, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import InvocationMode, LoadMode, TestBehavior
from cosmos.profiles import PostgresUserPasswordProfileMapping

from prediction_markets.adapters import adapter_class, sources
from prediction_markets.assets import landing_asset
from prediction_markets.operators.extract import WAREHOUSE_CONN_ID

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = Path(os.environ.get("PM_DBT_PROJECT_DIR") or ROOT / "dbt_project")

DOC = """
### transform_dbt

Runs the dbt project (`dbt_project/`: staging -> intermediate -> marts) with one task per
model, running `dbt build` on it: the model, then its tests. Triggered by any landing Asset of the extract DAGs
(`landing://<venue>/<resource>`); incremental marts read only landing rows they have not
seen, so a run costs what is new. Profile: the `warehouse` Connection.
"""


def landing_assets() -> list:
    assets = []
    for source in sources():
        adapter = adapter_class(source)()
        labels = adapter.landing_resources(adapter.reference_resources + adapter.market_resources)
        assets += [landing_asset(source, label) for label in labels]
    return assets


def build_transform_dag() -> DbtDag:
    return DbtDag(
        dag_id="transform_dbt",
        schedule=AssetAny(*landing_assets()),
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
