"""Data API trades, per market.

/trades is newest first with offset paging and no time filter, so a walk reads from the
newest fill down to a stop time: the interval start (or the checkpoint, if older: a gap to
fill) minus an overlap window; a market never synced is read as deep as the API allows.
Offsets past the venue's ceiling are refused (HTTP 400), so history deeper than about
ceiling + page size fills per market is out of reach of this API; the walk says so in a warning.

The Data API has no trade id. A fill is identified downstream (dbt staging) by
`trade_key`: sha256 over (conditionId, asset, transactionHash, proxyWallet, side, price,
size, timestamp, outcomeIndex) plus the ordinal of identical rows within one page. It tells
apart every fill of a transaction that differs in wallet, side, asset, price or size; two
fills identical in all of those within one transaction are told apart only when they arrive
on the same page (at a page boundary they merge into one).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from prediction_markets.adapters.base import (
    PageShapeError,
    Request,
    Resource,
    Response,
    RunContext,
    Scope,
    ScopeState,
    Step,
)
from prediction_markets.adapters.parsing import parse_ts

DATA = "polymarket_data"
TRADE_KEY_FIELDS = ("conditionId", "asset", "transactionHash", "proxyWallet", "side", "price", "size",
                    "timestamp", "outcomeIndex")


def _key_text(value: Any) -> str:
    """A field as Postgres renders `jsonb ->> key`: numbers in plain decimal notation."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format(Decimal(repr(value)), "f")
    return str(value)


def trade_keys(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The stable key of each fill on one page (see the module docstring). dbt staging computes
    the same key in SQL from the landed JSON; this is its Python twin for tests and tools."""
    seen: Counter[str] = Counter()
    keys = []
    for row in rows:
        natural = "|".join(_key_text(row.get(f)) for f in TRADE_KEY_FIELDS)
        ordinal = seen[natural]
        seen[natural] += 1
        keys.append(hashlib.sha256(f"{natural}|{ordinal}".encode()).hexdigest())
    return keys


class TradesResource(Resource):
    name = "trades"
    landing_resource = "trades"
    conn_id = DATA
    per_market = True

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.page_size = int(settings["trades_page_size"])
        self.ceiling = int(settings["trades_offset_ceiling"])
        self.overlap = timedelta(seconds=float(settings["trades_overlap_s"]))

    def scopes(self, ctx: RunContext) -> Iterable[Scope]:
        return [Scope(e.market_id) for e in ctx.items]

    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState):
        if previous.high_water_mark is None:
            stop = None  # first sync of this market: as deep as the API goes
        else:
            stop = min(ctx.interval.start, previous.high_water_mark) - self.overlap
        params = (("market", scope.key), ("limit", str(self.page_size)), ("offset", "0"), ("takerOnly", "false"))
        progress = {"stop_ts": stop.timestamp() if stop else None, "newest_ts": None}
        return Request("trades", DATA, "/trades", params), progress

    def advance(self, scope, ctx, progress, request: Request, response: Response) -> Step:
        offset = int(request.param("offset") or 0)
        newest = progress.get("newest_ts")
        if response.status == 400 and offset > 0:
            return self._done(progress, [f"offset {offset} refused (HTTP 400): older trades unreachable"])
        if response.status != 200:
            raise PageShapeError(f"HTTP {response.status}: {response.body[:300]!r}")
        rows = response.data
        if not isinstance(rows, list):
            raise PageShapeError(f"expected a JSON array of trades, got {type(rows).__name__}")
        stamps = [t for t in (_ts(r) for r in rows) if t is not None]
        if stamps:
            newest = max(stamps + ([newest] if newest is not None else []))
        progress = {**progress, "newest_ts": newest}
        stop = progress.get("stop_ts")
        reached_stop = stop is not None and stamps and min(stamps) < stop
        next_offset = offset + len(rows)
        if not rows or len(rows) < self.page_size or reached_stop:
            return self._done(progress, [], records=len(rows))
        if next_offset > self.ceiling:
            oldest = datetime.fromtimestamp(min(stamps), tz=timezone.utc).isoformat() if stamps else "?"
            return self._done(progress, [f"offset ceiling {self.ceiling}: trades before {oldest} unreachable"],
                              records=len(rows))
        return Step(request.with_params(offset=next_offset), progress=progress, records=len(rows))

    @staticmethod
    def _done(progress: Mapping[str, Any], warnings, records: int = 0) -> Step:
        newest = progress.get("newest_ts")
        hwm = datetime.fromtimestamp(newest, tz=timezone.utc) if newest is not None else None
        return Step(None, progress=dict(progress), records=records, high_water_mark=hwm, warnings=warnings)


def _ts(row: Any) -> float | None:
    if not isinstance(row, dict):
        return None
    parsed = parse_ts(row.get("timestamp"))
    return parsed.timestamp() if parsed else None
