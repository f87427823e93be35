"""Polymarket as its APIs answer since 2026 (Data API v2, Protocol V2 markets, /v2/resolutions,
/v2/prices-history, Gamma keyset envelopes), landed directly in the shapes the extraction lands
(the samples in ../shared/api-samples/polymarket/v2 plus generated rows), then `dbt build`.

Phase A lands markets, trades, fills, prices and resolutions; phase B lands a resolution that comes
after the market's last listing (it overturns the winner read from outcomePrices) and the taker row
of a transaction whose fills landed first, then builds incrementally; the result must equal a full
refresh. Expectations come from the pages written here (payouts, taker rows, prices), never from
the SQL under test. Runs on its own landing: it empties landing and the dbt schemas first.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.dbt.conftest import all_marts
from tests.support.landing import land_page, polymarket_trade_keys

pytestmark = pytest.mark.slow

SAMPLES = Path("/work/shared/api-samples/polymarket")
if not SAMPLES.exists():  # the same folder, relative to the main checkout
    SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "api-samples" / "polymarket"


def sample(name: str):
    return json.loads((SAMPLES / name).read_text())


def dec(x) -> Decimal | None:
    return None if x is None else Decimal(str(x)).normalize()


def ts(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def cid(n: int) -> str:
    return f"0x{n:064x}"


def token(n: int, k: int) -> str:
    return str(10**76 + n * 10 + k)


# ------------------------------------------------------------------------------------ the world

MARKETS_V2 = sample("v2/gamma_markets_keyset_v2.json")
EVENTS_V2 = sample("v2/gamma_events_keyset.json")
TRADES_V2 = sample("v2/trades_v2.json")["data"]
GLOBAL_V2 = sample("v2/trades_v2_global.json")["data"]
RECORDED_TRADES = sample("data_trades_v2.json")["data"]
RESOLUTIONS = sample("v2/resolutions_v2.json")["data"]
DISPUTED = sample("v2/resolutions_v2_recorded.json")["data"][0]
TERMINAL = sample("v2/resolutions_v2_terminal_recorded.json")["data"][0]
ETHIOPIA, FED = MARKETS_V2["markets"]
ETHIOPIA_CID, FED_CID = ETHIOPIA["conditionId"], FED["conditionId"]
CLOSE = 1780405200  # 2026-06-02 13:00 UTC: the close of the resolved generated markets
PADDED = "0x" + "5e" * 31  # a 62-hex-digit Gamma condition id


def market(n_or_cid, *, version="v1", closed=True, prices=("1", "0"), uma="resolved", tokens=None, **extra):
    """A Gamma market object (the recorded v1 layout trimmed), closed at CLOSE by default."""
    condition = n_or_cid if isinstance(n_or_cid, str) else cid(n_or_cid)
    n = int(condition[-8:], 16) % 10**6
    ids = list(tokens or (token(n, 0), token(n, 1)))
    body = {
        "id": str(3_000_000 + n), "question": f"Generated market {condition[:10]}?", "conditionId": condition,
        "slug": f"generated-{n}", "outcomes": json.dumps(["Yes", "No"]), "outcomePrices": json.dumps(list(prices)),
        "active": True, "closed": closed, "archived": False, "acceptingOrders": not closed, "enableOrderBook": True,
        "startDate": "2026-05-01T00:00:00Z", "endDate": "2026-06-02T12:00:00Z", "version": version,
        "umaResolutionStatuses": json.dumps([uma] if uma else []), "createdAt": "2026-04-30T00:00:00Z",
        "updatedAt": "2026-06-02T13:05:00Z", "events": [{"id": "900001", "slug": "generated", "title": "Generated"}],
    }
    if closed:
        body["closedTime"] = "2026-06-02 13:00:00+00"
        body["umaResolutionStatus"] = uma
    if version == "v2":
        body["positionIds"], body["clobTokenIds"] = ids, None
    else:
        body["clobTokenIds"] = json.dumps(ids)
    body.update(extra)
    return body


def resolution(condition, payouts=None, status="resolved", **extra):
    row = {"condition_id": condition, "status": status, "extended_review": False, "was_disputed": False,
           "new_version_q": False, "transaction_hash": "0x" + condition[2:].ljust(64, "0")[:64], "log_index": "3",
           "last_update_timestamp": "2026-06-03T10:00:00Z"}
    if payouts is not None:
        row.update(payouts=list(payouts), resolved_at="2026-06-03T10:00:00Z", resolution_source="reported")
    row.update(extra)
    return row


# Generated markets, each with the resolution landed for it (None: none landed in phase A).
STALE = market(11, version="v2", closed=False, prices=("0.4", "0.6"), uma=None,
               clobTokenIds=json.dumps([token(99, 0), token(99, 1)]))  # stale legacy ids: never used
V2_AS_STRING = market(12, version="v2", closed=False, prices=("0.5", "0.5"), uma=None)
V2_AS_STRING["positionIds"] = json.dumps(V2_AS_STRING["positionIds"])
NO_VERSION = market(13, closed=False, prices=("0.5", "0.5"), uma=None, clobTokenIds=[token(13, 0), token(13, 1)])
del NO_VERSION["version"]
ORACLE_WINNER = market(21)  # outcomePrices say Yes, the oracle paid No
VOID = market(22, prices=("0.5", "0.5"))
DISPUTED_MARKET = market(DISPUTED["condition_id"])  # prices 1/0 but the oracle is disputed
FALLBACK = market(24, prices=("0", "1"))  # no resolution landed: outcomePrices decide
LATE = market(25)  # outcomePrices say Yes; the oracle's answer (No) lands in phase B
TERMINAL_MARKET = market(TERMINAL["condition_id"], prices=("0.9995", "0.0005"))
FED_FROM_EVENT = FED  # listed both in /markets/keyset and in /events/keyset
PADDED_MARKET = market(PADDED, version="v2", closed=False, prices=("0.3", "0.7"), uma=None)
RECORDED = market(RECORDED_TRADES[0]["condition_id"], closed=False, prices=("0.7", "0.3"), uma=None,
                  tokens=(RECORDED_TRADES[0]["token_id"], RECORDED_TRADES[2]["token_id"]))
GENERATED = [STALE, V2_AS_STRING, NO_VERSION, ORACLE_WINNER, VOID, DISPUTED_MARKET, FALLBACK, LATE,
             TERMINAL_MARKET, PADDED_MARKET, RECORDED]

RESOLUTIONS_A = [RESOLUTIONS[0], RESOLUTIONS[1], resolution(ORACLE_WINNER["conditionId"], [0, 1_000_000]),
                 resolution(VOID["conditionId"], [500_000, 500_000]), DISPUTED, TERMINAL]
LATE_RESOLUTION = resolution(LATE["conditionId"], [0, 1_000_000], resolved_at="2026-06-04T08:00:00Z",
                             last_update_timestamp="1780560000")  # epoch form: 2026-06-04 08:00 UTC

LEGACY_EVENTS = [{"id": "900001", "title": "Generated", "slug": "generated", "closed": False,
                  "markets": [copy.deepcopy(m) for m in GENERATED[:2]]}]


def ids_of(m) -> list[str]:
    field = m.get("positionIds") if m.get("version") == "v2" else m.get("clobTokenIds")
    return json.loads(field) if isinstance(field, str) else list(field or [])


def all_outcome_ids() -> list[str]:
    return [t for m in [ETHIOPIA, FED, *GENERATED] for t in ids_of(m)]


def norm(condition: str) -> str:
    c = condition.lower()
    return c + "00" if len(c) == 64 else c


# ------------------------------------------------------------------------------- trades, fills

def trade(market_obj, k, wallet, tx, side, size, price, at, **extra):
    row = {"proxy_wallet": wallet, "side": side, "token_id": ids_of(market_obj)[k],
           "condition_id": norm(market_obj["conditionId"]), "size": size, "price": price, "timestamp": at,
           "title": market_obj["question"], "slug": market_obj["slug"], "icon": "", "event_slug": "generated",
           "outcome": ["Yes", "No"][k], "outcome_index": k, "name": "", "pseudonym": "", "bio": "",
           "profile_image": "", "profile_image_optimized": "", "transaction_hash": tx}
    row.update(extra)
    return row


def bare(row):
    """The same fill as the unfiltered feed serves it: outcome not labelable, no enrichment."""
    return {**row, "outcome_index": 999, "title": "", "slug": "", "icon": "", "event_slug": "", "outcome": "",
            "pseudonym": ""}


TAKER_A = TRADES_V2[0]  # the taker row of the sample transaction; its makers are TRADES_V2[1:]
ETHIOPIA_TAKERS = [TAKER_A] + [
    trade(ETHIOPIA, i % 2, f"0x{0xaa00 + i:040x}", f"0x{0xe700 + i:064x}", ("BUY", "SELL")[i % 3 == 0],
          10 + i, round(0.01 + i / 1000, 6), 1792320000 + 60 * i, title=ETHIOPIA["question"])
    for i in range(1, 9)]
TWIN = trade(ETHIOPIA, 0, "0x" + "ab" * 20, "0x" + "7e" * 32, "BUY", 5, 0.012, 1792320500)  # twice in one tx
PENDING_TX = "0x" + "9d" * 32
PENDING_TAKER = trade(ETHIOPIA, 1, "0x" + "c1" * 20, PENDING_TX, "BUY", 30, 0.99, 1792320700)
PENDING_MAKERS = [trade(ETHIOPIA, 1, "0x" + "c2" * 20, PENDING_TX, "SELL", 20, 0.99, 1792320700),
                  trade(ETHIOPIA, 1, "0x" + "c3" * 20, PENDING_TX, "SELL", 10, 0.99, 1792320700)]
FED_TAKER = GLOBAL_V2[0]
COMBO = GLOBAL_V2[1]
UNLABELED = GLOBAL_V2[2]  # an Ethiopia NO fill from the bare feed (outcome_index 999, event_slug "")
PADDED_TAKER = trade(PADDED_MARKET, 1, "0x" + "d4" * 20, "0x" + "d4" * 32, "BUY", 7, 0.7, 1792320900)
LEGACY_FILLS = [  # a v1 /trades page (takerOnly=false) of the fallback market: fills, never trades
    {"proxyWallet": "0x" + "e1" * 20, "side": "BUY", "asset": ids_of(FALLBACK)[1],
     "conditionId": FALLBACK["conditionId"], "size": 12, "price": 0.6, "timestamp": 1780400000, "outcomeIndex": 1, "transactionHash": "0x" + "e1" * 32},
    {"proxyWallet": "0x" + "e2" * 20, "side": "SELL", "asset": ids_of(FALLBACK)[1],
     "conditionId": FALLBACK["conditionId"], "size": 12, "price": 0.6, "timestamp": 1780400000,
     "outcomeIndex": 1, "transactionHash": "0x" + "e1" * 32},
]

TAKER_PAGES_A = [  # (request params, rows) of resource trades, taker_only=true
    ({"condition": ETHIOPIA_CID, "taker_only": "true", "limit": "1000"}, ETHIOPIA_TAKERS[:5] + [TWIN, TWIN]),
    ({"condition": ETHIOPIA_CID, "taker_only": "true", "cursor": "c2"}, ETHIOPIA_TAKERS[5:]),
    ({"taker_only": "true", "limit": "1000"}, [FED_TAKER, COMBO, bare(TAKER_A), UNLABELED]),  # the bare feed
    ({"condition": RECORDED["conditionId"], "taker_only": "true"}, RECORDED_TRADES),
    ({"condition": PADDED_MARKET["conditionId"], "taker_only": "true"}, [PADDED_TAKER]),
]
FILL_PAGES_A = [  # resource trade_fills, taker_only=false: taker and maker rows, no role
    ({"condition": ETHIOPIA_CID, "taker_only": "false"}, TRADES_V2 + PENDING_MAKERS + [PENDING_TAKER, COMBO]),
]
TAKER_PAGE_B = ({"condition": ETHIOPIA_CID, "taker_only": "true"}, [PENDING_TAKER, ETHIOPIA_TAKERS[1]])


def v2_body(rows, more=False):
    return {"data": rows, "pagination": {"limit": 1000, "offset": 0, "has_more": more,
                                         "next_cursor": "c" if more else None}}


# ------------------------------------------------------------------------------------- prices

def late_series(k):
    """The last page of a v2 price history of LATE's outcome k (3-hour buckets), ending with a terminal
    tick and the settlement point at the outcome's payout (No won: 1 for k = 1, 0 for k = 0)."""
    points = [{"timestamp": 1780358400 + 10800 * i, "price": [0.97, 0.03][k], "resolution_seconds": 10800}
              for i in range(5)]
    points.append({"timestamp": 1780408913, "price": [0.96, 0.04][k], "resolution_seconds": 0})
    points.append({"timestamp": 1780412400, "price": [0, 1][k], "resolution_seconds": 0})
    return {"data": points, "pagination": {"limit": 1000, "offset": 2000, "has_more": False, "next_cursor": None}}


