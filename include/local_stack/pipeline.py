"""Run the whole pipeline locally against the venue simulator and report what it produced.

    include/bin/pipeline [--polymarket-markets N] [--kalshi-markets N] [--keep-running]

Starts the venue simulator on loopback, prepares the warehouse database, starts Airflow
(api-server, scheduler, dag-processor, triggerer; LocalExecutor; metadata in Postgres) with
the venue Connections pointed at the simulator, unpauses the extract DAGs (the scheduler runs
the last complete hour), lets their landing Assets trigger `transform_dbt`, generates the dbt
docs site, prints a summary and stops everything (or keeps it running with --keep-running).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from local_stack.airflow_stack import AirflowStackError
from local_stack.env import ROOT
from local_stack.platform import LocalPlatform
from local_stack.warehouse import WarehouseUnavailable, ensure_database, ensure_metadata_database

AIRFLOW_HOME = ROOT / ".airflow"
LOG = ROOT / ".run"
DBT_DIR = ROOT / "dbt_project"
MARTS = ("markets", "market_outcomes", "events", "trades", "trade_fills", "price_snapshots", "orderbook_snapshots",
         "market_resolutions", "market_completeness", "late_references", "open_gaps")
# What a live hour brings: rate limiting (the simulator enforces the published limits), 429s with
# and without Retry-After, a 5xx, a Cloudflare HTML 403, a cut-off body and a slow answer. The
# extraction retries through them and lands every attempt (the `errors` column of the summary).
DEMO_FAULTS = (
    {"kind": "html403", "service": "polymarket/gamma", "path": "/markets/keyset", "after": 1, "times": 1},
    {"kind": "status", "status": 429, "retry_after": 1, "service": "polymarket/data", "path": "/v2/trades",
     "after": 2, "times": 2},
    {"kind": "truncate_body", "service": "polymarket/data", "path": "/v2/trades", "after": 5, "times": 1},
    {"kind": "status", "status": 503, "retry_after": 1, "retry_after_format": "http-date",
     "service": "polymarket/data", "path": "/v2/prices-history", "after": 50, "times": 1},
    {"kind": "slow", "delay": 2, "service": "polymarket/clob", "path": "/books", "times": 1},
    {"kind": "status", "status": 429, "service": "kalshi", "path": "*/candlesticks", "after": 10, "times": 2},
    {"kind": "status", "status": 500, "service": "kalshi", "path": "/markets", "after": 1, "times": 1},
)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--polymarket-markets", type=int, default=300)
    p.add_argument("--polymarket-trades", type=int, default=300_000)
    p.add_argument("--kalshi-markets", type=int, default=600)
    p.add_argument("--kalshi-trades", type=int, default=300_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--sim-port", type=int, default=8765, help="simulator port (0: any free port)")
    p.add_argument("--api-port", type=int, default=8080, help="Airflow UI/API port")
    p.add_argument("--database", default=os.environ.get("PM_DATABASE", "prediction_markets"))
    p.add_argument("--timeout", type=float, default=1200, help="seconds to wait for the DAG runs")
    p.add_argument("--no-faults", action="store_true",
                   help="a well-behaved venue: no injected errors, rate limits not enforced by the simulator")
    p.add_argument("--keep-running", action="store_true", help="leave Airflow and the simulator up (Ctrl-C stops)")
    return p.parse_args(argv)


def run_line(run, started: datetime) -> str:
    """One DAG run: its own duration, and when it ended counted from the pipeline's start."""
    took = (run.end - run.start).total_seconds() if run.start and run.end else float("nan")
    ended = (run.end - started).total_seconds() if run.end else float("nan")
    return f"{run.dag_id:<20} {run.run_type:<16} {run.state:<8} ran {took:6.1f}s  ended at +{ended:5.1f}s  {run.run_id}"


def landing_summary(conn, since: datetime) -> str:
    rows = conn.execute(
        """
        select source, resource, count(*),
               count(*) filter (where status_code = 200 and response is not null),
               coalesce(sum(record_count) filter (where status_code = 200), 0),
               count(*) filter (where status_code is distinct from 200 or error is not null),
               pg_size_pretty(sum(response_bytes))
        from landing.raw_api_responses where fetched_at >= %s group by 1, 2 order by 1, 2
        """, (since,)).fetchall()
    pages, records, seconds = conn.execute(
        "select coalesce(sum(pages), 0)::bigint, coalesce(sum(records), 0)::bigint, coalesce(sum(duration_s), 0)::float8 "
        "from landing.ingestion_runs where started_at >= %s", (since,)).fetchone()
    out = [f"{'source':<12}{'resource':<19}{'responses':>10}{'pages':>8}{'entities':>10}{'errors':>8}  {'size':>10}"]
    out += [f"{s:<12}{r:<19}{n:>10}{p:>8}{e:>10}{err:>8}  {size:>10}" for s, r, n, p, e, err, size in rows]
    if seconds:
        out.append(f"{pages} pages and {records} entities in {seconds:.1f}s of extract-task time: "
                   f"{pages / seconds:.1f} pages/s, {records / seconds:,.0f} entities/s")
    return "\n".join(out)


