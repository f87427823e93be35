"""A local Airflow deployment: api-server, scheduler, dag-processor and triggerer as separate
processes (LocalExecutor, metadata in Postgres), started and stopped cleanly.

Each component runs in its own process group; stopping sends SIGTERM to every process of
each group (LocalExecutor workers included) and SIGKILL only to what outlives the grace period.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

COMPONENTS = ("scheduler", "dag-processor", "triggerer", "api-server")


class AirflowStackError(RuntimeError):
    pass


def stack_env(home: Path, metadata_uri: str, api_port: int, parallelism: int = 4) -> dict[str, str]:
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_uri,
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        # LocalExecutor starts `parallelism` workers up front; a few are plenty here.
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    }


class AirflowStack:
    def __init__(self, env: Mapping[str, str], log_dir: Path) -> None:
        self.env = dict(env)
        self.log_dir = log_dir
        self.port = int(self.env["AIRFLOW__API__PORT"])
        self.procs: dict[str, subprocess.Popen] = {}

    def airflow(self, *args: str, check: bool = True, capture: bool = True) -> str:
        proc = subprocess.run([sys.executable, "-m", "airflow", *args], env=self.env, text=True,
                              capture_output=capture)
        if check and proc.returncode != 0:
            raise AirflowStackError(f"airflow {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc.stdout or ""

    def start(self, timeout: float = 120) -> AirflowStack:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for component in COMPONENTS:
            log = (self.log_dir / f"{component}.log").open("w")
            self.procs[component] = subprocess.Popen(
                [sys.executable, "-m", "airflow", component], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_healthy(timeout)
        return self

    def health(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/monitor/health", timeout=5) as resp:
            return json.load(resp)

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise AirflowStackError(f"{name} exited with {proc.returncode}; see {self.log_dir}/{name}.log")
            try:
                last = self.health()
                parts = [last.get(k, {}).get("status") for k in ("metadatabase", "scheduler", "triggerer", "dag_processor")]
                if all(p == "healthy" for p in parts):
                    return
            except OSError:
                pass
            time.sleep(1)
        raise AirflowStackError(f"Airflow not healthy after {timeout:.0f}s: {last}")

    def stop(self, grace: float = 30) -> None:
        for proc in self.procs.values():
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.procs.values():
            _signal_group(proc, signal.SIGKILL)  # only what outlived SIGTERM
            proc.wait()
        self.procs.clear()

    def __enter__(self) -> AirflowStack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