PRICE_PAGES = [  # (endpoint, params, body)
    ("/v2/prices-history", {"token_id": ids_of(LATE)[0], "interval": "max", "bucket_seconds": "10800"}, late_series(0)),
    ("/v2/prices-history", {"token_id": ids_of(LATE)[1], "interval": "max", "bucket_seconds": "10800"}, late_series(1)),
    ("/v2/prices-history", {"token_id": ids_of(ORACLE_WINNER)[1], "interval": "max"},
     {**late_series(1), "data": late_series(1)["data"][-2:]}),
    # A CLOB page of the same YES token: hourly points; the one at 12:00 shares its instant with a bucket.
    ("/prices-history", {"market": ids_of(LATE)[0], "startTs": "1780398000", "endTs": "1780405199",
                         "fidelity": "60"},
     {"history": [{"t": 1780398000, "p": 0.975}, {"t": 1780401600, "p": 0.972}]}),
]


# ----------------------------------------------------------------------------------- fixtures

def land_phase_a(wh):
    land_page(wh, source="polymarket", resource="events", endpoint="/events/keyset", body=EVENTS_V2)
    land_page(wh, source="polymarket", resource="events", endpoint="/events", body=LEGACY_EVENTS,
              params={"closed": "false", "offset": "0"})
    land_page(wh, source="polymarket", resource="markets", endpoint="/markets/keyset", body=MARKETS_V2,
              params={"closed": "false", "limit": "100"})
    land_page(wh, source="polymarket", resource="markets", endpoint="/markets/keyset",
              body={"$schema": MARKETS_V2["$schema"], "markets": GENERATED}, params={"after_cursor": "x"})
    for params, rows in TAKER_PAGES_A:
        land_page(wh, source="polymarket", resource="trades", endpoint="/v2/trades", params=params,
                  body=v2_body(rows))
    for params, rows in FILL_PAGES_A:
        land_page(wh, source="polymarket", resource="trade_fills", endpoint="/v2/trades", params=params,
                  body=v2_body(rows))
    land_page(wh, source="polymarket", resource="trades", endpoint="/trades", body=LEGACY_FILLS,
              params={"market": FALLBACK["conditionId"], "takerOnly": "false", "offset": "0"})
    for endpoint, params, body in PRICE_PAGES:
        land_page(wh, source="polymarket", resource="prices", endpoint=endpoint, params=params, body=body)
    conditions = ",".join(r["condition_id"] for r in RESOLUTIONS_A)
    land_page(wh, source="polymarket", resource="resolutions", endpoint="/v2/resolutions",
              params={"condition": conditions}, body={"data": RESOLUTIONS_A})
    land_page(wh, source="polymarket", resource="resolutions", endpoint="/v2/resolutions",
              params={"condition": "x"}, body={"error": "internal", "code": "internal"}, status=500)


