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
    assert relationships.select == "test_name:composite_relationship"
    ancestors = relationships.get_flat_relative_ids(upstream=True)
    assert {f"marts.{m}_model_build" for m in ("trades", "market_outcomes", "markets", "events")} <= ancestors
    assert not [i for i in ids if i.startswith(("marts.stg_", "marts.int_", "marts.composite_relationship"))]


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
