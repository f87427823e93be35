"""transform_dbt: the cosmos DAG renders the dbt project, is scheduled on every landing Asset,
and runs end to end with dag.test() after an extraction."""

from __future__ import annotations

import pytest

from prediction_markets.adapters import sources
from tests.support.airflow_runs import get_dag, run_dag
from tests.support.sim import NOW, point_connections_at, running_simulator


@pytest.fixture(scope="module")
def transform(airflow_db, warehouse):
    return get_dag("transform_dbt")


def test_scheduled_on_each_venue_landing_asset(transform):
    condition = transform.timetable.asset_condition
    assert type(condition).__name__ == "AssetAny"  # any venue's completed extraction triggers a run
    assert {a.uri for a in condition.objects} == {f"landing://{s}/" for s in sources()}


def test_one_dbt_build_task_per_model(transform):
    """Each model's task runs `dbt build` on it: the model, then its tests, before anything
    downstream; tests spanning two models run once both exist."""
    ids = {t.task_id for t in transform.tasks}
    for model in ("markets", "market_outcomes", "events", "trades", "price_snapshots", "orderbook_snapshots"):
        assert f"{model}_model_build" in ids, model
    assert type(transform.get_task("trades_model_build")).__name__ == "DbtBuildLocalOperator"
    relationship = next(t for t in transform.tasks if t.task_id.startswith("composite_relationship_trades_"))
    assert {"trades_model_build", "market_outcomes_model_build"} <= relationship.upstream_task_ids


@pytest.mark.slow
def test_transform_runs_after_an_extraction(transform, landing):
    landing.drop_models()
    with running_simulator(polymarket_markets=10, polymarket_trades=40000,
                           epoch_start="2026-10-20T00:00:00Z", epoch_end="2027-01-01T00:00:00Z") as sim:
        point_connections_at(sim)
        run_dag("extract_polymarket", NOW)
    run = run_dag("transform_dbt", NOW)
    failed = [ti.task_id for ti in run.get_task_instances() if ti.state != "success"]
    assert not failed
    counts = dict(landing.rows(
        "select 'markets', count(*) from marts.markets union all select 'trades', count(*) from marts.trades "
        "union all select 'outcomes', count(*) from marts.market_outcomes"))
    assert counts["markets"] == len(sim.polymarket.markets(NOW))
    assert counts["outcomes"] == 2 * counts["markets"] and counts["trades"] > 0
