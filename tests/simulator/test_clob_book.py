"""CLOB GET /book and POST /books."""
from __future__ import annotations

import json
import re

from sim_truth import NOW_TS, closed_indices, open_indices

BOOK_KEYS = ["market", "asset_id", "timestamp", "hash", "bids", "asks", "min_order_size", "tick_size",
             "neg_risk", "last_trade_price"]


def test_book_shape_and_ordering(http, clob, gamma, world):
    for i in open_indices(world)[:8]:
        market = http.get(f"{gamma}/markets/{world.market_id(i)}").json()
        token = json.loads(market["clobTokenIds"])[0]
        book = http.get(f"{clob}/book", params={"token_id": token}).json()
        assert list(book) == BOOK_KEYS
        assert book["market"] == market["conditionId"] and book["asset_id"] == token
        assert re.fullmatch(r"\d{13}", book["timestamp"]) and int(book["timestamp"]) <= NOW_TS * 1000
        assert re.fullmatch(r"[0-9a-f]{40}", book["hash"])
        bids = [float(level["price"]) for level in book["bids"]]
        asks = [float(level["price"]) for level in book["asks"]]
        assert bids == sorted(bids) and asks == sorted(asks, reverse=True)   # best levels last
        assert bids[-1] < asks[-1]
        assert bids[-1] == market["bestBid"] and asks[-1] == market["bestAsk"]
        tick = market["orderPriceMinTickSize"]
        assert book["tick_size"] == str(tick) and book["min_order_size"] == "5"
        for level in book["bids"] + book["asks"]:
            assert isinstance(level["price"], str) and isinstance(level["size"], str)
            ticks = float(level["price"]) / tick
            assert abs(ticks - round(ticks)) < 1e-6
            assert float(level["size"]) > 0
        assert book["neg_risk"] is market["negRisk"]
        assert re.fullmatch(r"\d\.\d{3}", book["last_trade_price"])


def test_second_token_mirrors_the_first(http, clob, world):
    i = open_indices(world)[0]
    yes, no = (http.get(f"{clob}/book", params={"token_id": t}).json() for t in world.token_ids(i))
    assert [round(1 - float(x["price"]), 6) for x in yes["asks"]] == [float(x["price"]) for x in no["bids"]]
    assert [x["size"] for x in yes["bids"]] == [x["size"] for x in no["asks"]]
    assert yes["timestamp"] == no["timestamp"] and yes["hash"] != no["hash"]


def test_book_changes_only_every_few_minutes(http, clob, sim, world):
    token = world.token_ids(open_indices(world)[0])[0]
    first = http.get(f"{clob}/book", params={"token_id": token})
    changed_at = int(first.json()["timestamp"]) // 1000
    sim.set_now(changed_at + 1)
    a = http.get(f"{clob}/book", params={"token_id": token}).content
    sim.set_now(changed_at + 50)
    b = http.get(f"{clob}/book", params={"token_id": token}).content
    assert a == b
    sim.set_now(changed_at + 3600)
    c = http.get(f"{clob}/book", params={"token_id": token}).json()
    assert c["hash"] != json.loads(a)["hash"] and c["timestamp"] != json.loads(a)["timestamp"]


def test_book_errors(http, clob, world):
    missing = http.get(f"{clob}/book")
    assert missing.status_code == 400 and missing.json() == {"error": "Invalid token id"}
    empty = http.get(f"{clob}/book", params={"token_id": ""})
    assert empty.status_code == 400 and empty.json() == {"error": "Invalid token id"}
    no_book = {"error": "No orderbook exists for the requested token id"}
    closed_token = world.token_ids(closed_indices(world)[0])[0]
    future_token = world.token_ids(world.market_count(NOW_TS))[0]
    for token in ("not-a-real-token", "0", "1" * 77, closed_token, future_token, world.condition_id(0)):
        resp = http.get(f"{clob}/book", params={"token_id": token})
        assert resp.status_code == 404, token
        assert resp.json() == no_book


def test_post_books(http, clob, world):
    a, b = open_indices(world)[:2]
    closed_token = world.token_ids(closed_indices(world)[0])[0]
    payload = [{"token_id": world.token_ids(a)[0]}, {"token_id": "123"}, {"token_id": closed_token},
               {"token_id": world.token_ids(b)[1]}]
    resp = http.post(f"{clob}/books", json=payload)
    assert resp.status_code == 200
    books = resp.json()
    assert [bk["asset_id"] for bk in books] == [world.token_ids(a)[0], world.token_ids(b)[1]]
    single = http.get(f"{clob}/book", params={"token_id": world.token_ids(a)[0]}).json()
    assert books[0] == single
    assert http.post(f"{clob}/books", json=[{"token_id": "1"}] * 500).json() == []
    too_many = http.post(f"{clob}/books", json=[{"token_id": "1"}] * 501)
    assert too_many.status_code == 400 and "error" in too_many.json()
    for bad in (b"not json", b'{"token_id": "1"}', b'[{"asset": "1"}]', b""):
        resp = http.post(f"{clob}/books", data=bad, headers={"content-type": "application/json"})
        assert resp.status_code == 400 and "error" in resp.json(), bad