def land_phase_b(wh):
    land_page(wh, source="polymarket", resource="resolutions", endpoint="/v2/resolutions",
              params={"condition": LATE["conditionId"]}, body={"data": [LATE_RESOLUTION]})
    params, rows = TAKER_PAGE_B
    land_page(wh, source="polymarket", resource="trades", endpoint="/v2/trades", params=params, body=v2_body(rows))


@pytest.fixture(scope="module")
def phase_a(warehouse, dbt):
    warehouse.truncate_landing()
    warehouse.drop_models()
    land_phase_a(warehouse)
    return dbt("build").check()


@pytest.fixture(scope="module")
def phase_b(phase_a, warehouse, dbt):
    land_phase_b(warehouse)
    result = dbt("build").check()
    return result, all_marts(warehouse)


def markets_by_id(wh):
    rows = wh.rows("select market_id, status, winning_outcome_id, winning_outcome_name, is_void, resolution_status, "
                   "resolved_at, payouts, protocol_version, listed_start_at, opened_at, resolution_landing_id "
                   "from marts.markets where source = 'polymarket'")
    keys = ("status", "winner_id", "winner_name", "is_void", "resolution_status", "resolved_at", "payouts",
            "protocol_version", "listed_start_at", "opened_at", "resolution_landing_id")
    return {r[0]: dict(zip(keys, r[1:])) for r in rows}


