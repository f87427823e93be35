"""Kalshi candlesticks (series path, New York days, every period, batch limits) and order books."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from kalshi_truth import DAY, NOW_TS

NY = ZoneInfo("America/New_York")
ELON = "KXELONMARS-99"


def _epoch(y, m, d) -> int:
    return int(datetime(y, m, d, tzinfo=timezone.utc).timestamp())


def test_candles_need_the_events_series_not_the_ticker_prefix(http, ksim, kalshi, kworld):
    i = next(i for i in range(6, 4000) if not kworld.is_parlay(i) and kworld.ticker(i).startswith("FED-"))
    ticker = kworld.ticker(i)
    ksim.set_now(kworld.life.open_of(i) + 2 * DAY)
    params = {"start_ts": kworld.life.open_of(i), "end_ts": kworld.life.open_of(i) + 2 * DAY, "period_interval": 60}
    ok = http.get(f"{kalshi}/series/KXFED/markets/{ticker}/candlesticks", params=params)
    assert ok.status_code == 200 and ok.json()["ticker"] == ticker
    assert len(ok.json()["candlesticks"]) >= 47
    for series in ("FED", "KXHIGHNY", ticker.split("-")[0]):
        resp = http.get(f"{kalshi}/series/{series}/markets/{ticker}/candlesticks", params=params)
        assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"


def test_daily_candles_end_at_new_york_midnight_across_dst(http, kalshi):
    url = f"{kalshi}/series/KXELONMARS/markets/{ELON}/candlesticks"
    for (start, end), odd in (((_epoch(2026, 3, 1), _epoch(2026, 3, 15)), 23 * 3600),
                              ((_epoch(2025, 10, 26), _epoch(2025, 11, 9)), 25 * 3600)):
        candles = http.get(url, params={"start_ts": start, "end_ts": end, "period_interval": 1440}).json()["candlesticks"]
        ends = [c["end_period_ts"] for c in candles]
        assert len(ends) == 14
        for e in ends:
            local = datetime.fromtimestamp(e, NY)
            assert (local.hour, local.minute, local.second) == (0, 0, 0)
        steps = [b - a for a, b in zip(ends, ends[1:])]
        assert steps.count(odd) == 1 and steps.count(DAY) == len(steps) - 1
        utc_hours = {datetime.fromtimestamp(e, timezone.utc).hour for e in ends}
        assert utc_hours == {4, 5}


def test_every_period_is_emitted_and_volumes_match_trades(http, kalshi):
    start, end = NOW_TS - 4 * DAY, NOW_TS - DAY
    url = f"{kalshi}/series/KXELONMARS/markets/{ELON}/candlesticks"
    candles = http.get(url, params={"start_ts": start, "end_ts": end, "period_interval": 60}).json()["candlesticks"]
    ends = [c["end_period_ts"] for c in candles]
    assert ends == list(range(start, end + 1, 3600))
    quiet = [c for c in candles if c["volume_fp"] == "0.00"]
    assert quiet and all(set(c["price"]) == {"previous_dollars"} for c in quiet)
    trades = http.get(f"{kalshi}/markets/trades", params={"ticker": ELON, "min_ts": start - 3600, "max_ts": end,
                                                           "limit": 1000}).json()["trades"]
    lo, hi = datetime.fromtimestamp(start - 3600, timezone.utc), datetime.fromtimestamp(end, timezone.utc)
    inside = [t for t in trades if lo < datetime.fromisoformat(t["created_time"].replace("Z", "+00:00")) <= hi]
    assert round(sum(float(c["volume_fp"]) for c in candles), 2) == round(sum(float(t["count_fp"]) for t in inside), 2)
    busy = [c for c in candles if c["volume_fp"] != "0.00"]
    assert busy and all({"open_dollars", "close_dollars", "mean_dollars"} <= set(c["price"]) for c in busy)
    minute = http.get(url, params={"start_ts": start, "end_ts": start + 3600, "period_interval": 1}).json()
    assert [c["end_period_ts"] for c in minute["candlesticks"]] == list(range(start, start + 3601, 60))


def test_candle_parameters(http, kalshi):
    url = f"{kalshi}/series/KXELONMARS/markets/{ELON}/candlesticks"
    base = {"start_ts": NOW_TS - DAY, "end_ts": NOW_TS, "period_interval": 60}
    for broken in ({"period_interval": 5}, {"period_interval": "x"}, {"end_ts": NOW_TS - 2 * DAY}):
        assert http.get(url, params={**base, **broken}).status_code == 400
    for missing in ("start_ts", "end_ts", "period_interval"):
        params = {k: v for k, v in base.items() if k != missing}
        assert http.get(url, params=params).status_code == 400
    assert http.get(f"{kalshi}/series/KXELONMARS/markets/KXELONMARS-98/candlesticks", params=base).status_code == 404


def test_batch_candles_limits(http, kalshi, kworld):
    url = f"{kalshi}/markets/candlesticks"
    base = {"start_ts": NOW_TS - DAY, "end_ts": NOW_TS, "period_interval": 60}
    body = http.get(url, params={**base, "market_tickers": f"{ELON},KXWARMING-50,NOPE-1"}).json()
    assert [m["market_ticker"] for m in body["markets"]] == [ELON, "KXWARMING-50"]
    assert all(set(m) == {"market_ticker", "candlesticks"} and len(m["candlesticks"]) >= 24 for m in body["markets"])
    many = ",".join([ELON] * 101)
    assert http.get(url, params={**base, "market_tickers": many}).status_code == 400
    week = {"start_ts": NOW_TS - 7 * DAY, "end_ts": NOW_TS, "period_interval": 1}       # 10,081 candles
    resp = http.get(url, params={**week, "market_tickers": ELON})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "bad_request"
    year = {"start_ts": NOW_TS - 365 * DAY, "end_ts": NOW_TS, "period_interval": 60}      # 8,761 each
    assert http.get(url, params={**year, "market_tickers": f"{ELON},KXWARMING-50"}).status_code == 400
    short = {"start_ts": NOW_TS - 7200, "end_ts": NOW_TS, "period_interval": 1}
    body = http.get(url, params={**short, "market_tickers": f"{ELON},KXWARMING-50"}).json()
    assert [len(m["candlesticks"]) for m in body["markets"]] == [121, 121]
    assert http.get(url, params=base).status_code == 400


def test_orderbook_levels_and_depth(http, kalshi):
    book = http.get(f"{kalshi}/markets/KXWARMING-50/orderbook").json()["orderbook_fp"]
    for side in ("yes_dollars", "no_dollars"):
        prices = [float(p) for p, _ in book[side]]
        assert prices == sorted(prices) and len(set(prices)) == len(prices)     # ascending, best last
    best_yes, best_no = float(book["yes_dollars"][-1][0]), float(book["no_dollars"][-1][0])
    assert best_yes + best_no < 1.0
    market = http.get(f"{kalshi}/markets/KXWARMING-50").json()["market"]
    assert market["yes_bid_dollars"] == book["yes_dollars"][-1][0]
    assert round(float(market["yes_ask_dollars"]) + best_no, 4) == 1.0
    top = http.get(f"{kalshi}/markets/KXWARMING-50/orderbook", params={"depth": 2}).json()["orderbook_fp"]
    assert top == {"yes_dollars": book["yes_dollars"][-2:], "no_dollars": book["no_dollars"][-2:]}
    assert http.get(f"{kalshi}/markets/KXWARMING-50/orderbook", params={"depth": 0}).json()["orderbook_fp"] == book
    assert http.get(f"{kalshi}/markets/KXWARMING-50/orderbook", params={"depth": 101}).status_code == 400
    assert http.get(f"{kalshi}/markets/NOPE-26JAN01-T1/orderbook").status_code == 404


def test_batch_orderbooks(http, kalshi):
    url = f"{kalshi}/markets/orderbooks"
    body = http.get(url, params=[("tickers", ELON), ("tickers", "KXWARMING-50,NOPE-1")]).json()
    assert set(body) == {"orderbooks"}
    assert [b["ticker"] for b in body["orderbooks"]] == [ELON, "KXWARMING-50"]
    assert all(set(b) == {"ticker", "orderbook_fp"} for b in body["orderbooks"])
    single = http.get(f"{kalshi}/markets/{ELON}/orderbook").json()
    assert body["orderbooks"][0]["orderbook_fp"] == single["orderbook_fp"]
    assert http.get(url).status_code == 400
    assert http.get(url, params={"tickers": ",".join([ELON] * 101)}).status_code == 400
