"""Kalshi /series and /events: one-page series list, null prohibitions, event envelopes,
nested markets without the historical ones, parlay events kept out of /events."""
from __future__ import annotations

import requests

from kalshi_truth import KALSHI, NOW_TS
from venue_simulator import SimConfig, SimulatorServer


def test_series_list_is_one_page_without_cursor(http, kalshi, kworld):
    body = http.get(f"{kalshi}/series").json()
    assert set(body) == {"series"}
    assert [s["ticker"] for s in body["series"]] == [s.ticker for s in kworld.layout.series]
    assert len(body["series"]) == 8 + 6
    for s in body["series"]:
        assert "additional_prohibitions" in s and s["additional_prohibitions"] is None
        assert "volume_fp" not in s
    weather = http.get(f"{kalshi}/series", params={"category": "Climate and Weather"}).json()["series"]
    assert weather and {s["category"] for s in weather} == {"Climate and Weather"}
    tagged = http.get(f"{kalshi}/series", params={"tags": "Interest rates"}).json()["series"]
    assert [s["ticker"] for s in tagged] == ["KXFED"]
    with_volume = http.get(f"{kalshi}/series", params={"include_volume": "true"}).json()["series"]
    volumes = {s["ticker"]: s["volume_fp"] for s in with_volume}
    assert float(volumes["KXELONMARS"]) > 0 and all(v.endswith(tuple("0123456789")) for v in volumes.values())


def test_single_series(http, kalshi):
    series = http.get(f"{kalshi}/series/KXHIGHNY").json()
    assert set(series) == {"series"} and series["series"]["ticker"] == "KXHIGHNY"
    assert series["series"]["additional_prohibitions"] is None and series["series"]["tags"] is not None
    resp = http.get(f"{kalshi}/series/HIGHNY")          # renamed: the old prefix is not a series
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"


def test_events_envelope_and_limits(http, kalshi, kworld):
    body = http.get(f"{kalshi}/events", params={"limit": 5}).json()
    assert set(body) == {"cursor", "events", "milestones"} and len(body["events"]) == 5
    first = body["events"][0]
    assert {"event_ticker", "series_ticker", "title", "sub_title", "mutually_exclusive",
            "collateral_return_type", "available_on_brokers", "category"} <= set(first)
    assert "markets" not in first
    everything = http.get(f"{kalshi}/events").json()["events"]
    firsts = list(kworld.layout.regular_firsts_desc(kworld.market_count(NOW_TS)))[:200]
    # default limit 200; a page also ends right after a page-break event (a short page, not the end)
    expected = next((n + 1 for n, f in enumerate(firsts) if kworld.breaks("event", f)), len(firsts))
    assert len(everything) == expected and 0 < expected <= 200
    assert not any(e["event_ticker"].startswith("KXMVE") for e in everything)
    for limit in (201, -1):
        resp = http.get(f"{kalshi}/events", params={"limit": limit})
        assert resp.status_code == 400 and set(resp.json()["error"]) == {"code", "message", "service"}
    assert http.get(f"{kalshi}/events", params={"status": "active"}).status_code == 400


def test_event_status_and_series_filters(http, kalshi, kworld):
    fed = http.get(f"{kalshi}/events", params={"series_ticker": "KXFED", "limit": 200}).json()["events"]
    assert fed and {e["series_ticker"] for e in fed} == {"KXFED"}
    assert any(e["event_ticker"].startswith("FED-") for e in fed)    # renamed series: old tickers
    opened = http.get(f"{kalshi}/events", params={"status": "open"}).json()["events"]
    assert opened and all(kworld.status(kworld.tickers.event_first(e["event_ticker"]), NOW_TS) == "active"
                          for e in opened)
    later = http.get(f"{kalshi}/events", params={"min_close_ts": NOW_TS}).json()["events"]
    assert later and all(kworld.life.close_of(kworld.tickers.event_first(e["event_ticker"])) > NOW_TS
                         for e in later)


def test_single_event_and_nested_markets(http, ksim, kalshi, kworld):
    body = http.get(f"{kalshi}/events/KXNEWPOPE-70").json()
    assert set(body) == {"event", "markets"} and len(body["markets"]) == 4
    assert "markets" not in body["event"]
    nested = http.get(f"{kalshi}/events/KXNEWPOPE-70", params={"with_nested_markets": "true"}).json()
    assert nested["event"]["markets"] == nested["markets"] == body["markets"]
    # a settled event: its markets are historical, so they leave the nested lists (the event stays)
    first = next(i for i in range(6, 4000) if not kworld.is_parlay(i) and kworld.tier(i, NOW_TS) == "historical"
                 and kworld.layout.first_of(i) == i)
    ticker = kworld.tickers.event_ticker(first)
    now = http.get(f"{kalshi}/events/{ticker}", params={"with_nested_markets": "true"}).json()
    assert now["markets"] == [] and now["event"]["markets"] == []
    ksim.set_now(kworld.life.close_of(first) - 60)
    before = http.get(f"{kalshi}/events/{ticker}").json()
    assert len(before["markets"]) == kworld.layout.event(first).size
    listed = http.get(f"{kalshi}/events", params={"with_nested_markets": "true", "limit": 200}).json()["events"]
    assert all("markets" in e for e in listed)


def test_parlay_events_are_served_by_ticker(http, kalshi, kworld):
    i = next(i for i in range(kworld.market_count(NOW_TS) - 1, 0, -1) if kworld.is_parlay(i))
    event = http.get(f"{kalshi}/events/{kworld.event_ticker_of(i)}").json()
    assert event["event"]["series_ticker"].startswith("KXMVE")
    assert [m["ticker"] for m in event["markets"]] == [kworld.ticker(i)]
    assert http.get(f"{kalshi}/events/KXMVECROSSCATEGORY-S2026FFFFFFFFFFF").status_code == 404


def test_zero_markets_is_an_empty_venue():
    with SimulatorServer(SimConfig(**{**KALSHI, "kalshi_markets": 0}), mount_polymarket=False) as sim:
        base = sim.url("kalshi")
        assert requests.get(f"{base}/series").json() == {"series": []}
        assert requests.get(f"{base}/markets").json() == {"markets": [], "cursor": ""}
        assert requests.get(f"{base}/events").json() == {"cursor": None, "events": [], "milestones": []}
        assert requests.get(f"{base}/markets/trades").json() == {"trades": [], "cursor": ""}
        assert requests.get(f"{base}/historical/markets").json() == {"markets": []}
        assert requests.get(f"{base}/markets/KXELONMARS-99").status_code == 404
