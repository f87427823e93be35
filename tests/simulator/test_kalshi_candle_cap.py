"""Kalshi's single-market candle endpoints refuse windows of more than 5,000 candles."""
from __future__ import annotations

from kalshi_truth import DAY, NOW_TS, find

ELON = "KXELONMARS-99"


def test_single_market_candles_stop_at_5000(http, kalshi, kworld):
    url = f"{kalshi}/series/KXELONMARS/markets/{ELON}/candlesticks"
    start = NOW_TS - 4 * DAY
    fits = {"start_ts": start, "end_ts": start + 4999 * 60, "period_interval": 1}       # 5,000 candle ends
    body = http.get(url, params=fits).json()
    assert len(body["candlesticks"]) == 5000
    over = http.get(url, params={**fits, "end_ts": start + 5000 * 60})
    assert over.status_code == 400 and over.json()["error"]["message"] == "max candlesticks: 5000"
    # The historical tier has the same cap: a market that lived longer than 5,000 minutes.
    i = find(kworld, lambda i: kworld.lifecycle(i)["close"] - kworld.lifecycle(i)["open"] > 6000 * 60,
             tier="historical")
    opened = kworld.lifecycle(i)["open"]
    url = f"{kalshi}/historical/markets/{kworld.ticker(i)}/candlesticks"
    first = -(-(opened + 1) // 60) * 60  # the first candle ends at the first minute after the open
    fits = {"start_ts": first, "end_ts": first + 4999 * 60, "period_interval": 1}
    assert len(http.get(url, params=fits).json()["candlesticks"]) == 5000
    assert http.get(url, params={**fits, "end_ts": first + 5000 * 60}).status_code == 400