# ------------------------------------------------------------------------------------ phase A

def test_build_passes(phase_a):
    assert "ERROR=0" in phase_a.output


def test_sql_trade_key_equals_the_documented_rule(phase_a, warehouse):
    pages = warehouse.rows("select landing_id, response from landing.raw_api_responses where source = 'polymarket' "
                           "and resource in ('trades', 'trade_fills') and status_code = 200")
    sql = defaultdict(list)
    for landing_id, trade_id in warehouse.rows(
            "select landing_id, trade_id from staging.stg_polymarket__trades order by landing_id, entity_position"):
        sql[landing_id].append(trade_id)
    for landing_id, response in pages:
        rows = response["data"] if isinstance(response, dict) else response
        assert sql[landing_id] == polymarket_trade_keys(rows), landing_id


def test_each_taker_row_is_one_trade(phase_a, warehouse):
    """Every distinct taker row once (the sample taker row landed by a condition walk and by the bare
    feed counts once), with its market's outcome index; identical rows of one page are two trades;
    combo rows and fills pages never reach trades."""
    expected = {}
    for _, rows in TAKER_PAGES_A:
        for key, row in zip(polymarket_trade_keys(rows), rows):
            if row is not COMBO:
                expected[key] = row
    trades = {r[0]: r[1:] for r in warehouse.rows(
        "select trade_id, market_id, outcome_id, outcome_index, quantity, price, wallet_address, transaction_hash "
        "from marts.trades where source = 'polymarket'")}
    assert set(trades) == set(expected)
    assert len([k for k, r in expected.items() if r is TWIN or r == TWIN]) == 2
    for key, row in expected.items():
        market_id, outcome_id, index, quantity, price, wallet, tx = trades[key]
        assert (market_id, outcome_id, wallet, tx) == (
            row["condition_id"].lower(), row["token_id"], row["proxy_wallet"].lower(), row["transaction_hash"])
        owner = next(m for m in [ETHIOPIA, FED, *GENERATED] if norm(m["conditionId"]) == market_id)
        assert index == ids_of(owner).index(outcome_id)  # never the feed's 999
        assert dec(quantity) == dec(row["size"]) and dec(price) == dec(round(Decimal(str(row["price"])), 6))
    ethiopia = warehouse.value("select sum(quantity) from marts.trades where market_id = %s", (ETHIOPIA_CID,))
    distinct_rows = {k: r for k, r in expected.items() if r["condition_id"] == ETHIOPIA_CID}
    assert dec(ethiopia) == dec(sum(Decimal(str(r["size"])) for r in distinct_rows.values()))
    assert warehouse.value("select count(*) from marts.trades where market_id = %s",
                           (COMBO["condition_id"],)) == 0
    combo = warehouse.rows("select distinct is_combo from staging.stg_polymarket__trades where market_id = %s",
                           (COMBO["condition_id"],))
    assert combo == [(True,)]


