"""Values no conversion can read, and keys that drift, landed the way extraction lands pages, then
`dbt build` against the real warehouse.

The build succeeds; every other entity of the same pages reaches the marts; each bad value is null
and listed in marts.data_quality_issues with its field and reason; marts.landing_key_drift lists the
key that appeared and the key that stopped arriving, and the extract DAG's publish step logs them.
Without the guards of the conversion macros the first page below fails staging (and every mart) on
every run. Expectations come from the pages written here. Runs on its own landing: it empties
landing and the dbt schemas first (its name sorts it after the modules sharing the phase 1/2 world).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.support.landing import land_page

pytestmark = pytest.mark.slow

NOW = datetime.now(UTC)
HUGE = "9" * 200_000  # beyond Postgres numeric (131072 digits before the point)


def cid(n: int) -> str:
    return f"0x{n:064x}"


def token(n: int, k: int) -> str:
    return str(10**76 + n * 10 + k)


def gamma_market(n: int, **fields) -> dict:
    body = {
        "id": str(4_000_000 + n), "question": f"Quality market {n}?", "conditionId": cid(n), "slug": f"quality-{n}",
        "outcomes": json.dumps(["Yes", "No"]), "outcomePrices": json.dumps(["0.4", "0.6"]),
        "clobTokenIds": json.dumps([token(n, 0), token(n, 1)]), "active": True, "closed": False, "archived": False,
        "acceptingOrders": True, "startDate": "2026-05-01T00:00:00Z", "endDate": "2026-12-31T00:00:00Z",
        "createdAt": "2026-04-30T00:00:00Z", "updatedAt": "2026-06-02T13:05:00Z", "volumeNum": 1000.5,
        "liquidityNum": 20.25, "bestBid": 0.39, "bestAsk": 0.41,
        "events": [{"id": "910001", "title": "Quality", "slug": "quality", "createdAt": "2026-04-30T00:00:00Z"}],
    }
    body.update(fields)
    return body


# (wire key, raw value as landed, reason): the expected issues of each bad entity.
BAD_MARKET_VALUES = {
    "createdAt": ("2026-02-30T00:00:00Z", "date out of range"),
    "endDate": ("0000-00-00 00:00:00+00", "date out of range"),
    "updatedAt": ("2026-01-01T25:00:00Z", "time out of range"),
    "umaEndDate": ("2026-13-01T00:00:00Z", "date out of range"),
    "startDate": ("\uff12\uff10\uff12\uff16-05-01", "not a timestamp"),  # full-width digits
    "volumeNum": ("1e999999", "number out of range"),
    "liquidityNum": (HUGE, "number out of range"),
    "bestBid": ("NaN", "not a number"),
    "bestAsk": ("Infinity", "not a number"),
    "lastTradePrice": (1.5, "probability out of range"),
    "volume24hr": (-5, "negative quantity"),
    "orderPriceMinTickSize": ("\u30000.01", "not a number"),  # an ideographic space first
    "active": ({"x": 1}, "not a scalar"),
    "acceptingOrders": ("yes", "not a boolean"),
    "outcomePrices": ("[1e999999]", "not a list"),
}
BAD_MARKET = gamma_market(
    2, **{key: value for key, (value, _) in BAD_MARKET_VALUES.items()},
    acceptingOrdersTimestamp="  ", closedTime="",  # blank: absent, not an issue
    riskTier=3,  # a key no staging model knows: drift
    events=[{"id": "910001", "title": "Quality", "slug": "quality", "startDate": -86400,
             "createdAt": "2026-02-30T00:00:00Z"}])
BAD_EVENT_VALUES = {"startDate": (-86400, "epoch out of range"),
                    "createdAt": ("2026-02-30T00:00:00Z", "date out of range")}
GOOD_MARKET = gamma_market(1)


def poly_trade(i: int, k: int = 0, **fields) -> dict:
    row = {"proxy_wallet": f"0x{0xa000 + i:040x}", "side": "BUY", "token_id": token(1, k), "condition_id": cid(1),
           "size": 10 + i, "price": [0.4, 0.6][k], "timestamp": 1780000000 + 60 * i, "title": "Quality market 1?",
           "slug": "quality-1", "icon": "", "event_slug": "quality", "outcome": ["Yes", "No"][k], "outcome_index": k,
           "name": "", "pseudonym": "", "bio": "", "profile_image": "", "profile_image_optimized": "",
           "transaction_hash": f"0x{0xb000 + i:064x}"}
    row.update(fields)
    return row


# (row, {wire key: (raw, reason)}, modelled in marts.trades)
POLY_TRADES = [
    (poly_trade(1), {}, True),
    (poly_trade(2, 1), {}, True),
    (poly_trade(3, price="Infinity"), {"price": ("Infinity", "not a number")}, False),
    (poly_trade(4, timestamp=1e20), {"timestamp": ("100000000000000000000", "epoch out of range")}, False),
    (poly_trade(5, timestamp=-86400), {"timestamp": (-86400, "epoch out of range")}, False),
    (poly_trade(6, size="-5"), {"size": ("-5", "negative quantity")}, True),
    (poly_trade(7, outcome_index=3_000_000_000), {"outcome_index": (3000000000, "integer out of range")}, True),
    (poly_trade(8, size=""), {}, True),
    (poly_trade(9, price={"p": 1}), {"price": ({"p": 1}, "not a scalar")}, False),
]
POLY_POINTS = [  # (point, issues, modelled in marts.price_snapshots)
    ({"timestamp": 1780000000, "price": 0.4, "resolution_seconds": 3600}, {}, True),
    ({"timestamp": "2026-02-30T00:00:00Z", "price": 0.5, "resolution_seconds": 3600},
     {"timestamp": ("2026-02-30T00:00:00Z", "date out of range")}, False),
    ({"timestamp": 1780003600, "price": 0.45, "resolution_seconds": "3000000000"},
     {"resolution_seconds": ("3000000000", "integer out of range")}, True),
    ({"timestamp": 1780007200, "price": 0.41, "resolution_seconds": -60},
     {"resolution_seconds": (-60, "negative quantity")}, True),
]
RESOLUTION = {"condition_id": cid(2), "status": "proposed", "question_id": "0x" + "ab" * 32,
              "log_index": "3000000000000000000000", "resolved_block": "NaN",
              "last_update_timestamp": "0000-00-00 00:00:00+00"}
RESOLUTION_ISSUES = {"log_index": ("3000000000000000000000", "integer out of range"),
                     "resolved_block": ("NaN", "not a number"),
                     "last_update_timestamp": ("0000-00-00 00:00:00+00", "date out of range")}


def kalshi_market(ticker: str, **fields) -> dict:
    body = {"ticker": ticker, "event_ticker": "KXQUAL-26", "title": "Quality?", "status": "active",
            "market_type": "binary", "yes_sub_title": "Yes", "no_sub_title": "No",
            "yes_bid_dollars": "0.4000", "yes_ask_dollars": "0.4200", "no_bid_dollars": "0.5800",
            "no_ask_dollars": "0.6000", "last_price_dollars": "0.4100", "volume_fp": "100.00",
            "volume_24h_fp": "10.00", "open_interest_fp": "50.00", "created_time": "2026-05-01T00:00:00Z",
            "open_time": "2026-05-01T00:00:00Z", "close_time": "2026-12-31T00:00:00Z",
            "updated_time": "2026-06-01T00:00:00Z"}
    body.update(fields)
    return body


BAD_KALSHI_VALUES = {
    "yes_bid_dollars": ("1.5000", "probability out of range"),
    "volume_fp": ("1e-999999", "number out of range"),
    "close_time": ("2026-02-30T00:00:00Z", "date out of range"),
    "open_interest_fp": ("Infinity", "not a number"),
    "no_bid": (101, "cents out of range"),
    "is_provisional": ("maybe", "not a boolean"),
}
KALSHI_BAD = kalshi_market("KXQUAL-26-B", **{k: v for k, (v, _) in BAD_KALSHI_VALUES.items()},
                           created_time="0001-01-01T00:00:00Z")  # Go's zero time: absent, not an issue
del KALSHI_BAD["no_bid_dollars"]  # the legacy cents field is read only without the dollars one
KALSHI_EVENT = {"event_ticker": "KXQUAL-26", "series_ticker": "KXQUAL", "title": "Quality", "sub_title": "2026",
                "category": "Science", "mutually_exclusive": False, "strike_date": "2026-02-30T00:00:00Z",
                "last_updated_ts": "2026-06-01T00:00:00Z",
                "markets": [kalshi_market("KXQUAL-26-A"), KALSHI_BAD]}


def kalshi_trade(i: int, **fields) -> dict:
    row = {"trade_id": f"qt-{i}", "ticker": "KXQUAL-26-A", "count_fp": "10.00", "yes_price_dollars": "0.4000",
           "no_price_dollars": "0.6000", "taker_outcome_side": "yes", "taker_side": "yes",
           "created_time": f"2026-06-01T12:{i:02d}:00Z", "is_block_trade": False}
    row.update(fields)
    return row


OLD_KALSHI_TRADES = [kalshi_trade(i, taker_book_side="bid") for i in range(1, 3)]  # landed 3 days ago
KALSHI_TRADES = [  # (row, issues, modelled in marts.trades): `taker_book_side` no longer sent
    (kalshi_trade(11), {}, True),
    (kalshi_trade(12, created_time="0000-00-00 00:00:00+00"),
     {"created_time": ("0000-00-00 00:00:00+00", "date out of range")}, False),
    (kalshi_trade(13, count_fp="Infinity"), {"count_fp": ("Infinity", "not a number")}, True),
    (kalshi_trade(14, yes_price_dollars="\u300012"), {"yes_price_dollars": ("\u300012", "not a number")}, False),
    (kalshi_trade(15, created_time="2026-01-01T25:00:00Z"),
     {"created_time": ("2026-01-01T25:00:00Z", "time out of range")}, False),
]
KALSHI_CANDLES = [  # (candle, issues)
    ({"end_period_ts": 1780000000, "price": {"close_dollars": "0.4100"}, "yes_bid": {"close_dollars": "0.4000"},
      "yes_ask": {"close_dollars": "0.4200"}, "volume_fp": "5.00", "open_interest_fp": "50.00"}, {}),
    ({"end_period_ts": 1e20, "price": {"close_dollars": "0.4100"}, "volume_fp": "5.00"},
     {"end_period_ts": ("100000000000000000000", "epoch out of range")}),
    ({"end_period_ts": 1780003600, "price": {"close_dollars": "NaN"}, "yes_bid": {"close_dollars": "0.4000"},
      "yes_ask": {"close_dollars": "0.4200"}, "volume_fp": "5.00"}, {"price.close_dollars": ("NaN", "not a number")}),
]

# Drift expected from these pages: every other key they carry is read or known to staging.
EXPECTED_DRIFT = {("polymarket", "markets", "stg_polymarket__markets", "riskTier", "unread"),
                  ("kalshi", "trades", "stg_kalshi__trades", "taker_book_side", "missing")}


def raw(value) -> str:
    """A value as data_quality_issues shows it: the text of a JSON scalar, the JSON text of an object."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(", ", ": "))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def issue_rows(source, resource, model, entity_id, issues):
    return {(source, resource, model, entity_id, key, raw(value)[:200], reason)
            for key, (value, reason) in issues.items()}


