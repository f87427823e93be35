"""Data API GET /v2/prices-history: windows, grains, retention, paging, terminal tick, settlement."""
from __future__ import annotations

import pytest

from sim_truth import DAY, NOW_V2_TS, sample_v2

POINT_KEYS = ["timestamp", "price", "resolution_seconds"]


@pytest.fixture(scope="module")
def data(v2sim):
    return v2sim.url("polymarket/data")


@pytest.fixture(scope="module")
def world(v2sim):
    return v2sim.polymarket


@pytest.fixture(scope="module")
def open_token(world):
    assert not world.is_closed(0, NOW_V2_TS)
    return world.token_ids(0)[1]


@pytest.fixture(scope="module")
def resolved(world):
    """A market resolved some months before NOW_V2."""
    i = next(i for i in range(world.market_count(NOW_V2_TS)) if world.resolution_stage(i, NOW_V2_TS) == "resolved"
             and world.lifecycle(i)["close"] > NOW_V2_TS - 200 * DAY)
    return i


def pages_of(http, url, params):
    pages, cursor = [], None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        resp = http.get(url, params=query)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        pages.append(body)
        cursor = body["pagination"]["next_cursor"]
        assert body["pagination"]["has_more"] == (cursor is not None)
        if cursor is None:
            return pages
        assert len(pages) < 500


def points(pages):
    return [p for body in pages for p in body["data"]]


def test_points_are_shaped_like_the_recorded_sample(http, data, open_token):
    recorded = sample_v2("prices_history_v2_recorded.json")
    body = http.get(f"{data}/v2/prices-history", params={"token_id": open_token, "interval": "1d", "limit": 2}).json()
    assert list(body) == list(recorded) and list(body["pagination"]) == list(recorded["pagination"])
    assert [list(p) for p in body["data"]] == [POINT_KEYS, POINT_KEYS]
    assert body["pagination"]["limit"] == 2 and body["pagination"]["has_more"] is True
    assert all(p["resolution_seconds"] == 60 for p in body["data"])                  # 1d preset: 1 minute


def test_paging_keeps_its_page_size_and_order(http, data, world, open_token):
    params = {"token_id": open_token, "interval": "1w", "limit": 300}
    pages = pages_of(http, f"{data}/v2/prices-history", params)
    got = points(pages)
    assert got == world.price_points(open_token, NOW_V2_TS, interval="1w")
    assert len(pages) > 3 and all(len(b["data"]) == 300 for b in pages[:-1])
    assert [b["pagination"]["offset"] for b in pages] == [300 * k for k in range(len(pages))]
    stamps = [p["timestamp"] for p in got]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)              # oldest first
    assert all(p["resolution_seconds"] == 300 and p["timestamp"] % 300 == 0 for p in got[:-1])
    last = got[-1]
    assert last["resolution_seconds"] == 0                                            # a real tick ends the series
    trade = world.v2_trades(world.condition_id(0), NOW_V2_TS, taker_only=True)[0]
    assert last["timestamp"] == trade["timestamp"]
    assert stamps[-2] < last["timestamp"]
    # the cursor carries the page size: a later limit is ignored
    first = http.get(f"{data}/v2/prices-history", params={**params, "limit": 5}).json()
    second = http.get(f"{data}/v2/prices-history", params={**params, "limit": 9000,
                                                           "cursor": first["pagination"]["next_cursor"]}).json()
    assert len(second["data"]) == 5 and second["data"] == got[5:10]
    assert http.get(f"{data}/v2/prices-history", params={**params, "limit": 10_000}).json()["data"] == got


