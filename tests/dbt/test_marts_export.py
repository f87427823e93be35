"""Parquet export of the marts (`include/bin/export`, and the `export_parquet` task of transform_dbt):
the files read back with DuckDB hold exactly the marts; a second export after the phase 2 build
rewrites only the partitions whose rows changed; an export killed in the middle of a file leaves the
previous files readable.

pytest runs this module after the phase 1 modules and before test_marts_incremental.py (name
order): it exports the phase 1 marts, then asks for the phase 2 build (`incremental_build`).

Marts without a `landing_id` column (market_completeness, the operational late_references and
open_gaps) give the exporter nothing to tell an unchanged partition by: they are written again on
every export, and left out of the "unchanged files" checks.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.dbt.conftest import ALL_MARTS, PHASE, ROOT
from tests.support.sim import NOW

pytestmark = pytest.mark.slow

EXPORT = ROOT / "include" / "bin" / "export"
PATH = r"^{table}/source=(polymarket|kalshi){month}/part-0\.parquet$"


def run_export(dbt, directory: Path, *args: str, port: int | None = None) -> subprocess.CompletedProcess:
    env = {**dbt.env, "PM_EXPORT_DIR": str(directory)}
    if port is not None:
        env["PM_PG_PORT"] = str(port)
    proc = subprocess.run([str(EXPORT), *args], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def columns(warehouse, table: str) -> list[tuple[str, str]]:
    return warehouse.rows("select column_name, data_type from information_schema.columns where table_schema = "
                          "'marts' and table_name = %s order by ordinal_position", (table,))


def time_partitioned(warehouse) -> dict[str, str]:
    """The marts Postgres partitions on a time column (trades, the snapshots), with that column: they
    are exported per venue and month of it (UTC); the others per venue."""
    return dict(warehouse.rows(
        "select c.relname, a.attname from pg_partitioned_table p join pg_class c on c.oid = p.partrelid "
        "join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'marts' "
        "join pg_attribute a on a.attrelid = p.partrelid and a.attnum = p.partattrs[0] "
        "where format_type(a.atttypid, null) like 'timestamp%'"))


def month_of(warehouse, table: str) -> str:
    column = time_partitioned(warehouse).get(table)
    return f"to_char({column} at time zone 'UTC', 'YYYY-MM')" if column else "null"


def mart_contents(warehouse, table: str) -> dict[tuple, tuple]:
    """Every row of a mart keyed by its grain; jsonb as its text (the export keeps JSON as text)."""
    cols = columns(warehouse, table)
    select = ", ".join(f"{c}::text" if t == "jsonb" else c for c, t in cols)
    names = [c for c, _ in cols]
    index = [names.index(k) for k in ALL_MARTS[table]]
    return {tuple(r[i] for i in index): tuple(r) for r in warehouse.rows(f"select {select} from marts.{table}")}


def parquet_contents(directory: Path, warehouse, table: str) -> dict[tuple, tuple]:
    names = [c for c, _ in columns(warehouse, table)]
    index = [names.index(k) for k in ALL_MARTS[table]]
    if not list(directory.glob(f"{table}/**/*.parquet")):
        return {}
    with duckdb.connect() as db:
        db.execute("set timezone = 'UTC'")
        rows = db.execute(f"select {', '.join(names)} from read_parquet('{directory}/{table}/**/*.parquet', "
                          "hive_partitioning = true)").fetchall()
    return {tuple(r[i] for i in index): tuple(r) for r in rows}


def partition_figures(warehouse, table: str, directory: Path) -> tuple[dict, dict]:
    """Rows, sums of every numeric column and time range per (venue, month), from the mart and the files."""
    numeric = [c for c, t in columns(warehouse, table) if t in ("numeric", "integer", "bigint")]
    times = [c for c, t in columns(warehouse, table) if t.startswith("timestamp")]
    figures = ", ".join(["count(*)", *(f"sum({c})" for c in numeric), *(f"min({c}), max({c})" for c in times)])
    mart = {(r[0], r[1]): r[2:] for r in warehouse.rows(
        f"select source, {month_of(warehouse, table)}, {figures} from marts.{table} group by 1, 2")}
    month = "month" if table in time_partitioned(warehouse) else "null"
    if not list(directory.glob(f"{table}/**/*.parquet")):
        return mart, {}
    with duckdb.connect() as db:
        db.execute("set timezone = 'UTC'")
        files = {(r[0], r[1]): r[2:] for r in db.execute(
            f"select source, {month}, {figures} from read_parquet('{directory}/{table}/**/*.parquet', "
            "hive_partitioning = true) group by 1, 2").fetchall()}
    return mart, files


def assert_export_equals_marts(warehouse, directory: Path) -> None:
    for table in ALL_MARTS:
        mart, files = partition_figures(warehouse, table, directory)
        assert files == mart, table
        assert parquet_contents(directory, warehouse, table) == mart_contents(warehouse, table), table


def partition_digests(warehouse) -> dict[str, str]:
    """The content of each exported partition of the marts, as one digest of its rows in key order."""
    digests = {}
    for table, key in ALL_MARTS.items():
        for venue, month, digest in warehouse.rows(
                f"select source, {month_of(warehouse, table)}, md5(string_agg(t::text, '|' order by {', '.join(key)})) "
                f"from marts.{table} t group by 1, 2"):
            digests[f"{table}/source={venue}" + (f"/month={month}" if month else "")] = digest
    return digests


def file_identities(directory: Path) -> dict[str, tuple[int, int]]:
    return {str(p.parent.relative_to(directory)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in directory.rglob("*.parquet")}


def rewritten_every_time(warehouse) -> set[str]:
    """The marts without a landing_id column: exported again on every run."""
    return {t for t in ALL_MARTS if "landing_id" not in {c for c, _ in columns(warehouse, t)}}


def kept(identities: dict, warehouse) -> dict:
    """The files of the marts the exporter can keep when unchanged."""
    rewritten = rewritten_every_time(warehouse)
    return {k: v for k, v in identities.items() if k.split("/")[0] not in rewritten}


@pytest.fixture(scope="module")
def exported(first_build, dbt, warehouse, tmp_path_factory):
    """The phase 1 marts exported by the command, with what the files and the marts were then."""
    assert not PHASE["incremental"], "this module exports the phase 1 marts: it must run before the phase 2 build"
    directory = tmp_path_factory.mktemp("export") / "exports"
    proc = run_export(dbt, directory)
    return {"dir": directory, "output": proc.stdout, "files": file_identities(directory),
            "digests": partition_digests(warehouse), "manifest": json.loads((directory / "manifest.json").read_text())}


def test_export_holds_exactly_the_marts(exported, warehouse):
    directory = exported["dir"]
    assert_export_equals_marts(warehouse, directory)
    manifest = exported["manifest"]
    assert set(manifest["tables"]) == set(ALL_MARTS)
    assert set(time_partitioned(warehouse)) >= {"trades", "price_snapshots", "orderbook_snapshots"}
    for table in ALL_MARTS:
        month = r"/month=\d{4}-\d{2}" if table in time_partitioned(warehouse) else ""
        files = sorted(str(p.relative_to(directory)) for p in directory.glob(f"{table}/**/*.parquet"))
        rows = warehouse.value(f"select count(*) from marts.{table}")
        assert bool(files) == bool(rows), table  # an empty mart (no open gap) has no file
        assert all(re.match(PATH.format(table=table, month=month), f) for f in files), files
        listed = manifest["tables"][table]["partitions"]
        assert sorted(p["file"] for p in listed.values()) == files
        assert sum(p["rows"] for p in listed.values()) == warehouse.value(f"select count(*) from marts.{table}")
    # Both venues and more than one month of trades: the layout is exercised, not one file.
    assert {k for k in exported["digests"] if k.startswith("trades/")} >= {
        "trades/source=kalshi/month=2026-01", "trades/source=polymarket/month=2026-11"}


def test_prices_stay_exact_decimals(exported, warehouse):
    schema = pq.read_schema(exported["dir"] / "trades" / "source=kalshi" / "month=2026-01" / "part-0.parquet")
    assert str(schema.field("price").type) == "decimal128(38, 12)"
    assert str(schema.field("traded_at").type) == "timestamp[us, tz=UTC]"
    assert "source" not in schema.names  # the partition path carries the venue
    subpenny = warehouse.value("select count(*) from marts.trades where price * 100 <> trunc(price * 100)")
    assert subpenny > 0  # values that a float or a cents column would not keep
    with duckdb.connect() as db:
        total = db.execute(f"select sum(price * quantity) from read_parquet('{exported['dir']}/trades/**/*.parquet')"
                           ).fetchone()[0]
    assert Decimal(total) == warehouse.value("select sum(price * quantity) from marts.trades")


def test_a_partition_streams_through_in_bounded_blocks(exported, dbt, warehouse, tmp_path):
    """With 64 KiB blocks, a partition of several MB is parsed and written block by block (one row
    group each) and still holds exactly the mart's rows."""
    directory = tmp_path / "small-blocks"
    run_export(dbt, directory, "--block-bytes", "65536")
    assert_export_equals_marts(warehouse, directory)
    largest = max(directory.rglob("*.parquet"), key=lambda p: p.stat().st_size)
    metadata = pq.read_metadata(largest)
    assert metadata.num_row_groups > 5 and metadata.num_rows == sum(
        metadata.row_group(i).num_rows for i in range(metadata.num_row_groups))


