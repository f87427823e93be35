"""The request log: one entry per venue request, Python and HTTP access."""
from __future__ import annotations

import time


def test_entries_describe_each_request(http, sim, gamma, clob, world):
    sim.clear_requests()
    started = time.time()
    first = http.get(f"{gamma}/markets", params={"id": [world.market_id(0), world.market_id(5)], "closed": "true"})
    second = http.post(f"{clob}/books", json=[{"token_id": world.token_ids(0)[0]}])
    missing = http.get(f"{clob}/nowhere")
    entries = sim.requests()
    assert len(entries) == 3
    a, b, c = entries
    assert a["seq"] < b["seq"] < c["seq"]
    assert started - 1 <= a["time"] <= b["time"] <= time.time()
    assert (a["method"], a["service"], a["path"]) == ("GET", "polymarket/gamma", "/markets")
    assert a["query"] == {"id": [world.market_id(0), world.market_id(5)], "closed": ["true"]}
    assert a["body"] is None and a["status"] == 200 and a["fault"] is None
    assert a["response_bytes"] == len(first.content)
    assert (b["method"], b["service"], b["path"]) == ("POST", "polymarket/clob", "/books")
    assert b["body"] == [{"token_id": world.token_ids(0)[0]}]
    assert b["response_bytes"] == len(second.content)
    assert c["status"] == 404 == missing.status_code


def test_http_admin_and_since(http, sim, gamma):
    sim.clear_requests()
    for _ in range(3):
        http.get(f"{gamma}/events", params={"limit": 1})
    base = sim.base_url
    entries = http.get(f"{base}/_sim/requests").json()
    assert len(entries) == 3                       # admin calls are not logged
    since = entries[0]["seq"]
    assert [e["seq"] for e in http.get(f"{base}/_sim/requests", params={"since": since}).json()] == \
        [e["seq"] for e in entries[1:]]
    assert http.delete(f"{base}/_sim/requests").json() == {"cleared": 3}
    assert http.get(f"{base}/_sim/requests").json() == []
    http.get(f"{gamma}/events", params={"limit": 1})
    assert http.get(f"{base}/_sim/requests").json()[0]["seq"] > entries[-1]["seq"]   # seq keeps increasing
