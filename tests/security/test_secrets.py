"""Secrets stay secret: after a signed extract_kalshi run (a generated RSA key in the `kalshi`
Connection, accepted by the simulator) and a transform_dbt run over a warehouse Connection with a
distinctive password, neither the password nor the private key appears in the task logs, in any
landing row, in dbt's logs/ and target/ (manifest, run_results, the docs site), in Airflow's home
(its log folder and metadata database file) or in the text of the errors a bad connection raises."""

from __future__ import annotations

import json
import logging
import secrets
import traceback
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from prediction_markets.adapters import get_adapter
from prediction_markets.adapters.base import Request
from prediction_markets.hooks.kalshi import KalshiHook
from tests.security.conftest import PROJECT, run_dbt
from tests.support.airflow_runs import run_dag
from tests.support.sim import FAST_RETRIES, NOW, point_connections_at, running_simulator

pytestmark = pytest.mark.slow
KEY_ID = "4f6b3c1e-6a0d-4d8e-9b1f-2c7e5a9d0b13"
WORLD = dict(polymarket_markets=2, polymarket_trades=100, kalshi_markets=32, kalshi_trades=4000,
             epoch_start="2026-10-01T00:00:00Z", epoch_end="2027-01-01T00:00:00Z")


def pem_private(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def pem_public(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def needles(password: str, private_pem: str) -> dict[str, str]:
    """What must not appear: the password and every line of the key's body (a 64-character line
    is unmistakable; a partial leak of the key shows up as one of them)."""
    body = [line for line in private_pem.splitlines() if line and not line.startswith("-----")]
    return {"warehouse password": password, **{f"key line {i}": line for i, line in enumerate(body)}}


def set_kalshi_connection(monkeypatch, host: str, **fields) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_KALSHI", json.dumps({"conn_type": "http", "host": host,
                                                          "extra": FAST_RETRIES, **fields}))


def kalshi_hook() -> KalshiHook:
    return KalshiHook("kalshi", rate_rules=get_adapter("kalshi").rate_rules("kalshi"))


def landing_leaks(warehouse, found: dict[str, str]) -> list[str]:
    """Every row of every landing table as text (jsonb as text, bytea as hex) searched for each secret."""
    tables = [t for (t,) in warehouse.rows(
        "select format('%I.%I', schemaname, tablename) from pg_tables where schemaname = 'landing'")]
    assert "landing.raw_api_responses_kalshi" in tables or "landing.raw_api_responses" in tables
    leaks = []
    for table in tables:
        for name, secret in found.items():
            hits = warehouse.value(
                f"select count(*) from {table} t where t::text like %s or t::text like %s",
                (f"%{secret}%", f"%{secret.encode().hex()}%"))
            leaks += [f"{table}: {name}"] if hits else []
    return leaks


def file_leaks(roots: list[Path], found: dict[str, str]) -> tuple[list[str], int]:
    """Every file under roots (bytes, so binary files such as SQLite count) searched for each secret."""
    leaks, files = [], 0
    for root in roots:
        for path in (p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []:
            files += 1
            data = path.read_bytes()
            leaks += [f"{path}: {name}" for name, secret in found.items() if secret.encode() in data]
    return leaks, files


def error_texts(warehouse, password: str, private_pem: str, monkeypatch) -> list[str]:
    """What a bad warehouse connection (missing database) and a damaged key raise, with tracebacks."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    texts = []
    missing = replace(warehouse.db, name=f"{warehouse.db.name}_missing", password=password)
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE_MISSING", missing.airflow_uri)
    with pytest.raises(Exception) as err:
        PostgresHook(postgres_conn_id="warehouse_missing").get_conn()
    texts.append("".join(traceback.format_exception(err.value)))
    with pytest.raises(psycopg.OperationalError) as err:
        psycopg.connect(missing.dsn)
    texts.append("".join(traceback.format_exception(err.value)))
    damaged = private_pem.replace("A", "B", 30)
    set_kalshi_connection(monkeypatch, "http://127.0.0.1:9/kalshi", login=KEY_ID, password=damaged)
    with pytest.raises(ValueError) as err:
        kalshi_hook().get_conn()
    texts.append("".join(traceback.format_exception(err.value)))
    return texts


def test_no_secret_in_logs_landing_dbt_artifacts_or_errors(airflow_db, warehouse, monkeypatch, capfd, caplog,
                                                          tmp_path):
    from cosmos import settings as cosmos_settings

    caplog.set_level(logging.DEBUG)
    password = f"pmWh{secrets.token_hex(12)}"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = pem_private(key)
    found = needles(password, private_pem)
    db = replace(warehouse.db, password=password)  # trust auth: the server ignores it, every client carries it
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", db.airflow_uri)
    warehouse.truncate_landing()
    warehouse.drop_models()

    with running_simulator(kalshi_public_keys={KEY_ID: pem_public(key)}, **WORLD) as sim:
        point_connections_at(sim)
        set_kalshi_connection(monkeypatch, sim.url("kalshi"), login=KEY_ID, password=private_pem)
        balance = kalshi_hook().fetch(Request("portfolio", "kalshi", "/portfolio/balance", signed=True))
        assert balance.final.status == 200, "the venue must accept the key, or nothing was signed"
        run_dag("extract_kalshi", NOW)
    run_dag("transform_dbt", NOW)
    docs = run_dbt(db, "docs", "generate", "--static", work_dir=tmp_path / "dbt")
    assert docs.returncode == 0, docs.stdout[-4000:]
    assert (tmp_path / "dbt" / "target" / "static_index.html").is_file()
    assert (tmp_path / "dbt" / "target" / "manifest.json").is_file()
    errors = error_texts(warehouse, password, private_pem, monkeypatch)
    output = capfd.readouterr()

    # The haystacks hold what they should, so an empty search means something: task logs reach
    # pytest as log records (Airflow, cosmos, the operators) and as output (dbt's own lines).
    task_logs = caplog.text + output.out + output.err
    assert "task_id=extract_orderbooks" in task_logs and "kalshi orderbooks:" in task_logs
    assert "task_id=marts.trades_model_build" in task_logs and "Finished running" in task_logs
    signed = warehouse.value("select count(*) from landing.raw_api_responses where source = 'kalshi' "
                             "and resource = 'orderbooks' and status_code = 200")
    assert signed > 0, "no signed request (orderbooks) was landed"
    assert all(errors) and "does not exist" in errors[1]

    leaks = {
        "task logs": [name for name, secret in found.items() if secret in task_logs],
        "landing": landing_leaks(warehouse, found),
        "errors": [name for text in errors for name, secret in found.items() if secret in text],
        "dbt output": [name for name, secret in found.items() if secret in docs.stdout + docs.stderr],
    }
    roots = [tmp_path / "dbt", PROJECT / "target", PROJECT / "logs", Path(cosmos_settings.cache_dir), airflow_db]
    leaks["files"], files = file_leaks(roots, found)
    assert files > 3
    assert leaks == {"task logs": [], "landing": [], "errors": [], "dbt output": [], "files": []}
