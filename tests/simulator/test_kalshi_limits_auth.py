"""Kalshi token-bucket rate limits (429 with a string error and no headers), the RSA-PSS signed
balance endpoint, and fault injection on Kalshi routes."""
from __future__ import annotations

import base64
import json
import time

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kalshi_truth import KALSHI
from venue_simulator import SimConfig, SimulatorServer

PATH = "/kalshi/trade-api/v2/portfolio/balance"
DENIED = {"error": {"code": "invalid_credentials", "message": "invalid credentials", "service": "auth"}}


def test_token_bucket_429_has_a_string_error_and_no_headers(http, ksim, kalshi):
    http.post(f"{ksim.base_url}/_sim/ratelimits", json={"enforce": True, "factor": 0.05})   # 10 tokens/s
    try:
        assert http.get(f"{kalshi}/markets", params={"limit": 1}).status_code == 200
        resp = http.get(f"{kalshi}/markets", params={"limit": 1})
        assert resp.status_code == 429 and resp.json() == {"error": "too many requests"}
        assert "Retry-After" not in resp.headers
        assert not any(h.lower().startswith(("x-ratelimit", "ratelimit")) for h in resp.headers)
        time.sleep(1.05)
        tickers = "KXELONMARS-99,KXWARMING-50,KXNEWPOPE-70-PPAR,KXNEWPOPE-70-LTAG,KXNEWPOPE-70-PTUR"
        assert http.get(f"{kalshi}/markets/orderbooks", params={"tickers": tickers}).status_code == 200
        time.sleep(1.05)      # enough for one single read, not for the five the batch cost
        assert http.get(f"{kalshi}/markets", params={"limit": 1}).status_code == 429
        assert [e["status"] for e in ksim.requests()[-1:]] == [429]
    finally:
        http.post(f"{ksim.base_url}/_sim/ratelimits", json={"enforce": False, "factor": 1.0})


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _headers(key, key_id: str, path: str = PATH, stamp: int | None = None, method: str = "GET") -> dict:
    stamp = int(time.time() * 1000) if stamp is None else stamp
    signature = key.sign(f"{stamp}{method}{path}".encode(),
                         padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
                         hashes.SHA256())
    return {"KALSHI-ACCESS-KEY": key_id, "KALSHI-ACCESS-TIMESTAMP": str(stamp),
            "KALSHI-ACCESS-SIGNATURE": base64.b64encode(signature).decode()}


@pytest.fixture(scope="module")
def keys():
    return _key(), _key()


@pytest.fixture(scope="module")
def signed(keys):
    config = SimConfig(**{**KALSHI, "kalshi_markets": 200, "kalshi_public_keys": {"key-1": _pem(keys[0])}})
    with SimulatorServer(config, mount_polymarket=False) as sim:
        yield sim


def test_signed_balance_accepts_a_valid_signature(keys, signed):
    url = signed.base_url + PATH
    resp = requests.get(url, headers=_headers(keys[0], "key-1"))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert isinstance(body["balance"], int) and isinstance(body["portfolio_value"], int)
    assert body["portfolio_value"] >= body["balance"] > 0
    with_query = requests.get(url, params={"subaccount": 0}, headers=_headers(keys[0], "key-1"))
    assert with_query.status_code == 200 and with_query.json()["balance"] == body["balance"]


@pytest.mark.parametrize("case", ["bad_signature", "old_timestamp", "future_timestamp", "wrong_path",
                                  "query_in_path", "other_key", "unknown_key_id", "missing", "post_signature"])
def test_signed_balance_refuses(keys, signed, case):
    good, other = keys
    now_ms = int(time.time() * 1000)
    headers = {
        "bad_signature": {**_headers(good, "key-1"), "KALSHI-ACCESS-SIGNATURE": base64.b64encode(b"x" * 256).decode()},
        "old_timestamp": _headers(good, "key-1", stamp=now_ms - 61_000),
        "future_timestamp": _headers(good, "key-1", stamp=now_ms + 61_000),
        "wrong_path": _headers(good, "key-1", path="/trade-api/v2/portfolio/balance"),
        "query_in_path": _headers(good, "key-1", path=PATH + "?subaccount=0"),
        "other_key": _headers(other, "key-1"),
        "unknown_key_id": _headers(good, "key-2"),
        "missing": {},
        "post_signature": _headers(good, "key-1", method="POST"),
    }[case]
    params = {"subaccount": 0} if case == "query_in_path" else None
    resp = requests.get(signed.base_url + PATH, params=params, headers=headers)
    assert resp.status_code == 401 and resp.json() == DENIED