def test_the_readme_lines_load_one_markets_trades(exported, warehouse, tmp_path, monkeypatch):
    """The researcher's lines in the README, run as written from a directory holding `exports/`,
    for the market with the most trades."""
    section = (ROOT / "README.md").read_text().split("## Parquet for researchers", 1)[1].split("\n## ", 1)[0]
    snippets = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(snippets) == 2 and all(len(s.strip().splitlines()) == 3 for s in snippets)
    market, count = warehouse.rows("select market_id, count(*) from marts.trades group by 1 order by 2 desc limit 1")[0]
    (tmp_path / "exports").symlink_to(exported["dir"])
    monkeypatch.chdir(tmp_path)
    for snippet in snippets:
        namespace: dict = {}
        exec(re.sub(r'"0x[0-9a-f]{64}"', f'"{market}"', snippet), namespace)  # noqa: S102 - the README's code
        df = namespace["df"]
        assert len(df) == count and {"price", "quantity", "traded_at"} <= set(df.columns), snippet


def test_an_unchanged_warehouse_rewrites_nothing(exported, dbt, warehouse):
    proc = run_export(dbt, exported["dir"])
    assert kept(file_identities(exported["dir"]), warehouse) == kept(exported["files"], warehouse)
    rewritten = rewritten_every_time(warehouse)
    reported = [line for line in proc.stdout.splitlines() if "partitions written" in line]
    assert len(reported) == len(ALL_MARTS)
    assert all(" 0 partitions written" in line for line in reported if line.split()[0] not in rewritten)