def expected_issues() -> set[tuple]:
    expected = issue_rows("polymarket", "markets", "stg_polymarket__markets", cid(2), BAD_MARKET_VALUES)
    expected |= issue_rows("polymarket", "markets", "stg_polymarket__events", "910001", BAD_EVENT_VALUES)
    for row, issues, _ in POLY_TRADES:
        expected |= issue_rows("polymarket", "trades", "stg_polymarket__trades", cid(1), issues)
    for _, issues, _ in POLY_POINTS:
        expected |= issue_rows("polymarket", "prices", "stg_polymarket__prices", token(1, 0), issues)
    expected |= issue_rows("polymarket", "resolutions", "stg_polymarket__resolutions", cid(2), RESOLUTION_ISSUES)
    expected |= issue_rows("kalshi", "events", "stg_kalshi__events", "KXQUAL-26",
                           {"strike_date": ("2026-02-30T00:00:00Z", "date out of range")})
    expected |= issue_rows("kalshi", "events", "stg_kalshi__markets", "KXQUAL-26-B", BAD_KALSHI_VALUES)
    for row, issues, _ in KALSHI_TRADES:
        expected |= issue_rows("kalshi", "trades", "stg_kalshi__trades", row["trade_id"], issues)
    for _, issues in KALSHI_CANDLES:
        expected |= issue_rows("kalshi", "candlesticks", "stg_kalshi__candlesticks", "KXQUAL-26-A", issues)
    return expected


