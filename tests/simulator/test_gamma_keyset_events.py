"""Gamma GET /events/keyset, the keyset quirks of /markets/keyset and the legacy offset lists."""
from __future__ import annotations

from sim_truth import NOW_TS, sample_v2

EVENTS_SCHEMA = sample_v2("gamma_events_keyset.json")["$schema"]
MARKETS_SCHEMA = sample_v2("gamma_markets_keyset_v2.json")["$schema"]


def walk_events(http, gamma, **params):
    pages, cursor = [], None
    while True:
        query = dict(params, **({"after_cursor": cursor} if cursor else {}))
        resp = http.get(f"{gamma}/events/keyset", params=query)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        pages.append(body)
        cursor = body.get("next_cursor")
        if cursor is None:
            assert "next_cursor" not in body
            return pages
        assert len(pages) < 500


def open_events(world, now=NOW_TS):
    return [f for f in world.event_firsts(now) if not world.event_closed(f, now)]


def test_walk_lists_every_open_event_once_with_its_markets(http, gamma, world):
    pages = walk_events(http, gamma, limit=3)
    events = [e for body in pages for e in body["events"]]
    assert [e["id"] for e in events] == [world.ids.event_id(f) for f in open_events(world)]
    assert all(list(body)[0] == "$schema" and body["$schema"] == EVENTS_SCHEMA for body in pages)
    assert set(pages[-1]) == {"$schema", "events"}
    for event in events:
        single = http.get(f"{gamma}/events/{event['id']}").json()
        assert event == single                                           # embedded like /events
        assert event["markets"] and all("events" not in m for m in event["markets"])
    closed = [e for body in walk_events(http, gamma, limit=50, closed="true") for e in body["events"]]
    assert closed and all(e["closed"] for e in closed)
    assert [e["id"] for e in closed] == [world.ids.event_id(f) for f in world.event_firsts(NOW_TS)
                                         if world.event_closed(f, NOW_TS)]


def test_include_markets_false_drops_the_key(http, gamma):
    with_markets = http.get(f"{gamma}/events/keyset", params={"limit": 5}).json()["events"]
    without = http.get(f"{gamma}/events/keyset", params={"limit": 5, "include_markets": "false"}).json()["events"]
    assert [e["id"] for e in without] == [e["id"] for e in with_markets]
    for a, b in zip(with_markets, without):
        assert "markets" not in b and {k: v for k, v in a.items() if k != "markets"} == b


def test_limits_and_paging_parameters(http, medium):
    gamma = medium.url("polymarket/gamma")
    world = medium.polymarket
    assert len(http.get(f"{gamma}/events/keyset", params={"closed": "true"}).json()["events"]) == 20
    for limit in (101, 500):                                              # silently clamped
        assert len(http.get(f"{gamma}/events/keyset", params={"limit": limit, "closed": "true"}).json()["events"]) == 100
    first = http.get(f"{gamma}/events/keyset", params={"limit": 5, "closed": "true"}).json()
    again = http.get(f"{gamma}/events/keyset", params={"limit": 5, "closed": "true",
                                                        "cursor": first["next_cursor"]}).json()
    assert again == first                                                 # cursor= is ignored: page 1 again
    offset = http.get(f"{gamma}/events/keyset", params={"offset": 20})
    assert offset.status_code == 422 and offset.json()["type"] == "validation error"
    other = http.get(f"{gamma}/events/keyset", params={"limit": 5, "after_cursor": first["next_cursor"]})
    assert other.status_code == 400                                       # the cursor is bound to its query
    assert http.get(f"{gamma}/events/keyset", params={"limit": 5, "closed": "true",
                                                       "after_cursor": first["next_cursor"][:-2]}).status_code == 400
    pages = walk_events(http, gamma, limit=20)
    ids = [e["id"] for body in pages for e in body["events"]]
    assert ids == [world.ids.event_id(f) for f in open_events(world)]
    assert any(len(body["events"]) < 20 for body in pages[:-1])           # short pages before the end


def test_markets_keyset_quirks(http, gamma, world):
    first = http.get(f"{gamma}/markets/keyset", params={"limit": 3}).json()
    assert list(first)[0] == "$schema" and first["$schema"] == MARKETS_SCHEMA
    again = http.get(f"{gamma}/markets/keyset", params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert again == first                                                 # page 1 forever
    following = http.get(f"{gamma}/markets/keyset", params={"limit": 3, "after_cursor": first["next_cursor"]}).json()
    assert following["markets"] and following["markets"][0]["id"] != first["markets"][0]["id"]
    resp = http.get(f"{gamma}/markets/keyset", params={"offset": 3})
    assert resp.status_code == 422 and resp.json()["type"] == "validation error"


def test_legacy_offset_lists_announce_their_sunset(http, gamma):
    for path, keyset in (("/markets", "/markets/keyset"), ("/events", "/events/keyset")):
        resp = http.get(f"{gamma}{path}", params={"limit": 2})
        assert resp.status_code == 200
        assert resp.headers["deprecation"] == "true"
        assert resp.headers["sunset"] == "Fri, 01 May 2026 00:00:00 GMT"
        assert resp.headers["warning"] == f'299 - "use {keyset}"'
        assert resp.headers["cache-control"] == "public, max-age=300"
        assert http.get(f"{gamma}{path}", params={"offset": 2000}).status_code == 200
        deep = http.get(f"{gamma}{path}", params={"offset": 2001})
        assert deep.status_code == 422
        assert deep.json() == {"type": "validation error",
                               "error": f"offset too large, use {keyset} for deeper pagination"}
