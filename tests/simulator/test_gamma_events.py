"""Gamma GET /events and /events/{id}: embedded markets, neg-risk groups, caps, errors."""
from __future__ import annotations

from sim_truth import NOW_TS


def test_events_default_to_open_and_embed_markets(http, gamma, world):
    events = http.get(f"{gamma}/events", params={"limit": 100}).json()
    expected = [world.ids.event_id(f) for f in world.event_firsts(NOW_TS) if not world.event_closed(f, NOW_TS)]
    assert [e["id"] for e in events] == expected
    assert all(e["closed"] is False for e in events)
    for event in events:
        assert event["markets"], event["id"]
        assert isinstance(event["volume"], float) and isinstance(event["liquidity"], float)
        for market in event["markets"]:
            assert "events" not in market
            single = http.get(f"{gamma}/markets/{market['id']}").json()
            assert single["events"][0]["id"] == event["id"]
            assert "markets" not in single["events"][0]
            assert len(single["events"]) == 1
    closed = http.get(f"{gamma}/events", params={"limit": 100, "closed": "true"}).json()
    assert closed and all(e["closed"] for e in closed)
    assert {e["id"] for e in closed}.isdisjoint({e["id"] for e in events})


def test_neg_risk_event_with_several_markets(http, gamma, world):
    events = http.get(f"{gamma}/events", params={"limit": 100}).json()
    events += http.get(f"{gamma}/events", params={"limit": 100, "closed": "true"}).json()
    groups = [e for e in events if e["negRisk"] and len(e["markets"]) >= 3]
    assert groups
    for event in groups:
        assert event["enableNegRisk"] is True and event["sortBy"] == "price"
        nrm = event["negRiskMarketID"]
        assert nrm.startswith("0x") and len(nrm) == 66 and nrm.endswith("00")
        for pos, market in enumerate(event["markets"]):
            assert market["negRisk"] is True
            assert market["negRiskMarketID"] == nrm
            assert market["questionID"] == nrm[:-2] + f"{pos:02x}"
            assert market["groupItemThreshold"] == str(pos)
            assert market["groupItemTitle"]
        titles = [m["groupItemTitle"] for m in event["markets"]]
        assert len(set(titles)) == len(titles)


def test_event_limit_cap_and_offset_ceiling(http, medium):
    gamma = medium.url("polymarket/gamma")
    assert len(http.get(f"{gamma}/events", params={"limit": 500, "closed": "true"}).json()) == 100
    resp = http.get(f"{gamma}/events", params={"offset": 10001})
    assert resp.status_code == 422 and resp.json()["type"] == "validation error"
    first = http.get(f"{gamma}/events", params={"limit": 10, "order": "id", "ascending": "true"}).json()
    ids = [int(e["id"]) for e in first]
    assert ids == sorted(ids)


def test_event_by_id(http, gamma, world):
    first = world.event_firsts(NOW_TS)[1]
    event_id = world.ids.event_id(first)
    body = http.get(f"{gamma}/events/{event_id}").json()
    assert body["id"] == event_id
    assert [m["id"] for m in body["markets"]] == [world.market_id(i) for i in world.event_markets(first)]
    assert http.get(f"{gamma}/events/not-a-number").status_code == 422
    assert http.get(f"{gamma}/events/123456789").status_code == 404
