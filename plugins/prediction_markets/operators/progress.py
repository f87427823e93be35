"""Progress a person can follow while a long extraction runs: scopes (and markets) done out of
total, pages, rows, the current request rate and an ETA, in the task log and in
landing.ingestion_runs (`progress`, `heartbeat_at`)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@dataclass
class Progress:
    """Counts of one task, reported every `interval_s` through `publish` (the landing writer)."""

    publish: Callable[[Mapping[str, Any]], None]
    interval_s: float = 30.0
    clock: Callable[[], float] = time.monotonic
    resource: str = ""
    scopes_total: int = 0
    scopes_done: int = 0
    markets_total: int = 0
    markets_done: int = 0
    pages: int = 0
    records: int = 0
    _started: float = field(default=0.0)
    _last: tuple[float, int] = (0.0, 0)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._started = self.clock()
        self._last = (self._started, 0)

    def begin(self, resource: str, scopes: int, markets: int) -> None:
        with self._lock:
            self.resource = resource
            self.scopes_total += scopes
            self.markets_total += markets
        self.tick(force=True)

    def page(self, records: int) -> None:
        with self._lock:
            self.pages += 1
            self.records += records
        self.tick()

    def scope_done(self, markets: int) -> None:
        with self._lock:
            self.scopes_done += 1
            self.markets_done += markets
        self.tick()

    def snapshot(self) -> dict[str, Any]:
        now = self.clock()
        with self._lock:
            elapsed = max(1e-9, now - self._started)
            since, pages_then = self._last
            window = now - since
            rate = (self.pages - pages_then) / window if window > 0.5 else self.pages / elapsed
            done, total = (self.markets_done, self.markets_total) if self.markets_total else (
                self.scopes_done, self.scopes_total)
            eta = (total - done) * elapsed / done if done else None
            return {
                "resource": self.resource, "scopes_done": self.scopes_done, "scopes_total": self.scopes_total,
                "markets_done": self.markets_done, "markets_total": self.markets_total, "pages": self.pages,
                "records": self.records, "requests_per_s": round(rate, 2), "elapsed_s": round(elapsed, 1),
                "eta_s": round(eta, 1) if eta is not None else None,
            }

    def tick(self, force: bool = False) -> None:
        now = self.clock()
        with self._lock:
            if not force and now - self._last[0] < self.interval_s:
                return
        snap = self.snapshot()
        with self._lock:
            self._last = (now, self.pages)
        unit = "markets" if snap["markets_total"] else "walks"
        done, total = (snap["markets_done"], snap["markets_total"]) if snap["markets_total"] else (
            snap["scopes_done"], snap["scopes_total"])
        pct = f" ({100 * done / total:.0f}%)" if total else ""
        log.info("progress %s: %d/%d %s%s, %d pages, %d rows, %.1f req/s, elapsed %s, ETA %s",
                 snap["resource"], done, total, unit, pct, snap["pages"], snap["records"],
                 snap["requests_per_s"], _duration(snap["elapsed_s"]), _duration(snap["eta_s"]))
        self.publish(snap)
