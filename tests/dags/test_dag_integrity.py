"""Every DAG file imports cleanly and every DAG follows the house rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from prediction_markets.adapters import adapter_class, sources
from tests.support.airflow_runs import ROOT, dagbag

DAG_FILES = sorted(p.name for p in (ROOT / "dags").glob("*.py"))


@pytest.fixture(scope="module")
def bag(airflow_db):
    return dagbag()


@pytest.mark.parametrize("name", DAG_FILES)
def test_dag_file_imports_without_errors(bag, name):
    errors = {Path(k).name: v for k, v in bag.import_errors.items()}
    assert name not in errors, errors.get(name)


def test_every_venue_has_an_extract_dag(bag):
    assert {f"extract_{s}" for s in sources()} <= set(bag.dag_ids)


@pytest.mark.parametrize("dag_id", [f"extract_{s}" for s in sources()])
def test_extract_dag_shape(bag, dag_id):
    dag = bag.get_dag(dag_id)
    source = dag_id.removeprefix("extract_")
    assert dag.tags and {"extract", source} <= set(dag.tags)
    assert dag.catchup is False and dag.max_active_runs == 1 and dag.doc_md
    for task in dag.tasks:
        assert task.retries >= 2, f"{task.task_id} has no retries"
        assert task.pool == source, f"{task.task_id} runs outside the {source} pool"
    adapter = adapter_class(source)
    per_market = {f"extract_{r}" for r in adapter.market_resources}
    venue_wide = {f"extract_{r}" for r in adapter.feed_resources}
    mapped = [t for t in dag.tasks if t.task_id in per_market]
    # Per-market work is mapped over batches; venue-wide feeds are one task each.
    assert mapped and all(getattr(t, "_is_mapped", False) or t.is_mapped for t in mapped)
    assert all(not (getattr(t, "_is_mapped", False) or t.is_mapped) for t in dag.tasks if t.task_id in venue_wide)
    assert per_market | venue_wide | {"extract_reference"} == {t.task_id for t in dag.tasks if t.task_id.startswith("extract_")}
    outlets = {o.uri for t in dag.tasks for o in t.outlets}
    assert f"landing://{source}/trades" in outlets and f"landing://{source}/markets" in outlets
    publish = dag.get_task("publish_landing")
    assert [o.uri for o in publish.outlets] == [f"landing://{source}/"]  # Airflow normalises the URI
    # One broken walk never stops a venue: what landed is published, batches plan on the known catalog.
    assert publish.trigger_rule == "all_done" and dag.get_task("plan_market_batches").trigger_rule == "all_done"
    assert {t.task_id for t in dag.tasks if t.task_id.startswith("extract_") and t.task_id != "extract_reference"} \
        <= publish.upstream_task_ids


def test_hourly_data_intervals(bag):
    import pendulum

    dag = bag.get_dag("extract_polymarket")
    interval = dag.timetable.infer_manual_data_interval(run_after=pendulum.datetime(2026, 11, 20, 12, 30))
    assert (interval.start.hour, interval.end.hour) == (11, 12)


@pytest.mark.parametrize("source", sources())
def test_backfill_dag_shape(bag, source):
    dag = bag.get_dag(f"backfill_{source}")
    adapter = adapter_class(source)
    assert dag.schedule is None or dag.timetable.summary in ("None", "")  # triggered by hand or by the API
    assert {"backfill", source} <= set(dag.tags) and dag.max_active_runs == 1 and dag.doc_md
    for task in dag.tasks:
        assert task.retries >= 2, f"{task.task_id} has no retries"
        assert task.pool == f"{source}_backfill", f"{task.task_id} would take the hourly DAG's slots"
    # Defaults mean everything: no bound in time, every history resource, every market.
    params = dag.params.dump() if hasattr(dag.params, "dump") else dict(dag.params)
    assert params["since"] is None and params["until"] is None and params["markets"] is None
    assert list(params["resources"]) == list(adapter.history_resources)
    history = {f"extract_{r}" for r in adapter.history_resources}
    mapped = [t for t in dag.tasks if t.task_id in history]
    assert len(mapped) == len(history) and all(getattr(t, "_is_mapped", False) or t.is_mapped for t in mapped)
    assert dag.get_task("publish_landing").trigger_rule == "all_done"