def test_resolved_series_end_with_a_tick_and_the_payout(http, data, world, resolved):
    payouts = world.payouts(resolved)
    for outcome, token in enumerate(world.token_ids(resolved)):
        got = points(pages_of(http, f"{data}/v2/prices-history", {"token_id": token, "interval": "max",
                                                                  "bucket_seconds": 10800, "limit": 100}))
        assert got == world.price_points(token, NOW_V2_TS, interval="max", bucket_seconds=10800)
        tick, settle = got[-2], got[-1]
        assert tick["resolution_seconds"] == 0 and settle["resolution_seconds"] == 0
        assert settle["price"] == payouts[outcome] / 1_000_000 and settle["price"] in (0, 1, 0.5)
        assert settle["timestamp"] == (tick["timestamp"] // 10800 + 1) * 10800          # one bucket edge later
        assert all(p["resolution_seconds"] == 10800 for p in got[:-2])
    # an explicit end clamps the settlement point into the window
    tick = got[-2]["timestamp"]
    end = tick + 60
    clamped = http.get(f"{data}/v2/prices-history", params={"token_id": token, "start": tick - 3600, "end": end,
                                                            "bucket_seconds": 3600}).json()["data"]
    edge = (tick // 3600 + 1) * 3600
    assert edge > end - 1
    assert clamped[-1] == {"timestamp": end - 1, "price": payouts[1] / 1_000_000, "resolution_seconds": 0}


def test_void_markets_settle_at_one_half(http, richsim):
    world, data = richsim.polymarket, richsim.url("polymarket/data")
    void = next(i for i in range(world.market_count(NOW_V2_TS)) if world.lifecycle(i)["res_kind"] == "void"
                and world.resolution_stage(i, NOW_V2_TS) == "resolved")
    assert world.payouts(void) == (500_000, 500_000)
    for token in world.token_ids(void):
        got = http.get(f"{data}/v2/prices-history", params={"token_id": token, "interval": "max"}).json()["data"]
        assert got[-1]["price"] == 0.5 and got[-1]["resolution_seconds"] == 0


def test_explicit_windows(http, data, world, open_token):
    url = f"{data}/v2/prices-history"
    start = NOW_V2_TS - 3 * DAY
    body = http.get(url, params={"token_id": open_token, "start": start, "end": start + 15 * DAY}).json()
    assert body["data"] == world.price_points(open_token, NOW_V2_TS, start=start, end=start + 15 * DAY)
    assert all(start <= p["timestamp"] < NOW_V2_TS + 1 for p in body["data"])
    window = http.get(url, params={"token_id": open_token, "start": start, "end": start + 3600}).json()["data"]
    assert window and all(start <= p["timestamp"] < start + 3600 for p in window)          # end is exclusive
    for span, width in ((6 * 3600, 60), (3 * DAY, 300), (10 * DAY, 1800)):
        got = http.get(url, params={"token_id": open_token, "start": NOW_V2_TS - span, "end": NOW_V2_TS}).json()["data"]
        assert {p["resolution_seconds"] for p in got[:-1]} == {width}, span             # the server-picked grain
    exact = http.get(url, params={"token_id": open_token, "start": start, "bucket_seconds": 7200}).json()["data"]
    assert {p["resolution_seconds"] for p in exact[:-1]} == {7200} and all(p["timestamp"] % 7200 == 0 for p in exact[:-1])


def test_bad_windows_are_400(http, data, open_token):
    url = f"{data}/v2/prices-history"
    now = NOW_V2_TS
    for params in ({"start": now - 15 * DAY - 1, "end": now}, {"start": now - 16 * DAY},
                   {"start": 0, "end": now}, {"start": now - DAY, "end": 0}, {"as_of": 0},
                   {"end": now}, {"start": now - DAY, "interval": "1d"}, {"interval": "1d", "as_of": now}, {},
                   {"interval": "2d"}, {"interval": ""}, {"start": now, "end": now - 60},
                   {"interval": "max", "bucket_seconds": 300}, {"interval": "1w", "bucket_seconds": 120},
                   {"interval": "1d", "bucket_seconds": 59}, {"interval": "1d", "bucket_seconds": 86401},
                   {"interval": "1d", "limit": 10_001}, {"interval": "1d", "fidelity": 60}):
        resp = http.get(url, params={"token_id": open_token, **params})
        assert resp.status_code == 400, params
        body = resp.json()
        assert body["code"] == "invalid_request" and resp.headers["x-trace-id"] == body["trace_id"]
    assert http.get(url, params={"interval": "1d"}).status_code == 400                       # token_id needed


def test_the_15_day_cap_is_checked_on_every_page(http, data, open_token):
    url = f"{data}/v2/prices-history"
    params = {"token_id": open_token, "start": NOW_V2_TS - 20 * DAY, "end": NOW_V2_TS - 5 * DAY,
              "bucket_seconds": 3600, "limit": 2}
    first = http.get(url, params=params).json()
    cursor = first["pagination"]["next_cursor"]
    assert http.get(url, params={**params, "cursor": cursor}).status_code == 200
    without_end = {k: v for k, v in params.items() if k != "end"}
    assert http.get(url, params={**without_end, "cursor": cursor}).status_code == 400


def test_retention_of_fine_grains(http, data, world, open_token):
    url = f"{data}/v2/prices-history"
    recent = http.get(url, params={"token_id": open_token, "start": NOW_V2_TS - 2 * DAY, "end": NOW_V2_TS - DAY,
                                   "bucket_seconds": 60}).json()["data"]
    assert len([p for p in recent if p["resolution_seconds"] == 60]) > 1300                # ~1440 minutes, few gaps
    old = NOW_V2_TS - 20 * DAY
    minutes = http.get(url, params={"token_id": open_token, "start": old, "end": old + DAY,
                                    "bucket_seconds": 60}).json()["data"]
    assert not [p for p in minutes if p["resolution_seconds"] == 60]                      # 1-minute data is gone
    hours = http.get(url, params={"token_id": open_token, "start": old, "end": old + DAY,
                                  "bucket_seconds": 3600}).json()["data"]
    assert len([p for p in hours if p["resolution_seconds"] == 3600]) >= 20               # from 30-minute data
    older = NOW_V2_TS - 120 * DAY
    assert world.lifecycle(0)["accepting"] < older
    hourly = http.get(url, params={"token_id": open_token, "start": older, "end": older + 10 * DAY,
                                   "bucket_seconds": 3600}).json()["data"]
    assert not [p for p in hourly if p["resolution_seconds"] == 3600]                     # only 3 h / 12 h kept
    four = http.get(url, params={"token_id": open_token, "start": older, "end": older + 10 * DAY,
                                 "bucket_seconds": 14400}).json()["data"]
    buckets = [p for p in four if p["resolution_seconds"] == 14400]
    assert 10 < len(buckets) < 60                                                        # sparse: 3 h samples
    assert all(-(-p["timestamp"] // 10800) * 10800 < p["timestamp"] + 14400 for p in buckets)
    whole = http.get(url, params={"token_id": open_token, "interval": "max", "bucket_seconds": 600}).json()["data"]
    assert min(p["timestamp"] for p in whole) >= NOW_V2_TS - 30 * DAY                    # finer widths: 30 days
    life = http.get(url, params={"token_id": open_token, "interval": "all"}).json()["data"]
    assert min(p["timestamp"] for p in life) < NOW_V2_TS - 300 * DAY
    assert {p["resolution_seconds"] for p in life[:-1]} == {43200}


def test_as_of_and_aliases(http, data, world, open_token, resolved):
    url = f"{data}/v2/prices-history"
    at = NOW_V2_TS - 5 * DAY
    body = http.get(url, params={"tokenId": open_token, "asOf": at}).json()
    assert body["data"] == world.price_points(open_token, NOW_V2_TS, as_of=at)
    assert len(body["data"]) == 1 and body["data"][0]["timestamp"] <= at
    assert body["data"][0]["resolution_seconds"] == 0
    token = world.token_ids(resolved)[0]
    settled = http.get(url, params={"token_id": token, "as_of": NOW_V2_TS}).json()["data"]
    assert settled[0]["price"] == world.payouts(resolved)[0] / 1_000_000
    snake = http.get(url, params={"token_id": open_token, "interval": "6h", "bucket_seconds": 120}).json()
    camel = http.get(url, params={"tokenId": open_token, "interval": "6h", "bucketSeconds": 120}).json()
    assert snake == camel and snake["data"]


def test_unknown_tokens_are_empty(http, data):
    body = http.get(f"{data}/v2/prices-history", params={"token_id": "12345", "interval": "1d"}).json()
    assert body == {"data": [], "pagination": {"limit": 10000, "offset": 0, "has_more": False, "next_cursor": None}}
