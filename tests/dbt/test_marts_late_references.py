"""Facts landed before the listing naming their market wait for it, then arrive: nothing is dropped.

Run 1 lands the listings of some markets, and the trades, fills, price histories, books and
resolution states of those and of markets whose listings are held back (Polymarket and Kalshi),
then builds. Run 2 lands the held-back listings and builds incrementally. The marts must then hold
every fact and equal a full refresh of the same landing, row for row. A page of facts for a market
never listed, landed more than the maximum age ago, stays counted (expired) and is not re-read.
Runs on its own landing: it empties landing and the dbt schemas first.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.dbt.conftest import ALL_MARTS, all_marts
from tests.support.landing import land_page
from tests.support.venue_pages import (
    TRADED,
    book,
    cid,
    gamma_market,
    kalshi_candles,
    kalshi_event,
    kalshi_market,
    kalshi_trade,
    maker_row,
    oracle_state,
    taker_row,
    tokens,
    v2_body,
)

pytestmark = pytest.mark.slow



def price_history(n: int, k: int) -> dict:
    return v2_body([{"timestamp": TRADED + 3600 * i, "price": 0.4 + i / 100, "resolution_seconds": 3600}
                    for i in range(4)])


LISTED, HELD, NEVER = 1, 2, 3  # Polymarket markets: listed in run 1, in run 2, never
KALSHI_LISTED, KALSHI_HELD = "KXLATE-26OCT-A", "KXLATE-26OCT-B"


def land_polymarket_listing(wh, *numbers: int) -> None:
    land_page(wh, source="polymarket", resource="markets", endpoint="/markets/keyset",
              body={"markets": [gamma_market(n, closed=n == HELD) for n in numbers], "next_cursor": None},
              params={"closed": "false", "limit": "100"})


def land_kalshi_listing(wh, *tickers: str) -> None:
    land_page(wh, source="kalshi", resource="events", endpoint="/events", params={"with_nested_markets": "true"},
              body={"events": [kalshi_event("KXLATE-26OCT")], "cursor": ""})
    land_page(wh, source="kalshi", resource="markets", endpoint="/markets",
              body={"markets": [kalshi_market(t) for t in tickers], "cursor": ""})


def land_facts(wh) -> None:
    """Facts of a listed and a held-back market of each venue, on shared pages."""
    takers = [taker_row(n, i % 2, i) for n in (LISTED, HELD) for i in range(4)]
    land_page(wh, source="polymarket", resource="trades", endpoint="/v2/trades",
              params={"taker_only": "true", "limit": "1000"}, body=v2_body(takers))
    land_page(wh, source="polymarket", resource="trade_fills", endpoint="/v2/trades",
              params={"taker_only": "false", "condition": cid(HELD)},
              body=v2_body([r for r in takers if r["condition_id"] == cid(HELD)]
                           + [maker_row(r) for r in takers if r["condition_id"] == cid(HELD)]))
    for n in (LISTED, HELD):
        for k in (0, 1):
            land_page(wh, source="polymarket", resource="prices", endpoint="/v2/prices-history",
                      params={"token_id": tokens(n)[k], "bucket_seconds": "3600"}, body=price_history(n, k))
    land_page(wh, source="polymarket", resource="orderbooks", endpoint="/books",
              body=[book(n, k) for n in (LISTED, HELD) for k in (0, 1)])
    land_page(wh, source="polymarket", resource="resolutions", endpoint="/v2/resolutions",
              params={"condition": cid(HELD)},
              body={"data": [oracle_state(HELD, "proposed", "2026-10-18T06:00:00Z")]})
    land_page(wh, source="kalshi", resource="trades", endpoint="/markets/trades",
              body={"trades": [kalshi_trade(t, i) for t in (KALSHI_LISTED, KALSHI_HELD) for i in range(3)],
                    "cursor": ""})
    for ticker in (KALSHI_LISTED, KALSHI_HELD):
        land_page(wh, source="kalshi", resource="candlesticks",
                  endpoint="/series/{series_ticker}/markets/{ticker}/candlesticks",
                  params={"period_interval": "1"}, body=kalshi_candles(ticker))
    # A market never listed, its trades landed long ago: they wait past the maximum age.
    land_page(wh, source="polymarket", resource="trades", endpoint="/v2/trades",
              params={"taker_only": "true"}, body=v2_body([taker_row(NEVER, 0, 0)]),
              fetched_at=datetime.now(UTC) - timedelta(days=10))


@pytest.fixture(scope="module")
def run_one(warehouse, dbt):
    warehouse.truncate_landing()
    warehouse.drop_models()
    land_polymarket_listing(warehouse, LISTED)
    land_kalshi_listing(warehouse, KALSHI_LISTED)
    land_facts(warehouse)
    return dbt("build").check()


@pytest.fixture(scope="module")
def run_two(run_one, warehouse, dbt):
    waiting = late_references(warehouse)
    land_polymarket_listing(warehouse, HELD)
    land_kalshi_listing(warehouse, KALSHI_HELD)
    result = dbt("build").check()
    compiled = (dbt.target / "compiled" / "prediction_markets" / "models" / "marts" / "trades.sql").read_text()
    return result, waiting, all_marts(warehouse), compiled


def late_references(wh) -> dict[tuple, tuple]:
    return {r[:4]: r[4:] for r in wh.rows(
        "select mart, source, market_id, outcome_id, rows_waiting, expired_rows from marts.late_references")}


def counts(wh, market_id: str) -> dict[str, int]:
    return {table: wh.value(f"select count(*) from marts.{table} where market_id = %s", (market_id,))
            for table in ("trades", "trade_fills", "price_snapshots", "orderbook_snapshots", "market_resolutions")}


def test_facts_of_an_unlisted_market_wait_and_are_counted(run_one, warehouse):
    assert counts(warehouse, cid(HELD)) == dict.fromkeys(counts(warehouse, cid(HELD)), 0)
    assert warehouse.value("select count(*) from marts.trades where market_id = %s", (KALSHI_HELD,)) == 0
    assert counts(warehouse, cid(LISTED))["trades"] == 4
    waiting = late_references(warehouse)
    held = cid(HELD)
    expected = {
        ("trades", "polymarket", held, tokens(HELD)[0]): (2, 0), ("trades", "polymarket", held, tokens(HELD)[1]): (2, 0),
        ("trade_fills", "polymarket", held, tokens(HELD)[0]): (4, 0),
        ("trade_fills", "polymarket", held, tokens(HELD)[1]): (4, 0),
        ("orderbook_snapshots", "polymarket", held, tokens(HELD)[0]): (1, 0),
        ("orderbook_snapshots", "polymarket", held, tokens(HELD)[1]): (1, 0),
        # price histories name only the token
        ("price_snapshots", "polymarket", None, tokens(HELD)[0]): (4, 0),
        ("price_snapshots", "polymarket", None, tokens(HELD)[1]): (4, 0),
        ("market_resolutions", "polymarket", held, None): (1, 0),
        ("markets", "polymarket", held, None): (1, 0),  # its oracle resolution
        ("trades", "kalshi", KALSHI_HELD, "yes"): (3, 0),
        ("price_snapshots", "kalshi", KALSHI_HELD, "yes"): (3, 0),
        ("price_snapshots", "kalshi", KALSHI_HELD, "no"): (3, 0),
        ("trades", "polymarket", cid(NEVER), tokens(NEVER)[0]): (1, 1),
    }
    assert waiting == expected


def test_facts_arrive_with_their_listing_as_a_full_refresh_models_them(run_two, warehouse, dbt):
    result, _, incremental, _ = run_two
    assert counts(warehouse, cid(HELD)) == {"trades": 4, "trade_fills": 8, "price_snapshots": 8,
                                            "orderbook_snapshots": 2, "market_resolutions": 1}
    assert warehouse.value("select count(*) from marts.trades where market_id = %s", (KALSHI_HELD,)) == 3
    assert warehouse.value("select count(*) from marts.price_snapshots where market_id = %s", (KALSHI_HELD,)) == 6
    roles = dict(warehouse.rows("select role, count(*) from marts.trade_fills where market_id = %s group by 1",
                                (cid(HELD),)))
    assert roles == {"taker": 4, "maker": 4}
    proposed = warehouse.value("select proposed_at from marts.market_resolutions where market_id = %s", (cid(HELD),))
    assert proposed == datetime(2026, 10, 18, 6, tzinfo=UTC)
    completeness = warehouse.rows("select trade_count, notional_loaded from marts.market_completeness "
                                  "where market_id = %s", (cid(HELD),))
    assert completeness == [(4, 16)]
    dbt("build", "--full-refresh").check()
    refreshed = all_marts(warehouse)
    for table in ALL_MARTS:
        assert len(refreshed[table]) == len(incremental[table]), table
        assert refreshed[table] == incremental[table], table


def test_only_what_waits_stays_counted(run_two, warehouse):
    _, before, _, _ = run_two
    assert len(before) == 14
    assert late_references(warehouse) == {("trades", "polymarket", cid(NEVER), tokens(NEVER)[0]): (1, 1)}


def test_expired_pages_are_not_read_again_and_warn(run_two, warehouse):
    result, _, _, sql = run_two
    expired = warehouse.value("select landing_id from landing.raw_api_responses where fetched_at < now() - "
                              "interval '9 days'")
    waiting = {r[0] for r in warehouse.rows(
        "select landing_id from landing.raw_api_responses where resource = 'trades' and fetched_at > now() - "
        "interval '1 day' and response::text like %s", (f"%{tokens(HELD)[0]}%",))}
    # The second build read the waiting trade pages again besides its window, not the expired one.
    reread = {int(i) for i in re.search(r"or landing_id in \(([\d, ]+)\)", sql).group(1).split(", ")}
    assert waiting and waiting <= reread and expired not in reread
    assert "WARN" in result.output and "late_references" in " ".join(
        line for line in result.output.splitlines() if "WARN" in line)
