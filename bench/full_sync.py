"""A full sync of a large Polymarket world at the venue's published limits.

    PYTHONPATH=.:plugins:include .venv/bin/python bench/full_sync.py [--markets 10000] [--trades 5000000]
        [--share 1.0] [--database pm_bench_full]

The simulator runs in its own process, enforcing the published limits (sliding 10-s windows,
429 past them). The platform runs the real `backfill_polymarket` DAG with `dag.test()` in a child
process (SQLite metadata, a fresh warehouse database): listings, then trades, prices and
resolutions of every market. Reported: wall time per task, requests per endpoint (from the
simulator's log), the busiest 10-s window per rule against its limit, 429s, peak RSS of the DAG
process and of the simulator, and what landed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter, deque
from datetime import datetime, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
# (service, path prefix, published limit per 10 s) as the simulator enforces them
LIMITS = (("polymarket/data", "/v2/trades", 300), ("polymarket/data", "", 1000),
          # no published figure: the platform's own budget (third-party quote)
          ("polymarket/data", "/v2/prices-history", 200),
          ("polymarket/gamma", "", 4000), ("polymarket/gamma", "/markets", 300))
CHILD = textwrap.dedent(
    """
    import resource, json
    from datetime import datetime
    from tests.support.airflow_runs import get_dag
    run = get_dag("backfill_polymarket").test(logical_date=datetime.fromisoformat({now!r}))
    print("STATE", run.state, json.dumps({{"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def busiest_window(times, period: float = 10.0) -> int:
    window, best = deque(), 0
    for t in sorted(times):
        window.append(t)
        while window[0] <= t - period:
            window.popleft()
        best = max(best, len(window))
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--markets", type=int, default=10_000)
    p.add_argument("--trades", type=int, default=5_000_000)
    p.add_argument("--share", type=float, default=1.0, help="backfill_rate_share (the hourly DAG is off)")
    p.add_argument("--database", default="pm_bench_full")
    args = p.parse_args()
    sys.path[:0] = [str(ROOT), str(ROOT / "plugins"), str(ROOT / "include")]
    from local_stack.env import airflow_env, simulator_connections
    from local_stack.warehouse import ensure_database
    from prediction_markets.landing.migrations import apply_migrations

    port = free_port()
    sim = subprocess.Popen(
        [sys.executable, "-m", "venue_simulator", "--port", str(port), "--polymarket-markets", str(args.markets),
         "--polymarket-trades", str(args.trades), "--kalshi-markets", "0", "--now", NOW.isoformat(),
         "--enforce-rate-limits", "--request-log-size", "2000000"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "include")}, stdout=subprocess.PIPE, text=True)
    sim.stdout.readline()
    base = f"http://127.0.0.1:{port}"
    db = ensure_database(args.database, recreate=True)
    with db.connect() as conn:
        apply_migrations(conn)
    home = Path(tempfile.mkdtemp(prefix="pm-bench-airflow-"))
    env = {**os.environ, **airflow_env(home, db.airflow_uri), **simulator_connections(base),
           "AIRFLOW_VAR_POLYMARKET_SETTINGS": json.dumps({"backfill_rate_share": args.share,
                                                          "progress_interval_s": 60}),
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins"), str(ROOT / "include")])}
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    child = subprocess.run([sys.executable, "-c", CHILD.format(now=NOW.isoformat())], env=env, cwd=ROOT,
                           capture_output=True, text=True)
    wall = time.perf_counter() - started
    state_line = next((line for line in child.stdout.splitlines() if line.startswith("STATE")), "STATE ? {}")
    _, state, extra = state_line.split(" ", 2)
    log = requests.get(f"{base}/_sim/requests", timeout=600).json()
    entries = log if isinstance(log, list) else log.get("requests", log)
    sim_rss = rss_mb(sim.pid)
    sim.terminate()
    sim.wait()
    by_path = Counter(f"{r['service']} {r['path'] if not r['path'].startswith('/markets/') else r['path']}" for r in entries)
    peaks = {f"{svc} {prefix or '*'} (limit {limit}/10s)": busiest_window(
        [r["time"] for r in entries if r["service"] == svc and r["path"].startswith(prefix)])
        for svc, prefix, limit in LIMITS}
    with db.connect() as conn:
        runs = conn.execute(
            "select task_id, count(*), sum(pages), sum(records), round(sum(duration_s)::numeric, 1), "
            "string_agg(distinct outcome, ',') from landing.ingestion_runs group by task_id order by task_id").fetchall()
        gaps = conn.execute("select resource, unreachable, count(*) from landing.sync_gaps "
                            "where closed_at is null group by 1, 2").fetchall()
    print(json.dumps({
        "world": {"markets": args.markets, "trades": args.trades, "now": NOW.isoformat()},
        "share": args.share, "dag_state": state, "wall_s": round(wall, 1),
        "tasks": [{"task": t, "tries": n, "pages": pg, "rows": rows, "seconds": float(sec or 0), "outcome": o}
                  for t, n, pg, rows, sec, o in runs],
        "requests": sum(by_path.values()), "requests_by_path": dict(by_path.most_common()),
        "http_429": sum(1 for r in entries if r["status"] == 429),
        "busiest_10s_window": peaks, "open_gaps": [list(g) for g in gaps],
        "rss_mb": {"dag_process": json.loads(extra).get("rss_mb"), "simulator": round(sim_rss, 1)},
    }, indent=2, default=str))
    if child.returncode:
        print(child.stderr[-4000:], file=sys.stderr)


if __name__ == "__main__":
    main()
