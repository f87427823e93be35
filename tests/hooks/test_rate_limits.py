"""Rate limits hold across worker processes: checked on the simulator's own request log."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.support.sim import point_connection_at, running_simulator

LIMIT = 10  # requests per 10 s on Gamma /markets for this test (published: 300)
PER_WORKER = 8

WORKER = textwrap.dedent(
    """
    import psycopg
    from prediction_markets.adapters import get_adapter
    from prediction_markets.adapters.base import Request
    from prediction_markets.hooks.ratelimit import PostgresStore
    from prediction_markets.hooks.venue_http import VenueHttpHook

    store = PostgresStore(lambda: psycopg.connect({dsn!r}))
    hook = VenueHttpHook("polymarket_gamma", rate_rules=get_adapter("polymarket").rate_rules("polymarket_gamma"),
                         limiter_store=store)
    for _ in range({n}):
        result = hook.fetch(Request("markets", "polymarket_gamma", "/markets/keyset", (("limit", "1"),)))
        assert result.final.status == 200, result.final.status
    print(hook.stats.rate_limit_waits)
    """
)


def max_in_window(times: list[float], window: float = 10.0) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def test_max_in_window():
    assert max_in_window([0, 1, 2, 10, 10.5]) == 4  # 1, 2, 10, 10.5 lie within 10 s
    assert max_in_window([0, 9.99, 19.98]) == 2


@pytest.mark.slow
def test_two_workers_together_stay_within_the_limit(landing):
    with running_simulator() as sim:
        point_connection_at("polymarket_gamma", sim.url("polymarket/gamma"),
                            {"rate_limits": {"polymarket_gamma:/markets": LIMIT}})
        code = WORKER.format(dsn=landing.db.dsn, n=PER_WORKER)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        workers = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
                   for _ in range(2)]
        outputs = [w.communicate(timeout=120)[0] for w in workers]
        assert all(w.returncode == 0 for w in workers)
        times = [r["time"] for r in sim.requests() if r["path"] == "/markets/keyset"]
    assert len(times) == 2 * PER_WORKER
    # Without the shared limiter all 16 requests land within a second.
    assert max_in_window(times) <= LIMIT
    assert sum(int(o.strip().splitlines()[-1]) for o in outputs) > 0
