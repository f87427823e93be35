"""The venue HTTP hook against the simulator: retries, Retry-After, faults, rate limits."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from prediction_markets.adapters import get_adapter
from prediction_markets.adapters.base import RateRule, Request
from prediction_markets.hooks.ratelimit import LocalStore
from prediction_markets.hooks.venue_http import VenueHttpHook, base_url_from_connection, parse_retry_after
from tests.support.sim import point_connection_at, running_simulator

GAMMA = "polymarket_gamma"
MARKETS = Request("markets", GAMMA, "/markets/keyset", (("closed", "false"), ("limit", "5")))


@pytest.fixture(scope="module")
def sim():
    with running_simulator() as server:
        yield server


@pytest.fixture
def gamma(sim):
    sim.clear_faults()
    point_connection_at(GAMMA, sim.url("polymarket/gamma"))
    return sim


class Sleeps(list):
    def __call__(self, seconds):
        self.append(round(seconds, 3))


def make_hook(sleep=None, rules=(), **kw):
    return VenueHttpHook(GAMMA, rate_rules=rules, sleep=Sleeps() if sleep is None else sleep, **kw)


def test_429_with_retry_after_is_honoured_and_pauses_the_limiter(gamma):
    gamma.add_fault(kind="status", status=429, retry_after=2, service="polymarket/gamma", times=2)
    sleeps = Sleeps()
    store = LocalStore()
    hook = make_hook(sleeps, rules=[RateRule("t:general", 1000)], limiter_store=store)
    result = hook.fetch(MARKETS)
    assert [a.status for a in result.attempts] == [429, 429, 200]
    assert not result.exhausted and result.final.ok
    assert sleeps.count(2.0) == 2  # Retry-After, not a computed backoff
    assert hook.stats.retries == 2 and hook.stats.requests == 3
    # Every worker sharing the rule is held back too (the fake sleep did not let time pass).
    assert store._tat["t:general"] - time.monotonic() > 1.5


def test_retry_after_as_an_http_date_is_honoured(gamma):
    gamma.add_fault(kind="status", status=429, retry_after=3, retry_after_format="http-date",
                    service="polymarket/gamma", times=1)
    sleeps = Sleeps()
    result = make_hook(sleeps).fetch(MARKETS)
    assert [a.status for a in result.attempts] == [429, 200]
    assert "GMT" in result.attempts[0].headers["retry-after"]
    # The date is three seconds after the venue's answer: the wait is what remains of it, not a
    # computed backoff (0.5-1 s here).
    assert len(sleeps) == 1 and 1.5 <= sleeps[0] <= 3.0


def test_429_without_retry_after_backs_off_exponentially(gamma):
    gamma.add_fault(kind="status", status=429, service="polymarket/gamma", times=3)
    sleeps = Sleeps()
    result = make_hook(sleeps).fetch(MARKETS)
    assert [a.status for a in result.attempts] == [429, 429, 429, 200]
    # FAST_RETRIES: base 0.01 s doubling, capped at 0.05 s, jittered in [ceiling/2, ceiling].
    assert 0.005 <= sleeps[0] <= 0.01 and 0.01 <= sleeps[1] <= 0.02 and 0.02 <= sleeps[2] <= 0.04


@pytest.mark.parametrize("kind, extra", [
    ("status", {"status": 503}),
    ("status", {"status": 500}),
    ("truncate_body", {}),
    ("truncate_connection", {}),
    ("non_json", {}),
])
def test_transient_failures_are_retried_and_every_attempt_returned(gamma, kind, extra):
    gamma.add_fault(kind=kind, service="polymarket/gamma", times=1, **extra)
    result = make_hook().fetch(MARKETS)
    assert len(result.attempts) == 2 and result.final.ok
    first = result.attempts[0]
    assert first.status != 200 or first.error is not None or first.data is None


def test_timeout_is_retried(sim):
    sim.clear_faults()
    point_connection_at(GAMMA, sim.url("polymarket/gamma"), {"read_timeout_s": 0.3})
    sim.add_fault(kind="timeout", delay=1.5, service="polymarket/gamma", times=1)
    result = make_hook().fetch(MARKETS)
    assert result.attempts[0].status is None and "Timeout" in result.attempts[0].error
    assert result.final.ok


def test_persistent_failure_is_exhausted_not_raised(gamma):
    gamma.add_fault(kind="non_json", service="polymarket/gamma", times=None)
    result = make_hook().fetch(MARKETS)
    assert result.exhausted and len(result.attempts) == 4  # FAST_RETRIES max_attempts
    assert all(a.status == 200 and a.data is None for a in result.attempts)
    assert "malformed body" in result.reason


def test_cloudflare_html_403_gets_one_patient_retry(gamma):
    gamma.add_fault(kind="html403", service="polymarket/gamma", times=None)
    sleeps = Sleeps()
    result = make_hook(sleeps).fetch(MARKETS)
    assert [a.status for a in result.attempts] == [403, 403]
    assert not result.exhausted  # a final answer for the adapter to judge
    assert b"Cloudflare" in result.final.body
    assert sleeps == [0.01]  # cloudflare_wait_s


def test_client_errors_are_final(gamma):
    result = make_hook().fetch(Request("markets", GAMMA, "/markets/not-a-number"))
    assert [a.status for a in result.attempts] == [422]
    assert result.final.data == {"type": "validation error", "error": "id is invalid"}


def test_request_params_repeat_keys_and_post_bodies(sim):
    point_connection_at("polymarket_clob", sim.url("polymarket/clob"))
    world = sim.polymarket
    tokens = list(world.token_ids(0)) + list(world.token_ids(1))
    hook = VenueHttpHook("polymarket_clob", sleep=Sleeps())
    result = hook.fetch(Request("orderbooks", "polymarket_clob", "/books", method="POST",
                                json=[{"token_id": t} for t in tokens]))
    assert result.final.status == 200 and isinstance(result.final.data, list)
    logged = sim.requests()[-1]
    assert logged["method"] == "POST" and json.loads(json.dumps(logged["body"])) == [{"token_id": t} for t in tokens]


def test_base_url_from_connection_forms():
    class Conn:
        def __init__(self, **kw):
            self.conn_id, self.conn_type, self.host, self.port, self.schema = "c", "http", None, None, None
            self.extra_dejson = {}
            self.__dict__.update(kw)

    assert base_url_from_connection(Conn(host="https://gamma-api.polymarket.com/")) == "https://gamma-api.polymarket.com"
    assert base_url_from_connection(Conn(conn_type="https", host="external-api.kalshi.com", schema="trade-api/v2")) == \
        "https://external-api.kalshi.com/trade-api/v2"
    assert base_url_from_connection(Conn(host="127.0.0.1", port=8765, schema="polymarket/gamma")) == \
        "http://127.0.0.1:8765/polymarket/gamma"
    with pytest.raises(ValueError, match="no host"):
        base_url_from_connection(Conn(host=""))


def test_parse_retry_after_forms():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    later = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert 25 <= parse_retry_after(format_datetime(later, usegmt=True)) <= 30
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_published_limits_are_the_defaults():
    adapter = get_adapter("polymarket")
    rules = {r.key: r for c in ("polymarket_gamma", "polymarket_clob", "polymarket_data") for r in adapter.rate_rules(c)}
    assert rules["polymarket_gamma:/markets"].limit == 300 and rules["polymarket_gamma:/events"].limit == 500
    # /v2/trades: no official figure; budgeted at 20 req/s (clean when measured, 429s from ~30).
    assert rules["polymarket_data:/v2/trades"].limit == 200 and rules["polymarket_clob:/books"].limit == 500
    assert rules["polymarket_data:/v2/trades"].matches("/v2/trades")
    assert not rules["polymarket_data:/v2/trades"].matches("/v2/prices-history")
    assert rules["polymarket_clob:/book"].matches("/book") and not rules["polymarket_clob:/book"].matches("/books")
    assert rules["polymarket:global"].limit == 15000
