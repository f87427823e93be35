"""The platform as it runs for real, on one machine: the Airflow components under a scheduler
(LocalExecutor), venue Connections pointed at a simulator, extract DAGs unpaused and run, and
`transform_dbt` triggered by the landing Assets they emit."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg

from local_stack.airflow_stack import AirflowStack, AirflowStackError, stack_env
from local_stack.env import airflow_env, simulator_connections
from local_stack.warehouse import Database
from prediction_markets.assets import venue_landing_asset

# Extract tasks per venue, and the venue's full sync in a pool of its own (it never takes the
# hourly runs' slots).
POOLS = {"polymarket": 4, "kalshi": 2, "polymarket_backfill": 2, "kalshi_backfill": 1}
FINISHED = ("success", "failed")


@dataclass
class RunState:
    dag_id: str
    run_id: str
    run_type: str
    state: str
    start: datetime | None
    end: datetime | None


class LocalPlatform:
    def __init__(self, home: Path, warehouse: Database, metadata: Database, sim_base_url: str,
                 api_port: int = 8080, extra_env: dict[str, str] | None = None) -> None:
        self.metadata = metadata
        metadata_uri = metadata.airflow_uri.replace("postgresql://", "postgresql+psycopg2://")
        env = {
            **os.environ,
            **airflow_env(home, warehouse.airflow_uri),
            **stack_env(home, metadata_uri, api_port),
            **simulator_connections(sim_base_url),
            **(extra_env or {}),
        }
        self.stack = AirflowStack(env, home / "component-logs")

    def prepare(self) -> None:
        self.stack.airflow("db", "migrate")
        for pool, slots in POOLS.items():
            self.stack.airflow("pools", "set", pool, str(slots), f"{pool} extract tasks")

    def runs(self, dag_id: str) -> list[RunState]:
        with psycopg.connect(self.metadata.dsn) as conn:
            rows = conn.execute(
                "select dag_id, run_id, run_type, state, start_date, end_date from dag_run "
                "where dag_id = %s order by id", (dag_id,)).fetchall()
        return [RunState(*r) for r in rows]

    def paused(self, dag_ids: list[str]) -> dict[str, bool]:
        with psycopg.connect(self.metadata.dsn) as conn:
            rows = conn.execute("select dag_id, is_paused from dag where dag_id = any(%s)", (dag_ids,)).fetchall()
        return dict(rows)

    def unpause(self, dag_ids: list[str], timeout: float = 180) -> None:
        """Unpause once the dag-processor has registered each DAG (transform_dbt takes a
        while: cosmos lists the dbt project on its first parse)."""
        deadline = time.monotonic() + timeout
        while set(self.paused(dag_ids)) != set(dag_ids):
            if time.monotonic() > deadline:
                raise AirflowStackError(f"DAGs not registered after {timeout:.0f}s: {dag_ids}")
            time.sleep(2)
        for dag_id in dag_ids:
            self.stack.airflow("dags", "unpause", dag_id)
        still = [d for d, p in self.paused(dag_ids).items() if p]
        if still:
            raise AirflowStackError(f"could not unpause {still}")

    def start_extracts(self, dag_ids: list[str], wait_scheduled: float = 30) -> dict[str, str]:
        """Unpause each DAG: the scheduler starts a run for the last complete interval; where
        that interval already ran, trigger one. Returns dag_id -> run_id to follow."""
        self.unpause(["transform_dbt"])
        known = {d: {r.run_id for r in self.runs(d)} for d in dag_ids}
        self.unpause(dag_ids)
        followed: dict[str, str] = {}
        deadline = time.monotonic() + wait_scheduled
        while time.monotonic() < deadline and len(followed) < len(dag_ids):
            for dag_id in dag_ids:
                new = [r for r in self.runs(dag_id) if r.run_id not in known[dag_id]]
                if new and dag_id not in followed:
                    followed[dag_id] = new[0].run_id
            time.sleep(1)
        for dag_id in dag_ids:
            if dag_id not in followed:
                self.stack.airflow("dags", "trigger", dag_id)
                new = [r for r in self.runs(dag_id) if r.run_id not in known[dag_id]]
                followed[dag_id] = new[-1].run_id
        return followed

    def wait_for(self, dag_id: str, run_id: str, timeout: float) -> RunState:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = next(r for r in self.runs(dag_id) if r.run_id == run_id)
            if run.state in FINISHED:
                return run
            time.sleep(2)
        raise AirflowStackError(f"{dag_id} {run_id} did not finish in {timeout:.0f}s")

    def wait_for_transforms(self, extracts: dict[str, str], timeout: float) -> list[RunState]:
        """The transform_dbt runs that consumed the venue landing Asset events of the given
        extract runs (dag_id -> run_id), once each event is consumed and those runs finished.
        A transform already running when an extract publishes does not see its data: the
        scheduler queues another run, and this waits for that one too."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            consumed = self._consumers(extracts)
            if consumed and all(run_ids for run_ids in consumed.values()):
                runs = [r for r in self.runs("transform_dbt") if any(r.run_id in ids for ids in consumed.values())]
                if all(r.state in FINISHED for r in runs):
                    return runs
            time.sleep(2)
        raise AirflowStackError(f"transform_dbt did not run for {sorted(extracts)} within {timeout:.0f}s")

    def _consumers(self, extracts: dict[str, str]) -> dict[int, set[str]]:
        """Venue landing Asset events of the extract runs -> transform_dbt runs that consumed them."""
        with psycopg.connect(self.metadata.dsn) as conn:
            rows = conn.execute(
                """
                select e.id, dr.run_id
                from asset_event e
                join asset a on a.id = e.asset_id
                left join dagrun_asset_event x on x.event_id = e.id
                left join dag_run dr on dr.id = x.dag_run_id and dr.dag_id = 'transform_dbt'
                where (e.source_dag_id, e.source_run_id, a.name) in (select * from unnest(%s::text[], %s::text[], %s::text[]))
                """, (list(extracts), list(extracts.values()),
                      [venue_landing_asset(d.removeprefix("extract_")).name for d in extracts])).fetchall()
        consumed: dict[int, set[str]] = {}
        for event_id, run_id in rows:
            consumed.setdefault(event_id, set()).update([run_id] if run_id else [])
        return consumed