def test_a_second_export_rewrites_only_the_partitions_whose_rows_changed(exported, incremental_build, dbt, warehouse):
    directory, before = exported["dir"], exported["files"]
    after_build = partition_digests(warehouse)
    changed = {k for k, d in after_build.items() if exported["digests"].get(k) != d}
    rewritten = {k for k in after_build if k.split("/")[0] in rewritten_every_time(warehouse)}
    unchanged = set(after_build) - changed - rewritten
    # The new hour touches the current month of both venues; January's Kalshi trades stay as they were.
    assert changed and "trades/source=kalshi/month=2026-01" in unchanged
    run_export(dbt, directory)
    now = file_identities(directory)
    assert {k for k in now if now[k] != before.get(k)} - rewritten == changed - rewritten
    assert {k: now[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert_export_equals_marts(warehouse, directory)
    # The manifest agrees: unchanged partitions keep the time they were written.
    written = written_at(json.loads((directory / "manifest.json").read_text()))
    assert {k: written[k] for k in unchanged} == {k: written_at(exported["manifest"])[k] for k in unchanged}
    assert all(written[k] > exported["manifest"]["exported_at"] for k in changed)


def written_at(manifest: dict) -> dict[str, str]:
    return {f"{table}/{key}": p["written_at"] for table, entry in manifest["tables"].items()
            for key, p in entry["partitions"].items()}


class StallingProxy:
    """A TCP proxy in front of Postgres that forwards the server's replies up to `budget` bytes, then
    holds the rest: the client blocks mid-read, as if the network had stopped."""

    def __init__(self, host: str, port: int, budget: int | None = None) -> None:
        self.target, self.budget, self.forwarded = (host, port), budget, 0
        self.stalled = threading.Event()
        self.sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_server: bool) -> None:
        try:
            while data := src.recv(65536):
                if from_server and self.budget is not None:
                    data = data[:max(0, self.budget - self.forwarded)]
                    if not data:
                        self.stalled.set()
                        return  # hold everything from here on
                dst.sendall(data)
                if from_server:
                    self.forwarded += len(data)
        except OSError:
            return

    def close(self) -> None:
        self.listener.close()
        for s in self.sockets:
            s.close()


def wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def test_an_export_killed_mid_file_leaves_the_previous_files_readable(exported, incremental_build, dbt, warehouse):
    directory, db = exported["dir"], dbt.env
    # A full export through the proxy measures how many bytes the server sends; the next one is held
    # at half of them, in the middle of the large partitions.
    measuring = StallingProxy(db["PM_PG_HOST"], int(db["PM_PG_PORT"]))
    try:
        run_export(dbt, directory, "--full", port=measuring.port)
    finally:
        measuring.close()
    manifest_before = (directory / "manifest.json").read_bytes()
    proxy = StallingProxy(db["PM_PG_HOST"], int(db["PM_PG_PORT"]), budget=measuring.forwarded // 2)
    env = {**db, "PM_EXPORT_DIR": str(directory), "PM_PG_PORT": str(proxy.port)}
    proc = subprocess.Popen([str(EXPORT), "--full"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_for(proxy.stalled.is_set, "the export to be held by the proxy")
        wait_for(lambda: list(directory.rglob(".part-0.parquet.*.tmp")), "a partition file being written")
        half_written = list(directory.rglob(".part-0.parquet.*.tmp"))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        proxy.close()
    assert proc.returncode == -signal.SIGKILL
    # The half-written file is there, under a name no reader globs; everything readers see is whole.
    assert half_written[0].exists() and not pq_readable(half_written[0])
    assert (directory / "manifest.json").read_bytes() == manifest_before
    manifest = json.loads(manifest_before)
    for table in manifest["tables"].values():
        for partition in table["partitions"].values():
            assert pq.read_metadata(directory / partition["file"]).num_rows == partition["rows"]
    assert_export_equals_marts(warehouse, directory)
    # The next export clears the leftover and has nothing to rewrite: the marts did not change (the
    # files the killed export had already renamed into place hold the same rows).
    files_after_kill = kept(file_identities(directory), warehouse)
    proc = run_export(dbt, directory)
    assert not list(directory.rglob("*.tmp")) and "interrupted export" in proc.stderr
    assert kept(file_identities(directory), warehouse) == files_after_kill
    assert_export_equals_marts(warehouse, directory)


def pq_readable(path: Path) -> bool:
    try:
        pq.read_metadata(path)
    except (pa.ArrowInvalid, OSError):
        return False
    return True


def test_transform_dag_exports_after_the_marts(incremental_build, warehouse, tmp_path, monkeypatch):
    """The export_parquet task of transform_dbt in a real Airflow run (the task alone, against the built
    warehouse through the `warehouse` Connection; its place in the DAG: tests/export/)."""
    from tests.support.airflow_runs import get_dag

    dag = get_dag("transform_dbt")
    monkeypatch.setenv("PM_EXPORT_DIR", str(tmp_path / "exports"))
    run = dag.partial_subset(task_ids=["export_parquet"], include_upstream=False).test(logical_date=NOW)
    assert run.state == "success"
    manifest = json.loads((tmp_path / "exports" / "manifest.json").read_text())
    assert manifest["database"] == warehouse.db.name and set(manifest["tables"]) == set(ALL_MARTS)
    assert_export_equals_marts(warehouse, tmp_path / "exports")
