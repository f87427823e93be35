"""Kalshi request signing (RSA-PSS) and rate tiers; the private key never leaks."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from prediction_markets.adapters import get_adapter
from prediction_markets.hooks.kalshi import KalshiHook, load_private_key

KEY_ID = "a952bcbe-ec3b-4b5b-b8f9-11dae589608c"


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def set_connection(monkeypatch, host="https://external-api.kalshi.com/trade-api/v2", **fields):
    value = {"conn_type": "http", "host": host, **fields}
    monkeypatch.setenv("AIRFLOW_CONN_KALSHI", json.dumps(value))


def make_hook():
    return KalshiHook("kalshi", rate_rules=get_adapter("kalshi").rate_rules("kalshi"))


def verify(public_key, headers, method, path):
    message = f"{headers['KALSHI-ACCESS-TIMESTAMP']}{method}{path}".encode()
    public_key.verify(
        base64.b64decode(headers["KALSHI-ACCESS-SIGNATURE"]), message,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH), hashes.SHA256(),
    )


def test_signature_verifies_with_the_public_key_over_path_without_query(monkeypatch, key):
    set_connection(monkeypatch, login=KEY_ID, password=pem(key))
    hook = make_hook()
    headers = hook.auth_headers("GET", "https://external-api.kalshi.com/trade-api/v2/portfolio/orders?limit=5")
    assert headers["KALSHI-ACCESS-KEY"] == KEY_ID and headers["KALSHI-ACCESS-TIMESTAMP"].isdigit()
    assert len(headers["KALSHI-ACCESS-TIMESTAMP"]) == 13  # milliseconds
    verify(key.public_key(), headers, "GET", "/trade-api/v2/portfolio/orders")
    with pytest.raises(InvalidSignature):  # the query string is not part of the message
        verify(key.public_key(), headers, "GET", "/trade-api/v2/portfolio/orders?limit=5")


def test_no_credentials_means_no_auth_headers(monkeypatch):
    set_connection(monkeypatch)
    hook = make_hook()
    assert hook.auth_headers("GET", "https://x/trade-api/v2/markets") == {} and not hook.can_sign


def test_a_bad_key_error_does_not_echo_the_key(monkeypatch, key):
    broken = pem(key).replace("A", "B", 40)
    set_connection(monkeypatch, login=KEY_ID, password=broken)
    with pytest.raises(ValueError) as err:
        make_hook().get_conn()
    assert "PRIVATE KEY" not in str(err.value) and broken[40:80] not in str(err.value)
    with pytest.raises(ValueError):
        load_private_key("not a key")


def test_key_stays_out_of_repr_and_logs(monkeypatch, key, caplog):
    secret = pem(key)
    set_connection(monkeypatch, login=KEY_ID, password=secret)
    hook = make_hook()
    with caplog.at_level(logging.DEBUG):
        hook.get_conn()
        hook.auth_headers("GET", "https://x/trade-api/v2/portfolio/balance")
    body = secret.splitlines()[1]
    assert body not in repr(hook) and body not in caplog.text


@pytest.mark.parametrize("tier, per_10s", [("basic", 200), ("advanced", 300), ("premier", 1000), ("prime", 4000)])
def test_rate_tier_sets_the_read_budget(monkeypatch, tier, per_10s):
    set_connection(monkeypatch, extra={"rate_tier": tier})
    hook = make_hook()
    hook.get_conn()
    (rule,) = hook.limiter.rules
    assert rule.key == "kalshi:read" and rule.limit == per_10s


def test_unknown_tier_is_a_clear_error(monkeypatch):
    set_connection(monkeypatch, extra={"rate_tier": "platinum"})
    with pytest.raises(ValueError, match="rate_tier must be one of"):
        make_hook().get_conn()


def public_pem(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def test_signed_request_is_accepted_by_the_venue_and_unsigned_refused(monkeypatch, key):
    from prediction_markets.adapters.base import Request
    from tests.support.sim import running_simulator

    with running_simulator(kalshi_public_keys={KEY_ID: public_pem(key)}) as sim:
        set_connection(monkeypatch, host=sim.url("kalshi"), login=KEY_ID, password=pem(key))
        balance = Request("portfolio", "kalshi", "/portfolio/balance", signed=True)
        result = make_hook().fetch(balance)
        assert result.final.status == 200 and "balance" in result.final.data
        set_connection(monkeypatch, host=sim.url("kalshi"))  # no credentials
        refused = make_hook().fetch(balance)
        assert refused.final.status == 401
        assert refused.final.data["error"]["code"] == "invalid_credentials"


def test_429_with_a_plain_string_body_and_no_retry_after_is_retried(monkeypatch):
    from prediction_markets.adapters.base import Request
    from tests.support.sim import running_simulator

    with running_simulator() as sim:
        set_connection(monkeypatch, host=sim.url("kalshi"), extra={"backoff_base_s": 0.01, "backoff_max_s": 0.02})
        sim.add_fault(kind="status", status=429, body={"error": "too many requests"}, service="kalshi", times=2)
        result = make_hook().fetch(Request("series", "kalshi", "/series"))
        assert [a.status for a in result.attempts] == [429, 429, 200]
        first = result.attempts[0]
        assert "retry-after" not in first.headers and first.data == {"error": "too many requests"}


@pytest.mark.parametrize("store", ["local", "postgres"])
def test_a_batch_call_after_a_burst_waits_for_room_in_the_token_bucket(monkeypatch, store, request):
    """Kalshi charges a batch per item and admits it only when its bucket holds the whole cost.
    A burst of single reads, then a 17-ticker batch: the limiter must wait until the budget has
    room for 17 reads, so the venue (the simulator enforcing its published bucket) never answers 429."""
    from prediction_markets.adapters.base import Request
    from prediction_markets.hooks.ratelimit import LocalStore, PostgresStore
    from tests.support.sim import running_simulator

    if store == "postgres":
        import psycopg

        wh = request.getfixturevalue("landing")
        limiter_store = PostgresStore(lambda: psycopg.connect(wh.db.dsn))
    else:
        limiter_store = LocalStore()
    with running_simulator(enforce_rate_limits=True, rate_limit_max_queue=0.0) as sim:
        set_connection(monkeypatch, host=sim.url("kalshi"), extra={"max_attempts": 1})
        hook = KalshiHook("kalshi", rate_rules=get_adapter("kalshi").rate_rules("kalshi"), limiter_store=limiter_store)
        listing = hook.fetch(Request("markets", "kalshi", "/markets", (("limit", "17"),)))
        tickers = [m["ticker"] for m in listing.final.data["markets"]]
        assert len(tickers) == 17
        for _ in range(2):
            for _ in range(18):
                hook.fetch(Request("series", "kalshi", "/series"))
            hook.fetch(Request("orderbooks", "kalshi", "/markets/orderbooks",
                               tuple(("tickers", t) for t in tickers), cost=len(tickers)))
        statuses = [r["status"] for r in sim.requests() if r["path"].startswith(("/markets", "/series"))]
    assert len(statuses) == 1 + 2 * 19
    assert 429 not in statuses
