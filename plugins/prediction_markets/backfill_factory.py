"""Builds `backfill_<venue>` DAGs: the full sync, from the same adapters and the same operator.

Triggered by hand or by the API (no schedule). A first deployment runs it once, before the hourly
`extract_<venue>`: it lists every market the venue has, open and closed, then walks each market's
whole history (trades, prices, resolutions) in mapped batches with a checkpoint per market and
resource, so a run killed anywhere resumes where it stopped. It draws on a lower share of the
venue's rate budget than the hourly DAG (setting `backfill_rate_share`), in its own pool.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from airflow.sdk import DAG, Param, dag, task

from prediction_markets.adapters import adapter_class
from prediction_markets.assets import landing_asset, venue_landing_asset
from prediction_markets.dag_factory import migrate_landing, publish_landing
from prediction_markets.operators.extract import BACKFILL, WAREHOUSE_CONN_ID, VenueExtractOperator, venue_settings

DOC = """
### backfill_{source}

The full sync of {source}: every market the venue lists, open and closed, with its whole history.
Run it once on a new deployment before `extract_{source}`, and again whenever a history must be
re-walked. Params (all optional; the defaults mean everything): `since` / `until` (ISO-8601 bounds of
the history walked), `resources` (a subset of {resources}), `markets` (market ids).

1. `migrate_landing`, then `extract_listings`: {reference} in full (open and closed).
2. `plan_backfill`: prints the markets, the requests needed and the hours at the published limits,
   and splits the markets in at most `backfill_max_batches` stable partitions.
3. {history_tasks}: one mapped task per partition, in pool `{source}_backfill`. Each checkpoints
   per market and resource; progress (markets done of total, pages, rows, rate, ETA) goes to the
   task log and `landing.ingestion_runs.progress`.
4. `publish_landing`: emits `landing://{source}`, which schedules `transform_dbt`.
"""


@task(trigger_rule="all_done")
def plan_backfill(source: str, resources: list[str], warehouse_conn_id: str = WAREHOUSE_CONN_ID,
                  **context) -> list[dict[str, int]]:
    """Prints the estimate of the full sync and returns the partitions for the mapped tasks."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    from prediction_markets.adapters import get_adapter
    from prediction_markets.landing.reader import LandingReader
    from prediction_markets.operators.extract import backfill_params
    from prediction_markets.operators.estimate import estimate_full_sync

    wanted = _wanted(resources, context)
    adapter = get_adapter(source, {**venue_settings(source), **backfill_params(context)})
    conn = PostgresHook(postgres_conn_id=warehouse_conn_id).get_conn()
    try:
        reader = LandingReader(conn, source)
        only = adapter.settings.get("markets")
        markets = reader.count_markets(only)
        report = estimate_full_sync(adapter, reader, wanted, only)
    finally:
        conn.close()
    for line in report.lines():
        print(line)
    if markets == 0:
        return []
    parts = min(int(adapter.settings.get("backfill_max_batches", 32)),
                math.ceil(markets / int(adapter.settings["batch_size"])))
    return [{"part": i, "parts": parts} for i in range(parts)]


def _wanted(resources: list[str], context) -> list[str]:
    asked = (context.get("params") or {}).get("resources") or resources
    unknown = sorted(set(asked) - set(resources))
    if unknown:
        raise ValueError(f"unknown resources {unknown}; choose among {resources}")
    return [r for r in resources if r in asked]


@task.short_circuit(ignore_downstream_trigger_rules=False)
def wanted(resource: str, **context) -> bool:
    """Skips a history resource the run's `resources` param leaves out."""
    asked = (context.get("params") or {}).get("resources")
    return not asked or resource in asked


def build_backfill_dag(source: str) -> DAG:
    adapter = adapter_class(source)
    instance = adapter()
    reference = list(adapter.backfill_reference_resources or adapter.reference_resources)
    history = list(adapter.history_resources)

    @dag(
        dag_id=f"backfill_{source}",
        schedule=None,
        start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        catchup=False,
        max_active_runs=1,
        tags=["backfill", "full-sync", "landing", source],
        doc_md=DOC.format(source=source, reference=", ".join(reference), resources=", ".join(history),
                          history_tasks=", ".join(f"`extract_{r}`" for r in history)),
        params={
            "since": Param(None, type=["null", "string"], description="oldest instant walked (ISO-8601); none: all"),
            "until": Param(None, type=["null", "string"], description="newest instant walked (ISO-8601); none: now"),
            "resources": Param(history, type="array", description=f"any of {', '.join(history)}"),
            "markets": Param(None, type=["null", "array"], description="market ids; none: every market"),
        },
        default_args={
            "owner": "data-platform",
            "retries": 3,
            "retry_delay": timedelta(minutes=1),
            "retry_exponential_backoff": True,
            "pool": f"{source}_backfill",
            # A full sync of a large venue runs for hours; each retry resumes from the checkpoints.
            "execution_timeout": timedelta(hours=24),
        },
    )
    def backfill():
        migrated = migrate_landing()
        listing = VenueExtractOperator(
            task_id="extract_listings",
            source=source,
            venue_resources=reference,
            mode=BACKFILL,
            outlets=[landing_asset(source, r) for r in instance.landing_resources(reference)],
        )
        batches = plan_backfill(source=source, resources=history)
        published = publish_landing.override(outlets=[venue_landing_asset(source)])(source=source)
        migrated >> listing >> batches
        for name in history:
            gate = wanted.override(task_id=f"want_{name}")(resource=name)
            batches >> gate >> VenueExtractOperator.partial(
                task_id=f"extract_{name}",
                source=source,
                venue_resources=[name],
                mode=BACKFILL,
                outlets=[landing_asset(source, r) for r in instance.landing_resources([name])],
            ).expand(batch=batches) >> published

    return backfill()
