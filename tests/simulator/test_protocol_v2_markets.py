"""Protocol V2 markets: `version`, position ids derived from padded condition ids, legacy
`clobTokenIds`, and the position ids accepted by the CLOB and the Data API."""
from __future__ import annotations

import collections
import json
from datetime import datetime, timezone

import pytest

from sim_truth import rows_of, walk
from venue_simulator import SimConfig, SimulatorServer

NOW = datetime(2026, 12, 20, 12, tzinfo=timezone.utc)
NOW_TS = int(NOW.timestamp())
SWITCHOVER = int(datetime(2026, 11, 2, tzinfo=timezone.utc).timestamp())


@pytest.fixture(scope="module")
def psim():
    config = SimConfig(seed=5, polymarket_markets=40, polymarket_trades=60_000, now=NOW,
                       epoch_start="2026-10-01T00:00:00Z", epoch_end="2027-01-01T00:00:00Z")
    with SimulatorServer(config) as server:
        yield server


@pytest.fixture(scope="module")
def world(psim):
    return psim.polymarket


@pytest.fixture(scope="module")
def markets(http, psim):
    gamma = psim.url("polymarket/gamma")
    out = []
    for closed in ("false", "true"):
        out += http.get(f"{gamma}/markets", params={"limit": 100, "closed": closed}).json()
    return out


@pytest.fixture(scope="module")
def v2_markets(markets):
    chosen = [m for m in markets if m.get("version") == "v2"]
    assert len(chosen) >= 6
    return chosen


def test_about_half_of_the_markets_created_after_the_switchover_are_v2(markets, world):
    after = [m for m in markets if world.lifecycle(world.index_of_market_id(m["id"]))["created"] >= SWITCHOVER]
    before = [m for m in markets if m not in after]
    versions = collections.Counter(m.get("version") for m in after)
    assert versions["v2"] and versions["v1"] and set(versions) <= {"v1", "v2", None}
    # closed v1 markets have no `version` (as recorded); a V2 market always says so
    assert all(m["closed"] for m in after if "version" not in m)
    assert before and all(m.get("version") != "v2" for m in before)
    assert all("positionIds" not in m for m in markets if m.get("version") != "v2")


def test_v2_ids(v2_markets, world):
    seen = collections.Counter()
    for m in v2_markets:
        i = world.index_of_market_id(m["id"])
        cid = m["conditionId"]
        assert len(cid) == 66 and cid.endswith("00")
        assert cid[2:4] == ("02" if m["negRisk"] else "01")                  # module byte
        positions = m["positionIds"]
        assert isinstance(positions, list) and len(positions) == 2 and all(p.isdigit() for p in positions)
        assert [int(p) for p in positions] == [int(cid, 16) | 0, int(cid, 16) | 1]
        assert tuple(positions) == world.token_ids(i)
        assert m["comboStatus"] in ("pending", "enabled", "disabled")
        if m["clobTokenIds"] is None:
            seen["null"] += 1
        else:                                                                # legacy ids: not the CLOB's
            legacy = json.loads(m["clobTokenIds"])
            assert isinstance(m["clobTokenIds"], str) and set(legacy).isdisjoint(positions)
            seen["legacy"] += 1
        seen[m["comboStatus"]] += 1
    assert seen["null"] and seen["legacy"] and len([k for k in ("pending", "enabled", "disabled") if seen[k]]) >= 2


def test_clob_books_take_position_ids(http, psim, v2_markets, world):
    clob = psim.url("polymarket/clob")
    m = next(m for m in v2_markets if not m["closed"] and m["clobTokenIds"])
    position, legacy = m["positionIds"][0], json.loads(m["clobTokenIds"])[0]
    book = http.get(f"{clob}/book", params={"token_id": position})
    assert book.status_code == 200
    assert book.json()["asset_id"] == position and book.json()["market"] == m["conditionId"]
    assert http.get(f"{clob}/book", params={"token_id": legacy}).status_code == 404
    books = http.post(f"{clob}/books", json=[{"token_id": position}, {"token_id": legacy},
                                             {"token_id": m["positionIds"][1]}]).json()
    assert [b["asset_id"] for b in books] == m["positionIds"]
    history = http.get(f"{clob}/prices-history", params={"market": position, "interval": "1d", "fidelity": 60})
    assert history.json()["history"]


def test_trades_and_prices_carry_position_ids(http, psim, v2_markets, world):
    data = psim.url("polymarket/data")
    m = max(v2_markets, key=lambda m: len(world.v2_trades(m["conditionId"], NOW_TS)))
    rows = rows_of(walk(http, f"{data}/v2/trades", {"condition": m["conditionId"], "limit": 1000}))
    assert rows == world.v2_trades(m["conditionId"], NOW_TS) and rows
    assert {r["token_id"] for r in rows} <= set(m["positionIds"])
    assert all(r["outcome_index"] in (0, 1) and r["token_id"] == m["positionIds"][r["outcome_index"]] for r in rows)
    points = http.get(f"{data}/v2/prices-history", params={"token_id": m["positionIds"][0], "interval": "max"})
    assert points.json()["data"]
    if m["clobTokenIds"]:
        legacy = json.loads(m["clobTokenIds"])[0]
        assert http.get(f"{data}/v2/prices-history", params={"token_id": legacy, "interval": "max"}).json()["data"] == []
    # the 62-hex-digit form (without the 00 padding) is well formed but names no market
    short = http.get(f"{data}/v2/trades", params={"condition": m["conditionId"][:-2]}).json()
    assert short["data"] == []


def test_gamma_filters_find_v2_markets(http, psim, v2_markets):
    gamma = psim.url("polymarket/gamma")
    m = v2_markets[0]
    closed = "true" if m["closed"] else "false"
    by_condition = http.get(f"{gamma}/markets", params={"condition_ids": m["conditionId"], "closed": closed}).json()
    by_position = http.get(f"{gamma}/markets", params={"clob_token_ids": m["positionIds"][1], "closed": closed}).json()
    assert [x["id"] for x in by_condition] == [x["id"] for x in by_position] == [m["id"]]


def test_no_v2_markets_without_a_switchover(http):
    config = SimConfig(seed=5, polymarket_markets=40, polymarket_trades=60_000, now=NOW,
                       epoch_start="2026-10-01T00:00:00Z", epoch_end="2027-01-01T00:00:00Z",
                       polymarket_v2_switchover=None)
    with SimulatorServer(config) as sim:
        world = sim.polymarket
        assert not any(world.is_v2(i) for i in range(world.market_count(NOW_TS)))
        body = http.get(f"{sim.url('polymarket/gamma')}/markets", params={"limit": 100}).json()
        assert all(m.get("version") != "v2" and isinstance(m["clobTokenIds"], str) for m in body)
