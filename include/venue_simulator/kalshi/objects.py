"""Series, event and market objects as served at ``now`` (fields chosen by the payload era).

Keys are emitted in sorted order (the recorded raw bodies are); optional keys are omitted
rather than null, except where the API sends null (``additional_prohibitions``).
"""
from __future__ import annotations

from ..polymarket.hashing import h
from .catalog import DAY, HOUR, MVE, SPECIALS
from .eras import ZERO_TIME, Era, dollars, fp, go_time
from .layout import N_SPECIAL
from .lifecycle import AMENDED, FRACTIONAL, PARLAY, PROVISIONAL, YES, ZERO_CREATED
from .prices import price_ranges
from .state import book_at, open_interest, top_at, trade_at
from .strikes import pretty_day
from .trades import US

EARLY_CLOSE = "This market will close and expire early if the event occurs."
S3 = "https://kalshi-public-docs.s3.us-east-1.amazonaws.com/regulatory/product-certifications/"
TERMS = "https://kalshi-public-docs.s3.amazonaws.com/contract_terms/"


def money(out: dict, name: str, mills: int, era: Era) -> None:
    if era.legacy:
        out[name] = mills // 10
    if era.dollars:
        out[name + "_dollars"] = dollars(mills)


def count(out: dict, name: str, hundredths: int, era: Era) -> None:
    if era.legacy:
        out[name] = hundredths // 100
    if era.fp:
        out[name + "_fp"] = fp(hundredths)


# ---------------------------------------------------------------------------- series

def series_object(w, s, now: float, era: Era, volume: int | None = None) -> dict:
    out = {
        "additional_prohibitions": None,
        "category": s.category,
        "contract_terms_url": f"{TERMS}{s.ticker}.pdf",
        "contract_url": f"{S3}{s.ticker}.pdf",
        "fee_multiplier": int(s.fee_multiplier) if float(s.fee_multiplier).is_integer() else s.fee_multiplier,
        "fee_type": s.fee_type,
        "frequency": s.frequency,
        "settlement_sources": [{"name": s.source[0], "url": s.source[1]}],
        "tags": list(s.tags) if s.tags is not None else None,
        "ticker": s.ticker,
        "title": s.title,
    }
    if era.modern:
        out["exchange_index"] = s.exchange_index
        out["last_updated_ts"] = go_time(min(s.updated, int(now)), s.micros)
    if volume is not None:
        count(out, "volume", volume, era)
    return out


# ---------------------------------------------------------------------------- events

def event_object(w, first: int, now: float, era: Era, markets: list | None = None) -> dict:
    lay, tk = w.layout, w.tickers
    parlay = lay.is_parlay(first)
    if parlay:
        series = lay.series[tk.parlay_series(first)]
        title, sub, exclusive = "", "", False
    else:
        ev = lay.event(first)
        series = ev.series
        if ev.kind == "special":
            spec = SPECIALS[series.idx]
            title, sub, exclusive = spec[1], spec[3], series.idx == 1
        else:
            day = pretty_day(ev.close, w.tz)
            title, sub = f"{series.title} on {day}", f"On {day}"
            exclusive = series.family in ("weather_high", "weather_low", "sports")
    out = {
        "available_on_brokers": False,
        "category": series.category,
        "collateral_return_type": "MECNET" if exclusive else "",
        "event_ticker": tk.event_ticker(first),
        "mutually_exclusive": exclusive,
        "series_ticker": series.ticker,
        "sub_title": sub,
        "title": title,
    }
    if not parlay and lay.event(first).kind == "regular":
        out["strike_date"] = go_time(lay.event(first).close)
    else:
        out["strike_period"] = ""
    if era.modern:
        out["exchange_index"] = h(w.layout.seed, 901, first) % 2
        out["last_updated_ts"] = go_time(*w.updated(first, now))
        out["settlement_sources"] = []
    if markets is not None:
        out["markets"] = markets
    return out


# ---------------------------------------------------------------------------- markets

def _strike_fields(out: dict, strike) -> None:
    if strike.strike_type is None:
        return
    out["strike_type"] = strike.strike_type
    if strike.floor is not None:
        out["floor_strike"] = strike.floor
    if strike.cap is not None:
        out["cap_strike"] = strike.cap


def _parlay_fields(w, out: dict, i: int, now: float, era: Era) -> tuple[str, str]:
    legs = w.life.parlay_legs(i)
    tk = w.tickers
    items, texts = [], []
    for m, side in legs:
        first = w.layout.first_of(m)
        strike = tk.strikes(first)[m - first]
        leg = {"event_ticker": tk.event_ticker(first), "market_ticker": tk.market_ticker(m), "side": side}
        if era.modern and now >= w.life.det_of(m):
            leg["yes_settlement_value_dollars"] = dollars(1000 if w.life.flags_of(m) & YES else 0)
        items.append(leg)
        texts.append(f"{side} {strike.yes_sub}")
    collection = f"{MVE[tk.parlay_series(i) - 3][0]}-R"
    out["custom_strike"] = {
        "Associated Events": ",".join(x["event_ticker"] for x in items),
        "Associated Market Sides": ",".join(x["side"] for x in items),
        "Associated Markets": ",".join(x["market_ticker"] for x in items),
        "Multivariate Event Ticker": collection,
    }
    out["mve_collection_ticker"] = collection
    out["mve_selected_legs"] = items
    out["strike_type"] = "custom"
    text = ",".join(texts)
    return text, text


