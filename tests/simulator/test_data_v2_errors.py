"""Data API v2 errors, retired v1 /trades, rate limits and injected faults on /v2 routes."""
from __future__ import annotations

import email.utils
import time

import pytest
import requests

from sim_truth import NOW_V2, sample_v2
from venue_simulator import SimConfig, SimulatorServer
from venue_simulator.__main__ import config_from, parse_args

ERROR_KEYS = {"error", "code", "retryable", "trace_id"}


@pytest.fixture(scope="module")
def data(v2sim):
    return v2sim.url("polymarket/data")


def assert_v2_error(resp, status: int, code: str, parameter: str | None = None) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert ERROR_KEYS <= set(body) <= ERROR_KEYS | {"parameter"}
    assert body["code"] == code and body.get("parameter") == parameter
    assert resp.headers["x-trace-id"] == body["trace_id"] and len(body["trace_id"]) == 32
    return body


def test_error_bodies_follow_the_recorded_samples():
    for key, body in sample_v2("errors_v2.json").items():
        assert ERROR_KEYS <= set(body), key


@pytest.mark.parametrize("params, parameter, message", [
    ({"offset": 1000}, "offset", "unknown query parameter 'offset'; page with cursor"),
    ({"limit": 1001}, "limit", None),
    ({"limit": -1}, "limit", None),
    ({"side": "BUYS"}, "side", "side must be BUY or SELL"),
    ({"side": "buy"}, "side", "side must be BUY or SELL"),
    ({"market": "0x" + "ab" * 32}, "market", None),               # the v1 parameter is gone
    ({"taker_only": "yes"}, "taker_only", None),
    ({"filter_type": "SHARES"}, "filter_type", None),
    ({"filter_amount": "lots"}, "filter_amount", None),
    ({"user": "0x1234"}, "user", None),
    ({"user": "0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E"}, "user", None),   # a protocol contract
    ({"start": "yesterday"}, "start", None),
    ({"event_id": "-3"}, "event_id", None),
])
def test_bad_trade_requests_are_400(http, data, params, parameter, message):
    body = assert_v2_error(http.get(f"{data}/v2/trades", params=params), 400, "invalid_request", parameter)
    assert body["retryable"] is False
    if message:
        assert body["error"] == message


def test_condition_lists(http, data, v2sim):
    world = v2sim.polymarket
    known = [world.condition_id(i) for i in range(world.market_count(NOW_V2))]
    fillers = ["0x" + f"{k:064x}" for k in range(21 - len(known[:5]))]
    too_many = ",".join(known[:5] + fillers)
    assert_v2_error(http.get(f"{data}/v2/trades", params={"condition": too_many}), 400, "invalid_request", "condition")
    twenty = ",".join(known[:5] + fillers[:-1] + [known[0]])             # 20 distinct, one repeated
    assert http.get(f"{data}/v2/trades", params={"condition": twenty}).status_code == 200
    bad = assert_v2_error(http.get(f"{data}/v2/trades", params={"condition": f"{known[0]},0xnothex"}), 400,
                          "invalid_request", "condition")
    assert "0xnothex" in bad["error"]
    both = {"condition": known[0], "event_id": world.ids.event_id(0)}
    assert_v2_error(http.get(f"{data}/v2/trades", params=both), 400, "invalid_request", "event_id")
    events = ",".join(str(100 + k) for k in range(21))
    assert_v2_error(http.get(f"{data}/v2/trades", params={"event_id": events}), 400, "invalid_request", "event_id")


def test_unknown_routes_and_methods(http, data):
    assert_v2_error(http.get(f"{data}/v2/nothing"), 404, "not_found")
    assert_v2_error(http.post(f"{data}/v2/trades"), 405, "method_not_allowed")
    assert http.get(f"{data}/nothing").json() == {"error": "not found"}     # the v1 host shape


def test_v1_trades_is_retired_by_default(http, data, v2sim):
    resp = http.get(f"{data}/trades", params={"market": v2sim.polymarket.condition_id(0)})
    assert resp.status_code == 410 and resp.headers["content-type"] == "application/json"
    assert "/v2/trades" in resp.json()["error"]


def test_v1_trades_can_be_served_again(http):
    with SimulatorServer(SimConfig(seed=3, polymarket_markets=8, polymarket_trades=3000, now=NOW_V2,
                                   polymarket_v1_trades="served")) as sim:
        rows = http.get(f"{sim.url('polymarket/data')}/trades", params={"limit": 5}).json()
        assert len(rows) == 5 and "conditionId" in rows[0]
        assert http.get(f"{sim.url('polymarket/data')}/v2/trades", params={"limit": 5}).status_code == 200


def test_cli_switches():
    default = config_from(parse_args([]))
    assert default.polymarket_v1_trades == "retired" and default.polymarket_v2_switchover.isoformat().startswith(
        "2026-11-02")
    legacy = config_from(parse_args(["--polymarket-v1-trades", "served", "--polymarket-v2-switchover", "none",
                                     "--polymarket-combos", "0", "--polymarket-void-share", "0.5"]))
    assert legacy.polymarket_v1_trades == "served" and legacy.polymarket_v2_switchover is None
    assert legacy.polymarket_combos == 0 and legacy.polymarket_void_share == 0.5


def test_injected_statuses_use_the_v2_body_and_retry_after(http, data, v2sim):
    v2sim.add_fault(service="polymarket/data", path="/v2/trades", kind="status", status=503)
    body = assert_v2_error(http.get(f"{data}/v2/trades"), 503, "request_timeout")
    assert body["retryable"] is True
    v2sim.add_fault(service="polymarket/data", path="/v2/trades", kind="status", status=429, retry_after=3)
    resp = http.get(f"{data}/v2/trades")
    assert_v2_error(resp, 429, "rate_limited")
    assert resp.headers["Retry-After"] == "3"
    v2sim.add_fault(service="polymarket/data", path="/v2/prices-history", kind="status", status=503,
                    retry_after=5, retry_after_format="http-date")
    before = time.time()
    resp = http.get(f"{data}/v2/prices-history", params={"token_id": "1", "interval": "1d"})
    assert_v2_error(resp, 503, "request_timeout")
    when = email.utils.parsedate_to_datetime(resp.headers["Retry-After"]).timestamp()
    assert before + 3 <= when <= time.time() + 6
    v2sim.add_fault(service="polymarket/data", path="/v2/trades", kind="truncate_body")
    assert http.get(f"{data}/v2/trades").headers["x-trace-id"]
    with pytest.raises(ValueError):
        v2sim.add_fault(kind="status", status=429, retry_after_format="rfc850")


def test_rate_limits_on_v2():
    config = SimConfig(seed=3, polymarket_markets=8, polymarket_trades=3000, now=NOW_V2, enforce_rate_limits=True,
                       rate_limit_factor=0.01, rate_limit_max_queue=0.0)   # /v2/trades 3, general 10 per 10 s
    with SimulatorServer(config) as sim, requests.Session() as http:
        data = sim.url("polymarket/data")
        codes = [http.get(f"{data}/v2/trades", params={"limit": 1}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        bare = http.get(f"{data}/v2/trades", params={"limit": 1})
        assert bare.status_code == 429 and bare.content == b"" and "Retry-After" not in bare.headers
        assert bare.headers["x-trace-id"]
        statuses = [http.get(f"{data}/v2/status") for _ in range(8)]   # refused requests use no budget
        assert [r.status_code for r in statuses[:7]] == [200] * 7
        refused = statuses[-1]
        assert_v2_error(refused, 429, "rate_limited")
        assert refused.headers["Retry-After"] == "1"
