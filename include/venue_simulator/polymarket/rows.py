"""CLOB books and Data API trade rows as served (v1 camelCase rows, v2 snake_case rows)."""
from __future__ import annotations

from .hashing import S_BLANK, h
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
    token = w.ids.asset_id(i, outcome)
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
        "asset": w.ids.asset_id(i, outcome),
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


def blank_in_bare_feed(seed: int, i: int, j: int, f: int) -> bool:
    """~4% of the bare global feed's rows are unenriched: ``event_slug ""``, ``outcome_index 999``."""
    return h(seed, S_BLANK, i, j, f) % 100 < 4


def trade_row_v2(w, i: int, j: int, f: int, fill, ts: int, bare: bool) -> dict:
    """A Data API v2 Trade (19 snake_case fields). ``bare``: served by the feed without
    ``condition``/``event_id`` (some of its rows lose their event slug and outcome index)."""
    wallet_k, side, outcome, size, price = fill
    wal = w.wallet(wallet_k)
    if i >= w.n:   # a combo fill
        c = i - w.n
        token, cid = w.combos.token_id(c, outcome), w.combos.get(c).condition_id
        title = w.combos.title(c, lambda k: w.static(k)["question"])
        slug = icon = event_slug = label = ""
        index = 999
    else:
        st = w.static(i)
        token, cid = w.ids.asset_id(i, outcome), w.ids.condition_id(i)
        title, slug, icon, label, index = st["question"], st["slug"], st["image"], st["outcomes"][outcome], outcome
        event_slug = w.event_static(w.timeline.layout(i)[0])["slug"]
        if bare and blank_in_bare_feed(w.seed, i, j, f):
            event_slug, index = "", 999
    return {
        "proxy_wallet": wal[0],
        "side": side,
        "token_id": token,
        "condition_id": cid,
        "size": size,
        "price": price,
        "timestamp": ts,
        "title": title,
        "slug": slug,
        "icon": icon,
        "event_slug": event_slug,
        "outcome": label,
        "outcome_index": index,
        "name": wal[1],
        "pseudonym": wal[2],
        "bio": wal[3],
        "profile_image": wal[4],
        "profile_image_optimized": wal[5],
        "transaction_hash": w.ids.tx_hash(i, j),
    }
