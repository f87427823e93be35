"""The one extract operator: lands a venue's resources for the task's data interval."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from importlib import import_module
from typing import Any

from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import BaseOperator, Variable
from airflow.sdk.exceptions import AirflowException

from prediction_markets.adapters import get_adapter
from prediction_markets.adapters.base import RateRule, RunContext
from prediction_markets.hooks.ratelimit import PostgresStore
from prediction_markets.hooks.venue_http import VenueHttpHook
from prediction_markets.intervals import run_interval
from prediction_markets.landing.reader import LandingReader
from prediction_markets.landing.writer import LandingWriter, RunInfo
from prediction_markets.operators.walk import Extraction

WAREHOUSE_CONN_ID = "warehouse"


def load_class(path: str) -> type:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


def venue_settings(source: str) -> dict[str, Any]:
    """Per-venue knobs from the Airflow Variable `<source>_settings` (JSON), if set."""
    return Variable.get(f"{source}_settings", default={}, deserialize_json=True) or {}


BACKFILL = "backfill"
# The full sync's rules are the venue's, plus a copy at `backfill_rate_share` of each limit: the
# copies cap the backfill, the shared originals cap everyone, so hourly runs keep the rest.
DEFAULT_BACKFILL_SHARE = 0.5


def backfill_rules(rules, share: float) -> tuple[RateRule, ...]:
    share = min(1.0, max(0.01, float(share)))
    return tuple(rules) + tuple(
        RateRule(f"{r.key}:backfill", max(1, int(r.limit * share)), r.period, r.paths) for r in rules
    )


def backfill_params(context) -> dict[str, Any]:
    """The full sync's run params (since, until, markets) as settings; unset means everything."""
    params = dict(context.get("params") or {})
    return {k: params.get(k) for k in ("since", "until", "markets") if params.get(k) not in (None, "", [])}


class VenueExtractOperator(BaseOperator):
    """Walks the given resources of one venue and lands every response.

    `batch` selects, for per-market resources, one stable partition of the markets live in
    the data interval: ``{"part": i, "parts": n}`` (see plan_market_batches). With
    ``mode="backfill"`` (the full sync) a batch partitions every market the catalog holds, the
    run's params (since, until, markets) bound the walks, and requests draw on a lower share of
    the venue's rate budget.
    """

    template_fields: Sequence[str] = ("batch",)
    ui_color = "#e8f1fb"

    def __init__(
        self,
        *,
        source: str,
        venue_resources: Sequence[str],
        batch: Mapping[str, int] | None = None,
        warehouse_conn_id: str = WAREHOUSE_CONN_ID,
        max_workers: int = 4,
        mode: str = "incremental",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.venue_resources = list(venue_resources)
        self.batch = batch
        self.warehouse_conn_id = warehouse_conn_id
        self.max_workers = max_workers
        self.mode = mode

    def execute(self, context) -> dict[str, Any]:
        backfill = self.mode == BACKFILL
        settings = venue_settings(self.source)
        if backfill:
            settings = {**settings, **backfill_params(context)}
        adapter = get_adapter(self.source, settings)
        interval = run_interval(context)
        pg = PostgresHook(postgres_conn_id=self.warehouse_conn_id)
        control, writer_conn = pg.get_conn(), pg.get_conn()
        store = PostgresStore(pg.get_conn)
        conn_ids = adapter.conn_ids(self.venue_resources)
        share = adapter.settings.get("backfill_rate_share", DEFAULT_BACKFILL_SHARE)
        hooks = {
            cid: load_class(adapter.hook_class(cid))(
                cid, rate_rules=backfill_rules(adapter.rate_rules(cid), share) if backfill else adapter.rate_rules(cid),
                limiter_store=store, pool_size=self.max_workers + 2,
            )
            for cid in conn_ids
        }
        reader = LandingReader(control, self.source)
        ti = context["ti"]
        run = RunInfo(self.source, self.venue_resources, interval, ti.dag_id, ti.task_id, context["run_id"],
                      ti.map_index if ti.map_index is not None and ti.map_index >= 0 else None, ti.try_number)
        # A lost writer connection is replaced and its page retried (nothing was committed).
        writer = LandingWriter(writer_conn, run, connect=pg.get_conn)
        dag_run = context.get("dag_run")
        ctx = RunContext(
            interval=interval,
            started_at=datetime.now(timezone.utc),
            settings=adapter.settings,
            catalog=reader,
            run_type=BACKFILL if backfill else str(getattr(dag_run, "run_type", "scheduled")),
        )
        if self.batch is not None and backfill:
            ctx.items = reader.all_markets(int(self.batch["part"]), int(self.batch["parts"]),
                                           adapter.settings.get("markets"))
        elif self.batch is not None:
            ctx.items = reader.live_markets(
                interval, float(adapter.settings.get("closed_grace_s", 0)),
                int(self.batch["part"]), int(self.batch["parts"]),
            )
        try:
            writer.start_run()
            totals = Extraction(adapter, ctx, hooks, writer, reader, max_workers=self.max_workers).run(self.venue_resources)
        except Exception as exc:
            writer.finish_run(self._totals(None, hooks), "failed", error=f"{type(exc).__name__}: {exc}")
            raise
        finally:
            for hook in hooks.values():
                hook.close()
            store.close()
        summary = self._totals(totals, hooks)
        # A walk that recorded a gap did not reach its stop point: the run is partial, not a success.
        if totals.scopes_failed:
            outcome = "partial" if totals.pages else "failed"
        else:
            outcome = "partial" if totals.gaps_opened else "success"
        error = "; ".join(totals.failures[:20]) or None
        writer.finish_run(summary, outcome, totals.warnings, error)
        control.close()
        writer_conn.close()
        self.log.info(
            "%s %s: %d scopes (%d failed), %d pages, %d records, %d error responses, %d retries, "
            "%d rate-limit waits (%.1fs), %d bytes",
            self.source, ",".join(self.venue_resources), summary["scopes"], summary["scopes_failed"],
            summary["pages"], summary["records"], summary["error_responses"], summary["retries"],
            summary["rate_limit_waits"], summary["rate_limit_wait_s"], summary["bytes"],
        )
        for name, value in sorted(totals.counters.items()):
            self.log.info("%s %s: %s = %d", self.source, ",".join(self.venue_resources), name, value)
        for warning in totals.warnings[:50]:
            self.log.warning("%s", warning)
        if totals.scopes_failed:
            # Failed walks keep their cursor: the task retry resumes them where they stopped.
            raise AirflowException(f"{totals.scopes_failed} of {totals.scopes} walks failed: {error}")
        return summary

    @staticmethod
    def _totals(totals, hooks: Mapping[str, VenueHttpHook]) -> dict[str, Any]:
        stats = [h.stats for h in hooks.values()]
        return {
            "scopes": totals.scopes if totals else 0,
            "scopes_failed": totals.scopes_failed if totals else 0,
            "pages": totals.pages if totals else 0,
            "error_responses": totals.error_responses if totals else 0,
            "records": totals.records if totals else 0,
            "gaps_opened": totals.gaps_opened if totals else 0,
            "counters": dict(totals.counters) if totals else {},
            "retries": sum(s.retries for s in stats),
            "rate_limit_waits": sum(s.rate_limit_waits for s in stats),
            "rate_limit_wait_s": round(sum(s.rate_limit_wait_s for s in stats), 3),
            "bytes": sum(s.bytes for s in stats),
        }
