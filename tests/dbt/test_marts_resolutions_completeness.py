"""market_resolutions, market_completeness and open_gaps over pages landed directly.

Run A lands Polymarket markets (open; closed with an oracle proposal and a first dispute; void;
closed without resolution), their trades and prices, Kalshi markets (determined, settled scalar,
disputed) with their trades, and gaps in landing.sync_gaps. Run B lands the rest of the oracle's
lifecycle (a reproposal, a second dispute polled twice, the payouts), Kalshi's finalization, and
closes a gap without landing anything for its market. Expectations come from the pages written
here; the incremental result must equal a full refresh. Runs on its own landing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.dbt.conftest import ALL_MARTS, all_marts
from tests.support.landing import land_page
from tests.support.venue_pages import (
    TRADED,
    cid,
    gamma_market,
    kalshi_event,
    kalshi_market,
    kalshi_trade,
    oracle_state,
    price_page,
    taker_row,
    tokens,
    v2_body,
)

pytestmark = pytest.mark.slow

OPEN, DISPUTED, VOID, UNRESOLVED = 1, 2, 3, 4
EVENT = "KXRES-26OCT"
DETERMINED, SCALAR, CONTESTED = f"{EVENT}-A", f"{EVENT}-B", f"{EVENT}-C"
REACH = datetime(2026, 10, 1, tzinfo=UTC)


def at(hour: int) -> datetime:
    return datetime(2026, 10, 18, hour, tzinfo=UTC)


def iso(hour: int) -> str:
    return at(hour).isoformat().replace("+00:00", "Z")


def land_oracle(wh, *rows) -> None:
    land_page(wh, source="polymarket", resource="resolutions", endpoint="/v2/resolutions",
              params={"condition": ",".join(r["condition_id"] for r in rows)}, body={"data": list(rows)})


def land_kalshi_markets(wh, *markets) -> int:
    return land_page(wh, source="kalshi", resource="markets", endpoint="/markets",
                     body={"markets": list(markets), "cursor": ""})


def open_gap(wh, market_id, *, unreachable=False, gap_to=REACH, age="0 hours", resource="trades_history") -> None:
    wh.execute("insert into landing.sync_gaps (source, resource, scope, market_id, gap_from, gap_to, reason, "
               "unreachable, opened_at) values ('polymarket', %s, %s, %s, '2023-01-01', %s, 'test', %s, "
               "now() - %s::interval)", (resource, market_id or "feed", market_id, gap_to, unreachable, age))


def land_run_a(wh) -> dict:
    land_page(wh, source="polymarket", resource="markets", endpoint="/markets/keyset", body={"markets": [
        gamma_market(OPEN, volumeNum=16),  # exactly the notional of its four trades
        gamma_market(DISPUTED, closed=True),  # volumeNum 1000 against 8 loaded: flagged
        gamma_market(VOID, closed=True, prices=("0.5", "0.5")),
        gamma_market(UNRESOLVED, closed=True)], "next_cursor": None})
    land_page(wh, source="polymarket", resource="trades", endpoint="/v2/trades", params={"taker_only": "true"},
              body=v2_body([taker_row(OPEN, i % 2, i) for i in range(4)]
                           + [taker_row(DISPUTED, 0, i) for i in range(2)]))
    land_page(wh, source="polymarket", resource="prices", endpoint="/v2/prices-history",
              params={"token_id": tokens(OPEN)[0]},
              body=price_page([TRADED, TRADED + 3600, TRADED + 5 * 3600]))
    land_oracle(wh, oracle_state(DISPUTED, "proposed", iso(1)))
    land_oracle(wh, oracle_state(DISPUTED, "challenged", iso(2), was_disputed=True),
                oracle_state(VOID, "resolved", iso(3), payouts=[500000, 500000], resolved_at=iso(3)))
    land_oracle(wh, oracle_state(DISPUTED, "challenged", iso(2), was_disputed=True))  # polled again
    land_page(wh, source="kalshi", resource="events", endpoint="/events", body={"events": [kalshi_event(EVENT)],
                                                                               "cursor": ""})
    determined_page = land_kalshi_markets(
        wh,
        kalshi_market(DETERMINED, status="determined", result="yes", settlement_value_dollars="1.0000",
                      volume_fp="6.00"),
        kalshi_market(SCALAR, status="finalized", result="scalar", settlement_value_dollars="0.3000",
                      settlement_ts="2026-10-19T00:00:00Z"),
        kalshi_market(CONTESTED, status="disputed", result=""))
    land_page(wh, source="kalshi", resource="trades", endpoint="/markets/trades",
              body={"trades": [kalshi_trade(DETERMINED, i) for i in range(2)], "cursor": ""})
    open_gap(wh, cid(OPEN), age="2 days")  # retryable, older than a day: warned
    open_gap(wh, cid(DISPUTED), unreachable=True)  # trades older than the API's window
    open_gap(wh, None, resource="trades")  # the venue-wide feed
    open_gap(wh, cid(UNRESOLVED))
    wh.execute("update landing.sync_gaps set closed_at = now() where market_id = %s", (cid(UNRESOLVED),))
    return {"determined_at": wh.value("select fetched_at from landing.raw_api_responses where landing_id = %s",
                                      (determined_page,))}


def land_run_b(wh) -> None:
    land_oracle(wh, oracle_state(DISPUTED, "reproposed", iso(3), was_disputed=True))
    land_oracle(wh, oracle_state(DISPUTED, "disputed", iso(4), was_disputed=True))
    land_oracle(wh, oracle_state(DISPUTED, "disputed", iso(4), was_disputed=True))  # polled again
    land_oracle(wh, oracle_state(DISPUTED, "resolved", iso(5), was_disputed=True, payouts=[0, 1000000],
                                 resolved_at=iso(5)))
    land_kalshi_markets(wh, kalshi_market(DETERMINED, status="finalized", result="yes",
                                          settlement_value_dollars="1.0000", volume_fp="6.00",
                                          settlement_ts="2026-10-20T00:00:00Z"))
    # The open market's gap is filled by a page of another market: only the gap changes for it.
    wh.execute("update landing.sync_gaps set closed_at = now() where market_id = %s", (cid(OPEN),))


@pytest.fixture(scope="module")
def run_a(warehouse, dbt):
    warehouse.truncate_landing()
    warehouse.drop_models()
    landed = land_run_a(warehouse)
    return dbt("build").check(), landed


@pytest.fixture(scope="module")
def run_b(run_a, warehouse, dbt):
    before = {"completeness": completeness(warehouse), "gaps": open_gaps(warehouse)}
    land_run_b(warehouse)
    return dbt("build").check(), before, all_marts(warehouse)


RESOLUTION_COLUMNS = ("status", "resolution_stage", "winning_outcome_id", "winning_outcome_index", "payouts",
                      "settlement_value", "settlement_result", "dispute_count", "is_void", "is_final", "was_disputed",
                      "proposed_at", "disputed_at", "last_disputed_at", "determined_at", "resolved_at",
                      "finalized_at")


def resolutions(wh) -> dict[str, dict]:
    rows = wh.rows(f"select market_id, {', '.join(RESOLUTION_COLUMNS)} from marts.market_resolutions")
    return {r[0]: dict(zip(RESOLUTION_COLUMNS, r[1:])) for r in rows}


def completeness(wh) -> dict[str, dict]:
    columns = ("history_status", "trade_count", "notional_loaded", "loaded_volume", "reported_volume",
               "volume_ratio", "volume_unit", "price_point_count", "longest_price_gap_seconds", "first_price_at",
               "last_price_at", "open_gaps", "unreachable_gaps", "out_of_reach_before")
    rows = wh.rows(f"select market_id, {', '.join(columns)} from marts.market_completeness")
    return {r[0]: dict(zip(columns, r[1:])) for r in rows}


def open_gaps(wh) -> dict[str | None, tuple]:
    return {r[0]: r[1:] for r in wh.rows("select market_id, resource, is_unreachable from marts.open_gaps")}


def test_resolutions_after_run_a(run_a, warehouse):
    _, landed = run_a
    got = resolutions(warehouse)
    assert len(got) == 7
    assert got[cid(OPEN)]["status"] == "open" and got[cid(UNRESOLVED)]["status"] == "closed"
    disputed = got[cid(DISPUTED)]
    assert (disputed["status"], disputed["winning_outcome_id"], disputed["dispute_count"]) == ("disputed", None, 1)
    assert (disputed["proposed_at"], disputed["disputed_at"]) == (at(1), at(2)) and disputed["was_disputed"]
    void = got[cid(VOID)]
    assert (void["status"], void["is_void"], void["is_final"], void["winning_outcome_id"]) == ("void", True, True, None)
    assert void["payouts"] == [0.5, 0.5] and void["finalized_at"] == at(3)
    determined = got[DETERMINED]
    assert (determined["status"], determined["is_final"], determined["winning_outcome_id"]) == ("resolved", False, "yes")
    assert determined["determined_at"] == landed["determined_at"] and determined["payouts"] == [1, 0]
    assert (determined["settlement_value"], determined["settlement_result"]) == (Decimal(1), "yes")
    scalar = got[SCALAR]
    assert (scalar["status"], scalar["is_final"], scalar["winning_outcome_id"]) == ("split", True, None)
    assert scalar["payouts"] == [0.3, 0.7]
    assert (got[CONTESTED]["status"], got[CONTESTED]["dispute_count"]) == ("disputed", 1)


def test_completeness_and_gaps_after_run_a(run_a, warehouse):
    result, _ = run_a
    got = completeness(warehouse)
    listed = got[cid(OPEN)]
    assert (listed["trade_count"], listed["notional_loaded"], listed["volume_ratio"]) == (4, 16, 1)
    assert (listed["price_point_count"], listed["longest_price_gap_seconds"]) == (3, 4 * 3600)
    assert (listed["first_price_at"], listed["last_price_at"]) == (
        datetime.fromtimestamp(TRADED, UTC), datetime.fromtimestamp(TRADED + 5 * 3600, UTC))
    assert (listed["history_status"], listed["open_gaps"]) == ("gaps_open", 1)
    disputed = got[cid(DISPUTED)]
    assert (disputed["history_status"], disputed["unreachable_gaps"], disputed["out_of_reach_before"]) == (
        "out_of_api_reach", 1, REACH)
    assert (disputed["loaded_volume"], disputed["reported_volume"], disputed["volume_unit"]) == (8, 1000, "USD")
    kalshi = got[DETERMINED]
    assert (kalshi["loaded_volume"], kalshi["reported_volume"], kalshi["volume_unit"], kalshi["volume_ratio"]) == (
        6, 6, "contracts", 1)
    assert got[cid(UNRESOLVED)]["history_status"] == "no_open_gaps"  # its gap is closed
    assert open_gaps(warehouse) == {cid(OPEN): ("trades_history", False), cid(DISPUTED): ("trades_history", True),
                                    None: ("trades", False)}
    warned = " ".join(line for line in result.output.splitlines() if "WARN" in line)
    assert "market_completeness" in warned and "open_gaps" in warned


def test_run_b_completes_the_lifecycle_and_counts_each_dispute_once(run_b, warehouse):
    got = resolutions(warehouse)
    disputed = got[cid(DISPUTED)]
    assert {k: disputed[k] for k in ("status", "resolution_stage", "winning_outcome_id", "winning_outcome_index",
                                     "payouts", "dispute_count", "is_final", "was_disputed")} == {
        "status": "resolved", "resolution_stage": "finalized", "winning_outcome_id": tokens(DISPUTED)[1],
        "winning_outcome_index": 1, "payouts": [0, 1], "dispute_count": 2, "is_final": True, "was_disputed": True}
    assert (disputed["proposed_at"], disputed["disputed_at"], disputed["last_disputed_at"]) == (at(1), at(2), at(4))
    assert disputed["resolved_at"] == disputed["finalized_at"] == at(5)
    determined = got[DETERMINED]
    assert determined["is_final"] and determined["finalized_at"] == datetime(2026, 10, 20, tzinfo=UTC)


def test_a_gap_closed_for_a_market_updates_its_completeness(run_b, warehouse):
    _, before, _ = run_b
    assert before["completeness"][cid(OPEN)]["history_status"] == "gaps_open"
    assert completeness(warehouse)[cid(OPEN)]["history_status"] == "no_open_gaps"
    assert set(open_gaps(warehouse)) == {cid(DISPUTED), None}


def test_incremental_equals_full_refresh(run_b, warehouse, dbt):
    _, _, incremental = run_b
    dbt("build", "--full-refresh").check()
    refreshed = all_marts(warehouse)
    for table in ALL_MARTS:
        assert refreshed[table] == incremental[table], table
