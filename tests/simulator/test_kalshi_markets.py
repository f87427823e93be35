"""Kalshi /markets: envelopes, limits, filter vocabulary and rules, parlays, object quirks."""
from __future__ import annotations

import pytest

from kalshi_truth import NOW_TS, find, indices
from venue_simulator.kalshi.lifecycle import PAUSED

ENVELOPE_KEYS = {"code", "message", "service"}


def assert_error(resp, status: int) -> None:
    assert resp.status_code == status, resp.text[:300]
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == ENVELOPE_KEYS


def test_list_and_single_envelopes(http, kalshi, kworld):
    body = http.get(f"{kalshi}/markets").json()
    assert set(body) == {"markets", "cursor"}
    assert len(body["markets"]) == 100 and isinstance(body["cursor"], str) and body["cursor"]
    newest = indices(kworld)[::-1][:100]
    assert [m["ticker"] for m in body["markets"]] == [kworld.ticker(i) for i in newest]
    one = http.get(f"{kalshi}/markets/{kworld.ticker(newest[0])}").json()
    assert set(one) == {"market"} and one["market"] == body["markets"][0]
    assert_error(http.get(f"{kalshi}/markets/KXNOPE-26JAN01-T1"), 404)
    assert_error(http.get(f"{kalshi}/nowhere"), 404)


def test_default_and_max_limits(http, kalshi, kworld):
    url = f"{kalshi}/historical/markets"
    page = http.get(url, params={"limit": 1000}).json()["markets"]
    order = indices(kworld, tier="historical")[::-1]
    # the page stops early only right after a page-break market
    expected = next((n + 1 for n, i in enumerate(order[:1000]) if kworld.breaks("market", i)), 1000)
    assert len(page) == expected > 100
    for limit in (1001, -1, "x"):
        assert_error(http.get(url, params={"limit": limit}), 400)
        assert_error(http.get(f"{kalshi}/markets", params={"limit": limit}), 400)
    assert len(http.get(f"{kalshi}/markets", params={"limit": 0}).json()["markets"]) == 100


def _statuses(http, kalshi, status):
    body = http.get(f"{kalshi}/markets", params={"status": status, "limit": 1000}).json()
    return {m["status"] for m in body["markets"]}


