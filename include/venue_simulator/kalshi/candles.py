"""Candlesticks: period boundaries (daily ones end at midnight America/New_York), values
computed from the trade schedule and the book, and their three wire shapes (legacy,
post-migration live, historical tier).

Every period overlapping the market's life (from its open up to now or its close) is
emitted, with or without trades; the period in progress is included. Open, close, volume,
open interest and ``previous`` are exact; high, low and mean come from at most
``SAMPLE`` trades of the period (all of them when the period has fewer).
"""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

from .eras import Era, dollars, fp
from .state import open_interest, top_at, trade_at
from .trades import US

PERIODS = (1, 60, 1440)
MAX_CANDLES = 10_000            # the batch endpoint, over all its tickers
MAX_SINGLE = 5_000              # one market (live or historical): "max candlesticks: 5000" beyond
SAMPLE = 48


@dataclasses.dataclass(slots=True)
class Candle:
    end: int
    volume: int                    # hundredths
    open_interest: int             # hundredths
    prices: tuple | None           # (open, high, low, close, mean) mills; mean is a float
    previous: int | None
    yes_bid: tuple                 # (open, high, low, close) mills
    yes_ask: tuple


def _midnight(d: date, tz) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=tz).timestamp())


def period_ends(start_ts: int, end_ts: int, period: int, lo: int, hi: int, tz) -> list[tuple[int, int]]:
    """-> [(period start, period end)] with start_ts <= end <= end_ts, overlapping (lo, hi]."""
    first, last_cap = max(start_ts, lo + 1), end_ts
    if hi <= lo or first > last_cap:
        return []
    if period in (1, 60):
        step = period * 60
        e = -(-first // step) * step
        last = min(last_cap, -(-hi // step) * step)
        return [(x - step, x) for x in range(e, last + 1, step)] if e <= last else []
    d = datetime.fromtimestamp(first, tz).date()
    if _midnight(d, tz) < first:
        d += timedelta(days=1)
    out = []
    while True:
        e = _midnight(d, tz)
        if e > last_cap:
            break
        out.append((_midnight(d - timedelta(days=1), tz), e))
        if e >= hi:
            break
        d += timedelta(days=1)
    return out


def count_ends(start_ts: int, end_ts: int, period: int, lo: int, hi: int) -> int:
    """Upper bound of len(period_ends(...)) without building the list."""
    first, last = max(start_ts, lo + 1), min(end_ts, hi + period * 60 + 3600)
    if hi <= lo or first > last:
        return 0
    return (last - first) // (period * 60) + 2


def _book_ohlc(w, i: int, ps: int, pe: int, opened: int, close: int):
    lo, hi = max(ps + 1, opened), min(pe, close - 1)
    if hi < lo:
        return (0, 0, 0, 0), (0, 0, 0, 0)
    times = sorted({lo, lo + (hi - lo) // 3, lo + 2 * (hi - lo) // 3, hi})
    tops = [top_at(w, i, t) for t in times]
    bids = [t[0] for t in tops]
    asks = [t[1] for t in tops]
    return (bids[0], max(bids), min(bids), bids[-1]), (asks[0], max(asks), min(asks), asks[-1])


def compute(w, i: int, ps: int, pe: int, now: float) -> Candle:
    plan = w.plan(i)
    upto = min(pe, now)
    j_lo, j_hi = plan.visible(ps * US), plan.visible(upto * US)
    total = plan.prefix_h(j_hi)
    volume = total - plan.prefix_h(j_lo)
    prices = None
    if j_hi > j_lo:
        n = j_hi - j_lo
        picks = range(j_lo, j_hi) if n <= SAMPLE else sorted({j_lo + k * (n - 1) // (SAMPLE - 1)
                                                                for k in range(SAMPLE)})
        rows = [trade_at(w, i, j) for j in picks]
        values = [r[1] for r in rows]
        weight = sum(r[2] for r in rows)
        mean = sum(r[1] * r[2] for r in rows) / weight
        prices = (values[0], max(values), min(values), values[-1], mean)
    previous = trade_at(w, i, j_lo - 1)[1] if j_lo > 0 else None
    _, opened, close, _, _, _ = w.life.row(i)
    bid, ask = _book_ohlc(w, i, ps, int(upto), opened, close)
    return Candle(pe, volume, open_interest(w, i, total, upto), prices, previous, bid, ask)


# ---------------------------------------------------------------------------- rendering

OHLC = ("open", "high", "low", "close")


def _mean_dollars(mean: float) -> str:
    return f"{mean / 1000:.4f}"


def live_candle(c: Candle, era: Era) -> dict:
    out: dict = {"end_period_ts": c.end}
    price: dict = {}
    if era.legacy:
        out["volume"] = c.volume // 100
        out["open_interest"] = c.open_interest // 100
        for key in OHLC + ("mean", "min", "max"):
            price[key] = None
        if c.prices is not None:
            for key, value in zip(OHLC, (c.prices[0], c.prices[1], c.prices[2], c.prices[3])):
                price[key] = value // 10
            price["mean"] = int(c.prices[4] // 10)
        price["previous"] = None if c.previous is None else c.previous // 10
    if era.fp:
        out["volume_fp"] = fp(c.volume)
        out["open_interest_fp"] = fp(c.open_interest)
    if era.dollars:
        if c.prices is not None:
            for key, value in zip(OHLC, c.prices[:4]):
                price[key + "_dollars"] = dollars(value)
            price["mean_dollars"] = _mean_dollars(c.prices[4])
        if c.previous is not None:
            price["previous_dollars"] = dollars(c.previous)
    out["price"] = price
    for name, values in (("yes_bid", c.yes_bid), ("yes_ask", c.yes_ask)):
        side: dict = {}
        for key, value in zip(OHLC, values):
            if era.legacy:
                side[key] = value // 10
            if era.dollars:
                side[key + "_dollars"] = dollars(value)
        out[name] = side
    return out


def historical_candle(c: Candle) -> dict:
    price = {key: None for key in OHLC + ("mean",)}
    if c.prices is not None:
        price.update({key: dollars(v) for key, v in zip(OHLC, c.prices[:4])})
        price["mean"] = _mean_dollars(c.prices[4])
    price["previous"] = None if c.previous is None else dollars(c.previous)
    return {
        "end_period_ts": c.end,
        "open_interest": fp(c.open_interest),
        "price": price,
        "volume": fp(c.volume),
        "yes_ask": {key: dollars(v) for key, v in zip(OHLC, c.yes_ask)},
        "yes_bid": {key: dollars(v) for key, v in zip(OHLC, c.yes_bid)},
    }