def land_pages(wh) -> None:
    land_page(wh, source="polymarket", resource="markets", endpoint="/markets/keyset",
              body={"markets": [GOOD_MARKET, BAD_MARKET], "next_cursor": None}, params={"closed": "false"})
    land_page(wh, source="polymarket", resource="trades", endpoint="/v2/trades",
              params={"condition": cid(1), "taker_only": "true"},
              body={"data": [row for row, _, _ in POLY_TRADES],
                    "pagination": {"limit": 1000, "offset": 0, "has_more": False, "next_cursor": None}})
    land_page(wh, source="polymarket", resource="prices", endpoint="/v2/prices-history",
              params={"token_id": token(1, 0), "start": "1779990000", "end": "1780010000"},
              body={"data": [p for p, _, _ in POLY_POINTS],
                    "pagination": {"limit": 1000, "offset": 0, "has_more": False, "next_cursor": None}})
    land_page(wh, source="polymarket", resource="resolutions", endpoint="/v2/resolutions",
              params={"condition": cid(2)}, body={"data": [RESOLUTION]})
    land_page(wh, source="kalshi", resource="events", endpoint="/events", params={"with_nested_markets": "true"},
              body={"events": [KALSHI_EVENT], "cursor": ""})
    land_page(wh, source="kalshi", resource="trades", endpoint="/markets/trades", params={"ticker": "KXQUAL-26-A"},
              body={"trades": OLD_KALSHI_TRADES, "cursor": ""}, fetched_at=NOW - timedelta(days=3))
    land_page(wh, source="kalshi", resource="trades", endpoint="/markets/trades", params={"ticker": "KXQUAL-26-A"},
              body={"trades": [row for row, _, _ in KALSHI_TRADES], "cursor": ""})
    land_page(wh, source="kalshi", resource="candlesticks",
              endpoint="/series/KXQUAL/markets/KXQUAL-26-A/candlesticks", params={"period_interval": "60"},
              body={"ticker": "KXQUAL-26-A", "candlesticks": [c for c, _ in KALSHI_CANDLES]})


