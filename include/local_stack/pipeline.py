"""Run the pipeline locally against the venue simulator and report what landed.

    include/bin/pipeline [--markets N] [--trades N] [--seed N] [--port N]

Starts the simulator on loopback, points the venue Connections at it, prepares the
warehouse database and a project-local Airflow home (.airflow/, SQLite metadata), runs the
extract DAGs with `airflow dags test` for the last complete hour, and prints a summary.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from local_stack.env import ROOT, airflow_env, simulator_connections
from local_stack.warehouse import WarehouseUnavailable, ensure_database

AIRFLOW_HOME = ROOT / ".airflow"
LOG_DIR = ROOT / ".run"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--markets", type=int, default=300, help="simulated Polymarket markets")
    p.add_argument("--trades", type=int, default=300_000, help="simulated Polymarket fills over the world's life")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--port", type=int, default=8765, help="simulator port (0: any free port)")
    p.add_argument("--database", default=os.environ.get("PM_DATABASE", "prediction_markets"))
    p.add_argument("--dags", nargs="+", default=None, help="DAG ids to run (default: every extract DAG)")
    return p.parse_args(argv)


def airflow(args: list[str], env: dict[str, str], log: Path) -> int:
    with log.open("a") as out:
        out.write(f"\n$ airflow {' '.join(args)}\n")
        out.flush()
        return subprocess.run([sys.executable, "-m", "airflow", *args], env=env, stdout=out, stderr=subprocess.STDOUT).returncode


def summary(db, since_run: int) -> str:
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute(
            """
            select source, resource, count(*) as responses,
                   count(*) filter (where status_code = 200 and response is not null) as pages,
                   coalesce(sum(record_count) filter (where status_code = 200), 0) as entities,
                   count(*) filter (where status_code is distinct from 200 or error is not null) as errors,
                   pg_size_pretty(sum(response_bytes)) as size
            from landing.raw_api_responses where ingestion_run_id > %s
            group by 1, 2 order by 1, 2
            """,
            (since_run,),
        )
        rows = cur.fetchall()
        cur.execute(
            "select coalesce(sum(pages), 0), coalesce(sum(records), 0), "
            "extract(epoch from max(finished_at) - min(started_at)) from landing.ingestion_runs "
            "where ingestion_run_id > %s",
            (since_run,),
        )
        pages, records, seconds = cur.fetchone()
    lines = [f"{'source':<12}{'resource':<12}{'responses':>10}{'pages':>8}{'entities':>10}{'errors':>8}{'size':>10}"]
    lines += [f"{s:<12}{r:<12}{n:>10}{p:>8}{e:>10}{err:>8}{size:>10}" for s, r, n, p, e, err, size in rows]
    if seconds:
        lines.append(f"\n{pages} pages, {records} entities in {seconds:.1f}s of task time: "
                     f"{pages / seconds:.1f} pages/s, {records / seconds:,.0f} entities/s")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        db = ensure_database(args.database)
    except WarehouseUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from venue_simulator import SimConfig, SimulatorServer

    LOG_DIR.mkdir(exist_ok=True)
    AIRFLOW_HOME.mkdir(exist_ok=True)
    log = LOG_DIR / "pipeline.log"
    log.write_text("")
    config = SimConfig(port=args.port, seed=args.seed, polymarket_markets=args.markets, polymarket_trades=args.trades)
    with SimulatorServer(config) as sim:
        env = {**os.environ, **airflow_env(AIRFLOW_HOME, db.airflow_uri), **simulator_connections(sim.base_url)}
        print(f"venue simulator: {sim.base_url} ({args.markets} markets, seed {args.seed})")
        print(f"warehouse:       postgresql://{db.host}:{db.port}/{db.name}")
        print(f"airflow home:    {AIRFLOW_HOME}  (log: {log})")
        if airflow(["db", "migrate"], env, log) != 0:
            print(f"error: airflow db migrate failed, see {log}", file=sys.stderr)
            return 1
        from prediction_markets.adapters import sources

        with db.connect() as conn, conn.cursor() as cur:
            cur.execute("select to_regclass('landing.ingestion_runs') is not null")
            exists = cur.fetchone()[0]
            since = 0
            if exists:
                cur.execute("select coalesce(max(ingestion_run_id), 0) from landing.ingestion_runs")
                since = cur.fetchone()[0]
        logical = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
        failed = []
        for dag_id in args.dags or [f"extract_{s}" for s in sources()]:
            started = time.monotonic()
            print(f"\nrunning {dag_id} for [{(logical - timedelta(hours=1)):%Y-%m-%d %H:%M}, {logical:%H:%M}) UTC ...",
                  flush=True)
            code = airflow(["dags", "test", dag_id, logical.isoformat()], env, log)
            state = "ok" if code == 0 else f"FAILED (exit {code}, see {log})"
            print(f"{dag_id}: {state} in {time.monotonic() - started:.1f}s")
            if code:
                failed.append(dag_id)
        print("\nlanded in landing.raw_api_responses:\n" + summary(db, since))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
