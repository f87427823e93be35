"""Helpers of the security tests: dbt as a subprocess with the project's profiles.yml, and the
administrator connection."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")


def run_dbt(db, *args: str, work_dir: Path) -> subprocess.CompletedProcess:
    """The venv's dbt on the project, connected as `db` (profiles.yml reads PM_PG_*), writing its
    target/ and logs/ under work_dir."""
    env = {
        **os.environ,
        "PM_PG_HOST": db.host, "PM_PG_PORT": str(db.port), "PM_PG_USER": db.role,
        "PM_PG_PASSWORD": db.password or "", "PM_PG_DATABASE": db.name,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    cmd = [str(DBT), *args, "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
           "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs")]
    return subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True)
