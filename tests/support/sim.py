"""Venue simulator helpers for tests."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlsplit

from local_stack.env import connection_env, simulator_connections
from venue_simulator import SimConfig, SimulatorServer

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
# Fast retries so fault tests do not sleep for real backoffs.
FAST_RETRIES = {"backoff_base_s": 0.01, "backoff_max_s": 0.05, "cloudflare_wait_s": 0.01, "max_attempts": 4}


@contextmanager
def running_simulator(**config):
    config.setdefault("seed", 7)
    config.setdefault("polymarket_markets", 12)
    config.setdefault("polymarket_trades", 4000)
    config.setdefault("now", NOW)
    with SimulatorServer(SimConfig(**config)) as sim:
        yield sim


def point_connections_at(sim, extra=None) -> dict[str, str]:
    """Set the venue Connections (env vars) to the simulator; returns what was set."""
    env = simulator_connections(sim.base_url, {**FAST_RETRIES, **(extra or {})})
    os.environ.update(env)
    return env


def point_connection_at(conn_id: str, url: str, extra=None) -> None:
    key, value = connection_env(conn_id, url, {**FAST_RETRIES, **(extra or {})})
    os.environ[key] = value


def venue_requests(sim, service_prefix: str = "") -> list[dict]:
    """The simulator's log of venue requests (admin calls are not logged)."""
    return [r for r in sim.requests() if (r.get("service") or "").startswith(service_prefix)]


def request_key(method: str, path: str, query) -> tuple:
    """A comparable identity for one request: method, path and the sorted query pairs."""
    pairs = sorted((k, v) for k, vs in query.items() for v in (vs if isinstance(vs, list) else [vs]))
    return method, path, tuple(pairs)


def landed_request_key(method: str, url: str, service_base: str) -> tuple:
    parts = urlsplit(url)
    path = parts.path[len(urlsplit(service_base).path):]
    query: dict[str, list[str]] = {}
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        query.setdefault(k, []).append(v)
    return request_key(method, path, query)