def test_status_filter_vocabulary_differs_from_response(http, ksim, kalshi, kworld):
    assert _statuses(http, kalshi, "open") == {"active"}
    assert _statuses(http, kalshi, "settled") <= {"finalized", "amended"}
    assert "finalized" in _statuses(http, kalshi, "settled")
    for word in ("active", "finalized", "initialized", "open,closed"):
        assert_error(http.get(f"{kalshi}/markets", params={"status": word}), 400)
    assert_error(http.get(f"{kalshi}/markets", params=[("status", "open"), ("status", "closed")]), 400)
    # unopened -> initialized, paused -> inactive, closed -> closed/determined/disputed
    life = kworld.life
    late = next(i for i in range(6, 2000) if not kworld.is_parlay(i) and life.open_of(i) > life.created_of(i) + 600)
    ksim.set_now(life.created_of(late) + 60)
    assert "initialized" == kworld.status(late, ksim.now())
    assert _statuses(http, kalshi, "unopened") == {"initialized"}
    paused = next(i for i in range(6, 4000) if life.flags_of(i) & PAUSED)
    ksim.set_now(sum(life.pause_window(paused)) // 2)
    assert _statuses(http, kalshi, "paused") == {"inactive"}
    ksim.set_now(life.close_of(late) + 1)
    assert _statuses(http, kalshi, "closed") <= {"closed", "determined", "disputed"}
    assert "closed" in _statuses(http, kalshi, "closed")


def test_parlays_dominate_unless_excluded(http, kalshi):
    default = http.get(f"{kalshi}/markets").json()["markets"]
    parlays = [m for m in default if "mve_collection_ticker" in m]
    assert len(parlays) > len(default) / 2
    assert all(m["ticker"].startswith("KXMVE") and m["mve_selected_legs"] for m in parlays)
    excluded = http.get(f"{kalshi}/markets", params={"mve_filter": "exclude"}).json()["markets"]
    assert excluded and not any("mve_collection_ticker" in m or m["ticker"].startswith("KXMVE") for m in excluded)
    only = http.get(f"{kalshi}/markets", params={"mve_filter": "only"}).json()["markets"]
    assert only and all("mve_collection_ticker" in m for m in only)
    assert_error(http.get(f"{kalshi}/markets", params={"mve_filter": "include"}), 400)


@pytest.mark.parametrize("params", [
    {"min_created_ts": 1, "min_close_ts": 1},
    {"max_settled_ts": 2, "max_created_ts": 2},
    {"min_created_ts": 1, "status": "closed"},
    {"min_close_ts": 1, "status": "open"},
    {"min_settled_ts": 1, "status": "open"},
    {"min_updated_ts": 1, "status": "open"},
    {"min_updated_ts": 1, "mve_filter": "only"},
    {"min_updated_ts": 1, "series_ticker": "KXFED"},
    {"min_updated_ts": 1, "event_ticker": "KXELONMARS-99", "mve_filter": "exclude"},
    {"event_ticker": "KXELONMARS-99,KXWARMING-50"},
])
def test_incompatible_filters_are_400(http, kalshi, params):
    assert_error(http.get(f"{kalshi}/markets", params=params), 400)


@pytest.mark.parametrize("params", [
    {"min_created_ts": 1, "max_created_ts": NOW_TS, "status": "open"},
    {"min_close_ts": 1, "status": "closed"},
    {"min_settled_ts": 1, "status": "settled"},
    {"min_updated_ts": 1},
    {"min_updated_ts": 1, "mve_filter": "exclude"},
    {"min_updated_ts": 1, "mve_filter": "exclude", "series_ticker": "KXFED"},
    {"series_ticker": "KXFED", "status": "settled", "mve_filter": "exclude"},
])
def test_compatible_filters(http, kalshi, params):
    assert http.get(f"{kalshi}/markets", params=params).status_code == 200


def test_filters_select_the_right_markets(http, kalshi, kworld):
    fed = http.get(f"{kalshi}/markets", params={"series_ticker": "KXFED", "limit": 1000}).json()["markets"]
    assert fed and all(kworld.series_ticker_of(kworld.index_of(m["ticker"])) == "KXFED" for m in fed)
    assert any(m["event_ticker"].startswith("KXFED-") for m in fed)
    event = fed[0]["event_ticker"]
    same = http.get(f"{kalshi}/markets", params={"event_ticker": event}).json()["markets"]
    assert {m["ticker"] for m in same} == {m["ticker"] for m in fed if m["event_ticker"] == event}
    wanted = [fed[0]["ticker"], "KXELONMARS-99", "NOT-A-TICKER"]
    got = http.get(f"{kalshi}/markets", params={"tickers": ",".join(wanted)}).json()["markets"]
    assert sorted(m["ticker"] for m in got) == sorted(wanted[:2])
    cut = NOW_TS - 20 * 86400
    recent = http.get(f"{kalshi}/markets", params={"min_created_ts": cut, "limit": 1000}).json()["markets"]
    assert recent and all(kworld.life.created_of(kworld.index_of(m["ticker"])) >= cut for m in recent)


def test_go_zero_time_on_old_markets(http, kalshi, kworld):
    market = http.get(f"{kalshi}/markets/KXELONMARS-99").json()["market"]
    assert market["created_time"] == "0001-01-01T00:00:00Z"
    assert market["open_time"].startswith("2023-") and market["status"] == "active"
    recent = http.get(f"{kalshi}/markets").json()["markets"]
    assert all(m["created_time"].startswith("2026-") for m in recent)


def test_untraded_market_quotes(http, kalshi, kworld):
    i = find(kworld, lambda i: kworld.plan(i).n == 0 and kworld.status(i, NOW_TS) == "active")
    m = http.get(f"{kalshi}/markets/{kworld.ticker(i)}").json()["market"]
    assert (m["yes_bid_dollars"], m["yes_ask_dollars"], m["no_bid_dollars"], m["no_ask_dollars"]) == \
        ("0.0000", "0.0000", "1.0000", "1.0000")
    assert m["volume_fp"] == "0.00" and m["last_price_dollars"] == "0.0000"


def test_subpenny_markets_trade_on_a_finer_grid(http, kalshi, kworld):
    def finer(i):
        return kworld.life.structure(i) == "deci_cent" and not kworld.is_parlay(i) and kworld.trade_count(
            kworld.ticker(i), NOW_TS, "live") > 20
    i = find(kworld, finer)
    m = http.get(f"{kalshi}/markets/{kworld.ticker(i)}").json()["market"]
    assert m["price_level_structure"] == "deci_cent" and m["price_ranges"][0]["step"] == "0.0010"
    trades = http.get(f"{kalshi}/markets/trades", params={"ticker": m["ticker"], "limit": 1000}).json()["trades"]
    assert any(t["yes_price_dollars"][4] != "0" for t in trades)          # e.g. "0.1110"
    assert all(len(t["yes_price_dollars"]) == 6 for t in trades)
    tapered = find(kworld, lambda i: kworld.life.structure(i) == "tapered_deci_cent")
    ranges = http.get(f"{kalshi}/markets/{kworld.ticker(tapered)}").json()["market"]["price_ranges"]
    assert [r["step"] for r in ranges] == ["0.0010", "0.0100", "0.0010"]


def test_optional_keys_are_omitted_not_null(http, kalshi, kworld):
    active = find(kworld, lambda i: not kworld.is_parlay(i) and kworld.status(i, NOW_TS) == "active"
                  and i >= 6)
    m = http.get(f"{kalshi}/markets/{kworld.ticker(active)}").json()["market"]
    for key in ("settlement_ts", "settlement_value_dollars", "mve_collection_ticker", "mve_selected_legs",
                "custom_strike", "is_provisional", "occurrence_datetime"):
        assert key not in m
    assert m["result"] == "" and m["expiration_value"] == ""
    settled = find(kworld, lambda i: kworld.status(i, NOW_TS) == "finalized" and not kworld.is_parlay(i))
    s = http.get(f"{kalshi}/markets/{kworld.ticker(settled)}").json()["market"]
    assert s["result"] in ("yes", "no") and s["settlement_value_dollars"] in ("1.0000", "0.0000")
    assert "settlement_ts" in s
    for body in (m, s):
        assert None not in body.values()
    assert m["liquidity_dollars"] == "0.0000" and "liquidity" not in m and "yes_bid" not in m


def test_fractional_seconds_precision_varies(http, kalshi):
    trades = http.get(f"{kalshi}/markets/trades", params={"limit": 1000}).json()["trades"]
    lengths = {len(t["created_time"]) for t in trades}
    assert len(lengths) > 1 and max(lengths) == len("2026-01-12T15:00:20.897212Z")


def test_renamed_series_keep_old_event_tickers(http, ksim, kalshi, kworld):
    i = next(i for i in range(6, 4000) if not kworld.is_parlay(i) and kworld.ticker(i).startswith("FED-"))
    ksim.set_now(kworld.life.open_of(i) + 3600)
    m = http.get(f"{kalshi}/markets/{kworld.ticker(i)}").json()["market"]
    event = http.get(f"{kalshi}/events/{m['event_ticker']}").json()["event"]
    assert m["event_ticker"].startswith("FED-") and event["series_ticker"] == "KXFED"
    assert http.get(f"{kalshi}/series/FED").status_code == 404
    assert http.get(f"{kalshi}/series/KXFED").json()["series"]["ticker"] == "KXFED"
