"""transform_dbt: the cosmos DAG renders the dbt project, is scheduled on every landing Asset,
and runs end to end after an extraction: with dag.test() over a warehouse Connection with and
without a password, and with the Airflow CLI from a shell where the venv is not on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from prediction_markets.adapters import sources
from tests.support.airflow_runs import ROOT, get_dag, run_dag
from tests.support.sim import NOW, point_connections_at, running_simulator


@pytest.fixture(scope="module")
def transform(airflow_db, warehouse):
    return get_dag("transform_dbt")


def test_scheduled_on_each_venue_landing_asset(transform):
    condition = transform.timetable.asset_condition
    assert type(condition).__name__ == "AssetAny"  # any venue's completed extraction triggers a run
    assert {a.uri for a in condition.objects} == {f"landing://{s}/" for s in sources()}


def test_one_dbt_build_for_the_views_then_one_task_per_mart(transform):
    """The views build (and are tested) in one task; each mart's task runs `dbt build` on it (the
    model, then its tests) before anything downstream; foreign keys between marts are tested last."""
    ids = {t.task_id for t in transform.tasks}
    upstream = transform.get_task("staging_and_intermediate")
    assert "path:models/staging" in upstream.select and "path:models/intermediate" in upstream.select
    for model in ("markets", "market_outcomes", "events", "trades", "price_snapshots", "orderbook_snapshots"):
        task = transform.get_task(f"marts.{model}_model_build")
        assert type(task).__name__ == "DbtBuildLocalOperator"
        assert "staging_and_intermediate" in task.upstream_task_ids or task.upstream_task_ids & ids - {"staging_and_intermediate"}
    relationships = transform.get_task("mart_relationships")
    assert relationships.select == "test_name:composite_relationship tag:cross_mart"
    ancestors = relationships.get_flat_relative_ids(upstream=True)
    assert {f"marts.{m}_model_build" for m in ("trades", "market_outcomes", "markets", "events")} <= ancestors
    assert not [i for i in ids if i.startswith(("marts.stg_", "marts.int_", "marts.composite_relationship", "marts.resolved_markets"))]


@pytest.fixture(scope="module")
def extracted(transform, warehouse):
    """One hour of Polymarket landed; returns how many markets the venue lists at NOW."""
    warehouse.truncate_landing()
    with running_simulator(polymarket_markets=10, polymarket_trades=40000,
                           epoch_start="2026-10-20T00:00:00Z", epoch_end="2027-01-01T00:00:00Z") as sim:
        point_connections_at(sim)
        run_dag("extract_polymarket", NOW)
        return len(sim.polymarket.markets(NOW))


def mart_counts(warehouse) -> dict[str, int]:
    return dict(warehouse.rows(
        "select 'markets', count(*) from marts.markets union all select 'trades', count(*) from marts.trades "
        "union all select 'outcomes', count(*) from marts.market_outcomes"))


def assert_marts_built(warehouse, markets: int) -> None:
    counts = mart_counts(warehouse)
    assert counts["markets"] == markets
    assert counts["outcomes"] == 2 * counts["markets"] and counts["trades"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("password", [True, False], ids=["password", "no-password"])
def test_transform_runs_after_an_extraction(transform, extracted, warehouse, monkeypatch, password):
    """The `warehouse` Connection as users have it: with a password, or without one (trust, peer
    or ~/.pgpass authentication), which cosmos's stock Postgres mapping refuses."""
    db = replace(warehouse.db, password=warehouse.db.password if password else None)
    assert (":" in db.airflow_uri.split("@")[0].removeprefix("postgresql://")) is password
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", db.airflow_uri)
    warehouse.drop_models()
    run = run_dag("transform_dbt", NOW)
    failed = [ti.task_id for ti in run.get_task_instances() if ti.state != "success"]
    assert not failed
    assert_marts_built(warehouse, extracted)


def forget_cached_dbt_ls() -> None:
    """Cosmos keeps `dbt ls` output in Airflow Variables; without it the DAG file runs dbt to parse,
    as on a fresh deployment."""
    from airflow.models import Variable
    from airflow.utils.session import create_session

    with create_session() as session:
        session.query(Variable).filter(Variable.key.like("cosmos_cache__%")).delete(synchronize_session=False)


@pytest.mark.slow
def test_airflow_cli_finds_dbt_without_the_venv_on_path(extracted, warehouse, airflow_db):
    """`.venv/bin/airflow dags test transform_dbt` from a shell where the venv is not activated:
    cosmos finds dbt next to the interpreter running Airflow."""
    venv_bin = Path(sys.executable).parent
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if p and Path(p).resolve() != venv_bin.resolve())
    assert shutil.which("dbt", path=path) is None, "another dbt on PATH would hide the failure"
    forget_cached_dbt_ls()
    env = {**os.environ, "PATH": path, "AIRFLOW_CONN_WAREHOUSE": warehouse.airflow_uri}
    warehouse.drop_models()
    proc = subprocess.run([str(venv_bin / "airflow"), "dags", "test", "transform_dbt", NOW.isoformat()],
                          env=env, capture_output=True, text=True, cwd=ROOT)
    output = proc.stdout + proc.stderr
    assert "Unable to find the dbt executable" not in output
    assert proc.returncode == 0, output[-6000:]
    assert_marts_built(warehouse, extracted)
