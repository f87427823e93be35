"""Data API GET /v2/trades: cursor walks against the ground truth, unbound cursors, envelope, rows."""
from __future__ import annotations

import base64
import collections
import json

import pytest

from sim_truth import NOW_V2_TS, rows_of, walk

ROW_KEYS = ["proxy_wallet", "side", "token_id", "condition_id", "size", "price", "timestamp", "title", "slug",
            "icon", "event_slug", "outcome", "outcome_index", "name", "pseudonym", "bio", "profile_image",
            "profile_image_optimized", "transaction_hash"]


@pytest.fixture(scope="module")
def data(v2sim):
    return v2sim.url("polymarket/data")


@pytest.fixture(scope="module")
def world(v2sim):
    return v2sim.polymarket


@pytest.fixture(scope="module")
def flagship(world):
    cid = world.condition_id(0)
    assert len(world.v2_trades(cid, NOW_V2_TS)) > 12_000      # deeper than a v1 offset walk could reach
    return cid


@pytest.mark.parametrize("taker_only", [True, False])
def test_condition_walk_reproduces_the_ground_truth(http, data, world, flagship, taker_only):
    params = {"condition": flagship, "limit": 1000, "taker_only": str(taker_only).lower()}
    pages = walk(http, f"{data}/v2/trades", params)
    rows = rows_of(pages)
    truth = world.v2_trades(flagship, NOW_V2_TS, taker_only=taker_only)
    count, size = world.v2_trade_totals(flagship, NOW_V2_TS, taker_only=taker_only)
    assert len(rows) == count == len(truth)
    assert sum(r["size"] for r in rows) == pytest.approx(size, rel=1e-12)
    assert rows == truth
    assert all(list(r) == ROW_KEYS for r in rows)
    keys = [r["timestamp"] for r in rows]
    assert keys == sorted(keys, reverse=True)                              # newest first
    offsets = [body["pagination"]["offset"] for _, body in pages]
    assert offsets == [1000 * k for k in range(len(pages))]                # cosmetic running row number
    assert all(body["pagination"]["limit"] == 1000 for _, body in pages)
    per_tx = collections.Counter(r["transaction_hash"] for r in rows)
    if taker_only:   # one taker order per transaction
        assert set(per_tx.values()) == {1}
    else:
        assert max(per_tx.values()) >= 3


def test_maker_rows_add_up_to_their_taker_row(http, data, world, flagship):
    taker = {r["transaction_hash"]: r for r in world.v2_trades(flagship, NOW_V2_TS)}
    both = collections.defaultdict(list)
    for r in rows_of(walk(http, f"{data}/v2/trades", {"condition": flagship, "limit": 1000, "taker_only": "false"})):
        both[r["transaction_hash"]].append(r)
    checked = 0
    for tx, group in both.items():
        if tx in taker and len(group) > 1:
            makers = [r for r in group if r is not group[0]]
            assert group[0] == taker[tx]                                  # the taker row leads its transaction
            assert sum(m["size"] for m in makers) == pytest.approx(group[0]["size"], abs=1e-5)
            checked += 1
    assert checked > 1000


def test_page_size_travels_in_the_cursor(http, data, flagship):
    first = http.get(f"{data}/v2/trades", params={"condition": flagship, "limit": 7}).json()
    assert len(first["data"]) == 7 and first["pagination"] == {
        "limit": 7, "offset": 0, "has_more": True, "next_cursor": first["pagination"]["next_cursor"]}
    second = http.get(f"{data}/v2/trades", params={"condition": flagship, "limit": 500,
                                                   "cursor": first["pagination"]["next_cursor"]}).json()
    assert len(second["data"]) == 7 and second["pagination"]["limit"] == 7
    assert second["pagination"]["offset"] == 7
    assert second["data"][0]["timestamp"] <= first["data"][-1]["timestamp"]


def test_default_page_is_100_taker_rows(http, data, world, flagship):
    body = http.get(f"{data}/v2/trades", params={"condition": flagship}).json()
    assert body["data"] == world.v2_trades(flagship, NOW_V2_TS)[:100]
    assert body["pagination"]["limit"] == 100


def test_cursor_is_opaque_signed_and_shaped_like_the_recorded_one(http, data, flagship):
    cursor = http.get(f"{data}/v2/trades", params={"condition": flagship, "limit": 2}).json()["pagination"]["next_cursor"]
    doc = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert list(doc) == ["data", "sig"] and doc["data"]["type"] == "trades"
    assert list(doc["data"]["params"]) == ["l", "ts", "sq", "d"] and doc["data"]["params"]["l"] == 2
    assert isinstance(doc["data"]["params"]["sq"], str) and doc["data"]["params"]["sq"].isdigit()
    doc["data"]["params"]["ts"] -= 1                                       # re-anchor by hand: refused
    forged = base64.urlsafe_b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode().rstrip("=")
    for bad in (forged, "not-a-cursor", cursor[:-3]):
        resp = http.get(f"{data}/v2/trades", params={"condition": flagship, "cursor": bad})
        assert resp.status_code == 400
        body = resp.json()
        assert body["error"] == "invalid cursor" and body["parameter"] == "cursor"
        assert body["code"] == "invalid_request" and body["retryable"] is False
        assert resp.headers["x-trace-id"] == body["trace_id"]