def market_object(w, i: int, now: float, era: Era) -> dict:
    lay, life, tk = w.layout, w.life, w.tickers
    created, opened, close, det, settle, flags = life.row(i)
    parlay = bool(flags & PARLAY)
    first = i if parlay else lay.first_of(i)
    plan = w.plan(i)
    v_now = plan.visible(now * US)
    v_day = plan.visible((now - DAY) * US)
    volume = plan.prefix_h(v_now)
    bid, ask, bid_size, ask_size = top_at(w, i, now)
    prev_bid, prev_ask, _, _ = top_at(w, i, now - DAY)
    r = h(lay.seed, 902, i)
    out: dict = {}
    if parlay:
        title, sub = _parlay_fields(w, out, i, now, era)
        yes_sub = no_sub = sub
        created_us = lay.parlay_created(i)[1]
        rules = ""
        timer = 5
        can_close_early = True
    else:
        ev = lay.event(first)
        strike = tk.strikes(first)[i - first]
        _strike_fields(out, strike)
        title, yes_sub, no_sub = strike.title, strike.yes_sub, strike.no_sub
        created_us = (ev.created_us + (i - first) * 7919) % 1_000_000
        rules = f"If the outcome is {strike.yes_sub} ({strike.title}), then the market resolves to Yes."
        timer = ev.timer
        can_close_early = ev.kind == "special" or ev.series.family not in ("sports", "crypto")
        if can_close_early:
            out["early_close_condition"] = EARLY_CLOSE
    expected = close + (10 * HOUR + 60 if i < N_SPECIAL else 3 * HOUR)
    latest = close + 7 * DAY + (10 * HOUR + 60 if i < N_SPECIAL else 0)
    out.update({
        "can_close_early": can_close_early,
        "close_time": go_time(close),
        "created_time": ZERO_TIME if flags & ZERO_CREATED else go_time(created, created_us),
        "event_ticker": tk.event_ticker(first),
        "expected_expiration_time": go_time(expected),
        "expiration_time": go_time(latest),
        "expiration_value": "" if now < det or parlay else tk.strikes(first)[i - first].expiration_value,
        "latest_expiration_time": go_time(latest),
        "market_type": "binary",
        "no_sub_title": no_sub,
        "open_time": go_time(opened, created_us + 1000 if parlay else 0),
        "price_level_structure": life.structure(i),
        "price_ranges": price_ranges(life.structure(i)),
        "result": ("yes" if life.yes(i) else "no") if now >= det else "",
        "rules_primary": rules,
        "rules_secondary": "",
        "settlement_timer_seconds": timer,
        "status": life.status(i, now),
        "ticker": tk.market_ticker(i),
        "title": title,
        "yes_sub_title": yes_sub,
    })
    last = trade_at(w, i, v_now - 1)[1] if v_now else 0
    previous = trade_at(w, i, v_day - 1)[1] if v_day else 0
    for name, mills in (("yes_bid", bid), ("yes_ask", ask), ("no_bid", 1000 - ask), ("no_ask", 1000 - bid),
                        ("last_price", last), ("previous_price", previous), ("previous_yes_bid", prev_bid),
                        ("previous_yes_ask", prev_ask), ("notional_value", 1000)):
        money(out, name, mills, era)
    count(out, "volume", volume, era)
    count(out, "volume_24h", volume - plan.prefix_h(v_day), era)
    count(out, "open_interest", open_interest(w, i, volume, now), era)
    if now >= det:
        money(out, "settlement_value", 1000 if life.yes(i) else 0, era)
    if now >= settle:
        out["settlement_ts"] = go_time(settle, (r >> 20) % 1_000_000)
    if era.legacy:
        liquidity = _liquidity(w, i, now)
        out["liquidity"] = liquidity // 10
        out["response_price_units"] = "usd_cent"
        out["subtitle"] = ""
        out["tick_size"] = 1
        if era.dollars:
            out["liquidity_dollars"] = dollars(liquidity)
    else:
        out["liquidity_dollars"] = "0.0000"
        out["exchange_index"] = r % 2
        out["fractional_trading_enabled"] = bool(flags & FRACTIONAL)
        out["updated_time"] = go_time(*w.updated(i, now))
        out["yes_bid_size_fp"] = fp(bid_size)
        out["yes_ask_size_fp"] = fp(ask_size)
        if parlay and flags & PROVISIONAL:
            out["is_provisional"] = True
        if not parlay and now >= det and i >= N_SPECIAL:
            out["occurrence_datetime"] = go_time(close)
    if flags & AMENDED and now >= settle:
        out["rules_secondary"] = "The outcome of this market was amended after review."
    return out


def _liquidity(w, i: int, now: float) -> int:
    """Resting value in the book (mills times contracts), the deprecated ``liquidity`` field."""
    yes, no = book_at(w, i, now)
    return sum(p * s // 100 for p, s in yes) + sum(p * s // 100 for p, s in no)
