"""Data API GET /v2/resolutions: selectors, row shapes and quirks, lifecycles consistent with Gamma."""
from __future__ import annotations

import json
import re

import pytest

from sim_truth import DAY, NOW_V2_TS, sample_v2

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
SELECTORS = "provide exactly one of 'question_id', 'condition', or 'event_id'"
UMA_KEYS = list(sample_v2("resolutions_v2_recorded.json")["data"][0])
TERMINAL_KEYS = list(sample_v2("resolutions_v2.json")["data"][0])


@pytest.fixture(scope="module")
def world(richsim):
    return richsim.polymarket


@pytest.fixture(scope="module")
def data(richsim):
    return richsim.url("polymarket/data")


def get(http, data, **params):
    resp = http.get(f"{data}/v2/resolutions", params=params)
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-trace-id"]
    return resp.json()["data"]


def in_order(keys: list[str], reference: list[str]) -> bool:
    return set(keys) <= set(reference) and keys == [k for k in reference if k in keys]


def check_shape(row: dict) -> None:
    if row["status"] == "resolved" and "payouts" in row:          # terminal row
        assert in_order(list(row), TERMINAL_KEYS), list(row)
        assert RFC3339.match(row["last_update_timestamp"]) and RFC3339.match(row["resolved_at"])
        assert isinstance(row["resolved_block"], int)
        assert row["payouts"] in ([1_000_000, 0], [0, 1_000_000], [500_000, 500_000])
        assert row["resolution_source"] in ("reported", "derived")
        assert "question_id" not in row and "proposed_price" not in row
    elif "question_id" in row:                                      # UMA lifecycle row
        assert in_order(list(row), UMA_KEYS), list(row)
        assert row["last_update_timestamp"].isdigit()
        assert "payouts" not in row
        for key in ("proposed_price", "reproposed_price", "price"):
            assert row[key] in ("69", "0", "500000000000000000", "1000000000000000000")
    else:                                                           # native Protocol V2 row
        assert row["status"] in ("active", "proposed", "arbitration")
        assert RFC3339.match(row["last_update_timestamp"])
    assert ("expected_settlement_time" in row) == ("settlement_time_basis" in row)
    assert (row["transaction_hash"] == "") == (row["log_index"] == "")
    assert row["log_index"] == "" or row["log_index"].isdigit()


def test_every_condition_in_batches_of_20_matches_the_ground_truth(http, data, world):
    truth = world.resolutions(NOW_V2_TS)
    cids = [world.condition_id(i) for i in range(world.market_count(NOW_V2_TS))]
    rows = []
    for k in range(0, len(cids), 20):
        rows += get(http, data, condition=",".join(cids[k:k + 20]))
    assert rows == truth
    statuses = {r["status"] for r in rows}
    assert {"initialized", "posed", "proposed", "disputed", "resolved", "active"} <= statuses
    for row in rows:
        check_shape(row)
    terminal = [r for r in rows if r["status"] == "resolved"]
    assert any("reporter" not in r and r["resolution_source"] == "reported" for r in terminal)
    assert any("was_arbitrated" not in r for r in terminal) and any(r["transaction_hash"] == "" for r in terminal)
    assert any("expected_settlement_time" in r for r in rows if r["status"] != "resolved")


def test_chainlink_markets_have_no_row_until_they_settle(http, data, world, richsim):
    i = next(i for i in range(world.market_count(NOW_V2_TS)) if world.lifecycle(i)["kind"] == "crypto")
    plan = world.resolution_plan(i)
    assert plan.reporter == "CHAINLINK" and plan.proposed_at is None
    richsim.set_now(plan.close + 30)
    assert get(http, data, condition=world.condition_id(i)) == []
    richsim.set_now(plan.resolved_at)
    row = get(http, data, condition=world.condition_id(i))[0]
    assert row["status"] == "resolved" and row.get("reporter", "CHAINLINK") == "CHAINLINK"
    assert plan.resolved_at - plan.close <= 600