def test_a_cursor_sent_without_its_filters_continues_the_global_feed(http, data, world, flagship):
    first = http.get(f"{data}/v2/trades", params={"condition": flagship, "limit": 50}).json()
    anchor = first["data"][-1]
    lost = http.get(f"{data}/v2/trades", params={"cursor": first["pagination"]["next_cursor"]}).json()
    rows = lost["data"]
    assert len(rows) == 50
    assert {r["condition_id"] for r in rows} - {flagship}                  # other markets' fills
    assert all(r["timestamp"] <= anchor["timestamp"] for r in rows)
    glob = world.v2_global_trades(NOW_V2_TS)
    start = glob.index(rows[0])
    assert glob[start:start + 50] == rows                                  # the global feed, from the anchor on


def test_rows_are_shaped_like_the_recorded_sample(http, data, world, flagship):
    rows = http.get(f"{data}/v2/trades", params={"condition": flagship, "limit": 1000, "taker_only": "false"}).json()["data"]
    i = world.index_of_condition_id(flagship)
    for r in rows:
        assert r["side"] in ("BUY", "SELL") and isinstance(r["timestamp"], int)
        assert isinstance(r["size"], (int, float)) and isinstance(r["price"], float) and 0 < r["price"] < 1
        assert r["token_id"] == world.token_ids(i)[r["outcome_index"]] and r["token_id"].isdigit()
        assert r["outcome"] == json.loads(world.market(i, NOW_V2_TS)["outcomes"])[r["outcome_index"]]
        assert r["event_slug"] and r["slug"] and r["title"]
        assert len(r["proxy_wallet"]) == 42 and len(r["transaction_hash"]) == 66
    assert any(len(repr(r["price"])) > 6 for r in rows)                   # float noise
    assert any(r["pseudonym"] for r in rows) and any(not r["name"] for r in rows)


def test_snake_and_camel_case_parameters(http, data, flagship):
    snake = http.get(f"{data}/v2/trades", params={"condition_id": flagship, "taker_only": "false", "limit": 20})
    camel = http.get(f"{data}/v2/trades", params={"conditionId": flagship, "takerOnly": "false", "limit": 20})
    assert snake.json() == camel.json() and len(snake.json()["data"]) == 20


def test_unknown_but_well_formed_condition_is_an_empty_page(http, data):
    body = http.get(f"{data}/v2/trades", params={"condition": "0x" + "ab" * 32}).json()
    assert body == {"data": [], "pagination": {"limit": 100, "offset": 0, "has_more": False, "next_cursor": None}}


def test_event_feed(http, data, world):
    first = 1                                       # the 4-market neg-risk event of every world
    members = {world.condition_id(i) for i in world.event_markets(first)}
    rows = rows_of(walk(http, f"{data}/v2/trades", {"event_id": world.ids.event_id(first), "limit": 1000}))
    truth = sorted((r for cid in members for r in world.v2_trades(cid, NOW_V2_TS)),
                   key=lambda r: r["timestamp"], reverse=True)
    assert rows and {r["condition_id"] for r in rows} <= members
    assert len(rows) == len(truth) and sorted(map(json.dumps, rows)) == sorted(map(json.dumps, truth))


def test_side_and_user_filters(http, data, world, flagship):
    sells = rows_of(walk(http, f"{data}/v2/trades", {"condition": flagship, "side": "SELL", "limit": 1000}))
    truth = [r for r in world.v2_trades(flagship, NOW_V2_TS) if r["side"] == "SELL"]
    assert sells == truth
    wallet = collections.Counter(r["proxy_wallet"] for r in truth).most_common(1)[0][0]
    mine = rows_of(walk(http, f"{data}/v2/trades", {"condition": flagship, "user": wallet, "limit": 50}))
    assert mine == [r for r in world.v2_trades(flagship, NOW_V2_TS) if r["proxy_wallet"] == wallet]


def test_sub_cent_fills_only_with_a_smaller_positive_filter_amount(http, data, world, flagship):
    default = rows_of(walk(http, f"{data}/v2/trades", {"condition": flagship, "limit": 1000}))
    zero = rows_of(walk(http, f"{data}/v2/trades", {"condition": flagship, "limit": 1000, "filter_amount": 0}))
    dust = rows_of(walk(http, f"{data}/v2/trades", {"condition": flagship, "limit": 1000, "filter_amount": 0.0001}))
    assert default == zero and min(r["size"] for r in default) >= 0.01
    tiny = [r for r in dust if r["size"] < 0.01]
    assert tiny and len(dust) == len(default) + len(tiny)
    assert dust == world.v2_trades(flagship, NOW_V2_TS, min_size=0.0001)
    cash = rows_of(walk(http, f"{data}/v2/trades", {"condition": flagship, "limit": 1000, "filter_type": "CASH",
                                                    "filter_amount": 500}))
    assert cash and all(r["size"] * r["price"] >= 500 for r in cash)
    assert len(cash) == sum(1 for r in default if r["size"] * r["price"] >= 500)
