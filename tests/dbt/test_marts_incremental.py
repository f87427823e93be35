"""The incremental phase of the marts, both venues landed (the shared phase 2 of conftest.py): one
more hour of Polymarket and Kalshi and a page of Kalshi parlays, then an incremental dbt build; a
rerun without new landing rows writes nothing; a full refresh of the same landing equals the
incremental result row for row; a mart run alone reads no further than its parents; a late page
never overwrites newer state.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.dbt.conftest import MART_KEYS, all_marts
from tests.support.sim import NOW

pytestmark = pytest.mark.slow


def test_incremental_build_with_parlays_landed(incremental_build, warehouse):
    """Parlay (multivariate) markets and their trades, landed when `mve_filter` is unset, build
    without error and stay out of every mart."""
    assert "ERROR=0" in incremental_build[0].output
    assert warehouse.value("select count(*) from staging.stg_kalshi__markets where is_parlay") > 0
    assert warehouse.value("select count(*) from staging.stg_kalshi__trades where is_parlay") > 0
    for table in MART_KEYS:
        column = "event_id" if table == "events" else "market_id"
        assert warehouse.value(f"select count(*) from marts.{table} where {column} like 'KXMVE%%'") == 0, table
    for source in ("polymarket", "kalshi"):
        later = warehouse.value("select count(*) from marts.trades where source = %s and traded_at > %s",
                                (source, NOW))
        assert later > 0, f"{source}: the second hour is modelled"


def test_incremental_build_reads_only_new_landing_rows(incremental_build, warehouse):
    result, cursor_before = incremental_build
    newest = warehouse.value("select max(landing_id) from landing.raw_api_responses")
    cursors = warehouse.rows("select relation_name, landing_id from intermediate.landing_cursors")
    # The marts, and the tables behind the data-quality and drift views (incremental the same way).
    quality = {"int_wire_value_issues_recorded", "int_landing_keys_observed"}
    assert {r[0].split(".")[-1].strip('"') for r in cursors} == set(MART_KEYS) | quality
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
    """A page landed late holding an older state of a market is ignored; a newer one wins; a Kalshi
    candle of a coarser period landed later never replaces the finer one of the same instant; and a
    full refresh agrees."""
    from datetime import datetime, timezone
    from uuid import uuid4

    page = warehouse.value("select response from landing.raw_api_responses where source = 'polymarket' "
                           "and resource = 'markets' and endpoint = '/markets/keyset' and status_code = 200 "
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
    market_id, instant, kept = warehouse.rows(
        "select market_id, snapshot_at, (implied_probability, bid, ask, last, volume, period_minutes, landing_id) "
        "from marts.price_snapshots where source = 'kalshi' and outcome_id = 'yes' and period_minutes = 1 "
        "and last is not null order by landing_id desc limit 1")[0]
    hourly = {"ticker": market_id, "candlesticks": [{
        "end_period_ts": int(instant.timestamp()), "volume_fp": "1.00", "open_interest_fp": "1.00",
        "price": {"close_dollars": "0.5000"}, "yes_bid": {"close_dollars": "0.4900"},
        "yes_ask": {"close_dollars": "0.5100"}}]}
    warehouse.execute(
        "insert into landing.raw_api_responses (request_id, source, resource, scope, endpoint, url, "
        "request_params, status_code, fetched_at, response) values (%s, 'kalshi', 'candlesticks', 'late', "
        "'/series/{series_ticker}/markets/{ticker}/candlesticks', 'test://late', '{\"period_interval\": \"60\"}', "
        "200, now(), %s::jsonb)", (str(uuid4()), json.dumps(hourly)))
    before = {r[0]: r[1:] for r in warehouse.rows("select market_id, question, landing_id from marts.markets")}
    dbt("run").check()
    assert warehouse.value(
        "select (implied_probability, bid, ask, last, volume, period_minutes, landing_id) from marts.price_snapshots "
        "where source = 'kalshi' and outcome_id = 'yes' and market_id = %s and snapshot_at = %s",
        (market_id, instant)) == kept
    after = {r[0]: r[1:] for r in warehouse.rows("select market_id, question, landing_id from marts.markets")}
    older_id, newer_id = older["conditionId"].lower(), newer["conditionId"].lower()
    assert after[older_id] == before[older_id]
    assert after[newer_id][0].endswith("(edited +1d)") and after[newer_id][1] > before[newer_id][1]
    incremental = all_marts(warehouse)
    dbt("run", "--full-refresh").check()
    assert all_marts(warehouse) == incremental
