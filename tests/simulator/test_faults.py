"""Fault injection: every kind, matching, counting, and the admin API."""
from __future__ import annotations

import json
import time

import pytest
import requests

from sim_truth import biggest_market


@pytest.fixture
def cid(world):
    return world.condition_id(biggest_market(world))


def test_status_429_with_retry_after_times_and_after(http, sim, data, cid):
    sim.add_fault(service="polymarket/data", path="/trades", method="GET", kind="status", status=429,
                  retry_after=7, times=2, after=1)
    codes = []
    for _ in range(4):
        resp = http.get(f"{data}/trades", params={"market": cid, "limit": 1})
        codes.append(resp.status_code)
        if resp.status_code == 429:
            assert resp.headers["Retry-After"] == "7"
            assert resp.headers["content-type"] == "application/json"
            assert resp.json() == {"error": "Too Many Requests"}
    assert codes == [200, 429, 429, 200]
    rule = sim.list_faults()[0]
    assert rule["matched"] == 4 and rule["applied"] == 2


def test_gamma_500_default_body_and_custom_body(http, sim, gamma):
    sim.add_fault(service="polymarket/gamma", path="/markets", kind="status", status=500)
    resp = http.get(f"{gamma}/markets")
    assert resp.status_code == 500
    assert resp.json() == {"type": "internal error", "error": "cannot get the information"}
    assert "Retry-After" not in resp.headers
    sim.add_fault(service="polymarket/gamma", path="/markets", kind="status", status=503, body="upstream down")
    resp = http.get(f"{gamma}/markets")
    assert resp.status_code == 503 and resp.text == "upstream down"
    assert http.get(f"{gamma}/markets").status_code == 200


def test_html403(http, sim, clob, world):
    sim.add_fault(service="polymarket/clob", path="/book", kind="html403")
    resp = http.get(f"{clob}/book", params={"token_id": world.token_ids(0)[0]})
    assert resp.status_code == 403 and resp.headers["content-type"].startswith("text/html")
    assert "Attention Required! | Cloudflare" in resp.text
    with pytest.raises(ValueError):
        resp.json()


