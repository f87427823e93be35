"""The simulated clock: frozen at a settable instant, or following the wall clock."""
from __future__ import annotations

import threading
import time
from datetime import datetime

from .timeutil import UTC, parse_instant


class SimClock:
    def __init__(self, now: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._fixed: float | None = None if now is None else parse_instant(now).timestamp()

    def now(self) -> float:
        """Simulated now as epoch seconds."""
        with self._lock:
            return time.time() if self._fixed is None else self._fixed

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=UTC)

    @property
    def frozen(self) -> bool:
        with self._lock:
            return self._fixed is not None

    def set(self, when) -> None:
        """Freeze the clock at ``when`` (datetime, ISO string or epoch seconds); None = wall clock."""
        with self._lock:
            self._fixed = None if when is None else parse_instant(when).timestamp()

    def advance(self, seconds: float) -> None:
        with self._lock:
            base = time.time() if self._fixed is None else self._fixed
            self._fixed = base + float(seconds)

    def describe(self) -> dict:
        now = self.now()
        return {
            "now": datetime.fromtimestamp(now, tz=UTC).isoformat().replace("+00:00", "Z"),
            "epoch": now,
            "frozen": self.frozen,
        }
