"""Gamma events: the legacy offset list, keyset pages and single events."""
from __future__ import annotations

from ..routing import Request, Response, Router
from . import objects, state
from .cursor import CursorError, fingerprint
from .gamma_common import (EVENTS_SCHEMA, MAX_OFFSET, keyset_refusal, legacy_list, not_found, offset_too_large,
                           validation_error)
from .params import bool_arg, int_arg, list_arg, time_arg

EVENT_SORT_FIELDS = ("id", "startDate", "endDate", "createdAt", "volume", "liquidity")
SCAN_FACTOR = 3            # a keyset page examines at most this many times `limit` events


class _EventFilters:
    def __init__(self, world, req: Request) -> None:
        self.world = world
        self.now = req.now
        self.closed = bool_arg(req, "closed", False)
        self.active = bool_arg(req, "active", None)
        self.archived = bool_arg(req, "archived", None)
        self.end_min, self.end_max = time_arg(req, "end_date_min"), time_arg(req, "end_date_max")
        self.ids = list_arg(req, "id")
        self.slugs = set(list_arg(req, "slug"))

    def canonical(self) -> dict:
        return {"closed": self.closed, "active": self.active, "archived": self.archived,
                "end": [self.end_min, self.end_max], "id": sorted(self.ids), "slug": sorted(self.slugs)}

    def firsts(self, position: int = 0):
        """First-market indices of the candidate events from ``position`` on, in id order."""
        w, now = self.world, self.now
        if self.ids:
            found = {f for f in map(w.event_first_of_id, self.ids) if f is not None and w.exists(f, now)}
            return iter(sorted(f for f in found if f >= position))
        return w.timeline.event_starts(position, w.market_count(now))

    def keep(self, first: int) -> bool:
        w, now = self.world, self.now
        if self.active is False or self.archived is True:
            return False
        ev = w.timeline.event(first)
        if w.event_closed(first, now) != self.closed:
            return False
        if self.end_min is not None and ev.end < self.end_min:
            return False
        if self.end_max is not None and ev.end > self.end_max:
            return False
        return not self.slugs or w.event_static(first)["slug"] in self.slugs


def add_routes(router: Router, world, codec, guard, limit_of) -> None:
    @router.get("/events")
    @guard
    def list_events(req: Request) -> Response:
        limit = limit_of(req)
        offset = int_arg(req, "offset", 0)
        if offset > MAX_OFFSET:
            return offset_too_large("/events/keyset")
        closed = bool_arg(req, "closed", False)
        ascending = bool_arg(req, "ascending", False)
        order = req.arg("order")
        if order and order not in EVENT_SORT_FIELDS:
            return validation_error(f"order field '{order}' is not allowed")
        if bool_arg(req, "active", None) is False or bool_arg(req, "archived", None) is True:
            return legacy_list([], "/events/keyset")
        now = req.now
        end_min, end_max = time_arg(req, "end_date_min"), time_arg(req, "end_date_max")
        wanted_ids = list_arg(req, "id")
        wanted_slugs = set(list_arg(req, "slug"))
        if wanted_ids:
            firsts = sorted({f for f in map(world.event_first_of_id, wanted_ids)
                             if f is not None and world.exists(f, now)})
        else:
            firsts = world.event_firsts(now)

        def keep(first: int) -> bool:
            ev = world.timeline.event(first)
            if world.event_closed(first, now) != closed:
                return False
            if end_min is not None and ev.end < end_min:
                return False
            if end_max is not None and ev.end > end_max:
                return False
            if wanted_slugs and world.event_static(first)["slug"] not in wanted_slugs:
                return False
            return True

        if order and order != "id":
            chosen = [f for f in firsts if keep(f)]
            chosen.sort(key=lambda f: (_event_key(world, f, order, now), f), reverse=not ascending)
            page = chosen[offset:offset + limit]
        else:   # id order: stop scanning as soon as the page is full
            source = reversed(firsts) if order == "id" and not ascending else firsts
            page, skip = [], offset
            for f in source:
                if len(page) >= limit:
                    break
                if not keep(f):
                    continue
                if skip:
                    skip -= 1
                    continue
                page.append(f)
        return legacy_list([objects.event_object(world, f, now, True) for f in page], "/events/keyset")

    @router.get("/events/keyset")
    @guard
    def keyset_events(req: Request) -> Response:
        """Events in id order. A page examines at most SCAN_FACTOR x limit events once it holds
        one, so pages matching few events are short before the end."""
        denied = keyset_refusal(req)
        if denied is not None:
            return denied
        limit = limit_of(req)
        with_markets = bool_arg(req, "include_markets", True)
        flt = _EventFilters(world, req)
        fp = fingerprint(flt.canonical())
        position = 0
        token = req.arg("after_cursor")
        if token:
            try:
                position = codec.decode(token, fp)
            except CursorError as exc:
                return validation_error(str(exc), status=400)
        candidates = flt.firsts(position)
        page: list[int] = []
        scanned, last, more = 0, None, False
        for f in candidates:
            if page and (len(page) >= limit or scanned >= SCAN_FACTOR * limit):
                more = flt.keep(f) or any(flt.keep(g) for g in candidates)   # another match exists
                break
            scanned += 1
            last = f
            if flt.keep(f):
                page.append(f)
        now = req.now
        body = {"$schema": EVENTS_SCHEMA,
                "events": [objects.event_object(world, f, now, with_markets, with_tags=True) for f in page]}
        if more:
            body["next_cursor"] = codec.encode(last + 1, fp)
        return Response.json(200, body)

    @router.get("/events/{id}")
    def event_by_id(req: Request) -> Response:
        raw = req.path_params["id"]
        if not raw.isdigit():
            return validation_error("id is invalid")
        first = world.event_first_of_id(raw)
        if first is None or not world.exists(first, req.now):
            return not_found()
        return Response.json(200, objects.event_object(world, first, req.now, True))



def _event_key(world, first: int, order: str, now: float):
    ev = world.timeline.event(first)
    if order == "id":
        return first
    if order == "endDate":
        return ev.end
    if order in ("startDate", "createdAt"):
        return ev.created
    members = [i for i in world.event_markets(first) if world.exists(i, now)]
    if order == "volume":
        return sum(world.volume(i, now) for i in members)
    return sum(state.liquidity(world, i, now) for i in members)
