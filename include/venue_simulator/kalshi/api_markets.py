"""``/markets``, ``/markets/{ticker}``, ``/historical/markets`` and ``/historical/markets/{ticker}``."""
from __future__ import annotations

from ..routing import Request, Response
from . import objects
from .cursor import fingerprint
from .eras import era_at
from .errors import bad_request, not_found, ok
from .layout import N_SPECIAL
from .lifecycle import ZERO_CREATED
from .paging import scan_page
from .params import int_param, limit_param, list_param, one
from .world import FILTER_STATUS

ZERO_TS = -62135596800                 # 0001-01-01T00:00:00Z
TS_GROUPS = (("min_created_ts", "max_created_ts"), ("min_close_ts", "max_close_ts"),
             ("min_settled_ts", "max_settled_ts"), ("min_updated_ts",))
GROUP_STATUS = ({None, "unopened", "open"}, {None, "closed"}, {None, "settled"}, {None})


def parse_filters(req: Request, historical: bool) -> dict:
    f = {"event_ticker": one(req, "event_ticker"), "series_ticker": one(req, "series_ticker"),
         "tickers": sorted(set(list_param(req, "tickers"))), "mve_filter": one(req, "mve_filter")}
    if f["event_ticker"] and "," in f["event_ticker"]:
        raise bad_request("only a single event ticker is supported")
    if historical:
        if f["mve_filter"] not in (None, "exclude"):
            raise bad_request("mve_filter must be 'exclude'")
        if sum(1 for k in ("event_ticker", "series_ticker", "tickers", "mve_filter") if f[k]) > 1:
            raise bad_request("filters are mutually exclusive")
        return f
    if f["mve_filter"] not in (None, "only", "exclude"):
        raise bad_request("mve_filter must be 'only' or 'exclude'")
    status = one(req, "status")
    if status is not None and status not in FILTER_STATUS:
        raise bad_request("status must be one of unopened, open, paused, closed, settled"
                          + (" (only one status filter may be supplied)" if "," in status else ""))
    f["status"] = status
    used = []
    for n, group in enumerate(TS_GROUPS):
        values = [int_param(req, name) for name in group]
        f.update(zip(group, values))
        if any(v is not None for v in values):
            used.append(n)
    if len(used) > 1:
        raise bad_request("timestamp filters are mutually exclusive")
    if used and status not in GROUP_STATUS[used[0]]:
        raise bad_request(f"{TS_GROUPS[used[0]][0]} is not compatible with status={status}")
    if used == [3]:
        others = f["event_ticker"] or f["tickers"] or f["mve_filter"] == "only"
        if others or (f["series_ticker"] and f["mve_filter"] != "exclude"):
            raise bad_request("min_updated_ts is incompatible with all filters besides mve_filter=exclude")
    return f


def market_source(world, f: dict, count: int, floor: int):
    """-> source(start) yielding candidate market indices <= start, newest first. Recurring and
    parlay markets below ``floor`` are skipped (they cannot be in the requested tier)."""
    lay, tk = world.layout, world.tickers
    if f["tickers"]:
        chosen = sorted({i for i in map(tk.index_of_market, f["tickers"]) if i is not None and i < count},
                        reverse=True)
        return lambda start: (i for i in chosen if i <= start)
    if f["event_ticker"]:
        first = tk.event_first(f["event_ticker"])
        if first is None or first >= count:
            return lambda start: iter(())
        size = 1 if lay.is_parlay(first) else lay.event(first).size
        return lambda start: iter(range(min(start, first + size - 1, count - 1), first - 1, -1))
    bottom = max(floor, N_SPECIAL)
    if f["series_ticker"]:
        series = lay.series_by_prefix.get(f["series_ticker"])
        if series is None or series.ticker != f["series_ticker"]:
            return lambda start: iter(())
        if series.kind == "mve":
            def parlays(start):
                for i in range(min(start, count - 1), bottom - 1, -1):
                    if lay.is_parlay(i) and tk.parlay_series(i) == series.idx:
                        yield i
            return parlays

        def members(start):
            for first in lay.series_firsts_desc(series, min(start, count - 1) + 1):
                if N_SPECIAL <= first < floor:
                    return
                yield from range(min(start, count - 1, first + lay.event(first).size - 1), first - 1, -1)
        return members

    def everything(start):
        yield from range(min(start, count - 1), bottom - 1, -1)
        yield from range(min(start, N_SPECIAL - 1, count - 1), -1, -1)
    return everything


def market_accept(world, f: dict, now: float, historical: bool):
    life = world.life
    cut = world.cutoff_ts(now)
    statuses = FILTER_STATUS[f["status"]] if f.get("status") else None
    created = (f.get("min_created_ts"), f.get("max_created_ts"))
    close = (f.get("min_close_ts"), f.get("max_close_ts"))
    settled = (f.get("min_settled_ts"), f.get("max_settled_ts"))
    updated = f.get("min_updated_ts")

    def inside(value, bounds) -> bool:
        return (bounds[0] is None or value >= bounds[0]) and (bounds[1] is None or value <= bounds[1])

    def accept(i: int) -> bool:
        c, _, cl, _, settle, flags = life.row(i)
        if (settle < cut) != historical:
            return False
        if statuses is not None and life.status(i, now) not in statuses:
            return False
        if created != (None, None) and not inside(ZERO_TS if flags & ZERO_CREATED else c, created):
            return False
        if close != (None, None) and not inside(cl, close):
            return False
        if settled != (None, None) and not (settle <= now and inside(settle, settled)):
            return False
        if updated is not None and world.updated(i, now)[0] <= updated:
            return False
        return True
    return accept


def register(router, world, codec) -> None:
    def listing(req: Request, historical: bool) -> Response:
        now = req.now
        limit = limit_param(req, 100, 1000)
        f = parse_filters(req, historical)
        fp = fingerprint({"tier": "historical" if historical else "live", **f})
        count = world.market_count(now)
        if historical:                        # settled before the cutoff, so created before it too
            count = min(count, world.market_count(world.cutoff_ts(now)))
        floor = 0 if historical else world.live_floor(now)
        start = count - 1
        token = one(req, "cursor")
        if token:
            start = codec.decode(token, fp, 1)[0]
        mve = f["mve_filter"]
        keep = (lambda i: True) if mve is None else (lambda i: world.is_parlay(i) == (mve == "only"))
        page, nxt = scan_page(market_source(world, f, count, floor), start, market_accept(world, f, now, historical),
                              keep, limit, world.breaks, "market")
        era = era_at(now)
        body = {"markets": [objects.market_object(world, i, now, era) for i in page]}
        cursor = codec.encode((nxt,), fp) if nxt is not None else None
        if historical:
            if cursor:                       # last page: no cursor key at all
                body["cursor"] = cursor
        else:
            body["cursor"] = cursor or ""    # last page: ""
        return ok(body)

    def single(req: Request, tier: str) -> Response:
        market = world.market(req.path_params["ticker"], req.now, tier)
        if market is None:
            raise not_found("market not found")
        return ok({"market": market})

    router.get("/markets")(lambda req: listing(req, False))
    router.get("/historical/markets")(lambda req: listing(req, True))
    router.get("/historical/markets/{ticker}")(lambda req: single(req, "historical"))
    router.get("/markets/{ticker}")(lambda req: single(req, "live"))