def test_fills_carry_their_role(phase_a, warehouse):
    """The sample transaction: its taker row is the taker fill (same id as the trade), the makers sum
    to the taker's size. A transaction whose taker row has not landed yet has no role; legacy v1 fills
    have none either and never reach trades."""
    fills = {r[0]: r[1:] for r in warehouse.rows(
        "select fill_id, role, transaction_hash, quantity, market_id from marts.trade_fills "
        "where source = 'polymarket'")}
    page_rows = FILL_PAGES_A[0][1]
    keys = dict(zip(polymarket_trade_keys(page_rows), page_rows))
    legacy = dict(zip(polymarket_trade_keys(LEGACY_FILLS), LEGACY_FILLS))
    assert set(fills) == {k for k, r in keys.items() if r is not COMBO} | set(legacy)
    roles = {k: fills[k][0] for k in keys if keys[k] is not COMBO}
    taker_key = polymarket_trade_keys([TAKER_A])[0]
    assert roles[taker_key] == "taker"
    assert warehouse.value("select count(*) from marts.trades where trade_id = %s", (taker_key,)) == 1
    makers = [k for k, r in keys.items() if r in TRADES_V2[1:]]
    assert makers and all(roles[k] == "maker" for k in makers)
    assert sum(dec(fills[k][2]) for k in makers) == dec(TAKER_A["size"])
    pending = [k for k, r in keys.items() if r["transaction_hash"] == PENDING_TX]
    assert len(pending) == 3 and all(roles[k] is None for k in pending)
    assert all(fills[k][0] is None for k in legacy)
    assert warehouse.value("select count(*) from marts.trades where market_id = %s",
                           (FALLBACK["conditionId"],)) == 0


