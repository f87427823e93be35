"""Four payload generations, chosen by the simulated date of the response: integer cents and
counts only; + ``*_dollars``; + ``*_fp``; ``*_dollars``/``*_fp`` only (from 2026-03-12)."""
from __future__ import annotations

import pytest

from kalshi_truth import ERA_TIMES, ts

ELON = "KXELONMARS-99"
LEGACY_MARKET = {"yes_bid", "yes_ask", "no_bid", "no_ask", "last_price", "volume", "volume_24h", "open_interest",
                 "liquidity", "notional_value", "response_price_units", "tick_size"}
DOLLAR_MARKET = {"yes_bid_dollars", "yes_ask_dollars", "no_bid_dollars", "no_ask_dollars", "last_price_dollars",
                 "notional_value_dollars", "previous_price_dollars"}
FP_MARKET = {"volume_fp", "volume_24h_fp", "open_interest_fp"}


@pytest.fixture(params=[1, 2, 3, 4])
def era(request, ksim):
    ksim.set_now(ERA_TIMES[request.param])
    return request.param


def test_market_fields_by_era(http, kalshi, era):
    m = http.get(f"{kalshi}/markets/{ELON}").json()["market"]
    keys = set(m)
    assert (LEGACY_MARKET <= keys) == (era < 4) and not (LEGACY_MARKET & keys and era == 4)
    assert (DOLLAR_MARKET <= keys) == (era >= 2) and not (DOLLAR_MARKET & keys and era == 1)
    assert (FP_MARKET <= keys) == (era >= 3) and not (FP_MARKET & keys and era <= 2)
    assert ("updated_time" in keys) == (era == 4) and ("yes_bid_size_fp" in keys) == (era == 4)
    if era in (2, 3):
        assert m["yes_bid_dollars"] == f"{m['yes_bid'] / 100:.4f}" and m["notional_value"] == 100
    if era == 3:
        assert m["volume_fp"] == f"{m['volume']}.00"
    if era == 4:
        assert m["liquidity_dollars"] == "0.0000" and isinstance(m["volume_fp"], str)


def test_trade_fields_by_era(http, kalshi, era):
    trades = http.get(f"{kalshi}/markets/trades", params={"ticker": ELON, "limit": 5}).json()["trades"]
    assert trades
    expected = {"trade_id", "ticker", "created_time", "taker_side"}
    if era < 4:
        expected |= {"count", "yes_price", "no_price", "price"}
    if era >= 2:
        expected |= {"yes_price_dollars", "no_price_dollars"}
    if era >= 3:
        expected |= {"count_fp"}
    if era == 4:
        expected |= {"taker_outcome_side", "taker_book_side", "is_block_trade"}
    for t in trades:
        assert set(t) == expected
        if era < 4:
            assert isinstance(t["count"], int) and t["yes_price"] + t["no_price"] == 100
            assert isinstance(t["price"], float) and t["price"] == round(t["yes_price"] / 100, 2)
        if era >= 2:
            assert float(t["yes_price_dollars"]) + float(t["no_price_dollars"]) == pytest.approx(1.0)


def test_orderbook_shapes_by_era(http, kalshi, era):
    book = http.get(f"{kalshi}/markets/{ELON}/orderbook").json()
    assert set(book) == {1: {"orderbook"}, 2: {"orderbook"}, 3: {"orderbook", "orderbook_fp"},
                         4: {"orderbook_fp"}}[era]
    if era < 4:
        legacy = book["orderbook"]
        assert set(legacy) == ({"yes", "no"} if era == 1 else {"yes", "no", "yes_dollars", "no_dollars"})
        assert all(isinstance(p, int) and isinstance(q, int) for p, q in legacy["yes"] + legacy["no"])
        if era >= 2:
            assert [p for p, _ in legacy["yes_dollars"]] == [f"{c / 100:.4f}" for c, _ in legacy["yes"]]
            assert all(isinstance(q, int) for _, q in legacy["yes_dollars"])
    if era >= 3:
        fp = book["orderbook_fp"]
        assert set(fp) == {"yes_dollars", "no_dollars"}
        assert all(isinstance(p, str) and q.count(".") == 1 and len(q.split(".")[1]) == 2
                   for p, q in fp["yes_dollars"] + fp["no_dollars"])
    batch = http.get(f"{kalshi}/markets/orderbooks", params={"tickers": ELON}).json()["orderbooks"]
    assert batch == [{"ticker": ELON, **book}]


def test_empty_book_is_null_in_legacy_shapes(http, kalshi, kworld, era):
    now = ts(ERA_TIMES[era])
    i = next(i for i in range(kworld.market_count(now) - 1, 5, -1)
             if kworld.plan(i).n == 0 and kworld.status(i, now) == "active" and kworld.tier(i, now) == "live")
    book = http.get(f"{kalshi}/markets/{kworld.ticker(i)}/orderbook").json()
    if era == 1:
        assert book == {"orderbook": {"yes": None, "no": None}}
    elif era == 2:
        assert book == {"orderbook": {"yes": None, "no": None, "yes_dollars": None, "no_dollars": None}}
    elif era == 3:
        assert book["orderbook"] == {"yes": None, "no": None, "yes_dollars": None, "no_dollars": None}
        assert book["orderbook_fp"] == {"yes_dollars": [], "no_dollars": []}
    else:
        assert book == {"orderbook_fp": {"yes_dollars": [], "no_dollars": []}}


def test_candle_fields_by_era(http, kalshi, era):
    now = ts(ERA_TIMES[era])
    params = {"start_ts": now - 3 * 86400, "end_ts": now, "period_interval": 60}
    candles = http.get(f"{kalshi}/series/KXELONMARS/markets/{ELON}/candlesticks", params=params).json()["candlesticks"]
    quiet = [c for c in candles if c["volume_fp" if era >= 3 else "volume"] in (0, "0.00")]
    busy = [c for c in candles if c not in quiet]
    assert quiet and busy
    for c in candles:
        assert ("volume" in c and "open_interest" in c) == (era < 4)
        assert ("volume_fp" in c and "open_interest_fp" in c) == (era >= 3)
        assert ("close_dollars" in c["yes_bid"]) == (era >= 2) and ("close" in c["yes_bid"]) == (era < 4)
    for c in quiet:
        price = c["price"]
        if era == 4:
            assert set(price) == {"previous_dollars"}             # OHLC omitted without trades
        else:
            assert price["open"] is None and price["close"] is None and price["mean"] is None
            assert "open_dollars" not in price and isinstance(price["previous"], int)
    for c in busy:
        price = c["price"]
        if era < 4:
            assert isinstance(price["open"], int) and price["min"] is None and price["max"] is None
        if era >= 2:
            assert {"open_dollars", "high_dollars", "low_dollars", "close_dollars", "mean_dollars"} <= set(price)
            assert float(price["low_dollars"]) <= float(price["close_dollars"]) <= float(price["high_dollars"])
        else:
            assert not any(k.endswith("_dollars") for k in price)
