"""Builds `transform_dbt`: the dbt project through cosmos, scheduled on the venues' landing Assets."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from airflow.sdk import DAG, AssetAny, dag
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import InvocationMode, LoadMode, TestBehavior
from cosmos.operators.local import DbtBuildLocalOperator, DbtTestLocalOperator
from cosmos.profiles import PostgresUserPasswordProfileMapping

from prediction_markets.adapters import sources
from prediction_markets.assets import venue_landing_asset
from prediction_markets.export.task import export_parquet
from prediction_markets.operators.extract import WAREHOUSE_CONN_ID

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = Path(os.environ.get("PM_DBT_PROJECT_DIR") or ROOT / "dbt_project")

DOC = """
### transform_dbt

Runs the dbt project (`dbt_project/`): `staging_and_intermediate` builds and tests the
staging and intermediate views (one `dbt build`), then one task per mart runs `dbt build` on it
(the model, then its tests), then `mart_relationships` tests the foreign keys between marts. Triggered when an extract DAG run
has landed a venue (Asset `landing://<venue>`); incremental marts read only landing rows they
have not seen, so a run costs what is new. Profile: the `warehouse` Connection.
"""


# dbt installed next to the interpreter running Airflow: found whether or not its bin/ is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


class WarehouseProfileMapping(PostgresUserPasswordProfileMapping):
    """The Postgres Connection as a dbt profile, with the password optional: trust, peer and
    ~/.pgpass connections have none. A password is passed as an environment variable (never
    written in profiles.yml); without one dbt gets an empty password and libpq falls back to
    ~/.pgpass, as psql does."""

    required_fields = ["host", "user", "dbname"]

    @property
    def secret_fields(self) -> list[str]:
        return ["password"] if self.get_dbt_value("password") else []

    @property
    def profile(self) -> dict:
        profile = super().profile
        if not self.secret_fields:
            profile["password"] = ""  # dbt-postgres requires the key
        return profile

    @property
    def mock_profile(self) -> dict:
        return {**super().mock_profile, "password": "mock_value"}  # parsing needs the key, not a value


PROFILE = ProfileConfig(
    profile_name="prediction_markets",
    target_name="airflow",
    profile_mapping=WarehouseProfileMapping(conn_id=WAREHOUSE_CONN_ID, profile_args={"schema": "public"}),
)
# Staging and intermediate models are views (each builds in milliseconds): one `dbt build` task
# covers them with their tests and unit tests; a task per view would cost ~10 s of process and
# dbt start-up each. Every mart (the incremental tables) is its own task.
UPSTREAM_LAYERS = "path:models/staging path:models/intermediate path:models/utilities path:seeds"
# Tests reading more than one mart (foreign keys, singular tests tagged `cross_mart`) run once every
# mart is built: with a mart's own task, the other mart may not exist yet on a first run.
RELATIONSHIP_TESTS = "test_name:composite_relationship tag:cross_mart"
# The two plain cosmos operators: dbt in-process (dbtRunner), installed in Airflow's environment.
LOCAL_DBT = {"project_dir": str(DBT_PROJECT), "profile_config": PROFILE, "install_deps": False,
             "invocation_mode": InvocationMode.DBT_RUNNER, "dbt_executable_path": DBT_EXECUTABLE}


def build_transform_dag() -> DAG:
    @dag(
        dag_id="transform_dbt",
        # A venue's Asset is emitted once its whole extraction run has landed.
        schedule=AssetAny(*(venue_landing_asset(s) for s in sources())),
        start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        catchup=False,
        max_active_runs=1,
        tags=["transform", "dbt", "marts"],
        doc_md=DOC,
        default_args={"owner": "data-platform", "retries": 2, "retry_delay": timedelta(minutes=1)},
    )
    def transform():
        upstream = DbtBuildLocalOperator(task_id="staging_and_intermediate", select=UPSTREAM_LAYERS, **LOCAL_DBT)
        marts = DbtTaskGroup(
            group_id="marts",
            project_config=ProjectConfig(DBT_PROJECT, install_dbt_deps=False),
            profile_config=PROFILE,
            # dbt runs in-process (dbtRunner): it is installed in Airflow's own environment.
            # The executable is where `dbt ls` (parsing) looks when dbt is not on PATH.
            execution_config=ExecutionConfig(invocation_mode=InvocationMode.DBT_RUNNER,
                                             dbt_executable_path=DBT_EXECUTABLE),
            render_config=RenderConfig(
                load_method=LoadMode.DBT_LS,
                select=["path:models/marts"],
                exclude=RELATIONSHIP_TESTS.split(),
                test_behavior=TestBehavior.BUILD,
                invocation_mode=InvocationMode.DBT_RUNNER,
            ),
        )
        relationships = DbtTestLocalOperator(task_id="mart_relationships", select=RELATIONSHIP_TESTS, **LOCAL_DBT)
        upstream >> marts >> relationships >> export_parquet()

    return transform()
