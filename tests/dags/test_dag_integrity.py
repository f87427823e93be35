"""Every DAG file imports cleanly and every DAG follows the house rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from prediction_markets.adapters import sources
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
    mapped = [t for t in dag.tasks if t.task_id.startswith("extract_") and t.task_id != "extract_reference"]
    assert mapped and all(getattr(t, "_is_mapped", False) or t.is_mapped for t in mapped)
    outlets = {o.uri for t in dag.tasks for o in t.outlets}
    assert f"landing://{source}/trades" in outlets and f"landing://{source}/markets" in outlets
    publish = dag.get_task("publish_landing")
    assert [o.uri for o in publish.outlets] == [f"landing://{source}/"]  # Airflow normalises the URI
    assert publish.trigger_rule == "none_failed"
    assert {t.task_id for t in dag.tasks if t.task_id.startswith("extract_") and t.task_id != "extract_reference"} \
        <= publish.upstream_task_ids


def test_hourly_data_intervals(bag):
    import pendulum

    dag = bag.get_dag("extract_polymarket")
    interval = dag.timetable.infer_manual_data_interval(run_after=pendulum.datetime(2026, 11, 20, 12, 30))
    assert (interval.start.hour, interval.end.hour) == (11, 12)
