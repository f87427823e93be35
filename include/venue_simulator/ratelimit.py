"""Rate limiting: sliding windows (queue briefly, then refuse) and token buckets (refuse at once)."""
from __future__ import annotations

import collections
import fnmatch
import math
import threading
import time

from .routing import RateRule

GLOBAL_LIMIT = 15_000


class RateLimiter:
    def __init__(self, factor: float = 1.0, window: float = 10.0, max_queue: float = 1.0,
                 global_limit: int = GLOBAL_LIMIT) -> None:
        self.factor = factor
        self.window = window
        self.max_queue = max_queue
        self.global_limit = global_limit
        self._lock = threading.Lock()
        self._hits: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._buckets: dict[str, tuple[float, float]] = {}

    def _limit(self, limit: int) -> int:
        return max(1, int(math.floor(limit * self.factor)))

    def buckets(self, service: str, path: str, rules: list[RateRule]) -> list[tuple[str, int]]:
        out = [("global", self._limit(self.global_limit))]
        for rule in rules:
            if rule.paths is None or any(p == path or fnmatch.fnmatchcase(path, p) for p in rule.paths):
                out.append((f"{service}:{rule.name}", self._limit(rule.limit)))
        return out

    def acquire(self, buckets: list[tuple[str, int]], stop_event: threading.Event | None = None) -> tuple[bool, float]:
        """-> (admitted, seconds waited). Waits at most ``max_queue`` seconds for a slot."""
        started = time.monotonic()
        deadline = started + self.max_queue
        while True:
            with self._lock:
                now = time.monotonic()
                wait = 0.0
                for key, limit in buckets:
                    hits = self._hits[key]
                    horizon = now - self.window
                    while hits and hits[0] <= horizon:
                        hits.popleft()
                    if len(hits) >= limit:
                        wait = max(wait, hits[len(hits) - limit] + self.window - now)
                if wait <= 0:
                    for key, _ in buckets:
                        self._hits[key].append(now)
                    return True, now - started
            if now >= deadline:
                return False, now - started
            # throttled: wait for a slot, but never longer than the queue allows
            pause = min(wait + 0.001, deadline - now)
            if stop_event is not None:
                if stop_event.wait(pause):
                    return False, time.monotonic() - started
            else:
                time.sleep(pause)

    def take_tokens(self, key: str, rate: float, capacity: float, cost: float) -> bool:
        """Token bucket (both scaled by ``factor``), starting full. A request is admitted when the
        bucket holds its cost (or is full, for requests costing more than the capacity); the
        balance may then go negative, delaying the next requests."""
        rate, capacity = rate * self.factor, max(1.0, capacity * self.factor)
        with self._lock:
            now = time.monotonic()
            tokens, last = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            admitted = tokens >= min(cost, capacity)
            self._buckets[key] = (tokens - cost if admitted else tokens, now)
            return admitted

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
            self._buckets.clear()