def marts_summary(conn) -> str:
    lines = []
    for table in MARTS:
        count = conn.execute(f"select count(*) from marts.{table}").fetchone()[0]
        by_source = dict(conn.execute(f"select source, count(*) from marts.{table} group by 1").fetchall())
        detail = ", ".join(f"{k} {v}" for k, v in sorted(by_source.items()))
        lines.append(f"marts.{table:<20}{count:>10}  ({detail})")
    return "\n".join(lines)


def generate_docs(db) -> str:
    env = {**os.environ, "PM_PG_HOST": db.host, "PM_PG_PORT": str(db.port), "PM_PG_USER": db.role,
           "PM_PG_PASSWORD": db.password or "", "PM_PG_DATABASE": db.name}
    dbt = str(Path(sys.executable).parent / "dbt")
    with (LOG / "dbt-docs.log").open("w") as out:
        code = subprocess.run([dbt, "docs", "generate", "--static", "--profiles-dir", str(DBT_DIR)],
                              cwd=DBT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    if code:
        return f"dbt docs generate failed (see {LOG / 'dbt-docs.log'})"
    return str(DBT_DIR / "target" / "static_index.html")


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        warehouse = ensure_database(args.database)
        metadata = ensure_metadata_database(f"{args.database}_airflow")
    except WarehouseUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from venue_simulator import SimConfig, SimulatorServer

    LOG.mkdir(exist_ok=True)
    AIRFLOW_HOME.mkdir(exist_ok=True)
    config = SimConfig(port=args.sim_port, seed=args.seed, polymarket_markets=args.polymarket_markets,
                       polymarket_trades=args.polymarket_trades, kalshi_markets=args.kalshi_markets,
                       kalshi_trades=args.kalshi_trades, enforce_rate_limits=not args.no_faults)
    started = datetime.now(timezone.utc)
    with SimulatorServer(config) as sim:
        for fault in () if args.no_faults else DEMO_FAULTS:
            sim.add_fault(**fault)
        platform = LocalPlatform(AIRFLOW_HOME, warehouse, metadata, sim.base_url, api_port=args.api_port)
        print(f"venue simulator  {sim.base_url}  (Polymarket {args.polymarket_markets} markets, "
              f"Kalshi {args.kalshi_markets} markets, seed {args.seed}"
              f"{'' if args.no_faults else f', rate limits enforced, {len(DEMO_FAULTS)} injected faults'})")
        print(f"warehouse        postgresql://{warehouse.host}:{warehouse.port}/{warehouse.name}")
        print(f"airflow          http://127.0.0.1:{args.api_port}  (home {AIRFLOW_HOME}, logs {platform.stack.log_dir})")
        try:
            print("starting Airflow (db migrate, pools, api-server, scheduler, dag-processor, triggerer) ...", flush=True)
            platform.prepare()
            platform.stack.start()
            from prediction_markets.adapters import sources

            extracts = [f"extract_{s}" for s in sources()]
            followed = platform.start_extracts(extracts)
            failed = []
            for dag_id, run_id in followed.items():
                run = platform.wait_for(dag_id, run_id, args.timeout)
                print(run_line(run, started), flush=True)
                failed += [dag_id] if run.state != "success" else []
            published = {d: r for d, r in followed.items() if d not in failed}
            transforms = platform.wait_for_transforms(published, args.timeout) if published else []
            for run in transforms:
                print(run_line(run, started), flush=True)
                failed += ["transform_dbt"] if run.state != "success" else []
            docs = generate_docs(warehouse)
            with warehouse.connect() as conn:
                print("\nlanded (landing.raw_api_responses):\n" + landing_summary(conn, started))
                print("\nmarts:\n" + marts_summary(conn))
            print(f"\ndbt docs site:   {docs}")
            if args.keep_running:
                print(f"\nAirflow UI: http://127.0.0.1:{args.api_port}  simulator: {sim.base_url}  (Ctrl-C stops)")
                try:
                    while True:
                        time.sleep(3600)
                except KeyboardInterrupt:
                    pass
            return 1 if failed else 0
        except AirflowStackError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        finally:
            platform.stack.stop()


if __name__ == "__main__":
    sys.exit(main())
