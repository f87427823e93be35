"""Polymarket in the marts: extract_polymarket against the simulator, then dbt build (the shared
phase 1 of conftest.py, with Kalshi landed beside it).

Expectations come from the simulator's own world (markets, trades, price paths, books), never
from the SQL under test. The incremental phase is in test_marts_incremental.py.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest

from local_stack.warehouse import ADMIN_DSN
from tests.dbt.conftest import MART_KEYS
from tests.support.landing import polymarket_trade_keys
from tests.support.sim import NOW

pytestmark = pytest.mark.slow
HOUR = timedelta(hours=1)


def dec(x) -> Decimal:
    return Decimal(str(x)).normalize() if x is not None else None


@pytest.fixture(scope="module")
def world(simulators):
    return simulators["polymarket"].polymarket


def market_rows(warehouse):
    rows = warehouse.rows("select market_id, status, winning_outcome_id, winning_outcome_name, is_closed, question, "
                          "event_id from marts.markets where source = 'polymarket'")
    return {r[0]: r[1:] for r in rows}


# ---------------------------------------------------------------------------------------- phase 1

def test_build_passes_after_one_hour_of_extraction(phase_one, warehouse):
    """Every mart holds Polymarket rows, except the fills mart: maker rows are off by default."""
    assert "ERROR=0" in phase_one.output
    for table in MART_KEYS:
        count = warehouse.value(f"select count(*) from marts.{table} where source = 'polymarket'")
        assert (count == 0) if table == "trade_fills" else (count > 0), table


def test_markets_match_the_venue(phase_one, warehouse, world):
    truth = {m["conditionId"].lower(): m for m in world.markets(NOW)}
    marts = market_rows(warehouse)
    assert set(marts) == set(truth)
    for cid, m in truth.items():
        status, _, _, is_closed, question, event_id = marts[cid]
        assert is_closed == m["closed"]
        assert question == m["question"].replace("\x00", "\ufffd")
        assert event_id == m["events"][0]["id"]


def test_outcomes_have_the_venue_token_ids_names_and_last_prices(phase_one, warehouse, world):
    expected = set()
    for m in world.markets(NOW):
        i = world.index_of_condition_id(m["conditionId"])
        tokens, names, prices = (json.loads(m[k]) for k in ("clobTokenIds", "outcomes", "outcomePrices"))
        assert tuple(tokens) == world.token_ids(i)
        for index, (token, name, price) in enumerate(zip(tokens, names, prices)):
            expected.add((m["conditionId"].lower(), token, name, index, dec(price)))
    rows = warehouse.rows("select market_id, outcome_id, outcome_name, outcome_index, last_price, token_id "
                          "from marts.market_outcomes where source = 'polymarket'")
    assert {(r[0], r[1], r[2], r[3], dec(r[4])) for r in rows} == expected
    assert all(r[5] == r[1] and 76 <= len(r[1]) <= 78 and r[1].isdigit() for r in rows)


def test_closed_markets_resolve_as_the_oracle_settled_them(phase_one, warehouse, world):
    """Closed markets take their winner and void state from /v2/resolutions where the oracle has
    settled them; open markets have no winner."""
    marts = market_rows(warehouse)
    void = {r[0]: r[1] for r in warehouse.rows(
        "select market_id, is_void from marts.markets where source = 'polymarket'")}
    settled = voided = 0
    for m in world.markets(NOW):
        i = world.index_of_condition_id(m["conditionId"])
        cid = m["conditionId"].lower()
        status, winner_id, winner_name = marts[cid][:3]
        if not world.is_closed(i, NOW):
            assert status in ("open", "upcoming", "paused") and winner_id is None
            assert (status == "open") == m["acceptingOrders"]
            continue
        oracle = world.resolution(i, NOW)
        if not (oracle and oracle["status"] == "resolved" and oracle.get("payouts")):
            continue  # not settled yet: the listing's own fields decide (tested in test_polymarket_v2_marts)
        assert status == "resolved", cid
        payouts = oracle["payouts"]
        if payouts[0] == payouts[1]:
            voided += 1
            assert void[cid] is True and winner_id is None
        else:
            settled += 1
            winner = 0 if payouts[0] > payouts[1] else 1
            ids = m["positionIds"] if m.get("version") == "v2" else json.loads(m["clobTokenIds"])
            assert void[cid] is False and winner_id == ids[winner]
            assert winner_name == json.loads(m["outcomes"])[winner]
    assert settled, "the test world must hold markets the oracle settled"
    winners = warehouse.rows("select o.outcome_id from marts.market_outcomes o join marts.markets m "
                             "using (market_id, source) where o.is_winner and o.source = 'polymarket'")
    assert {w[0] for w in winners} == {v[1] for v in marts.values() if v[1]}


def test_events_match_the_venue(phase_one, warehouse, world):
    truth = {e["id"]: e for e in world.events(NOW)}
    rows = {r[0]: r[1:] for r in warehouse.rows(
        "select event_id, title, is_closed, category from marts.events where source = 'polymarket'")}
    assert set(rows) == set(truth)
    for event_id, e in truth.items():
        assert rows[event_id][0] == e["title"].replace("\x00", "\ufffd")
        assert rows[event_id][1] == e["closed"]
    open_tagged = [e for e in world.events(NOW, closed=False) if e.get("tags")]
    assert open_tagged and all(rows[e["id"]][2] == e["tags"][0]["label"] for e in open_tagged)


def landed_feed_rows(warehouse) -> dict[str, dict]:
    """Every taker row of every landed /v2/trades page, by trade key (the documented rule)."""
    rows = {}
    for (response,) in warehouse.rows(
            "select response from landing.raw_api_responses where source = 'polymarket' and resource = 'trades' "
            "and status_code = 200 and response is not null"):
        rows.update(zip(polymarket_trade_keys(response["data"]), response["data"]))
    return rows


def test_every_landed_trade_is_in_the_trades_mart_once(phase_one, warehouse, world):
    """The trades mart holds each taker row the feed served once, for every listed market (combos
    stay out), and it covers every trade the venue holds for the run's interval."""
    listed = {m["conditionId"].lower() for m in world.markets(NOW)}
    landed_rows = landed_feed_rows(warehouse)
    expected = {k: r for k, r in landed_rows.items() if r["condition_id"].lower() in listed}
    assert expected and len(expected) < len(landed_rows), "the feed must carry combo rows too"
    marts = {r[0]: r[1:] for r in warehouse.rows(
        "select trade_id, market_id, outcome_id, quantity, price from marts.trades where source = 'polymarket'")}
    assert set(marts) == set(expected)
    assert warehouse.value("select count(*) from marts.trades where source = 'polymarket'") == len(expected)
    for key, row in expected.items():
        market_id, outcome_id, quantity, price = marts[key]
        assert (market_id, outcome_id) == (row["condition_id"].lower(), row["token_id"])
        assert (dec(quantity), dec(price)) == (dec(round(dec(row["size"]), 6)), dec(round(dec(row["price"]), 6)))
    truth = world.v2_global_trades(NOW, min_size=1e-6)
    interval = {k for k, r in zip(polymarket_trade_keys(truth), truth)
                if r["timestamp"] >= (NOW - HOUR).timestamp() and r["condition_id"].lower() in listed}
    assert interval and interval <= set(marts)


