"""Soak: the extract DAG killed with SIGKILL at random points, resumed each time; the marts built
from that warehouse must equal those of an uninterrupted run.

    PYTHONPATH=.:plugins:include .venv/bin/python bench/soak.py [--kills 20] [--hours 3] [--seed 1]
        [--restart-postgres]

Two warehouses, one simulator (frozen clock, moved hour by hour): `pm_soak_clean` runs
`extract_polymarket` for each hour once; `pm_soak_killed` runs the same hours, each run started
in a child process and killed with SIGKILL after a random delay, then started again, until
`--kills` kills are spent; the last start of each hour runs to its end. With `--restart-postgres`
one of the runs also sees the whole Postgres cluster restarted under it (the writer reconnects).
Then `dbt build` on both, and every mart is compared row for row on its business columns
(landing ids and fetch times differ between two warehouses by nature). Prints kills, resumes,
rows compared per mart and the differences.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
# Columns that record where and when a row was landed, not what it says.
PROVENANCE = {"landing_id", "observed_at", "resolution_landing_id", "snapshot_landing_id"}
CHILD = textwrap.dedent(
    """
    from datetime import datetime
    from tests.support.airflow_runs import get_dag
    run = get_dag("extract_polymarket").test(logical_date=datetime.fromisoformat({at!r}))
    print("STATE", run.state)
    """
)


def env_for(home: Path, db, sim_url: str) -> dict:
    from local_stack.env import airflow_env, simulator_connections

    return {**os.environ, **airflow_env(home, db.airflow_uri), **simulator_connections(sim_url),
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins"), str(ROOT / "include")])}


def landed_pages(db) -> int:
    with db.connect() as conn:
        return conn.execute("select count(*) from landing.raw_api_responses").fetchone()[0]


def run_hour(env, at: datetime, db=None, kill_after_pages: int | None = None) -> str:
    """Run the hour to its end, or kill it once `kill_after_pages` more pages have landed."""
    before = landed_pages(db) if kill_after_pages is not None else 0
    # Only a run awaited to its end is read: an unread pipe would block a child that logs.
    out_to = subprocess.PIPE if kill_after_pages is None else subprocess.DEVNULL
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(at=at.isoformat())], env=env, cwd=ROOT,
                             start_new_session=True, stdout=out_to, stderr=subprocess.DEVNULL, text=True)
    if kill_after_pages is None:
        out, _ = child.communicate()
        return "success" if "STATE success" in out else "failed"
    while child.poll() is None and landed_pages(db) < before + kill_after_pages:
        time.sleep(0.02)
    if child.poll() is not None:
        return "finished before the kill"
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    return f"killed after {landed_pages(db) - before} pages"


def restart_postgres() -> None:
    cluster = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"], check=True)


def dbt_build(db) -> None:
    env = {**os.environ, "PM_PG_DATABASE": db.name, "PM_PG_USER": db.role, "PM_PG_PASSWORD": db.password or ""}
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "dbt"), "build", "--profiles-dir", ".", "--quiet"],
                         cwd=ROOT / "dbt_project", env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"dbt build failed on {db.name}:\n{out.stdout[-3000:]}{out.stderr[-2000:]}")


def mart_rows(db) -> dict[str, dict[str, int]]:
    """table -> {hash of a row's business columns: count}."""
    out = {}
    with db.connect() as conn:
        tables = [r[0] for r in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_type = 'BASE TABLE' and table_name not like '%%\\_p2%%' order by 1").fetchall()]
        for table in tables:
            cols = [r[0] for r in conn.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' and table_name = %s "
                "order by ordinal_position", (table,)).fetchall() if r[0] not in PROVENANCE]
            counts: dict[str, int] = {}
            select = ", ".join(f'"{c}"::text' for c in cols)
            for row in conn.execute(f'select {select} from marts."{table}"'):
                key = hashlib.sha1("\x1f".join("" if v is None else v for v in row).encode()).hexdigest()
                counts[key] = counts.get(key, 0) + 1
            out[table] = counts
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--hours", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--markets", type=int, default=60)
    p.add_argument("--trades", type=int, default=1_500_000)
    p.add_argument("--restart-postgres", action="store_true")
    args = p.parse_args()
    sys.path[:0] = [str(ROOT), str(ROOT / "plugins"), str(ROOT / "include")]
    from local_stack.warehouse import ensure_database
    from prediction_markets.landing.migrations import apply_migrations
    from venue_simulator import SimConfig, SimulatorServer

    rng = random.Random(args.seed)
    report = {"kills": 0, "resumes": 0, "postgres_restarts": 0, "runs": []}
    started = time.perf_counter()
    with SimulatorServer(SimConfig(seed=args.seed, polymarket_markets=args.markets, polymarket_trades=args.trades,
                                   kalshi_markets=0, now=NOW, epoch_start="2026-10-01T00:00:00Z",
                                   epoch_end="2027-01-01T00:00:00Z")) as sim:
        dbs = {}
        for name in ("pm_soak_clean", "pm_soak_killed"):
            dbs[name] = ensure_database(name, recreate=True)
            with dbs[name].connect() as conn:
                apply_migrations(conn)
        homes = {name: Path(tempfile.mkdtemp(prefix=f"{name}-")) for name in dbs}
        envs = {name: env_for(homes[name], db, sim.base_url) for name, db in dbs.items()}
        for name in dbs:
            subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=envs[name], check=True,
                           capture_output=True)
        kills_left = args.kills
        restart_at = rng.randrange(args.hours) if args.restart_postgres else None
        for hour in range(args.hours):
            at = NOW + timedelta(hours=hour)
            sim.set_now(at)
            before = landed_pages(dbs["pm_soak_clean"])
            report["runs"].append({"hour": at.isoformat(), "clean": run_hour(envs["pm_soak_clean"], at)})
            pages = max(2, landed_pages(dbs["pm_soak_clean"]) - before)
            # Spread the kills over the hours, each at a random page of the run; each killed start
            # is resumed by the next one.
            share = kills_left if hour == args.hours - 1 else kills_left // (args.hours - hour)
            attempts, killed = [], 0
            while killed < share:
                attempts.append(run_hour(envs["pm_soak_killed"], at, dbs["pm_soak_killed"], rng.randint(1, pages - 1)))
                killed += attempts[-1].startswith("killed")
                report["resumes"] += 1
            report["kills"] += killed
            kills_left -= share
            if hour == restart_at:
                child_env = envs["pm_soak_killed"]
                proc = subprocess.Popen([sys.executable, "-c", CHILD.format(at=at.isoformat())], env=child_env,
                                        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                before = landed_pages(dbs["pm_soak_killed"])
                output = []
                reader = threading.Thread(target=lambda: output.append(proc.stdout.read()), daemon=True)
                reader.start()
                while proc.poll() is None and landed_pages(dbs["pm_soak_killed"]) < before + rng.randint(1, pages - 1):
                    time.sleep(0.02)
                restart_postgres()
                report["postgres_restarts"] += 1
                proc.wait()
                reader.join()
                out = "".join(output)
                attempts.append("postgres restarted: " + ("success" if "STATE success" in out else "failed"))
            attempts.append(run_hour(envs["pm_soak_killed"], at))
            report["runs"][-1]["killed"] = attempts
        sim.set_now(NOW)
    for db in dbs.values():
        dbt_build(db)
    clean, killed = mart_rows(dbs["pm_soak_clean"]), mart_rows(dbs["pm_soak_killed"])
    report["marts"] = {}
    for table in sorted(set(clean) | set(killed)):
        a, b = clean.get(table, {}), killed.get(table, {})
        missing = sum(max(0, n - b.get(k, 0)) for k, n in a.items())
        extra = sum(max(0, n - a.get(k, 0)) for k, n in b.items())
        report["marts"][table] = {"rows_clean": sum(a.values()), "rows_killed": sum(b.values()),
                                  "missing": missing, "extra": extra}
    with dbs["pm_soak_killed"].connect() as conn:
        report["ingestion_runs"] = dict(conn.execute(
            "select outcome, count(*) from landing.ingestion_runs group by 1").fetchall())
    report["differences"] = sum(m["missing"] + m["extra"] for m in report["marts"].values())
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
