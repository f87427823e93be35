"""CLOB books and Data API trade rows as served."""
from __future__ import annotations

from .prices import price_str
from .state import book_state, last_trade_p0


def book_object(w, i: int, outcome: int, now: float) -> dict:
    life = w.timeline.life(i)
    units = life.units
    bids0, asks0, change_ms = book_state(w, i, now)
    if outcome == 0:
        bids, asks = bids0, asks0
    else:   # the complementary token's book mirrors token 0
        bids = [(units - t, s) for t, s in asks0]
        asks = [(units - t, s) for t, s in bids0]
    bid_levels = [{"price": price_str(t, units), "size": s} for t, s in bids]
    ask_levels = [{"price": price_str(t, units), "size": s} for t, s in asks]
    token = w.ids.token_id(i, outcome)
    last = last_trade_p0(w, i, now)
    if last is not None and outcome == 1:
        last = 1.0 - last
    digest = w.ids.book_hash(token, change_ms, repr(bids), repr(asks))
    return {
        "market": w.ids.condition_id(i),
        "asset_id": token,
        "timestamp": str(change_ms),
        "hash": digest,
        "bids": bid_levels,
        "asks": ask_levels,
        "min_order_size": "5",
        "tick_size": price_str(1, units),
        "neg_risk": w.timeline.event(life.first).neg_risk,
        "last_trade_price": f"{last if last is not None else 0.5:.3f}",
    }


def trade_row(w, i: int, j: int, fill, ts: int) -> dict:
    wallet_k, side, outcome, size, price = fill
    wal = w.wallet(wallet_k)
    st = w.static(i)
    first = w.timeline.layout(i)[0]
    return {
        "proxyWallet": wal[0],
        "side": side,
        "asset": w.ids.token_id(i, outcome),
        "conditionId": w.ids.condition_id(i),
        "size": size,
        "price": price,
        "timestamp": ts,
        "title": st["question"],
        "slug": st["slug"],
        "icon": st["image"],
        "eventSlug": w.event_static(first)["slug"],
        "outcome": st["outcomes"][outcome],
        "outcomeIndex": outcome,
        "name": wal[1],
        "pseudonym": wal[2],
        "bio": wal[3],
        "profileImage": wal[4],
        "profileImageOptimized": wal[5],
        "transactionHash": w.ids.tx_hash(i, j),
    }