def test_price_snapshots_are_the_venue_price_paths(phase_one, warehouse, world):
    """Every point of every landed /v2/prices-history window is in price_snapshots; where windows
    of different bucket sizes overlap, the finest point wins."""
    expected = {}
    for (url,) in warehouse.rows("select url from landing.raw_api_responses where source = 'polymarket' "
                                 "and resource = 'prices' and status_code = 200"):
        query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
        for p in world.price_points(query["token_id"], NOW, start=int(query["start"]), end=int(query["end"]),
                                    bucket_seconds=int(query["bucket_seconds"])):
            key = (query["token_id"], p["timestamp"])
            if key not in expected or p["resolution_seconds"] < expected[key][1]:
                expected[key] = (dec(round(dec(p["price"]), 6)), p["resolution_seconds"])
    rows = warehouse.rows("select outcome_id, extract(epoch from snapshot_at)::bigint, implied_probability, "
                          "resolution_seconds from marts.price_snapshots where source = 'polymarket'")
    assert expected and {(r[0], r[1]): (dec(r[2]), r[3]) for r in rows} == expected
    assert len(rows) == len(expected)


def test_latest_orderbook_snapshot_is_the_venue_book(phase_one, warehouse, world):
    rows = warehouse.rows(
        "select distinct on (outcome_id) outcome_id, bids, asks, best_bid, best_ask, book_hash "
        "from marts.orderbook_snapshots where source = 'polymarket' order by outcome_id, snapshot_at desc")
    assert rows
    for token, bids, asks, best_bid, best_ask, book_hash in rows:
        book = world.book(token, NOW)
        assert book is not None and book["hash"] == book_hash
        want_bids = [(dec(level["price"]), dec(level["size"])) for level in reversed(book["bids"])]
        want_asks = [(dec(level["price"]), dec(level["size"])) for level in reversed(book["asks"])]
        assert [(dec(b["price"]), dec(b["size"])) for b in bids] == want_bids
        assert [(dec(a["price"]), dec(a["size"])) for a in asks] == want_asks
        assert dec(best_bid) == max(p for p, _ in want_bids) and dec(best_ask) == min(p for p, _ in want_asks)


def test_sql_trade_key_equals_the_documented_rule(phase_one, warehouse):
    """The SQL trade key of every landed row equals the rule computed in Python."""
    pages = warehouse.rows("select landing_id, response -> 'data' from landing.raw_api_responses "
                           "where source = 'polymarket' and resource = 'trades' and status_code = 200 "
                           "and response is not null")
    sql_keys = defaultdict(list)
    for landing_id, trade_id in warehouse.rows(
            "select landing_id, trade_id from staging.stg_polymarket__trades order by landing_id, entity_position"):
        sql_keys[landing_id].append(trade_id)
    assert pages and sum(len(p[1]) for p in pages) > 100
    for landing_id, response in pages:
        assert sql_keys[landing_id] == polymarket_trade_keys(response), landing_id


def test_analyst_role_reads_marts_only(phase_one, warehouse):
    dsn = ADMIN_DSN.replace("dbname=postgres", f"dbname={warehouse.db.name}")
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert conn.execute("select rolcanlogin from pg_roles where rolname = 'pm_analyst'").fetchone() == (False,)
        assert conn.execute("select count(*) from pg_auth_members m join pg_roles r on r.oid = m.roleid "
                            "where r.rolname = 'pm_analyst'").fetchone() == (0,)
        with conn.transaction():
            conn.execute("set local role pm_analyst")
            assert conn.execute("select count(*) from marts.trades").fetchone()[0] > 0
            assert conn.execute("select count(*) from marts.markets").fetchone()[0] > 0
        for relation in ("landing.raw_api_responses", "staging.stg_polymarket__trades",
                         "intermediate.int_trades_unioned", "intermediate.landing_cursors"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                with conn.transaction():
                    conn.execute("set local role pm_analyst")
                    conn.execute(f"select 1 from {relation} limit 1")