def test_a_disputed_market_through_its_lifecycle(http, data, world, richsim):
    i = next(i for i in range(world.n) if world.resolution_plan(i).disputed and not world.is_v2(i)
             and world.resolution_plan(i).question_id)
    plan = world.resolution_plan(i)
    cid = world.condition_id(i)
    seen = []
    for at, status in ((plan.close - 60, None), (plan.proposed_at, "proposed"), (plan.challenged_at, "challenged"),
                       (plan.reproposed_at, "reproposed"), (plan.disputed_at, "disputed"),
                       (plan.resolved_at, "resolved")):
        richsim.set_now(at + 1)
        rows = get(http, data, condition=cid)
        assert len(rows) == 1 and rows[0] == world.resolution(i, at + 1)
        row = rows[0]
        check_shape(row)
        seen.append(row["status"])
        if status is not None:
            assert row["status"] == status
        market = http.get(f"{richsim.url('polymarket/gamma')}/markets/{world.market_id(i)}").json()
        assert market["closed"] == (at + 1 >= plan.close)
        expected = {None: None, "proposed": "proposed", "challenged": "disputed", "reproposed": "proposed",
                    "disputed": "disputed", "resolved": "resolved"}[status]
        assert market.get("umaResolutionStatus") == expected
        if status == "proposed":
            assert row["proposed_price"] != "69" and row["reproposed_price"] == "69" and row["price"] == "69"
        if status == "reproposed":
            assert row["reproposed_price"] != row["proposed_price"] and row["was_disputed"] is True
        if status == "disputed" and "settlement_time_basis" in row:
            assert row["settlement_time_basis"] == "dvm_round_estimate"
            assert row["expected_settlement_time"].endswith("T00:00:00Z")
        if status == "resolved":
            assert row["was_disputed"] is True and row["payouts"] == list(world.payouts(i))
            assert market["outcomePrices"] in ('["1", "0"]', '["0", "1"]', '["0", "0"]', '["0.5", "0.5"]') or \
                "0.99" in market["outcomePrices"]
    assert seen[0] in ("initialized", "posed")
    assert plan.resolved_at - plan.disputed_at >= 2 * DAY                         # the DVM takes days


def test_void_markets_pay_half_each(http, data, world):
    void = [i for i in range(world.market_count(NOW_V2_TS)) if world.lifecycle(i)["res_kind"] == "void"
            and world.resolution_stage(i, NOW_V2_TS) == "resolved"]
    assert void
    for i in void:
        row = get(http, data, condition=world.condition_id(i))[0]
        assert row["payouts"] == [500_000, 500_000]
        assert json.loads(world.market(i, NOW_V2_TS)["outcomePrices"]) == ["0.5", "0.5"]
    question = world.question_resolution(void[0], NOW_V2_TS)
    if question is not None:
        assert question["price"] == "500000000000000000"


def test_question_lookups(http, data, world):
    i = next(i for i in range(world.market_count(NOW_V2_TS)) if world.question_resolution(i, NOW_V2_TS))
    qid = world.question_id(i)
    assert world.market(i, NOW_V2_TS)["questionID"] == qid
    rows = get(http, data, question_id=qid)
    assert rows == [world.question_resolution(i, NOW_V2_TS)]
    assert "condition_id" not in rows[0] and rows[0]["question_id"] == qid
    assert rows[0]["last_update_timestamp"].isdigit()
    assert get(http, data, questionId="0x" + "0" * 64) == []


def test_event_lookups_list_the_event_markets(http, data, world):
    first = 1                                     # the 4-market neg-risk event
    rows = get(http, data, event_id=world.ids.event_id(first))
    assert [r["condition_id"] for r in rows] == [world.condition_id(i) for i in world.event_markets(first)
                                                 if world.resolution(i, NOW_V2_TS) is not None]
    derived = [r for i in range(world.market_count(NOW_V2_TS)) for r in [world.resolution(i, NOW_V2_TS)]
               if r and r.get("resolution_source") == "derived"]
    assert derived and all(r["transaction_hash"] == "" and "reporter" not in r for r in derived)
    assert all(r["market_type"] in ("ATOMIC_NEGRISK", "INCREMENTAL_NEGRISK") for r in derived if "market_type" in r)


def test_protocol_v2_markets_have_native_rows(http, data, world):
    v2 = [i for i in range(world.market_count(NOW_V2_TS)) if world.is_v2(i)]
    assert v2
    for i in v2:
        row = get(http, data, condition=world.condition_id(i))[0]
        assert "question_id" not in row and RFC3339.match(row["last_update_timestamp"])
        if world.resolution_stage(i, NOW_V2_TS) == "open":
            assert row["status"] == "active"


@pytest.mark.parametrize("params", [{}, {"condition": "0x" + "1" * 64, "event_id": "1"},
                                    {"question_id": "0x" + "1" * 64, "condition": "0x" + "1" * 64}])
def test_exactly_one_selector(http, data, params):
    resp = http.get(f"{data}/v2/resolutions", params=params)
    assert resp.status_code == 400
    body = resp.json()
    assert body["error"] == SELECTORS and body["code"] == "invalid_request"
    assert resp.headers["x-trace-id"] == body["trace_id"]


def test_bad_selectors(http, data):
    url = f"{data}/v2/resolutions"
    too_many = ",".join("0x" + f"{k:064x}" for k in range(21))
    for params, parameter in (({"condition": too_many}, "condition"), ({"condition": "0x12"}, "condition"),
                              ({"event_id": "abc"}, "event_id"), ({"event_id": "0"}, "event_id"),
                              ({"event_id": ",".join(str(k) for k in range(1, 22))}, "event_id"),
                              ({"question_id": "12"}, "question_id"), ({"offset": 1}, "offset")):
        resp = http.get(url, params=params)
        assert resp.status_code == 400, params
        assert resp.json()["parameter"] == parameter
    assert get(http, data, condition="0x" + "ab" * 32) == []
