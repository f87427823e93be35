"""Polymarket in the marts: extract_polymarket against the simulator, then dbt build (the shared
phase 1 of conftest.py, with Kalshi landed beside it).

Expectations come from the simulator's own world (markets, trades, price paths, books), never
from the SQL under test. The incremental phase is in test_marts_incremental.py.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

import psycopg
import pytest

from local_stack.warehouse import ADMIN_DSN
from tests.dbt.conftest import MART_KEYS
from tests.support.landing import polymarket_trade_keys
from tests.support.sim import NOW

pytestmark = pytest.mark.slow
TRADES_WALK_LIMIT = 500 + 3000  # page size + offset ceiling: deeper history is out of the API's reach


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
    """Every mart holds Polymarket rows but trade_fills: extraction walks the taker-only feed
    (`/v2/trades?taker_only=true`, trades) and asks for maker fills only when `maker_fills` is on."""
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


def test_closed_markets_resolve_as_the_venue_settled_them(phase_one, warehouse, world):
    marts = market_rows(warehouse)
    closed = resolved = 0
    for m in world.markets(NOW):
        i = world.index_of_condition_id(m["conditionId"])
        life = world.lifecycle(i)
        status, winner_id, winner_name = marts[m["conditionId"].lower()][:3]
        if not world.is_closed(i, NOW):
            assert status in ("open", "upcoming", "paused") and winner_id is None
            assert (status == "open") == m["acceptingOrders"]
            continue
        closed += 1
        if life["res_kind"] == "exact":
            resolved += 1
            assert status == "resolved"
            assert winner_id == world.token_ids(i)[life["winner"]]
            assert winner_name == json.loads(m["outcomes"])[life["winner"]]
        else:  # fractional last prices or ["0", "0"]: the prices do not decide the market
            assert status == "closed" and winner_id is None
    assert closed and resolved
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


def test_fills_match_the_venue_for_markets_walked_in_full(phase_one, warehouse, world):
    """Legacy pages are fills: every fill once in trade_fills, with no role (no taker-only page of
    their transactions was landed)."""
    by_market = defaultdict(dict)
    for market_id, fill_id, quantity, price, role in warehouse.rows(
            "select market_id, fill_id, quantity, price, role from marts.trade_fills where source = 'polymarket'"):
        assert role is None
        by_market[market_id][fill_id] = (quantity, price)
    full = deep = 0
    for m in world.markets(NOW, closed=False):
        cid = m["conditionId"]
        fills = world.trades(cid, NOW)
        keys = polymarket_trade_keys(fills)
        landed = by_market[cid.lower()]
        if len(fills) <= TRADES_WALK_LIMIT:
            full += 1
            assert set(landed) == set(keys), cid
            assert sum(q for q, _ in landed.values()) == sum(round(dec(f["size"]), 6) for f in fills)
            truth_prices = {k: round(dec(f["price"]), 6) for k, f in zip(keys, fills)}
            assert all(p == truth_prices[k] for k, (_, p) in landed.items())
        else:
            deep += 1
            assert landed and set(landed) <= set(keys)
    assert full and deep, "the test world must hold shallow and deep markets"


def test_price_snapshots_are_the_venue_price_paths(phase_one, warehouse, world):
    windows = warehouse.rows(
        "select request_params->>'market', (request_params->>'startTs')::bigint, (request_params->>'endTs')::bigint, "
        "(request_params->>'fidelity')::int from landing.raw_api_responses where source = 'polymarket' "
        "and resource = 'prices' and status_code = 200")
    expected = set()
    for token, start, end, fidelity in windows:
        expected |= {(token, p["t"], dec(round(p["p"], 6))) for p in world.price_history(token, start, end, fidelity, NOW)}
    rows = warehouse.rows("select outcome_id, extract(epoch from snapshot_at)::bigint, implied_probability "
                          "from marts.price_snapshots where source = 'polymarket'")
    assert expected and {(r[0], r[1], dec(r[2])) for r in rows} == expected
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
    pages = warehouse.rows("select landing_id, response from landing.raw_api_responses "
                           "where source = 'polymarket' and resource = 'trades' and status_code = 200 "
                           "and response is not null")
    sql_keys = defaultdict(list)
    for landing_id, trade_id in warehouse.rows(
            "select landing_id, trade_id from staging.stg_polymarket__trades order by landing_id, entity_position"):
        sql_keys[landing_id].append(trade_id)
    assert pages and sum(len(p[1]) for p in pages) > 1000
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
