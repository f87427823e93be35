"""``/events``, ``/events/{event_ticker}``, ``/series`` and ``/series/{series_ticker}``."""
from __future__ import annotations

from ..routing import Request, Response
from . import objects
from .cursor import fingerprint
from .eras import era_at
from .errors import bad_request, not_found, ok
from .paging import scan_page
from .params import bool_param, int_param, limit_param, list_param, one

EVENT_STATUS = {"unopened": ("initialized",), "open": ("active", "inactive"),
                "closed": ("closed", "determined", "disputed"), "settled": ("finalized", "amended")}


def register(router, world, codec) -> None:
    lay = world.layout

    def nested(first: int, now: float, era) -> list[dict]:
        return [objects.market_object(world, i, now, era) for i in world.event_markets(first, now)]

    @router.get("/events")
    def list_events(req: Request) -> Response:
        now = req.now
        limit = limit_param(req, 200, 200)
        status = one(req, "status")
        if status is not None and status not in EVENT_STATUS:
            raise bad_request("status must be one of unopened, open, closed, settled")
        f = {"status": status, "series_ticker": one(req, "series_ticker"),
             "min_close_ts": int_param(req, "min_close_ts"), "min_updated_ts": int_param(req, "min_updated_ts")}
        with_markets = bool_param(req, "with_nested_markets")
        bool_param(req, "with_milestones")
        fp = fingerprint(f)
        count = world.market_count(now)
        start = count - 1
        token = one(req, "cursor")
        if token:
            start = codec.decode(token, fp, 1)[0]
        series = None
        if f["series_ticker"]:
            series = lay.series_by_prefix.get(f["series_ticker"])
            if series is None or series.ticker != f["series_ticker"]:
                series = False

        def source(below: int):
            if series is False:
                return iter(())
            if series is not None:
                return lay.series_firsts_desc(series, min(below, count - 1) + 1)
            return lay.regular_firsts_desc(min(below, count - 1) + 1)

        def accept(first: int) -> bool:
            if status is not None and world.life.status(first, now) not in EVENT_STATUS[status]:
                return False
            if f["min_close_ts"] is not None and world.life.close_of(first) <= f["min_close_ts"]:
                return False
            if f["min_updated_ts"] is not None and world.updated(first, now)[0] <= f["min_updated_ts"]:
                return False
            return True

        page, nxt = scan_page(source, start, accept, lambda k: True, limit, world.breaks, "event")
        era = era_at(now)
        events = [objects.event_object(world, first, now, era, nested(first, now, era) if with_markets else None)
                  for first in page]
        # last page: "cursor": null
        return ok({"cursor": codec.encode((nxt,), fp) if nxt is not None else None, "events": events,
                   "milestones": []})

    @router.get("/events/{event_ticker}")
    def get_event(req: Request) -> Response:
        now = req.now
        first = world.tickers.event_first(req.path_params["event_ticker"])
        if first is None or first >= world.market_count(now):
            raise not_found("event not found")
        era = era_at(now)
        markets = nested(first, now, era)
        with_markets = bool_param(req, "with_nested_markets")
        event = objects.event_object(world, first, now, era, markets if with_markets else None)
        return ok({"event": event, "markets": markets})

    @router.get("/series")
    def list_series(req: Request) -> Response:
        now = req.now
        category = one(req, "category")
        tags = set(list_param(req, "tags"))
        include_volume = bool_param(req, "include_volume")
        bool_param(req, "include_product_metadata")
        min_updated = int_param(req, "min_updated_ts")
        era = era_at(now)
        out = []
        for s in lay.series:
            if category is not None and s.category != category:
                continue
            if tags and not tags.intersection(s.tags or ()):
                continue
            if min_updated is not None and s.updated <= min_updated:
                continue
            volume = world.series_volume(s, now) if include_volume else None
            out.append(objects.series_object(world, s, now, era, volume))
        return ok({"series": out})        # one page, no cursor key

    @router.get("/series/{series_ticker}")
    def get_series(req: Request) -> Response:
        ticker = req.path_params["series_ticker"]
        s = lay.series_by_prefix.get(ticker)
        if s is None or s.ticker != ticker:
            raise not_found("series not found")
        volume = world.series_volume(s, req.now) if bool_param(req, "include_volume") else None
        return ok({"series": objects.series_object(world, s, req.now, era_at(req.now), volume)})
