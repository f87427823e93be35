"""CLOB GET /prices-history: 200-and-empty failures, 15-day rule, 900-point cap, intervals."""
from __future__ import annotations

from sim_truth import DAY, NOW_TS, biggest_market, closed_indices, open_indices

EMPTY = {"history": []}


def test_range_points_are_aligned_and_inside_the_life(http, clob, world):
    i = open_indices(world)[0]
    token = world.token_ids(i)[0]
    start, end = NOW_TS - 10 * DAY, NOW_TS + DAY
    body = http.get(f"{clob}/prices-history", params={"market": token, "startTs": start, "endTs": end,
                                                     "fidelity": 60}).json()
    points = body["history"]
    assert points == world.price_history(token, start, end, 60, NOW_TS)
    assert 200 < len(points) <= 241
    ts = [p["t"] for p in points]
    assert ts == sorted(ts) and all(t % 3600 == 0 and start <= t <= NOW_TS for t in ts)
    assert all(isinstance(p["t"], int) and isinstance(p["p"], float) and 0 < p["p"] < 1 for p in points)
    assert len(points) < 240 + 1   # some hours missing (deterministic gaps) or clipped at now


def test_second_token_is_complement(http, clob, world):
    i = open_indices(world)[0]
    params = {"startTs": NOW_TS - DAY, "endTs": NOW_TS, "fidelity": 60}
    yes = http.get(f"{clob}/prices-history", params={**params, "market": world.token_ids(i)[0]}).json()["history"]
    no = http.get(f"{clob}/prices-history", params={**params, "market": world.token_ids(i)[1]}).json()["history"]
    assert [p["t"] for p in yes] == [p["t"] for p in no]
    assert all(abs(a["p"] + b["p"] - 1) < 1e-9 for a, b in zip(yes, no))


def test_failures_are_http_200_with_empty_history(http, clob, world):
    i = open_indices(world)[0]
    token = world.token_ids(i)[0]
    cases = [
        {"market": token, "startTs": NOW_TS - 16 * DAY, "endTs": NOW_TS, "fidelity": 60},   # > 15 days
        {"market": token, "startTs": NOW_TS - DAY, "endTs": NOW_TS, "fidelity": 5},          # odd fidelity
        {"market": world.condition_id(i), "startTs": NOW_TS - DAY, "endTs": NOW_TS},          # conditionId
        {"market": "1" * 77, "startTs": NOW_TS - DAY, "endTs": NOW_TS},                       # unknown token
        {"market": token, "interval": "2d"},
    ]
    for params in cases:
        resp = http.get(f"{clob}/prices-history", params=params)
        assert resp.status_code == 200, params
        assert resp.json() == EMPTY, params
    ok = http.get(f"{clob}/prices-history", params={**cases[0], "startTs": NOW_TS - 15 * DAY}).json()
    assert ok["history"]


def test_missing_time_component_is_400(http, clob, world):
    token = world.token_ids(0)[0]
    resp = http.get(f"{clob}/prices-history", params={"market": token, "fidelity": 60})
    assert resp.status_code == 400 and "error" in resp.json()
    both = http.get(f"{clob}/prices-history", params={"market": token, "interval": "1d", "startTs": NOW_TS - 60})
    assert both.status_code == 400


def test_relative_intervals_anchor_to_now(http, clob, world):
    token = world.token_ids(open_indices(world)[0])[0]
    day = http.get(f"{clob}/prices-history", params={"market": token, "interval": "1d", "fidelity": 10}).json()
    ts = [p["t"] for p in day["history"]]
    assert 130 < len(ts) <= 145 and min(ts) >= NOW_TS - DAY and max(ts) <= NOW_TS
    closed_token = world.token_ids(closed_indices(world)[0])[0]
    for interval in ("1h", "6h", "1d", "1w", "1m"):
        resp = http.get(f"{clob}/prices-history", params={"market": closed_token, "interval": interval,
                                                         "fidelity": 60})
        assert resp.status_code == 200 and resp.json() == EMPTY


def test_max_works_for_closed_markets_and_ends_resolved(http, clob, world):
    for i in closed_indices(world)[:6]:
        life = world.lifecycle(i)
        token = world.token_ids(i)[0]
        points = http.get(f"{clob}/prices-history", params={"market": token, "interval": "max",
                                                           "fidelity": 60}).json()["history"]
        assert points and points[0]["t"] >= life["accepting"]
        tail = http.get(f"{clob}/prices-history", params={"market": token, "startTs": life["close"] - 5 * 3600,
                                                         "endTs": life["close"] + DAY}).json()["history"]
        assert tail[-1]["t"] <= life["close"]
        assert tail[-1]["p"] == (1.0 if life["winner"] == 0 else 0.0)


def test_at_most_900_points_oldest_first(http, clob, world):
    i = biggest_market(world)
    token = world.token_ids(i)[0]
    body = http.get(f"{clob}/prices-history", params={"market": token, "interval": "max", "fidelity": 1}).json()
    assert len(body["history"]) == 900
    assert body["history"] == world.price_history(token, 0, NOW_TS, 1, NOW_TS, limit=900)
    ranged = http.get(f"{clob}/prices-history", params={"market": token, "startTs": NOW_TS - 14 * DAY,
                                                       "endTs": NOW_TS, "fidelity": 10}).json()["history"]
    assert len(ranged) == 900 and ranged[0]["t"] >= NOW_TS - 14 * DAY and ranged[-1]["t"] < NOW_TS - 7 * DAY


def test_gaps_and_float_noise(world):
    i = biggest_market(world)
    token = world.token_ids(i)[0]
    life = world.lifecycle(i)
    points = world.price_history(token, life["accepting"], NOW_TS, 60, NOW_TS)
    slots = (NOW_TS // 3600) - (-(-life["accepting"] // 3600)) + 1
    assert len(points) < slots
    assert any(len(repr(p["p"])) > 8 for p in points)   # e.g. 0.7000000000000001