def test_outcome_ids_follow_the_protocol_version(phase_a, warehouse):
    assert len(set(all_outcome_ids())) == len(all_outcome_ids()), "the world's outcome ids are distinct"
    rows = warehouse.rows("select market_id, outcome_id, outcome_index, token_id, id_protocol from "
                          "marts.market_outcomes where source = 'polymarket'")
    got = defaultdict(dict)
    for market_id, outcome_id, index, token_id, protocol in rows:
        assert token_id == outcome_id
        got[market_id][index] = (outcome_id, protocol)
    for m in [ETHIOPIA, FED, *GENERATED]:
        v2 = m.get("version") == "v2"
        want = {i: (t, "position_manager" if v2 else "ctf") for i, t in enumerate(ids_of(m))}
        assert got[norm(m["conditionId"])] == want, m["conditionId"]
    stale = set(json.loads(STALE["clobTokenIds"]))
    assert not stale & {r[1] for r in rows}
    markets = markets_by_id(warehouse)
    assert PADDED + "00" in markets and PADDED not in markets
    assert markets[norm(FED_CID)]["protocol_version"] == "v2"
    assert markets[norm(NO_VERSION["conditionId"])]["protocol_version"] == "v1"


def expected_resolution(m, resolutions):
    """(status, winner index, is_void) from the landed resolution, else from outcomePrices."""
    row = next((r for r in reversed(resolutions) if r["condition_id"].lower() == norm(m["conditionId"])), None)
    if row is not None:
        payouts = row.get("payouts") if row["status"] == "resolved" else None
        if payouts is None:
            return ("closed" if m["closed"] else "open"), None, None
        if len(set(payouts)) == 1:
            return "resolved", None, True
        return "resolved", (payouts.index(1_000_000) if sorted(payouts) == [0, 1_000_000] else None), False
    prices = json.loads(m["outcomePrices"])
    if m["closed"] and sorted(prices) == ["0", "1"] and m.get("umaResolutionStatus", "resolved") == "resolved":
        return "resolved", prices.index("1"), False
    return ("closed" if m["closed"] else "open"), None, None


def check_markets(wh, resolutions):
    markets = markets_by_id(wh)
    for m in [ETHIOPIA, FED, *GENERATED]:
        got = markets[norm(m["conditionId"])]
        status, winner, void = expected_resolution(m, resolutions)
        assert (got["status"], got["is_void"]) == (status, void), m["conditionId"]
        assert got["winner_id"] == (ids_of(m)[winner] if winner is not None else None), m["conditionId"]
        assert got["winner_name"] == (json.loads(m["outcomes"])[winner] if winner is not None else None)
    return markets