@pytest.fixture(scope="module")
def built(warehouse, dbt):
    warehouse.truncate_landing()
    warehouse.drop_models()
    land_pages(warehouse)
    return dbt("build")


def issues(wh) -> set[tuple]:
    return set(wh.rows("select source, resource, staging_model, entity_id, field, raw_value, reason "
                       "from marts.data_quality_issues"))


def warned_count(output: str, test: str) -> int:
    """The count a warn-level test reported in a dbt run's summary."""
    found = re.search(r"Warning in test " + test + r"[^\n]*\n[^\n]*Got (\d+) results?", output)
    assert found, f"no warning from {test}"
    return int(found.group(1))


def test_the_build_succeeds_and_the_warn_tests_count_the_findings(built):
    assert built.returncode == 0, built.output[-6000:]
    assert "ERROR=0" in built.output
    assert warned_count(built.output, "is_empty_data_quality_issues") == len(expected_issues())
    assert warned_count(built.output, "is_empty_landing_key_drift") == len(EXPECTED_DRIFT)


def test_every_unconvertible_value_is_listed_with_its_field_and_reason(built, warehouse):
    assert issues(warehouse) == expected_issues()
    huge = warehouse.rows("select raw_length, raw_type, entity_key, staging_column from marts.data_quality_issues "
                          "where field = 'liquidityNum'")
    assert huge == [(200_000, "string", "market_id", "liquidity")]
    # Each row points at its page: the landing row holds the value.
    for landing_id, field, raw_value in warehouse.rows(
            "select landing_id, field, raw_value from marts.data_quality_issues where staging_model = "
            "'stg_polymarket__markets'"):
        page = warehouse.value("select response::text from landing.raw_api_responses where landing_id = %s",
                               (landing_id,))
        assert json.dumps(field) in page


def test_bad_values_are_null_and_the_rest_of_each_page_is_modelled(built, warehouse):
    markets = dict(warehouse.rows("select market_id, volume from marts.markets"))
    assert set(markets) == {cid(1), cid(2), "KXQUAL-26-A", "KXQUAL-26-B"}
    bad = warehouse.rows("select created_at, scheduled_close_at, best_bid, best_ask, last_trade_price, volume, "
                         "liquidity, volume_24h from marts.markets where market_id = %s", (cid(2),))
    assert bad == [(None,) * 8]
    assert markets[cid(1)] == Decimal("1000.5")
    trades = {r[0] for r in warehouse.rows("select transaction_hash from marts.trades where source = 'polymarket'")}
    assert trades == {row["transaction_hash"] for row, _, modelled in POLY_TRADES if modelled}
    kalshi = set(r[0] for r in warehouse.rows("select trade_id from marts.trades where source = 'kalshi'"))
    assert kalshi == {r["trade_id"] for r in OLD_KALSHI_TRADES} | {r["trade_id"] for r, _, m in KALSHI_TRADES if m}
    assert warehouse.value("select quantity from marts.trades where trade_id = 'qt-13'") is None
    points = warehouse.rows("select snapshot_at, resolution_seconds from marts.price_snapshots "
                            "where source = 'polymarket' order by snapshot_at")
    assert [p[0].timestamp() for p in points] == [p["timestamp"] for p, _, m in POLY_POINTS if m]
    assert [p[1] for p in points] == [3600, None, None]
    candles = warehouse.rows("select snapshot_at, last from marts.price_snapshots "
                             "where market_id = 'KXQUAL-26-A' and outcome_id = 'yes' order by snapshot_at")
    assert [(c[0].timestamp(), c[1]) for c in candles] == [(1780000000, Decimal("0.41")), (1780003600, None)]


