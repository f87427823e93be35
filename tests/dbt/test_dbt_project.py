"""The dbt project end to end: extract_polymarket against the simulator, then dbt build.

Expectations come from the simulator's own world (markets, trades, price paths, books), never
from the SQL under test. Phases (one dbt invocation each): build after a first hour of extraction;
incremental build after a second hour; a rerun with no new landing rows; a full refresh of the
same landing data, which must equal the incremental result row for row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest

from local_stack.warehouse import ADMIN_DSN
from prediction_markets.adapters.polymarket.data_api import trade_keys
from tests.dbt.conftest import MART_KEYS, all_marts, run_extract
from tests.support.sim import NOW, point_connections_at, running_simulator

pytestmark = pytest.mark.slow
HOUR = timedelta(hours=1)
TRADES_WALK_LIMIT = 500 + 3000  # page size + offset ceiling: deeper history is out of the API's reach


def dec(x) -> Decimal:
    return Decimal(str(x)).normalize() if x is not None else None


@pytest.fixture(scope="module")
def sim(airflow_db, warehouse):
    warehouse.truncate_landing()
    # Small, with open markets shallow and deeper than the trades API reaches, and closed ones
    # settled exactly and with fractional last prices.
    with running_simulator(polymarket_markets=16, polymarket_trades=40000,
                           epoch_start="2026-03-01T00:00:00Z", epoch_end="2027-01-01T00:00:00Z") as server:
        point_connections_at(server)
        yield server


@pytest.fixture(scope="module")
def first_build(sim, warehouse, dbt):
    run_extract(NOW)
    return dbt("build").check()


@pytest.fixture(scope="module")
def world(sim):
    return sim.polymarket


def market_rows(warehouse):
    rows = warehouse.rows("select market_id, status, winning_outcome_id, winning_outcome_name, is_closed, question, "
                          "event_id from marts.markets")
    return {r[0]: r[1:] for r in rows}


# ---------------------------------------------------------------------------------------- phase 1

def test_build_passes_after_one_hour_of_extraction(first_build, warehouse):
    assert "ERROR=0" in first_build.output
    for table in MART_KEYS:
        assert warehouse.value(f"select count(*) from marts.{table}") > 0, table


def test_markets_match_the_venue(first_build, warehouse, world):
    truth = {m["conditionId"].lower(): m for m in world.markets(NOW)}
    marts = market_rows(warehouse)
    assert set(marts) == set(truth)
    for cid, m in truth.items():
        status, _, _, is_closed, question, event_id = marts[cid]
        assert is_closed == m["closed"]
        assert question == m["question"].replace("\x00", "\ufffd")
        assert event_id == m["events"][0]["id"]


def test_outcomes_have_the_venue_token_ids_names_and_last_prices(first_build, warehouse, world):
    expected = set()
    for m in world.markets(NOW):
        i = world.index_of_condition_id(m["conditionId"])
        tokens, names, prices = (json.loads(m[k]) for k in ("clobTokenIds", "outcomes", "outcomePrices"))
        assert tuple(tokens) == world.token_ids(i)
        for index, (token, name, price) in enumerate(zip(tokens, names, prices)):
            expected.add((m["conditionId"].lower(), token, name, index, dec(price)))
    rows = warehouse.rows("select market_id, outcome_id, outcome_name, outcome_index, last_price, token_id "
                          "from marts.market_outcomes")
    assert {(r[0], r[1], r[2], r[3], dec(r[4])) for r in rows} == expected
    assert all(r[5] == r[1] and 76 <= len(r[1]) <= 78 and r[1].isdigit() for r in rows)


def test_closed_markets_resolve_as_the_venue_settled_them(first_build, warehouse, world):
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
                             "using (market_id, source) where o.is_winner")
    assert {w[0] for w in winners} == {v[1] for v in marts.values() if v[1]}


def test_events_match_the_venue(first_build, warehouse, world):
    truth = {e["id"]: e for e in world.events(NOW)}
    rows = {r[0]: r[1:] for r in warehouse.rows("select event_id, title, is_closed, category from marts.events")}
    assert set(rows) == set(truth)
    for event_id, e in truth.items():
        assert rows[event_id][0] == e["title"].replace("\x00", "\ufffd")
        assert rows[event_id][1] == e["closed"]
    open_tagged = [e for e in world.events(NOW, closed=False) if e.get("tags")]
    assert open_tagged and all(rows[e["id"]][2] == e["tags"][0]["label"] for e in open_tagged)


def test_trades_match_the_venue_for_markets_walked_in_full(first_build, warehouse, world):
    by_market = defaultdict(dict)
    for market_id, trade_id, quantity, price in warehouse.rows(
            "select market_id, trade_id, quantity, price from marts.trades"):
        by_market[market_id][trade_id] = (quantity, price)
    full = deep = 0
    for m in world.markets(NOW, closed=False):
        cid = m["conditionId"]
        fills = world.trades(cid, NOW)
        keys = trade_keys(fills)
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


def test_price_snapshots_are_the_venue_price_paths(first_build, warehouse, world):
    windows = warehouse.rows(
        "select request_params->>'market', (request_params->>'startTs')::bigint, (request_params->>'endTs')::bigint, "
        "(request_params->>'fidelity')::int from landing.raw_api_responses where resource = 'prices' "
        "and status_code = 200")
    expected = set()
    for token, start, end, fidelity in windows:
        expected |= {(token, p["t"], dec(round(p["p"], 6))) for p in world.price_history(token, start, end, fidelity, NOW)}
    rows = warehouse.rows("select outcome_id, extract(epoch from snapshot_at)::bigint, implied_probability "
                          "from marts.price_snapshots")
    assert expected and {(r[0], r[1], dec(r[2])) for r in rows} == expected
    assert len(rows) == len(expected)


def test_latest_orderbook_snapshot_is_the_venue_book(first_build, warehouse, world):
    rows = warehouse.rows(
        "select distinct on (outcome_id) outcome_id, bids, asks, best_bid, best_ask, book_hash "
        "from marts.orderbook_snapshots order by outcome_id, snapshot_at desc")
    assert rows
    for token, bids, asks, best_bid, best_ask, book_hash in rows:
        book = world.book(token, NOW)
        assert book is not None and book["hash"] == book_hash
        want_bids = [(dec(level["price"]), dec(level["size"])) for level in reversed(book["bids"])]
        want_asks = [(dec(level["price"]), dec(level["size"])) for level in reversed(book["asks"])]
        assert [(dec(b["price"]), dec(b["size"])) for b in bids] == want_bids
        assert [(dec(a["price"]), dec(a["size"])) for a in asks] == want_asks
        assert dec(best_bid) == max(p for p, _ in want_bids) and dec(best_ask) == min(p for p, _ in want_asks)


def test_sql_trade_key_equals_the_python_trade_keys(first_build, warehouse):
    pages = warehouse.rows("select landing_id, response from landing.raw_api_responses "
                           "where resource = 'trades' and status_code = 200 and response is not null")
    sql_keys = defaultdict(list)
    for landing_id, trade_id in warehouse.rows(
            "select landing_id, trade_id from staging.stg_polymarket__trades order by landing_id, entity_position"):
        sql_keys[landing_id].append(trade_id)
    assert pages and sum(len(p[1]) for p in pages) > 1000
    for landing_id, response in pages:
        assert sql_keys[landing_id] == trade_keys(response), landing_id


def test_analyst_role_reads_marts_only(first_build, warehouse):
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


# ---------------------------------------------------------------------------------------- phase 2

@pytest.fixture(scope="module")
def incremental_build(first_build, sim, warehouse, dbt):
    sim.set_now(NOW + HOUR)
    try:
        run_extract(NOW + HOUR)
    finally:
        sim.set_now(NOW)
    cursor_before = warehouse.value("select min(landing_id) from intermediate.landing_cursors")
    result = dbt("build").check()
    return result, cursor_before


def test_incremental_build_reads_only_new_landing_rows(incremental_build, warehouse):
    result, cursor_before = incremental_build
    newest = warehouse.value("select max(landing_id) from landing.raw_api_responses")
    cursors = warehouse.rows("select relation_name, landing_id from intermediate.landing_cursors")
    assert {r[0].split(".")[-1].strip('"') for r in cursors} == set(MART_KEYS)
    assert all(c == newest for _, c in cursors) and newest > cursor_before
    assert "ERROR=0" in result.output


def test_incremental_filter_reaches_the_landing_scan(incremental_build, warehouse, dbt):
    sql = (dbt.target / "compiled" / "prediction_markets" / "models" / "marts" / "trades.sql").read_text()
    assert "landing_id >" in sql
    # Whatever the planner picks on a small table, the cursor must be usable at the landing scan.
    warehouse.execute("set enable_seqscan = off")
    try:
        plan = "\n".join(r[0] for r in warehouse.rows("explain " + sql))
    finally:
        warehouse.execute("reset enable_seqscan")
    conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert any("landing_id <=" in c and "landing_id >" in c for c in conditions), plan


@pytest.fixture(scope="module")
def incremental_marts(incremental_build, warehouse):
    return all_marts(warehouse)


def test_rerun_without_new_landing_rows_changes_nothing(incremental_marts, warehouse, dbt):
    before_xid = warehouse.value("select txid_current()")
    dbt("run").check()
    assert all_marts(warehouse) == incremental_marts
    for table in MART_KEYS:
        written = warehouse.value(f"select count(*) from marts.{table} where xmin::text::bigint > %s",
                                  (before_xid % 2**32,))
        assert written == 0, table


def test_full_refresh_equals_incremental_row_for_row(incremental_marts, warehouse, dbt):
    dbt("run", "--full-refresh").check()
    refreshed = all_marts(warehouse)
    for table in MART_KEYS:
        assert len(refreshed[table]) == len(incremental_marts[table]), table
        assert refreshed[table] == incremental_marts[table], table
    partitions = warehouse.rows("select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
                                "join pg_class p on p.oid = i.inhparent where p.relname = 'trades'")
    assert partitions and all(r[0].startswith("trades_p") and len(r[0]) == len("trades_p202611") for r in partitions)


def test_a_mart_run_alone_reads_no_further_than_its_parents(incremental_marts, warehouse, dbt):
    """One Airflow task per model means one dbt invocation per model, each with its own horizon:
    a fact mart must still not read landing rows past the cursor of the marts it refers to."""
    horizon = warehouse.value("select max(landing_id) from intermediate.landing_cursors")
    warehouse.execute("update intermediate.landing_cursors set landing_id = %s where relation_name like %s",
                      (horizon - 40, '%"market_outcomes"'))
    warehouse.execute("update intermediate.landing_cursors set landing_id = %s where relation_name like %s",
                      (horizon - 80, '%"trades"'))
    dbt("run", "--select", "trades").check()
    sql = (dbt.target / "compiled" / "prediction_markets" / "models" / "marts" / "trades.sql").read_text()
    assert f"landing_id <= {horizon - 40}" in sql and f"landing_id > {horizon - 80}" in sql
    cursors = dict(warehouse.rows("select relation_name, landing_id from intermediate.landing_cursors"))
    assert next(v for k, v in cursors.items() if k.endswith('"trades"')) == horizon - 40
    # The next full invocation catches up; re-reading rows already modelled changes nothing.
    dbt("run").check()
    assert all_marts(warehouse) == incremental_marts
    assert {v for v in dict(warehouse.rows("select relation_name, landing_id from intermediate.landing_cursors")).values()} == {horizon}


def test_a_late_page_never_overwrites_newer_state(incremental_marts, warehouse, dbt):
    """A page landed late holding an older state of a market is ignored; a newer one wins; and a
    full refresh agrees."""
    from datetime import datetime, timezone
    from uuid import uuid4

    page = warehouse.value("select response from landing.raw_api_responses where resource = 'markets' "
                           "and endpoint = '/markets/keyset' and status_code = 200 "
                           "and jsonb_array_length(response->'markets') >= 2 order by landing_id desc limit 1")
    older, newer = (dict(m) for m in page["markets"][:2])

    def shifted(market, days):
        at = datetime.fromisoformat(market["updatedAt"].replace("Z", "+00:00")) + timedelta(days=days)
        return {**market, "updatedAt": at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "question": f"{market['question']} (edited {days:+d}d)"}

    late = {"markets": [shifted(older, -1), shifted(newer, +1)], "next_cursor": None}
    warehouse.execute(
        "insert into landing.raw_api_responses (request_id, source, resource, scope, endpoint, url, status_code, "
        "fetched_at, response) values (%s, 'polymarket', 'markets', 'open', '/markets/keyset', 'test://late', 200, "
        "now(), %s::jsonb)", (str(uuid4()), json.dumps(late)))
    before = {r[0]: r[1:] for r in warehouse.rows("select market_id, question, landing_id from marts.markets")}
    dbt("run").check()
    after = {r[0]: r[1:] for r in warehouse.rows("select market_id, question, landing_id from marts.markets")}
    older_id, newer_id = older["conditionId"].lower(), newer["conditionId"].lower()
    assert after[older_id] == before[older_id]
    assert after[newer_id][0].endswith("(edited +1d)") and after[newer_id][1] > before[newer_id][1]
    incremental = all_marts(warehouse)
    dbt("run", "--full-refresh").check()
    assert all_marts(warehouse) == incremental
