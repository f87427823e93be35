"""One broken walk does not stop a venue: when the listing fails, the per-market tasks run on the
catalog already known, the venue-wide feed runs, and what landed is published."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.airflow_runs import get_dag, run_dag
from tests.support.landing import landed
from tests.support.sim import NOW, point_connections_at, running_simulator

pytestmark = pytest.mark.slow
HOUR = timedelta(hours=1)


def test_a_failing_listing_leaves_the_rest_of_the_venue_running(airflow_db, landing):
    with running_simulator(polymarket_markets=12, polymarket_trades=40_000, kalshi_markets=0,
                           epoch_start="2026-10-20T00:00:00Z", epoch_end="2027-01-01T00:00:00Z") as sim:
        point_connections_at(sim)
        run_dag("extract_polymarket", NOW)  # the catalog is known from this hour on
        known = landing.value("select count(*) from landing.market_catalog where source = 'polymarket'")
        sim.set_now(NOW + HOUR)
        sim.add_fault(kind="status", status=503, service="polymarket/gamma", times=None)
        dag = get_dag("extract_polymarket")
        retries = {t.task_id: t.retries for t in dag.tasks}
        try:
            for task in dag.tasks:
                task.retries = 0  # the listing's Airflow retries would only delay the verdict
            run = dag.test(logical_date=NOW + HOUR)
        finally:
            for task in dag.tasks:
                task.retries = retries[task.task_id]
            sim.clear_faults()
            sim.set_now(NOW)
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["extract_reference"] == "failed"
    for task in ("plan_market_batches", "extract_trades", "extract_prices", "extract_orderbooks", "publish_landing"):
        assert states[task] == "success", (task, states)
    rows = landed(landing, run.run_id)
    resources = {r[5] for r in rows if r[3] == 200}
    assert {"trades", "prices", "orderbooks"} <= resources  # the known catalog drove the batches
    failed_listing = [r for r in rows if r[5] in ("events", "markets")]
    assert failed_listing and all(r[3] == 503 for r in failed_listing)  # landed, with the reason
    assert landing.value("select count(*) from landing.market_catalog where source = 'polymarket'") == known
    outcome = landing.value("select outcome from landing.ingestion_runs where run_id = %s "
                            "and task_id = 'extract_reference'", (run.run_id,))
    assert outcome == "failed"
