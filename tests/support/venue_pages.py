"""Small venue objects in the shapes the extraction lands (Polymarket Gamma markets, Data API v2
trades and prices, CLOB books; Kalshi events, markets, trades, candlesticks), for dbt tests that land
pages directly. Keyword arguments override or add fields."""

from __future__ import annotations

import json

TRADED = 1792320000  # 2026-10-17 16:00 UTC


def cid(n: int) -> str:
    return f"0x{n:064x}"


def tokens(n: int) -> list[str]:
    return [str(10**76 + n * 10 + k) for k in (0, 1)]


def gamma_market(n: int, *, closed: bool = False, prices=("0.4", "0.6"), **extra) -> dict:
    return {
        "id": str(4_000_000 + n), "question": f"Market {n}?", "conditionId": cid(n), "slug": f"market-{n}",
        "outcomes": json.dumps(["Yes", "No"]), "outcomePrices": json.dumps(list(prices)),
        "clobTokenIds": json.dumps(tokens(n)), "active": True, "closed": closed, "archived": False,
        "acceptingOrders": not closed, "startDate": "2026-10-01T00:00:00Z", "endDate": "2026-12-01T00:00:00Z",
        "createdAt": "2026-09-30T00:00:00Z", "updatedAt": "2026-10-17T15:00:00Z", "volumeNum": 1000,
        **({"closedTime": "2026-10-18 00:00:00+00"} if closed else {}),
        "events": [{"id": "910001", "slug": "generated", "title": "Generated markets"}],
        **extra,
    }


def taker_row(n: int, k: int, i: int, *, size: float = 10, price: float = 0.4) -> dict:
    return {"proxy_wallet": f"0x{0xb000 + n * 16 + i:040x}", "side": "BUY", "token_id": tokens(n)[k],
            "condition_id": cid(n), "size": size, "price": price, "timestamp": TRADED + 60 * i,
            "outcome_index": k, "transaction_hash": f"0x{n * 1000 + i:064x}"}


def maker_row(row: dict) -> dict:
    return {**row, "proxy_wallet": "0x" + "ee" * 20, "side": "SELL"}


def v2_body(rows: list) -> dict:
    return {"data": rows, "pagination": {"limit": 1000, "offset": 0, "has_more": False, "next_cursor": None}}


def price_page(times: list[int], price: float = 0.4) -> dict:
    return v2_body([{"timestamp": t, "price": price, "resolution_seconds": 3600} for t in times])


def book(n: int, k: int) -> dict:
    return {"market": cid(n), "asset_id": tokens(n)[k], "timestamp": str((TRADED + 7200) * 1000),
            "hash": f"h{n}{k}", "bids": [{"price": "0.39", "size": "100"}], "asks": [{"price": "0.41", "size": "50"}],
            "tick_size": "0.01", "min_order_size": "5"}


def oracle_state(n: int, status: str, at: str, **extra) -> dict:
    """A Data API /v2/resolutions row of market n."""
    return {"condition_id": cid(n), "status": status, "was_disputed": False, "extended_review": False,
            "new_version_q": False, "transaction_hash": "0x" + "ab" * 32, "log_index": "1",
            "last_update_timestamp": at, **extra}


def kalshi_event(event_ticker: str) -> dict:
    return {"event_ticker": event_ticker, "series_ticker": event_ticker.split("-")[0], "title": event_ticker,
            "sub_title": "Generated"}


def kalshi_market(ticker: str, **extra) -> dict:
    return {"ticker": ticker, "event_ticker": ticker.rsplit("-", 1)[0], "title": f"{ticker}?", "status": "active",
            "market_type": "binary", "result": "", "yes_bid_dollars": "0.4000", "yes_ask_dollars": "0.4200",
            "last_price_dollars": "0.4100", "volume_fp": "30.00", "open_interest_fp": "10.00",
            "open_time": "2026-10-01T00:00:00Z", "close_time": "2026-12-01T00:00:00Z",
            "created_time": "2026-09-30T00:00:00Z", **extra}


def kalshi_trade(ticker: str, i: int, count: str = "3.00") -> dict:
    return {"trade_id": f"{ticker}-t{i}", "ticker": ticker, "count_fp": count, "yes_price_dollars": "0.4100",
            "no_price_dollars": "0.5900", "taker_side": "yes", "taker_outcome_side": "yes",
            "created_time": f"2026-10-17T16:0{i}:00Z"}


def kalshi_candles(ticker: str) -> dict:
    return {"ticker": ticker, "candlesticks": [
        {"end_period_ts": TRADED + 60 * i, "volume_fp": "3.00", "open_interest_fp": "10.00",
         "price": {"close_dollars": "0.4100"}, "yes_bid": {"close_dollars": "0.4000"},
         "yes_ask": {"close_dollars": "0.4200"}} for i in range(3)]}