def test_timeout_and_slow(http, sim, gamma):
    sim.add_fault(service="polymarket/gamma", path="/markets", kind="timeout", delay=1.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{gamma}/markets", timeout=0.4)
    sim.add_fault(service="polymarket/gamma", path="/markets", kind="slow", delay=0.6)
    started = time.monotonic()
    resp = http.get(f"{gamma}/markets", timeout=5)
    assert resp.status_code == 200 and time.monotonic() - started >= 0.6
    assert isinstance(resp.json(), list)


def test_truncated_body(http, sim, gamma):
    full = http.get(f"{gamma}/markets").content
    sim.add_fault(path="/markets", kind="truncate_body")
    resp = http.get(f"{gamma}/markets")
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    assert int(resp.headers["content-length"]) == len(resp.content) == len(full) // 2
    assert resp.content == full[: len(full) // 2]
    with pytest.raises(ValueError):
        json.loads(resp.content)


def test_truncated_connection(sim, gamma):
    sim.add_fault(path="/markets", kind="truncate_connection")
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        requests.get(f"{gamma}/markets", timeout=5)
    assert requests.get(f"{gamma}/markets", timeout=5).status_code == 200


def test_non_json(http, sim, data, cid):
    sim.add_fault(service="polymarket/data", kind="non_json")
    resp = http.get(f"{data}/trades", params={"market": cid})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    with pytest.raises(ValueError):
        resp.json()


def test_drift(http, sim, gamma, world):
    normal = http.get(f"{gamma}/markets", params={"limit": 3}).json()
    sim.add_fault(service="polymarket/gamma", path="/markets", kind="drift")
    drifted = http.get(f"{gamma}/markets", params={"limit": 3}).json()
    assert len(drifted) == len(normal)
    for before, after in zip(normal, drifted):
        assert "conditionId" not in after and after["condition_id"] == before["conditionId"]
        assert isinstance(after["outcomes"], list) and after["outcomes"] == json.loads(before["outcomes"])
        assert isinstance(after["clobTokenIds"], list)
        assert after["volumeNum"] == str(before["volumeNum"])       # number -> string
        assert "endDate" not in after and "endDate" in before         # dropped
        assert {"marketGroupV2", "riskTier", "deprecatedFlag"} <= set(after)
    sim.add_fault(service="polymarket/data", path="/trades", kind="drift", mode="change_type", key="price")
    cid = world.condition_id(0)
    row = http.get(f"{sim.url('polymarket/data')}/trades", params={"market": cid, "limit": 1}).json()[0]
    assert isinstance(row["price"], str) and float(row["price"]) > 0


def test_nul_injection(http, sim, data, cid):
    sim.add_fault(service="polymarket/data", path="/trades", kind="nul")
    resp = http.get(f"{data}/trades", params={"market": cid, "limit": 2})
    assert b"\\u0000" in resp.content
    assert "\x00" in resp.json()[0]["title"]
    assert b"\\u0000" not in http.get(f"{data}/trades", params={"market": cid, "limit": 2}).content


def test_glob_and_filters(http, sim, gamma, clob, world):
    sim.add_fault(service="polymarket/*", path="/markets*", method="GET", kind="status", status=502, times=None)
    assert http.get(f"{gamma}/markets/keyset").status_code == 502
    assert http.get(f"{gamma}/markets").status_code == 502
    assert http.get(f"{gamma}/events").status_code == 200
    assert http.get(f"{clob}/book", params={"token_id": world.token_ids(0)[0]}).status_code == 200
    sim.clear_faults()
    sim.add_fault(path="/markets", kind="status", status=500, query={"offset": "20"})
    assert http.get(f"{gamma}/markets", params={"offset": 0}).status_code == 200
    assert http.get(f"{gamma}/markets", params={"offset": 20}).status_code == 500


def test_faulted_requests_are_logged(http, sim, gamma):
    since = sim.requests()[-1]["seq"] if sim.requests() else 0
    sim.add_fault(path="/events", kind="status", status=500)
    http.get(f"{gamma}/events")
    http.get(f"{gamma}/events")
    entries = sim.requests(since=since)
    assert [(e["status"], e["fault"]) for e in entries] == [(500, "status"), (200, None)]


def test_admin_api(http, sim, gamma):
    base = sim.base_url
    rule = http.post(f"{base}/_sim/faults", json={"service": "polymarket/gamma", "path": "/markets",
                                                  "kind": "html403", "times": 1}).json()
    assert rule["kind"] == "html403" and rule["id"] > 0
    assert [r["id"] for r in http.get(f"{base}/_sim/faults").json()] == [rule["id"]]
    assert http.get(f"{gamma}/markets").status_code == 403
    assert http.delete(f"{base}/_sim/faults").status_code == 200
    assert http.get(f"{base}/_sim/faults").json() == []
    for bad in ({"kind": "explode"}, {"kind": "status"}, {"kind": "drift", "mode": "sideways"},
                {"kind": "status", "status": 500, "colour": "red"}):
        assert http.post(f"{base}/_sim/faults", json=bad).status_code == 400, bad


def test_the_demo_pipeline_faults_are_valid_rules_for_served_paths():
    """`include/bin/pipeline` injects these by default: a typo would break the README command."""
    from local_stack.pipeline import DEMO_FAULTS
    from venue_simulator.faults import FaultRule

    # Paths the platform calls today (the retired v1 /trades is not one of them).
    served = {
        "polymarket/gamma": ["/markets/keyset", "/events/keyset"],
        "polymarket/data": ["/v2/trades", "/v2/prices-history", "/v2/resolutions"],
        "polymarket/clob": ["/books"],
        "kalshi": ["/series/KXFED/markets/KXFED-27APR-T4.25/candlesticks", "/markets"],
    }
    for spec in DEMO_FAULTS:
        rule = FaultRule.from_dict(dict(spec))
        paths = [p for p in served.get(rule.service, []) if rule.matches(rule.service, "GET", p, {})]
        assert paths, spec
