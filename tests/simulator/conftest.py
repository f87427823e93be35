"""Fixtures for the venue simulator tests: real servers on loopback, small seeded worlds."""
from __future__ import annotations

import os
import sys

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for path in (os.path.join(ROOT, "include"), HERE):
    if path not in sys.path:
        sys.path.insert(0, path)

from kalshi_truth import KALSHI  # noqa: E402
from sim_truth import NOW, NOW_V2, OLD_WORLD, RICH_WORLD, SMALL, V2_WORLD  # noqa: E402
from venue_simulator import SimConfig, SimulatorServer  # noqa: E402


@pytest.fixture(scope="package")
def sim():
    server = SimulatorServer(SimConfig(**SMALL)).start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def medium():
    """Enough markets (> 100 open and closed) to exercise the limit caps."""
    server = SimulatorServer(SimConfig(seed=5, polymarket_markets=700, polymarket_trades=50_000, now=NOW)).start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def v2sim():
    """Default configuration (v1 /trades retired) over a world with a deep flagship market."""
    server = SimulatorServer(SimConfig(**V2_WORLD)).start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def oldsim():
    """Markets from 2020 on: histories older than the Data API's three-year window."""
    server = SimulatorServer(SimConfig(**OLD_WORLD)).start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def richsim():
    """Every resolution state and Protocol V2 markets at NOW_V2."""
    server = SimulatorServer(SimConfig(**RICH_WORLD)).start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def ksim():
    """A Kalshi-only simulator (no Polymarket mount) over a small seeded world."""
    server = SimulatorServer(SimConfig(**KALSHI), mount_polymarket=False).start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def kworld(ksim):
    return ksim.kalshi


@pytest.fixture(scope="package")
def kalshi(ksim):
    return ksim.url("kalshi")


@pytest.fixture(autouse=True)
def _reset(request):
    yield
    for name, now in (("sim", NOW), ("medium", NOW), ("ksim", NOW), ("v2sim", NOW_V2), ("oldsim", NOW_V2),
                      ("richsim", NOW_V2)):
        if name in request.fixturenames:
            server = request.getfixturevalue(name)
            server.clear_faults()
            server.set_now(now)
            server.limiter.reset()


@pytest.fixture(scope="package")
def world(sim):
    return sim.polymarket


@pytest.fixture(scope="package")
def http():
    with requests.Session() as client:
        yield client


@pytest.fixture(scope="package")
def gamma(sim):
    return sim.url("polymarket/gamma")


@pytest.fixture(scope="package")
def clob(sim):
    return sim.url("polymarket/clob")


@pytest.fixture(scope="package")
def data(sim):
    return sim.url("polymarket/data")

