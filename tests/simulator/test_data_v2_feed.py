"""/v2/trades windows and freshness: three-year and month windows, CDN-stale page 1, ingestion
lag and /v2/status, the bare global feed (combo fills, unenriched rows)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from sim_truth import NOW_V2_TS, rows_of, sample_v2, walk
from venue_simulator import SimConfig, SimulatorServer

CDN = 300


def utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)


def test_market_feed_serves_three_years(http, oldsim):
    world, data = oldsim.polymarket, oldsim.url("polymarket/data")
    cid = world.condition_id(0)
    everything = world.v2_trades(cid, NOW_V2_TS, window=False)
    served = world.v2_trades(cid, NOW_V2_TS)
    lo = world.window_start("market", NOW_V2_TS)
    assert utc(lo) == utc(NOW_V2_TS).replace(year=utc(NOW_V2_TS).year - 3)
    older = [r for r in everything if r["timestamp"] < lo]
    assert older and served == [r for r in everything if r["timestamp"] >= lo]
    rows = rows_of(walk(http, f"{data}/v2/trades", {"condition": cid, "limit": 1000}))
    assert rows == served and min(r["timestamp"] for r in rows) >= lo
    # start/end are ignored without user ...
    ignored = http.get(f"{data}/v2/trades", params={"condition": cid, "start": 1, "limit": 5}).json()
    assert ignored["data"] == served[:5]
    # ... and honoured with it: start=1 reaches back past the window
    wallet = older[-1]["proxy_wallet"]
    full = rows_of(walk(http, f"{data}/v2/trades", {"condition": cid, "user": wallet, "start": 1, "limit": 1000}))
    assert full == [r for r in everything if r["proxy_wallet"] == wallet]
    assert min(r["timestamp"] for r in full) < lo


def test_global_feed_serves_this_and_last_month(http, v2sim):
    world, data = v2sim.polymarket, v2sim.url("polymarket/data")
    lo = world.window_start("global", NOW_V2_TS)
    assert utc(lo) == datetime(2026, 10, 1, tzinfo=timezone.utc)
    rows = rows_of(walk(http, f"{data}/v2/trades", {"limit": 1000}))
    assert rows == world.v2_global_trades(NOW_V2_TS)
    assert min(r["timestamp"] for r in rows) >= lo
    older = world.v2_trades(world.condition_id(0), NOW_V2_TS)
    assert any(r["timestamp"] < lo for r in older)        # the market feed reaches further back


def test_combo_fills_in_the_global_feed(http, v2sim):
    world, data = v2sim.polymarket, v2sim.url("polymarket/data")
    rows = rows_of(walk(http, f"{data}/v2/trades", {"limit": 1000}))
    combos = [r for r in rows if r["outcome_index"] == 999 and r["slug"] == ""]
    assert combos
    combo_ids = set(world.combo_condition_ids())
    for r in combos:
        assert re.fullmatch(r"0x[0-9a-f]{62}", r["condition_id"]) and r["condition_id"].endswith("000000")
        assert r["condition_id"] in combo_ids
        assert r["outcome"] == "" and r["event_slug"] == "" and " AND " in r["title"]
    cid = combos[0]["condition_id"]
    by_condition = rows_of(walk(http, f"{data}/v2/trades", {"condition": cid, "limit": 1000}))
    assert by_condition == world.v2_trades(cid, NOW_V2_TS)
    assert all(r["outcome_index"] == 999 for r in by_condition)
    event_rows = rows_of(walk(http, f"{data}/v2/trades", {"event_id": world.ids.event_id(0), "limit": 1000}))
    assert not {r["condition_id"] for r in event_rows} & combo_ids


def test_bare_feed_rows_lose_their_outcome_index(http, v2sim):
    world, data = v2sim.polymarket, v2sim.url("polymarket/data")
    rows = rows_of(walk(http, f"{data}/v2/trades", {"limit": 1000}))
    blank = [r for r in rows if r["outcome_index"] == 999 and r["slug"]]
    assert blank and all(r["event_slug"] == "" and r["outcome"] for r in blank)
    row = blank[0]
    same = [r for r in world.v2_trades(row["condition_id"], NOW_V2_TS)
            if (r["transaction_hash"], r["proxy_wallet"], r["size"]) ==
            (row["transaction_hash"], row["proxy_wallet"], row["size"])]
    assert len(same) == 1 and same[0]["outcome_index"] in (0, 1) and same[0]["event_slug"]
    assert {**same[0], "outcome_index": 999, "event_slug": ""} == row


def test_first_page_is_up_to_300_seconds_stale(http, v2sim):
    world, data = v2sim.polymarket, v2sim.url("polymarket/data")
    cid = world.condition_id(0)
    top = world.v2_trades(cid, NOW_V2_TS + 3 * 86400)
    # a fill made just after a CDN bucket started, the walk started shortly before the next one
    row = next(r for r in top if r["timestamp"] % CDN < 200)
    bucket = row["timestamp"] // CDN * CDN
    v2sim.set_now(bucket + 290)
    assert world.visible_horizon(bucket + 290) >= row["timestamp"]      # visible, but not on page 1
    first = http.get(f"{data}/v2/trades", params={"condition": cid, "limit": 1000})
    assert first.headers["cache-control"] == "public, max-age=300" and first.headers["age"] == "290"
    again = http.get(f"{data}/v2/trades", params={"condition": cid, "limit": 1000})
    assert again.headers["x-trace-id"] == first.headers["x-trace-id"] and again.content == first.content
    walk1 = rows_of(walk(http, f"{data}/v2/trades", {"condition": cid, "limit": 1000}))
    assert row not in walk1 and walk1 == world.v2_trades(cid, bucket)
    # the next walk from the top, cut at the first walk's start minus an overlap, misses nothing
    v2sim.set_now(bucket + 2 * CDN)
    cut = bucket + 290 - CDN - 40
    walk2 = []
    for _, body in walk(http, f"{data}/v2/trades", {"condition": cid, "limit": 1000}):
        walk2 += body["data"]
        if body["data"] and body["data"][-1]["timestamp"] < cut:
            break
    assert row in walk2
    merged = {(r["transaction_hash"], r["proxy_wallet"], r["size"]) for r in walk1 + walk2}
    truth = world.v2_trades(cid, bucket + 2 * CDN)
    assert merged == {(r["transaction_hash"], r["proxy_wallet"], r["size"]) for r in truth}


def test_cursor_pages_are_computed_now(http, v2sim):
    world, data = v2sim.polymarket, v2sim.url("polymarket/data")
    v2sim.set_now(NOW_V2_TS + 123)
    first = http.get(f"{data}/v2/trades", params={"limit": 3})
    second = http.get(f"{data}/v2/trades", params={"limit": 3, "cursor": first.json()["pagination"]["next_cursor"]})
    assert first.headers["age"] == "123" and "age" not in second.headers
    assert second.headers["x-trace-id"] != first.headers["x-trace-id"]


def test_ingestion_lag_hides_the_newest_seconds(http, v2sim):
    world, data = v2sim.polymarket, v2sim.url("polymarket/data")
    lags = {world.ingestion_lag(NOW_V2_TS + k * 60) for k in range(200)}
    assert min(lags) >= 2 and max(lags) <= 40 and len(lags) > 5
    horizons = [world.visible_horizon(NOW_V2_TS + k) for k in range(0, 3600, 7)]
    assert horizons == sorted(horizons)                                   # never un-sees a row
    cid = world.condition_id(0)
    future = reversed(world.v2_trades(cid, NOW_V2_TS + 200 * 86400))
    # a fill made in the last seconds before a CDN bucket edge, still being ingested at the edge
    row = next(r for r in future if r["timestamp"] > NOW_V2_TS
               and world.visible_horizon(-(-r["timestamp"] // CDN) * CDN) < r["timestamp"])
    edge = -(-row["timestamp"] // CDN) * CDN
    v2sim.set_now(edge)
    served = rows_of(walk(http, f"{data}/v2/trades", {"condition": cid, "limit": 1000}))
    assert row not in served and served == world.v2_trades(cid, edge)
    assert served[0]["timestamp"] <= world.visible_horizon(edge) < row["timestamp"] <= edge
    v2sim.set_now(edge + CDN)
    assert row in http.get(f"{data}/v2/trades", params={"condition": cid, "limit": 100}).json()["data"]


def test_status_reports_the_lag_in_the_recorded_shape(http, v2sim):
    world, data = v2sim.polymarket, v2sim.url("polymarket/data")
    recorded = sample_v2("status_v2_recorded.json")["data"]
    for offset in (0, 17, 45, 3599):
        now = NOW_V2_TS + offset
        v2sim.set_now(now)
        resp = http.get(f"{data}/v2/status")
        body = resp.json()["data"]
        assert set(body) == set(recorded) and set(body["serving"]) == set(recorded["serving"])
        assert set(body["ingestion"]) == set(recorded["ingestion"])
        assert [set(m) for m in body["serving"]["mechanisms"]] == [set(m) for m in recorded["serving"]["mechanisms"]]
        computed = int(datetime.fromisoformat(body["computed_at"].replace("Z", "+00:00")).timestamp())
        assert computed <= now and body["age_seconds"] == now - computed
        assert body["serving"]["lag_seconds"] == world.ingestion_lag(computed)
        assert body["ingestion"]["max_synced_block"] >= body["ingestion"]["min_synced_block"]
        assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["x-trace-id"])


def test_a_resumed_walk_and_a_fresh_cursor_read_agree(http, v2sim):
    data = v2sim.url("polymarket/data")
    first = http.get(f"{data}/v2/trades", params={"limit": 200}).json()
    cursor = first["pagination"]["next_cursor"]
    resumed = http.get(f"{data}/v2/trades", params={"cursor": cursor}).content     # continues page 1's merge
    fresh = http.get(f"{data}/v2/trades", params={"cursor": cursor}).content       # the merge is rebuilt
    assert resumed == fresh and len(json.loads(fresh)["data"]) == 200


def test_same_seed_same_bodies(http):
    bodies = []
    for seed in (3, 3, 4):
        with SimulatorServer(SimConfig(seed=seed, polymarket_markets=12, polymarket_trades=20_000,
                                       now=NOW_V2_TS)) as sim:
            world, data = sim.polymarket, sim.url("polymarket/data")
            cid, token = world.condition_id(0), world.token_ids(0)[0]
            first = http.get(f"{data}/v2/trades", params={"condition": cid, "limit": 50, "taker_only": "false"})
            bodies.append([
                first.content,
                http.get(f"{data}/v2/trades", params={"cursor": first.json()["pagination"]["next_cursor"]}).content,
                http.get(f"{data}/v2/trades", params={"limit": 50}).content,
                http.get(f"{data}/v2/prices-history", params={"token_id": token, "interval": "1w"}).content,
                http.get(f"{data}/v2/resolutions", params={"condition": ",".join(
                    world.condition_id(i) for i in range(world.market_count(NOW_V2_TS)))}).content,
            ])
    assert bodies[0] == bodies[1]
    assert all(a != b for a, b in zip(bodies[0], bodies[2]))