def test_keys_given_as_a_list_and_reads_need_no_auth(keys):
    config = SimConfig(**{**KALSHI, "kalshi_markets": 100, "kalshi_public_keys": [_pem(keys[1])]})
    with SimulatorServer(config, mount_polymarket=False) as sim:
        assert requests.get(sim.base_url + PATH, headers=_headers(keys[1], "any-id")).status_code == 200
        assert requests.get(sim.base_url + PATH, headers=_headers(keys[0], "any-id")).status_code == 401
        base = sim.url("kalshi")
        for path in ("/markets", "/markets/KXELONMARS-99/orderbook", "/events", "/historical/cutoff"):
            assert requests.get(base + path).status_code == 200


def test_status_faults_use_kalshi_bodies(http, ksim, kalshi):
    ksim.add_fault(service="kalshi", path="/markets/trades", kind="status", status=503)
    resp = http.get(f"{kalshi}/markets/trades")
    assert resp.status_code == 503
    assert resp.json() == {"error": {"code": "service_unavailable", "message": "service unavailable",
                                     "service": "exchange"}}
    ksim.add_fault(service="kalshi", path="/markets", kind="status", status=429, times=2)
    for _ in range(2):
        resp = http.get(f"{kalshi}/markets")
        assert resp.status_code == 429 and resp.json() == {"error": "too many requests"}
        assert "Retry-After" not in resp.headers
    assert http.get(f"{kalshi}/markets").status_code == 200
    assert http.get(f"{kalshi}/markets/trades").status_code == 200


def test_transport_faults_on_kalshi_routes(http, ksim, kalshi):
    ksim.add_fault(service="kalshi", path="/events", kind="html403")
    resp = http.get(f"{kalshi}/events")
    assert resp.status_code == 403 and resp.headers["content-type"].startswith("text/html")
    ksim.add_fault(service="kalshi", path="/series", kind="non_json")
    assert http.get(f"{kalshi}/series").headers["content-type"].startswith("text/html")
    full = http.get(f"{kalshi}/markets/trades").content
    ksim.add_fault(service="kalshi", path="/markets/trades", kind="truncate_body")
    cut = http.get(f"{kalshi}/markets/trades")
    assert cut.status_code == 200 and cut.content == full[: len(full) // 2]
    with pytest.raises(ValueError):
        json.loads(cut.content)
    ksim.add_fault(service="kalshi", path="/markets", kind="truncate_connection")
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        requests.get(f"{kalshi}/markets", timeout=5)
    ksim.add_fault(service="kalshi", path="/historical/cutoff", kind="timeout", delay=0.8)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{kalshi}/historical/cutoff", timeout=0.3)
    entries = [e for e in ksim.requests() if e["service"] == "kalshi" and e["fault"]]
    assert {e["fault"] for e in entries} >= {"html403", "non_json", "truncate_body", "truncate_connection"}


def test_body_faults_on_kalshi_routes(http, ksim, kalshi):
    normal = http.get(f"{kalshi}/markets/trades", params={"limit": 3}).json()["trades"]
    ksim.add_fault(service="kalshi", path="/markets/trades", kind="drift", mode=["rename_key", "add_keys"])
    drifted = http.get(f"{kalshi}/markets/trades", params={"limit": 3}).json()["trades"]
    assert [t["tradeId"] for t in drifted] == [t["trade_id"] for t in normal]
    assert all("trade_id" not in t and "riskTier" in t for t in drifted)
    ksim.add_fault(service="kalshi", path="/markets", kind="nul")
    markets = http.get(f"{kalshi}/markets", params={"limit": 2}).json()["markets"]
    assert "\x00" in markets[0]["title"]
