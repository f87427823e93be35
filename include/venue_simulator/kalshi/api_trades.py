"""``/markets/trades``, ``/historical/trades`` and ``/historical/cutoff``."""
from __future__ import annotations

from ..routing import Request, Response
from .cursor import fingerprint
from .eras import era_at
from .errors import ok
from .paging import trade_feed
from .params import int_param, limit_param, one


def register(router, world, codec) -> None:
    def trades(req: Request, tier: str) -> Response:
        now = req.now
        limit = limit_param(req, 100, 1000)
        ticker = one(req, "ticker")
        min_ts, max_ts = int_param(req, "min_ts"), int_param(req, "max_ts")
        fp = fingerprint({"tier": tier, "ticker": ticker, "min_ts": min_ts, "max_ts": max_ts})
        before = None
        token = one(req, "cursor")
        if token:
            before = codec.decode(token, fp, 3)
        market = None
        if ticker is not None:
            market = world.index_of(ticker)
        era = era_at(now)
        if ticker is not None and (market is None or market >= world.market_count(now)):
            keys, more = [], False
        else:
            lower, upper = world.trade_bounds(now, tier, min_ts, max_ts)
            keys, more = trade_feed(world, now, limit, lower, upper, before, market)
        body = {"trades": [world.trade_row(i, j, era, t) for t, i, j in keys]}
        cursor = codec.encode(keys[-1], fp) if more and keys else None
        # last page: "" on the live feed (as recorded), null on the historical one
        body["cursor"] = cursor if cursor else ("" if tier == "live" else None)
        return ok(body)

    router.get("/markets/trades")(lambda req: trades(req, "live"))
    router.get("/historical/trades")(lambda req: trades(req, "historical"))

    @router.get("/historical/cutoff")
    def cutoff(req: Request) -> Response:
        return ok(world.cutoff(req.now))
