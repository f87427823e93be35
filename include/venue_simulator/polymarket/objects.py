"""Gamma market and event objects (key order, wire types and omissions as served)."""
from __future__ import annotations

from ..timeutil import date_only, iso_z, pg_time
from .hashing import S_FMT, S_V2, h
from .resolution import gamma_status
from .state import last_trade_p0, liquidity, top_of_book, volumes

DAY = 86400
COLLATERAL = "0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174"


def numstr(x: float) -> str:
    """Gamma numeric strings: "0", "500", "74637265.46443298"."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def jlist(items) -> str:
    """JSON-in-string the way Gamma writes it: '["Yes", "No"]'."""
    return "[" + ", ".join('"' + s.replace('"', '\\"') + '"' for s in items) + "]"


def half_tick_str(half_ticks: int, units: int) -> str:
    digits = 3 if units == 100 else 4
    return f"{half_ticks / (2 * units):.{digits}f}".rstrip("0").rstrip(".") or "0"


# ---------------------------------------------------------------------------- markets

def market_object(w, i: int, now: float, embed_event: bool) -> dict:
    tl, ids = w.timeline, w.ids
    life = tl.life(i)
    ev = tl.event(life.first)
    st = w.static(i)
    path = w.path(i)
    closed = now >= life.close
    r = h(w.seed, S_FMT, i)
    units = life.units
    tick = 1 / units
    tok0, tok1 = w.token_ids(i)
    start_us = (r >> 20) % 1_000_000
    start_ts = life.accepting + 5 + (r >> 40) % 60
    crypto = life.kind == "crypto"
    neg_risk = ev.neg_risk
    nrm = ids.neg_risk_market_id(life.first) if neg_risk else None

    if closed:
        bid_t, ask_t = top_of_book(w, i, life.close - 1)
        if life.res_kind == "exact":
            prices = ["1", "0"] if life.winner == 0 else ["0", "1"]
        elif life.res_kind == "zero":
            prices = ["0", "0"]
        elif life.res_kind == "void":
            prices = ["0.5", "0.5"]
        else:
            hi = ("0.9995", "0.9985", "0.999", "0.9965")[(r >> 8) % 4]
            lo = f"{1 - float(hi):.4f}".rstrip("0")
            prices = [hi, lo] if life.winner == 0 else [lo, hi]
    else:
        bid_t, ask_t = top_of_book(w, i, now)
        prices = [half_tick_str(bid_t + ask_t, units), half_tick_str(2 * units - bid_t - ask_t, units)]
        vol, v24, v1w, v1m, v1y = volumes(w, i, now)
    last = last_trade_p0(w, i, min(now, life.close))

    m: dict = {}
    m["id"] = ids.market_id(i)
    m["question"] = st["question"]
    m["conditionId"] = ids.condition_id(i)
    m["slug"] = st["slug"]
    m["resolutionSource"] = st["resolution_source"]
    m["endDate"] = iso_z(life.end)
    if not closed:
        liq = liquidity(w, i, now)
        m["liquidity"] = numstr(liq)
    m["startDate"] = iso_z(start_ts, start_us, 6 if crypto else 3)
    m["image"] = st["image"]
    m["icon"] = st["image"]
    m["description"] = st["description"]
    m["outcomes"] = jlist(st["outcomes"])
    m["outcomePrices"] = jlist(prices)
    if not closed:
        m["volume"] = numstr(vol)
    m["active"] = True
    m["closed"] = closed
    m["marketMakerAddress"] = ""
    m["createdAt"] = iso_z(life.created, r % 1_000_000, -1)
    m["updatedAt"] = _updated_at(w, i, life, now, closed)
    if closed:
        m["closedTime"] = pg_time(life.close)
    m["new"] = now - life.created < 2 * DAY
    m["featured"] = st["featured"]
    if not crypto:
        m["submitted_by"] = "0x91430CaD2d3975766499717fA0D66A78D814E5c5"
    m["archived"] = False
    if not crypto:
        m["resolvedBy"] = st["resolved_by"]
    m["restricted"] = st["restricted"]
    if not crypto:
        m["groupItemTitle"] = st["group_title"]
    m["groupItemThreshold"] = st["threshold"]
    m["questionID"] = (nrm[:-2] + f"{life.pos:02x}") if neg_risk else ids.question_id(i)
    if closed and not crypto:
        m["umaEndDate"] = iso_z(life.close)
    m["enableOrderBook"] = True
    m["orderPriceMinTickSize"] = tick
    m["orderMinSize"] = 5
    uma_status, uma_history = gamma_status(w.resolution_plan(i), now)
    if uma_status is not None:
        m["umaResolutionStatus"] = uma_status
    if not closed:
        m["volumeNum"] = vol
        m["liquidityNum"] = liq
    m["endDateIso"] = date_only(life.end)
    m["startDateIso"] = date_only(start_ts)
    m["hasReviewedDates"] = True
    if not closed:
        m["volume24hr"] = v24
        m["volume1wk"] = v1w
        m["volume1mo"] = v1m
        m["volume1yr"] = v1y
    v2 = w.is_v2(i)
    if not v2:
        m["clobTokenIds"] = jlist((tok0, tok1))
        if st["v2"] and not crypto and not closed:
            m["comboStatus"] = "disabled"
    else:   # Protocol V2: ids by `version`; clobTokenIds null or legacy ids the CLOB does not know
        rv = h(w.seed, S_V2, i, 1)
        m["clobTokenIds"] = jlist(w.legacy_token_ids(i)) if rv % 4 == 0 else None
        m["positionIds"] = [tok0, tok1]
        m["comboStatus"] = ("pending", "enabled", "enabled", "disabled")[(rv >> 8) % 4]
    if not crypto:
        m["umaBond"] = st["uma_bond"]
        m["umaReward"] = st["uma_reward"]
    if not closed:
        m["volume24hrClob"] = v24
        m["volume1wkClob"] = v1w
        m["volume1moClob"] = v1m
        m["volume1yrClob"] = v1y
        m["volumeClob"] = vol
        m["liquidityClob"] = liq
        if st["fees"]:
            m["makerBaseFee"] = 1000
            m["takerBaseFee"] = 1000
    if not crypto:
        m["customLiveness"] = 0
    m["acceptingOrders"] = not closed and now >= life.accepting
    m["negRisk"] = neg_risk
    if neg_risk:
        m["negRiskMarketID"] = nrm
    if not crypto:
        m["negRiskRequestID"] = ids.neg_risk_request_id(i) if neg_risk else ""
    if embed_event:
        m["events"] = [embedded_event(w, life.first, now)]
    m["ready"] = False
    m["funded"] = False
    m["acceptingOrdersTimestamp"] = iso_z(life.accepting)
    m["cyom"] = False
    if not closed:
        m["competitive"] = st["competitive"]
    m["pagerDutyNotificationEnabled"] = False
    m["approved"] = True
    if not closed and st["rewards_min_size"] and (r >> 30) % 2 == 0:
        m["clobRewards"] = [{
            "id": str(200000 + (r >> 12) % 200000), "conditionId": ids.condition_id(i),
            "assetAddress": COLLATERAL, "rewardsAmount": 0,
            "rewardsDailyRate": (0.001, 5, 25, 600)[(r >> 33) % 4],
            "startDate": date_only(life.accepting), "endDate": "2500-12-31"}]
    m["rewardsMinSize"] = st["rewards_min_size"]
    m["rewardsMaxSpread"] = st["rewards_max_spread"]
    m["spread"] = round((ask_t - bid_t) / units, 4)
    if closed:
        m["automaticallyResolved"] = True
    else:
        p_now = path.p(int(now))
        for key, span in (("oneDayPriceChange", DAY), ("oneWeekPriceChange", 7 * DAY),
                          ("oneMonthPriceChange", 30 * DAY)):
            if now - span > life.accepting:
                m[key] = round(p_now - path.p(int(now - span)), 4)
    m["lastTradePrice"] = round(last, 3) if last is not None else 0
    if not closed:
        m["bestBid"] = bid_t / units
    m["bestAsk"] = ask_t / units
    m["automaticallyActive"] = True
    m["clearBookOnStart"] = st["clear_book"]
    if not crypto:
        m["seriesColor"] = ""
    m["showGmpSeries"] = False
    m["showGmpOutcome"] = False
    m["manualActivation"] = False
    m["negRiskOther"] = False
    m["umaResolutionStatuses"] = _uma_history(uma_history, r)
    m["pendingDeployment"] = False
    m["deploying"] = False
    if not crypto:
        m["deployingTimestamp"] = iso_z(life.created + 19, (r >> 7) % 1_000_000, -1)
    m["rfqEnabled"] = False
    if ev.start_time is not None:
        m["eventStartTime"] = iso_z(ev.start_time)
    m["holdingRewardsEnabled"] = st["holding_rewards"]
    m["feesEnabled"] = st["fees"]
    m["requiresTranslation"] = False
    if crypto:
        m["makerRebatesFeeShareBps"] = 10000
    m["feeType"] = st["fee_type"]
    if st["fees"] and not closed:
        m["feeSchedule"] = {"exponent": 1, "rate": 0.25 if crypto else 0.05, "takerOnly": True,
                            "rebateRate": 0.25}
    if v2:
        m["version"] = "v2"
    elif st["v2"] and not closed:
        m["version"] = "v1"
    return m


def _updated_at(w, i: int, life, now: float, closed: bool) -> str:
    if closed:
        ts = min(int(now), life.close + 600 + h(w.seed, S_FMT, i, 1) % 86400)
    else:
        bucket = int(now) // 600
        ts = max(life.created, bucket * 600 - h(w.seed, S_FMT, i, bucket) % 600)
    return iso_z(ts, h(w.seed, S_FMT, i, ts) % 1_000_000, -1)


def _uma_history(history: list[str], r: int) -> str:
    """The status history, which often lags behind ``umaResolutionStatus`` once resolved."""
    if history and history[-1] == "resolved":
        roll = (r >> 50) % 100
        if roll < 30:
            return jlist(history[:1])
        if roll < 35:
            return "[]"
    return jlist(history)


# ---------------------------------------------------------------------------- events

def embedded_event(w, first: int, now: float) -> dict:
    """The event copy embedded in market objects (shared by the markets of one event)."""
    cache = w.event_cache
    key = (first, now)
    event = cache.get(key)
    if event is None:
        if len(cache) > 512:
            cache.clear()
        event = cache[key] = event_object(w, first, now, with_markets=False)
    return dict(event)


def event_object(w, first: int, now: float, with_markets: bool, with_tags: bool | None = None) -> dict:
    tl, ids = w.timeline, w.ids
    ev = tl.event(first)
    es = w.event_static(first)
    st0 = w.static(first)
    life0 = tl.life(first)
    count = w.market_count(now)
    members = [i for i in range(first, first + ev.size) if i < count]
    closed = bool(members) and all(now >= tl.close_of(i) for i in members)
    r = h(w.seed, S_FMT, first, 3)
    vols = [volumes(w, i, now) for i in members]
    volume = sum(v[0] for v in vols)
    liq = round(sum(liquidity(w, i, now) for i in members), 5)
    e: dict = {}
    e["id"] = ids.event_id(first)
    e["ticker"] = es["slug"]
    e["slug"] = es["slug"]
    e["title"] = es["title"]
    e["description"] = st0["description"] + ("\n" if ev.size > 1 else "")
    e["resolutionSource"] = st0["resolution_source"]
    e["startDate"] = iso_z(life0.accepting + 30, (r >> 4) % 1_000_000, 3)
    e["creationDate"] = iso_z(life0.accepting + 31, (r >> 24) % 1_000_000, -1)
    e["endDate"] = iso_z(ev.end)
    e["image"] = es["image"]
    e["icon"] = es["image"]
    e["active"] = True
    e["closed"] = closed
    e["archived"] = False
    e["new"] = now - life0.created < 2 * DAY
    e["featured"] = st0["featured"]
    e["restricted"] = st0["restricted"]
    if not closed:
        e["liquidity"] = liq
    e["volume"] = volume
    e["openInterest"] = round(volume * 0.11, 6) if not closed else 0
    if ev.neg_risk:
        e["sortBy"] = "price"
    e["createdAt"] = iso_z(life0.created - 3, (r >> 44) % 1_000_000, -1)
    e["updatedAt"] = _updated_at(w, first, life0, now, closed)
    if not closed:
        e["competitive"] = st0["competitive"]
        e["volume24hr"] = sum(v[1] for v in vols)
        e["volume1wk"] = sum(v[2] for v in vols)
        e["volume1mo"] = sum(v[3] for v in vols)
        e["volume1yr"] = sum(v[4] for v in vols)
    e["enableOrderBook"] = True
    if not closed:
        e["liquidityClob"] = liq
    e["negRisk"] = ev.neg_risk
    if ev.neg_risk:
        e["negRiskMarketID"] = ids.neg_risk_market_id(first)
    e["commentCount"] = es["comment_base"] + int(max(0.0, now - life0.created) // (5 * DAY))
    series = es["series"]
    if series is not None:
        e["series"] = [{
            "id": series["id"], "ticker": series["slug"], "slug": series["slug"], "title": series["title"],
            "seriesType": "single", "recurrence": series["recurrence"], "image": "", "icon": "",
            "active": True, "closed": False, "archived": False, "featured": False, "restricted": True,
            "createdAt": "2025-11-21T21:46:22.201627Z", "updatedAt": e["updatedAt"],
            "commentCount": 27205, "requiresTranslation": False}]
    if with_markets if with_tags is None else with_tags:
        e["tags"] = [_tag(t) for t in es["tags"]]
    e["cyom"] = False
    e["showAllOutcomes"] = True
    e["showMarketImages"] = True
    e["enableNegRisk"] = ev.neg_risk
    e["automaticallyActive"] = True
    if ev.start_time is not None:
        e["startTime"] = iso_z(ev.start_time)
    if series is not None:
        e["seriesSlug"] = series["slug"]
    if ev.neg_risk:
        e["gmpChartMode"] = "default"
    e["negRiskAugmented"] = ev.neg_risk and ev.kind == "politics"
    e["cumulativeMarkets"] = False
    e["pendingDeployment"] = False
    e["deploying"] = False
    if ev.kind != "crypto":
        e["deployingTimestamp"] = iso_z(life0.created + 11, (r >> 14) % 1_000_000, -1)
    e["requiresTranslation"] = False
    if with_markets:
        e["markets"] = [market_object(w, i, now, embed_event=False) for i in members]
    return e


def _tag(t) -> dict:
    tag_id, label, slug, ts = t
    return {"id": tag_id, "label": label, "slug": slug, "forceShow": False,
            "publishedAt": pg_time(ts)[:-3] + ".258+00", "createdAt": iso_z(ts, 198000, 3),
            "updatedAt": "2026-03-09T22:20:41.744191Z", "requiresTranslation": False}
