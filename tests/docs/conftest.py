"""The dbt project's manifest, parsed once (`dbt parse`: no warehouse needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "dbt_project"


@pytest.fixture(scope="session")
def manifest(tmp_path_factory) -> dict:
    target = tmp_path_factory.mktemp("dbt-parse")
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "parse", "--project-dir", str(PROJECT), "--profiles-dir",
         str(PROJECT), "--target-path", str(target), "--log-path", str(target / "logs")],
        cwd=PROJECT, env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}, capture_output=True, text=True,
        check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads((target / "manifest.json").read_text())
