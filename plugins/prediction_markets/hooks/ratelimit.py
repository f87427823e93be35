"""Proactive rate limiting at a venue's published limits (GCRA).

Each rule keeps one "theoretical arrival time"; a request reserves a slot under every rule
that matches it and sleeps until that slot. With a Postgres store the reservations are shared
by every worker process (LocalExecutor, Celery), so N parallel tasks together stay within the
venue's limit; the in-process store serves tests and single-process use.

A rule of `limit` requests per `period` s, aimed at `safety` x limit, with bursts of `burst`
back-to-back requests, spaces requests by period / (limit*safety - burst + 1): no window of
`period` seconds then holds more than limit*safety requests. A request costing several units (a
batch call charged per item) waits until the budget has room for all of them, as a venue's
token bucket admits it only then.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import psycopg

from prediction_markets.adapters.base import RateRule


@dataclass(frozen=True)
class Slot:
    key: str
    interval_s: float
    burst: float


def slot_for(rule: RateRule, safety: float = 0.9, burst_fraction: float = 0.1) -> Slot:
    allowed = max(1, math.floor(rule.limit * safety))
    burst = max(1, min(allowed, math.floor(allowed * burst_fraction)))
    return Slot(rule.key, rule.period / (allowed - burst + 1), float(burst))


class LimiterStore(Protocol):
    def reserve(self, slots: Sequence[Slot], cost: int = 1) -> float: ...

    def pause(self, keys: Sequence[str], seconds: float) -> None: ...


class LocalStore:
    """Thread-safe, process-local GCRA state."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, slots: Sequence[Slot], cost: int = 1) -> float:
        with self._lock:
            now = time.monotonic()
            at = now
            for s in slots:
                # Room for the whole cost, as a venue's token bucket requires (capped at the burst).
                at = max(at, self._tat.get(s.key, now) - (s.burst - min(cost, s.burst)) * s.interval_s)
            for s in slots:
                self._tat[s.key] = max(self._tat.get(s.key, now), at) + s.interval_s * cost
            return at - now

    def pause(self, keys: Sequence[str], seconds: float) -> None:
        with self._lock:
            until = time.monotonic() + seconds
            for key in keys:
                self._tat[key] = max(self._tat.get(key, until), until)


class PostgresStore:
    """GCRA state in landing.rate_limit_state, shared across processes."""

    def __init__(self, connect) -> None:
        self._connect = connect
        self._conn = None
        self._lock = threading.Lock()

    def _cursor(self):
        if self._conn is None or self._conn.closed:
            self._conn = self._connect()
            self._conn.autocommit = True
        return self._conn.cursor()

    def _execute(self, sql: str, args) -> Any:
        """One statement; a lost connection (terminated backend, restarted server) is replaced
        once and the statement sent again (each is its own transaction)."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    with self._cursor() as cur:
                        cur.execute(sql, args)
                        return cur.fetchone()
                except (psycopg.OperationalError, psycopg.InterfaceError):
                    if attempt == 2:
                        raise
                    self._conn = None
                    time.sleep(0.5)

    def reserve(self, slots: Sequence[Slot], cost: int = 1) -> float:
        row = self._execute(
            "select landing.rate_limit_reserve(%s::text[], %s::float8[], %s::float8[], %s)",
            ([s.key for s in slots], [s.interval_s for s in slots], [s.burst for s in slots], cost),
        )
        return float(row[0])

    def pause(self, keys: Sequence[str], seconds: float) -> None:
        self._execute("select landing.rate_limit_pause(%s::text[], %s)", (list(keys), seconds))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


class RateLimiter:
    """Applies a connection's rules to request paths."""

    def __init__(self, rules: Sequence[RateRule], store: LimiterStore, *, safety: float = 0.9,
                 burst_fraction: float = 0.1, sleep=time.sleep) -> None:
        self.rules = list(rules)
        self.store = store
        self._slots = {r.key: slot_for(r, safety, burst_fraction) for r in self.rules}
        self._sleep = sleep

    def keys_for(self, path: str) -> list[str]:
        return [r.key for r in self.rules if r.matches(path)]

    def acquire(self, path: str, cost: int = 1) -> float:
        """Block until a request to `path` costing `cost` units may be sent; returns the wait."""
        slots = [self._slots[k] for k in self.keys_for(path)]
        if not slots:
            return 0.0
        wait = self.store.reserve(slots, cost)
        if wait > 0:
            self._sleep(wait)
        return max(0.0, wait)

    def pause(self, path: str, seconds: float) -> None:
        keys = self.keys_for(path)
        if keys and seconds > 0:
            self.store.pause(keys, seconds)
