"""In-memory request log (thread-safe, bounded)."""
from __future__ import annotations

import collections
import copy
import threading


class RequestLog:
    def __init__(self, maxlen: int = 200_000) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque[dict] = collections.deque(maxlen=maxlen)
        self._seq = 0

    def next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def append(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)

    def since(self, seq: int = 0, service: str | None = None) -> list[dict]:
        with self._lock:
            rows = [e for e in self._entries if e["seq"] > seq and (service is None or e["service"] == service)]
        rows.sort(key=lambda e: e["seq"])
        return copy.deepcopy(rows)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