def test_analysts_read_both_views_and_not_the_tables_behind_them(built, warehouse):
    import psycopg

    from tests.support.warehouse import login_role

    with login_role(f"{warehouse.db.name}_quality_reader", "pm_analyst", database=warehouse.db.name) as db:
        with db.connect() as conn:
            issues_seen = conn.execute("select count(*) from marts.data_quality_issues").fetchone()[0]
            drift_seen = conn.execute("select count(*) from marts.landing_key_drift").fetchone()[0]
            assert (issues_seen, drift_seen) == (len(expected_issues()), len(EXPECTED_DRIFT))
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("select 1 from intermediate.int_wire_value_issues_recorded")


def test_drift_lists_the_new_key_and_the_key_that_stopped_arriving(built, warehouse):
    rows = warehouse.rows("select source, resource, staging_model, key, status, entities_seen, last_seen_at "
                          "from marts.landing_key_drift")
    assert {r[:5] for r in rows} == EXPECTED_DRIFT
    seen = {r[3]: (r[5], r[6]) for r in rows}
    assert seen["riskTier"][0] == 1
    assert seen["taker_book_side"][0] == len(OLD_KALSHI_TRADES)
    assert seen["taker_book_side"][1] < NOW - timedelta(days=2)


@pytest.fixture
def drift_log():
    """The records of the drift logger (a handler of its own: Airflow routes logging its own way)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append
    logger = logging.getLogger("prediction_markets.landing.drift")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_the_publish_step_logs_each_venue_drift(built, warehouse, drift_log):
    from prediction_markets.dag_factory import publish_landing

    for source in ("polymarket", "kalshi"):
        publish_landing.function(source, run_id="no-such-run")
    assert [(r.levelname, r.getMessage()) for r in drift_log] == [
        ("WARNING", "polymarket key drift (marts.landing_key_drift): markets unread: riskTier"),
        ("WARNING", "kalshi key drift (marts.landing_key_drift): trades missing: taker_book_side"),
    ]


def test_the_drift_log_is_skipped_without_the_model_and_never_raises(built, warehouse, drift_log):
    from prediction_markets.landing.drift import log_key_drift

    conn = warehouse.db.connect()
    try:
        assert log_key_drift(conn, "kalshi", ("marts", "no_such_relation")) is None
        assert not drift_log  # skipped silently
        # A relation that is not the drift model: a warning, never an exception.
        assert log_key_drift(conn, "kalshi", ("landing", "sync_state")) is None
        assert [r.levelname for r in drift_log] == ["WARNING"]
        assert "not checked" in drift_log[0].getMessage()
        # The connection is still usable.
        assert log_key_drift(conn, "kalshi") == {"trades": {"missing": ["taker_book_side"]}}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def rebuilt(built, warehouse, dbt):
    """One more page with a bad value, an incremental build, and the quality tables as they are then."""
    assert built.returncode == 0
    land_page(warehouse, source="polymarket", resource="trades", endpoint="/v2/trades",
              params={"condition": cid(1), "taker_only": "true"},
              body={"data": [poly_trade(20, price="1e-999999")],
                    "pagination": {"limit": 1000, "offset": 0, "has_more": False, "next_cursor": None}})
    result = dbt("build")
    return result, quality_tables(warehouse)


def quality_tables(wh) -> dict[str, list[tuple]]:
    return {
        "issues": wh.rows("select * from intermediate.int_wire_value_issues_recorded "
                          "order by staging_model, landing_id, entity_position, field"),
        "keys": wh.rows("select * from intermediate.int_landing_keys_observed "
                        "order by source, resource, staging_model, key"),
    }


def test_an_incremental_build_adds_new_pages_only_and_equals_a_full_refresh(rebuilt, warehouse, dbt):
    result, incremental = rebuilt
    assert result.returncode == 0, result.output[-6000:]
    assert issues(warehouse) == expected_issues() | {
        ("polymarket", "trades", "stg_polymarket__trades", cid(1), "price", "1e-999999", "number out of range")}
    counts = dict((r[3], r[6]) for r in incremental["keys"] if r[2] == "stg_polymarket__trades")
    assert counts["price"] == len(POLY_TRADES) + 1
    dbt("run", "--full-refresh", "--select", "int_wire_value_issues_recorded", "int_landing_keys_observed").check()
    assert quality_tables(warehouse) == incremental
