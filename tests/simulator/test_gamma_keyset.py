"""Gamma GET /markets/keyset: opaque cursors, creation order, absent next_cursor, reuse."""
from __future__ import annotations

import base64

from sim_truth import DAY, NOW_TS, closed_indices, open_indices


def walk(http, gamma, **params):
    pages, cursor = [], None
    while True:
        query = dict(params)
        if cursor:
            query["after_cursor"] = cursor
        resp = http.get(f"{gamma}/markets/keyset", params=query)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        pages.append((cursor, body))
        cursor = body.get("next_cursor")
        if cursor is None:
            assert "next_cursor" not in body   # absent, not null
            return pages
        assert len(pages) < 200


def test_walk_returns_every_open_market_once_in_creation_order(http, gamma, world):
    pages = walk(http, gamma, limit=7)
    ids = [m["id"] for _, body in pages for m in body["markets"]]
    assert ids == [world.market_id(i) for i in open_indices(world)]
    assert len(ids) == len(set(ids))
    assert all(len(body["markets"]) == 7 for _, body in pages[:-1])
    assert set(pages[0][1]) == {"$schema", "markets", "next_cursor"}
    assert set(pages[-1][1]) == {"$schema", "markets"}


def test_walk_closed_markets(http, gamma, world):
    pages = walk(http, gamma, limit=5, closed="true")
    ids = [m["id"] for _, body in pages for m in body["markets"]]
    assert ids == [world.market_id(i) for i in closed_indices(world)]
    assert all(m["closed"] for _, body in pages for m in body["markets"])


def test_limit_capped_at_100(http, medium):
    gamma = medium.url("polymarket/gamma")
    body = http.get(f"{gamma}/markets/keyset", params={"limit": 1000, "closed": "true"}).json()
    assert len(body["markets"]) == 100 and "next_cursor" in body


def test_cursor_is_opaque_and_checked(http, gamma):
    first = http.get(f"{gamma}/markets/keyset", params={"limit": 3}).json()
    cursor = first["next_cursor"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    tampered = base64.urlsafe_b64encode(raw.replace(b'"p":', b'"p":1', 1)).decode().rstrip("=")
    for bad in (tampered, "abc", cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]):
        resp = http.get(f"{gamma}/markets/keyset", params={"limit": 3, "after_cursor": bad})
        assert resp.status_code == 400, bad
        assert resp.headers["content-type"] == "application/json"
        assert "cursor" in resp.json()["error"]
    # the same cursor with different filters is refused
    other = http.get(f"{gamma}/markets/keyset", params={"limit": 3, "closed": "true", "after_cursor": cursor})
    assert other.status_code == 400
    # ... but a different limit, or spelling out the default closed=false, is the same walk
    assert http.get(f"{gamma}/markets/keyset", params={"limit": 5, "after_cursor": cursor}).status_code == 200
    same = http.get(f"{gamma}/markets/keyset", params={"limit": 3, "closed": "false", "after_cursor": cursor})
    assert same.status_code == 200
    assert same.json() == http.get(f"{gamma}/markets/keyset", params={"limit": 3, "after_cursor": cursor}).json()


def test_last_cursor_stays_usable_and_returns_new_markets(http, gamma, world, sim):
    pages = walk(http, gamma, limit=4)
    last_cursor, last_body = pages[-1]
    assert last_cursor is not None
    again = http.get(f"{gamma}/markets/keyset", params={"limit": 4, "after_cursor": last_cursor}).json()
    assert again == last_body
    later = NOW_TS + 120 * DAY
    sim.set_now(later)
    after = http.get(f"{gamma}/markets/keyset", params={"limit": 100, "after_cursor": last_cursor}).json()
    start = world.index_of_market_id(last_body["markets"][0]["id"])
    expected = [world.market_id(i) for i in open_indices(world, later) if i >= start]
    assert [m["id"] for m in after["markets"]] == expected
    new = [i for i in open_indices(world, later) if i >= world.market_count(NOW_TS)]
    assert new and {world.market_id(i) for i in new} <= {m["id"] for m in after["markets"]}
