"""The export directory on disk: hive-style partition paths, atomic file replacement, the manifest,
and the lock that keeps two exports of one directory from interleaving.

A file is written under a hidden temporary name in its final directory, flushed to disk, then
renamed over the old one (rename is atomic within a file system): a reader sees the old file or the
new one, never a part of one. Temporary names start with a dot and end in `.tmp`, so globs such as
`**/*.parquet` and pyarrow's dataset discovery never pick them up.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

MANIFEST = "manifest.json"
FILE_NAME = "part-0.parquet"
LOCK = ".export.lock"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # Hive's name for a null partition value


def partition_dir(venue_column: str, venue: str | None, month: str | None) -> str:
    """`source=polymarket/month=2026-11` (or `source=polymarket` for a table without a time column)."""
    parts = [f"{venue_column}={_value(venue)}"]
    if month is not None:
        parts.append(f"month={_value(month)}")
    return "/".join(parts)


def _value(value: str | None) -> str:
    return NULL_PARTITION if value is None else quote(value, safe="-_.")


def temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(temp: Path, final: Path) -> None:
    """Flush the finished temporary file, rename it over `final`, and flush the directory entry."""
    fsync_path(temp)
    os.replace(temp, final)
    fsync_path(final.parent)


def write_bytes_atomically(final: Path, data: bytes) -> None:
    temp = temp_path(final)
    try:
        temp.write_bytes(data)
        publish(temp, final)
    finally:
        temp.unlink(missing_ok=True)


def read_manifest(root: Path) -> dict:
    path = root / MANIFEST
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def write_manifest(root: Path, manifest: dict) -> Path:
    path = root / MANIFEST
    write_bytes_atomically(path, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return path


@contextmanager
def exclusive(root: Path) -> Iterator[None]:
    """One export of a directory at a time (a second one waits); held until the manifest is written."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def remove_temp_files(root: Path) -> list[Path]:
    """Temporary files an interrupted export left behind (only called under the lock)."""
    stale = [p for p in root.rglob(".*.tmp") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def remove_partition(root: Path, relative_file: str) -> None:
    """Delete a partition's file and the directories it leaves empty (up to the table's directory)."""
    path = root / relative_file
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != root and parent.parent != root and parent.exists() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
