"""Wire shape of Gamma market objects: types, omitted keys, formats, resolution quirks, NUL."""
from __future__ import annotations

import json
import re

import pytest

from sim_truth import NOW_TS

COND = re.compile(r"^0x[0-9a-f]{64}$")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.(\d{1,6}))?Z$")
PG = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00$")
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")


@pytest.fixture(scope="module")
def markets(http, gamma):
    out = http.get(f"{gamma}/markets", params={"limit": 100}).json()
    out += http.get(f"{gamma}/markets", params={"limit": 100, "closed": "true"}).json()
    return out


def test_identifier_types(markets):
    for m in markets:
        assert isinstance(m["id"], str) and m["id"].isdigit()
        assert COND.match(m["conditionId"])
        assert COND.match(m["questionID"])
        assert isinstance(m["clobTokenIds"], str)
        tokens = json.loads(m["clobTokenIds"])
        assert len(tokens) == 2 and all(isinstance(t, str) and t.isdigit() and 76 <= len(t) <= 78 for t in tokens)
        for key in ("outcomes", "outcomePrices", "umaResolutionStatuses"):
            assert isinstance(m[key], str) and isinstance(json.loads(m[key]), list)
        assert m["outcomes"].startswith('["') and '", "' in m["outcomes"]
        assert len(m["events"]) == 1 and "markets" not in m["events"][0]
        assert isinstance(m["events"][0]["id"], str)
        assert 60 <= len(m) <= 100


def test_open_market_numbers(markets):
    opened = [m for m in markets if not m["closed"]]
    assert opened
    for m in opened:
        assert isinstance(m["volume"], str) and float(m["volume"]) == pytest.approx(m["volumeNum"])
        assert isinstance(m["liquidity"], str) and float(m["liquidity"]) == pytest.approx(m["liquidityNum"])
        assert isinstance(m["volumeNum"], (int, float)) and isinstance(m["volume24hr"], (int, float))
        assert m["active"] is True and m["acceptingOrders"] is True
        yes, no = (float(p) for p in json.loads(m["outcomePrices"]))
        assert yes == pytest.approx((m["bestBid"] + m["bestAsk"]) / 2)
        assert yes + no == pytest.approx(1.0)
        assert "closedTime" not in m


def test_closed_markets_omit_keys_and_keep_active(markets):
    closed = [m for m in markets if m["closed"]]
    assert closed
    for m in closed:
        for key in ("volume", "volumeNum", "liquidity", "liquidityNum", "bestBid"):
            assert key not in m
        assert m["active"] is True and m["acceptingOrders"] is False
        assert PG.match(m["closedTime"])
        assert m["umaResolutionStatus"] == "resolved"
    prices = {m["outcomePrices"] for m in closed}
    assert prices & {'["1", "0"]', '["0", "1"]'}
    assert '["0", "0"]' in prices
    assert any(p not in ('["1", "0"]', '["0", "1"]', '["0", "0"]') for p in prices)   # fractional
    lagging = [m for m in closed if m["umaResolutionStatuses"] == '["proposed"]']
    assert lagging


def test_early_close_before_end_date(markets, world):
    early = [m for m in markets if m["closed"] and m["closedTime"][:10] < m["endDate"][:10]]
    assert early
    assert all(world.lifecycle(world.index_of_market_id(m["id"]))["early"] for m in early)


def test_date_formats_vary(markets):
    digits = set()
    for m in markets:
        assert DATE.match(m["endDateIso"])
        for key in ("createdAt", "updatedAt", "startDate", "endDate", "acceptingOrdersTimestamp"):
            match = ISO.match(m[key])
            assert match, (key, m[key])
            digits.add(len(match.group(2) or ""))
        assert ISO.match(m["endDate"]).group(1) is None
    assert {0, 3, 6} <= digits


def test_outcomes_are_not_always_yes_no(markets):
    outcomes = {m["outcomes"] for m in markets}
    assert '["Yes", "No"]' in outcomes and '["Up", "Down"]' in outcomes
    assert any("Yes" not in o and "Up" not in o for o in outcomes)   # team names


def test_nul_and_non_ascii_in_raw_bytes(http, gamma, world):
    raw = b""
    for closed in ("false", "true"):
        raw += http.get(f"{gamma}/markets", params={"limit": 100, "closed": closed}).content
    assert b"\\u0000" in raw
    assert "’".encode() in raw or "é".encode() in raw
    nul_markets = [i for i in range(world.market_count(NOW_TS)) if "\x00" in world.static(i)["description"]]
    assert 2 in nul_markets
    body = http.get(f"{gamma}/markets/{world.market_id(2)}")
    assert b"\\u0000" in body.content and "\x00" in body.json()["description"]


def test_event_fields_are_numbers_not_strings(markets):
    event = next(m["events"][0] for m in markets if not m["closed"])
    assert isinstance(event["volume"], float) and isinstance(event["liquidity"], float)
    assert isinstance(event["openInterest"], (int, float))