def test_markets_resolve_from_the_oracle_with_the_prices_as_fallback(phase_a, warehouse):
    markets = check_markets(warehouse, RESOLUTIONS_A)
    fed = markets[norm(FED_CID)]
    assert fed["payouts"] == [0, 1] and fed["resolved_at"] == datetime(2026, 12, 10, 19, 42, 6, tzinfo=UTC)
    assert markets[DISPUTED["condition_id"]]["resolution_status"] == "disputed"
    assert markets[norm(VOID["conditionId"])]["payouts"] == [0.5, 0.5]
    assert markets[norm(LATE["conditionId"])]["resolution_landing_id"] is None
    assert markets[norm(LATE["conditionId"])]["status"] == "resolved"  # from its prices, for now
    ethiopia = markets[norm(ETHIOPIA_CID)]
    assert ethiopia["listed_start_at"] == datetime(2026, 4, 27, 21, 55, 14, 576000, tzinfo=UTC)
    outcome_payouts = dict(warehouse.rows(
        "select outcome_id, payout from marts.market_outcomes where market_id = %s", (VOID["conditionId"],)))
    assert {dec(v) for v in outcome_payouts.values()} == {Decimal("0.5")}


def test_price_points_keep_their_resolution_and_the_settlement_point(phase_a, warehouse):
    yes, no = ids_of(LATE)
    rows = {(r[0], r[1]): r[2:] for r in warehouse.rows(
        "select outcome_id, extract(epoch from snapshot_at)::bigint, implied_probability, resolution_seconds, "
        "is_settlement from marts.price_snapshots where source = 'polymarket'")}
    # 12:00: a 3-hour bucket and an hourly CLOB point share the instant: the finer (3600 s) wins.
    assert rows[(yes, 1780401600)][:2] == (Decimal("0.972"), 3600)
    assert rows[(yes, 1780398000)][1] == 3600 and rows[(yes, 1780358400)][1] == 10800
    assert rows[(yes, 1780408913)] == (Decimal("0.96"), 0, False)  # terminal tick after the close
    # The oracle answer is not landed yet: LATE is resolved from outcomePrices (Yes won), so the
    # settlement points (No won: YES at 0, NO at 1) do not match the payouts yet.
    assert rows[(yes, 1780412400)][1:] == (0, False) and rows[(no, 1780412400)][1:] == (0, False)
    winner_no = ids_of(ORACLE_WINNER)[1]
    assert rows[(winner_no, 1780412400)] == (Decimal(1), 0, True)
    assert rows[(winner_no, 1780408913)][2] is False


# ------------------------------------------------------------------------------------ phase B

def test_late_resolution_updates_the_market_incrementally(phase_b, warehouse):
    result, _ = phase_b
    assert "ERROR=0" in result.output
    markets = check_markets(warehouse, RESOLUTIONS_A + [LATE_RESOLUTION])
    late = markets[norm(LATE["conditionId"])]
    assert late["winner_name"] == "No" and late["payouts"] == [0, 1]
    assert late["resolved_at"] == datetime(2026, 6, 4, 8, tzinfo=UTC) and late["resolution_landing_id"]
    outcomes = {r[0]: (r[1], dec(r[2])) for r in warehouse.rows(
        "select outcome_id, is_winner, payout from marts.market_outcomes where market_id = %s", (LATE["conditionId"],))}
    yes, no = ids_of(LATE)
    assert outcomes == {yes: (False, Decimal(0)), no: (True, Decimal(1))}
    settled = warehouse.rows("select outcome_id, implied_probability from marts.price_snapshots "
                             "where market_id = %s and is_settlement order by outcome_id", (LATE["conditionId"],))
    assert sorted(settled) == sorted([(yes, Decimal(0)), (no, Decimal(1))])


def test_taker_row_landed_after_its_fills_sets_their_roles(phase_b, warehouse):
    rows = dict(warehouse.rows("select fill_id, role from marts.trade_fills where transaction_hash = %s",
                               (PENDING_TX,)))
    taker = polymarket_trade_keys([PENDING_TAKER])[0]
    assert rows.pop(taker) == "taker" and set(rows.values()) == {"maker"} and len(rows) == 2
    # The taker page repeats a trade landed in phase A: still one row.
    again = polymarket_trade_keys([ETHIOPIA_TAKERS[1]])[0]
    assert warehouse.value("select count(*) from marts.trades where trade_id = %s", (again,)) == 1


def test_incremental_equals_full_refresh(phase_b, warehouse, dbt):
    _, incremental = phase_b
    dbt("run", "--full-refresh").check()
    assert all_marts(warehouse) == incremental
