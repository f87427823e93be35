"""Gamma GET /markets (offset paging) and GET /markets/{id}: filters, caps, ceilings, errors."""
from __future__ import annotations

import json

from sim_truth import NOW_TS, closed_indices, open_indices


def test_closed_defaults_to_false(http, gamma, world):
    body = http.get(f"{gamma}/markets", params={"limit": 100}).json()
    expected = [world.market_id(i) for i in open_indices(world)]
    assert [m["id"] for m in body] == expected
    assert all(m["closed"] is False for m in body)
    closed = http.get(f"{gamma}/markets", params={"limit": 100, "closed": "true"}).json()
    assert [m["id"] for m in closed] == [world.market_id(i) for i in closed_indices(world)]
    assert closed and all(m["closed"] is True for m in closed)


def test_closed_market_disappears_when_filtered_by_ids(http, gamma, world):
    i = closed_indices(world)[0]
    cid = world.condition_id(i)
    assert http.get(f"{gamma}/markets", params={"condition_ids": cid}).json() == []
    found = http.get(f"{gamma}/markets", params={"condition_ids": cid, "closed": "true"}).json()
    assert [m["id"] for m in found] == [world.market_id(i)]
    token = world.token_ids(i)[1]
    assert http.get(f"{gamma}/markets", params={"clob_token_ids": token}).json() == []
    found = http.get(f"{gamma}/markets", params={"clob_token_ids": token, "closed": "true"}).json()
    assert [m["conditionId"] for m in found] == [cid]


def test_repeated_keys_select_several_markets(http, gamma, world):
    a, b = open_indices(world)[:2]
    ids = [world.market_id(a), world.market_id(b)]
    got = http.get(f"{gamma}/markets", params={"id": ids}).json()
    assert sorted(m["id"] for m in got) == sorted(ids)
    cids = [world.condition_id(a), world.condition_id(b)]
    got = http.get(f"{gamma}/markets", params={"condition_ids": cids}).json()
    assert sorted(m["conditionId"] for m in got) == sorted(cids)
    # comma-joined values are one (unknown) id, not a list
    assert http.get(f"{gamma}/markets", params={"condition_ids": ",".join(cids)}).json() == []
    slug = world.static(a)["slug"]
    assert [m["id"] for m in http.get(f"{gamma}/markets", params={"slug": slug}).json()] == [ids[0]]


def test_limit_is_silently_capped_at_100(http, medium):
    gamma = medium.url("polymarket/gamma")
    assert len(http.get(f"{gamma}/markets", params={"limit": 500}).json()) == 100
    assert len(http.get(f"{gamma}/markets", params={"limit": 500, "closed": "true"}).json()) == 100
    assert len(http.get(f"{gamma}/markets", params={"limit": 7}).json()) == 7


def test_default_limit_is_20(http, medium):
    assert len(http.get(f"{medium.url('polymarket/gamma')}/markets").json()) == 20


def test_offset_paging_is_consistent(http, medium):
    gamma = medium.url("polymarket/gamma")
    whole = [m["id"] for m in http.get(f"{gamma}/markets", params={"limit": 100, "closed": "true"}).json()]
    part = [m["id"] for m in http.get(f"{gamma}/markets", params={"limit": 30, "offset": 40, "closed": "true"}).json()]
    assert part == whole[40:70]


def test_offset_ceiling_is_422(http, gamma):
    resp = http.get(f"{gamma}/markets", params={"offset": 2001})
    assert resp.status_code == 422
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert body["type"] == "validation error" and "offset" in body["error"]
    ok = http.get(f"{gamma}/markets", params={"offset": 2000})
    assert ok.status_code == 200 and ok.json() == []


def test_bad_parameters_are_422(http, gamma):
    for params in ({"limit": "ten"}, {"closed": "maybe"}, {"order": "nonsense"}, {"end_date_min": "yesterday"}):
        resp = http.get(f"{gamma}/markets", params=params)
        assert resp.status_code == 422, params
        assert resp.json()["type"] == "validation error"


def test_order_fields(http, medium):
    gamma = medium.url("polymarket/gamma")
    desc = http.get(f"{gamma}/markets", params={"limit": 100, "order": "volumeNum", "ascending": "false"}).json()
    vols = [m["volumeNum"] for m in desc]
    assert vols == sorted(vols, reverse=True) and vols[0] > vols[-1]
    asc = http.get(f"{gamma}/markets", params={"limit": 100, "order": "volumeNum", "ascending": "true"}).json()
    assert [m["volumeNum"] for m in asc] == sorted(m["volumeNum"] for m in asc)
    ends = http.get(f"{gamma}/markets", params={"limit": 100, "order": "endDate", "ascending": "true"}).json()
    assert [m["endDate"] for m in ends] == sorted(m["endDate"] for m in ends)
    by_id = http.get(f"{gamma}/markets", params={"limit": 50, "order": "id", "ascending": "false"}).json()
    ids = [int(m["id"]) for m in by_id]
    assert ids == sorted(ids, reverse=True)


def test_end_date_window(http, gamma, world):
    lo, hi = "2026-07-01T00:00:00Z", "2027-06-30T00:00:00+00:00"
    got = http.get(f"{gamma}/markets", params={"limit": 100, "end_date_min": lo, "end_date_max": hi}).json()
    expected = [world.market_id(i) for i in open_indices(world)
                if 1782864000 <= world.lifecycle(i)["end"] <= 1814313600]
    assert [m["id"] for m in got] == expected
    assert all(lo[:10] <= m["endDate"][:10] <= hi[:10] for m in got)


def test_more_than_40_condition_ids_is_a_cloudflare_html_403(http, gamma, world):
    fake = [f"0x{k:064x}" for k in range(41)]
    resp = http.get(f"{gamma}/markets", params={"condition_ids": fake})
    assert resp.status_code == 403
    assert resp.headers["content-type"].startswith("text/html")
    assert "<title>Attention Required! | Cloudflare</title>" in resp.text
    ok = http.get(f"{gamma}/markets", params={"condition_ids": fake[:40]})
    assert ok.status_code == 200 and ok.json() == []


def test_overlong_url_is_414_html(http, gamma, world):
    tokens = [world.token_ids(0)[0]] * 110
    resp = http.get(f"{gamma}/markets", params={"clob_token_ids": tokens})
    assert len(resp.request.url) > 8000
    assert resp.status_code == 414
    assert resp.headers["content-type"].startswith("text/html")
    assert "414 Request-URI Too Large" in resp.text


def test_market_by_id(http, gamma, world):
    i = closed_indices(world)[0]
    resp = http.get(f"{gamma}/markets/{world.market_id(i)}")
    assert resp.status_code == 200
    assert resp.json() == json.loads(json.dumps(world.market(i, NOW_TS)))
    bad = http.get(f"{gamma}/markets/{world.static(i)['slug']}")
    assert bad.status_code == 422
    assert bad.json() == {"type": "validation error", "error": "id is invalid"}
    missing = http.get(f"{gamma}/markets/999999999")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/json"
    assert "error" in missing.json()
    future = world.market_count(NOW_TS)   # exists later, not yet at now
    assert http.get(f"{gamma}/markets/{world.market_id(future)}").status_code == 404


def test_market_by_slug_path(http, gamma, world):
    i = open_indices(world)[1]
    resp = http.get(f"{gamma}/markets/slug/{world.static(i)['slug']}")
    assert resp.status_code == 200 and resp.json()["id"] == world.market_id(i)
