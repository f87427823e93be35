"""Generate the dbt docs site (`dbt docs generate --static`) and serve it over HTTP."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Mapping
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from prediction_markets.export.connection import profile_env

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "dbt_project"
DEFAULT_TARGET = PROJECT / "target"
STATIC_FILE = "static_index.html"


def generate(params: Mapping[str, str], target: Path = DEFAULT_TARGET) -> Path:
    """Runs `dbt docs generate --static` against the warehouse; returns the self-contained page.
    The catalog (column types) comes from the warehouse; models not built there show their
    documented columns without it."""
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, **profile_env(params), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    proc = subprocess.run(
        [str(dbt), "docs", "generate", "--static", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
         "--target-path", str(target), "--log-path", str(target / "logs")],
        cwd=PROJECT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"dbt docs generate failed:\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}")
    return target / STATIC_FILE


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def server(target: Path, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server of the target directory (port 0: any free port; see server_address)."""
    return ThreadingHTTPServer((host, port), functools.partial(_Quiet, directory=str(target)))
