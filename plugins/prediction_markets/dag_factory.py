"""Builds `extract_<venue>` DAGs from the adapter registry; DAG files only call this."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from airflow.sdk import DAG, dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

from prediction_markets.adapters import adapter_class
from prediction_markets.assets import landing_asset, venue_landing_asset
from prediction_markets.operators.extract import WAREHOUSE_CONN_ID, VenueExtractOperator, venue_settings

DOC = """
### extract_{source}

Lands every {source} API response for the data interval in `landing.raw_api_responses`
(errors included), each page committed with the checkpoint it advances (`landing.sync_state`).

1. `migrate_landing`: applies pending landing migrations.
2. `extract_reference`: {reference} (listing walks; they also maintain `landing.market_catalog`).
3. {feed_tasks}venue-wide walks (one task each, every market at once).
4. `plan_market_batches`: splits the markets live in the interval into at most `max_batches`
   stable partitions; {market_tasks}: one mapped task per partition, in pool `{source}`.
5. `publish_landing`: logs what this run landed and the venue's key drift (keys landed that staging
   does not read, keys it reads that stopped arriving: `marts.landing_key_drift`), and emits the
   venue's landing Asset `landing://{source}`, which schedules `transform_dbt`. It runs even when an
   extract task failed: what landed is modelled, and the failed walk resumes from its checkpoint on
   the retry.

Each extract task also emits the Asset of each resource it wrote (`landing://{source}/<resource>`).
Knobs: Airflow Variable `{source}_settings` (JSON); endpoints: the venue's Connections.
"""


@task
def migrate_landing(warehouse_conn_id: str = WAREHOUSE_CONN_ID) -> list[str]:
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    from prediction_markets.landing.migrations import apply_migrations

    conn = PostgresHook(postgres_conn_id=warehouse_conn_id).get_conn()
    try:
        return [m.path.name for m in apply_migrations(conn)]
    finally:
        conn.close()


# Runs whatever became of the extract tasks: what landed is modelled even when one walk failed
# (its checkpoint keeps the rest for the retry), so one broken walk never stops a venue.
@task(trigger_rule="all_done")
def publish_landing(source: str, warehouse_conn_id: str = WAREHOUSE_CONN_ID, **context) -> dict[str, dict]:
    """What this DAG run landed, per resource (its outlet is the venue's landing Asset), and the
    venue's key drift as the last transform saw it (marts.landing_key_drift, when it exists)."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    from prediction_markets.landing.drift import log_key_drift

    conn = PostgresHook(postgres_conn_id=warehouse_conn_id).get_conn()
    try:
        rows = conn.execute(
            "select resource, count(*), count(*) filter (where status_code = 200 and response is not null), "
            "coalesce(sum(record_count), 0)::bigint, count(*) filter (where error is not null) "
            "from landing.raw_api_responses where source = %s and run_id = %s group by resource order by resource",
            (source, context["run_id"]),
        ).fetchall()
        landed = {r[0]: {"responses": r[1], "pages": r[2], "entities": r[3], "errors": r[4]} for r in rows}
        for resource, counts in landed.items():
            print(f"{source} {resource}: {counts}")
        log_key_drift(conn, source)
    finally:
        conn.close()
    return landed


# The catalog already known when a listing fails still drives the per-market tasks.
@task(trigger_rule="all_done")
def plan_market_batches(source: str, warehouse_conn_id: str = WAREHOUSE_CONN_ID, **context) -> list[dict[str, int]]:
    """Partitions of the markets live in the interval, one per mapped task (none: no work)."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    from prediction_markets.intervals import run_interval
    from prediction_markets.landing.reader import LandingReader

    settings = {**adapter_class(source).default_settings, **venue_settings(source)}
    interval = run_interval(context)
    conn = PostgresHook(postgres_conn_id=warehouse_conn_id).get_conn()
    try:
        live = LandingReader(conn, source).count_live_markets(interval, float(settings["closed_grace_s"]))
    finally:
        conn.close()
    if live == 0:
        return []
    parts = min(int(settings["max_batches"]), math.ceil(live / int(settings["batch_size"])))
    return [{"part": i, "parts": parts} for i in range(parts)]


def build_extract_dag(source: str) -> DAG:
    adapter = adapter_class(source)
    reference = list(adapter.reference_resources)
    instance = adapter()

    @dag(
        dag_id=f"extract_{source}",
        # Hourly data intervals [start, end): extraction is bounded by them.
        schedule=CronDataIntervalTimetable(adapter.schedule, timezone="UTC"),
        start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        catchup=False,
        max_active_runs=1,
        tags=["extract", "landing", source],
        doc_md=DOC.format(
            source=source,
            reference=", ".join(reference),
            market_tasks=", ".join(f"`extract_{r}`" for r in adapter.market_resources),
            feed_tasks="".join(f"`extract_{r}`: " for r in adapter.feed_resources) or "(none) ",
        ),
        default_args={
            "owner": "data-platform",
            "retries": 2,
            "retry_delay": timedelta(seconds=30),
            "retry_exponential_backoff": True,
            "pool": source,
            "execution_timeout": timedelta(hours=2),
        },
    )
    def extract():
        migrated = migrate_landing()
        listing = VenueExtractOperator(
            task_id="extract_reference",
            source=source,
            venue_resources=reference,
            outlets=[landing_asset(source, r) for r in instance.landing_resources(reference)],
        )
        batches = plan_market_batches(source=source)
        published = publish_landing.override(outlets=[venue_landing_asset(source)])(source=source)
        migrated >> listing >> batches
        for name in adapter.feed_resources:
            # A venue-wide walk (every market at once): one task, beside the per-market batches.
            listing >> VenueExtractOperator(
                task_id=f"extract_{name}",
                source=source,
                venue_resources=[name],
                trigger_rule="all_done",
                outlets=[landing_asset(source, r) for r in instance.landing_resources([name])],
            ) >> published
        for name in adapter.market_resources:
            VenueExtractOperator.partial(
                task_id=f"extract_{name}",
                source=source,
                venue_resources=[name],
                outlets=[landing_asset(source, r) for r in instance.landing_resources([name])],
            ).expand(batch=batches) >> published

    return extract()
