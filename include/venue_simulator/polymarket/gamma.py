"""Gamma API (https://gamma-api.polymarket.com): markets and keyset markets (events: gamma_events)."""
from __future__ import annotations

from .. import htmlpages
from ..routing import Request, Response, Router
from . import gamma_events, objects, state
from .cursor import CursorCodec, CursorError, fingerprint
from .gamma_common import (DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, MARKETS_SCHEMA, keyset_refusal, legacy_list,
                           not_found, offset_too_large, validation_error)
from .hashing import hexdigest
from .params import ParamError, bool_arg, int_arg, list_arg, time_arg

MAX_CONDITION_IDS = 40


def error_body(status: int) -> Response:
    if status == 429:
        return Response.json(429, {"error": "Too Many Requests"})
    if status >= 500:
        return Response.json(status, {"type": "internal error", "error": "cannot get the information"})
    return Response.json(status, {"type": "error", "error": "request failed"})


class _Filters:
    """Parsed market filters shared by /markets and /markets/keyset."""

    def __init__(self, world, req: Request) -> None:
        self.world = world
        self.now = req.now
        self.closed = bool_arg(req, "closed", False)
        self.active = bool_arg(req, "active", None)
        self.archived = bool_arg(req, "archived", None)
        self.ids = list_arg(req, "id")
        self.slugs = list_arg(req, "slug")
        self.condition_ids = list_arg(req, "condition_ids")
        self.token_ids = list_arg(req, "clob_token_ids")
        self.end_min = time_arg(req, "end_date_min")
        self.end_max = time_arg(req, "end_date_max")
        self.start_min = time_arg(req, "start_date_min")
        self.start_max = time_arg(req, "start_date_max")
        self.count = world.market_count(req.now)

    def canonical(self) -> dict:
        """The filters as values (``closed`` omitted or ``false`` is the same filter)."""
        return {"closed": self.closed, "active": self.active, "archived": self.archived,
                "id": sorted(self.ids), "slug": sorted(self.slugs), "condition_ids": sorted(self.condition_ids),
                "clob_token_ids": sorted(self.token_ids), "end": [self.end_min, self.end_max],
                "start": [self.start_min, self.start_max]}

    def explicit(self) -> list[int] | None:
        """Indices named by id/slug/condition_ids/clob_token_ids (intersection), or None."""
        w = self.world
        sets = []
        if self.ids:
            sets.append({w.index_of_market_id(x) for x in self.ids})
        if self.slugs:
            sets.append({w.index_of_slug(x) for x in self.slugs})
        if self.condition_ids:
            sets.append({w.index_of_condition_id(x) for x in self.condition_ids})
        if self.token_ids:
            sets.append({(ref or (None,))[0] for ref in map(w.token_ref, self.token_ids)})
        if not sets:
            return None
        chosen = set.intersection(*sets)
        return sorted(i for i in chosen if i is not None and i < self.count)

    def accept(self, i: int) -> bool:
        if i >= self.count:
            return False
        tl = self.world.timeline
        if self.active is False or self.archived is True:
            return False
        if (self.now >= tl.close_of(i)) != self.closed:
            return False
        if self.end_min is not None or self.end_max is not None:
            end = tl.end_of(i)
            if (self.end_min is not None and end < self.end_min) or (self.end_max is not None and end > self.end_max):
                return False
        if self.start_min is not None or self.start_max is not None:
            start = tl.accepting_of(i)
            if (self.start_min is not None and start < self.start_min) or (self.start_max is not None and start > self.start_max):
                return False
        return True


def build_router(world) -> Router:
    router = Router()
    codec = CursorCodec(hexdigest(32, world.seed, "keyset-secret").encode())

    def guard(fn):
        def wrapped(req: Request) -> Response:
            try:
                return fn(req)
            except ParamError as exc:
                return validation_error(str(exc))
        wrapped.__name__ = fn.__name__
        return wrapped

    def blocked(req: Request) -> Response | None:
        if len(list_arg(req, "condition_ids")) > MAX_CONDITION_IDS:
            return Response.html(403, htmlpages.cloudflare_blocked(
                "gamma-api.polymarket.com", htmlpages.ray_id(repr(sorted(req.query.items())))))
        return None

    def limit_of(req: Request) -> int:
        return min(int_arg(req, "limit", DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT)

    @router.get("/markets")
    @guard
    def list_markets(req: Request) -> Response:
        denied = blocked(req)
        if denied is not None:
            return denied
        limit = limit_of(req)
        offset = int_arg(req, "offset", 0)
        if offset > MAX_OFFSET:
            return offset_too_large("/markets/keyset")
        order = req.arg("order")
        ascending = bool_arg(req, "ascending", False)
        if order:
            for name in order.split(","):
                if name.strip() not in state.SORT_FIELDS:
                    return validation_error(f"order field '{name.strip()}' is not allowed")
        flt = _Filters(world, req)
        explicit = flt.explicit()
        now = req.now
        if explicit is not None:
            candidates = [i for i in explicit if flt.accept(i)]
            if order:
                keyfn = state.sort_key(world, order, now)
                candidates.sort(key=lambda i: (keyfn(i), i), reverse=not ascending)
            page = candidates[offset:offset + limit]
        else:
            if order:
                source = world.sorted_indices(now, order, flt.closed, ascending)
            else:
                source = range(flt.count)
            page = []
            skip = offset
            for i in source:
                if not flt.accept(i):
                    continue
                if skip:
                    skip -= 1
                    continue
                if len(page) >= limit:
                    break
                page.append(i)
        return legacy_list([objects.market_object(world, i, now, True) for i in page], "/markets/keyset")

    @router.get("/markets/keyset")
    @guard
    def keyset_markets(req: Request) -> Response:
        denied = blocked(req) or keyset_refusal(req)
        if denied is not None:
            return denied
        limit = limit_of(req)
        flt = _Filters(world, req)
        fp = fingerprint(flt.canonical())
        position = 0
        token = req.arg("after_cursor")
        if token:
            try:
                position = codec.decode(token, fp)
            except CursorError as exc:
                return validation_error(str(exc), status=400)
        explicit = flt.explicit()
        source = (i for i in explicit if i >= position) if explicit is not None else range(position, flt.count)
        page: list[int] = []
        more = False
        for i in source:
            if not flt.accept(i):
                continue
            if len(page) >= limit:
                more = True
                break
            page.append(i)
        body = {"$schema": MARKETS_SCHEMA, "markets": [objects.market_object(world, i, req.now, True) for i in page]}
        if more and page:
            body["next_cursor"] = codec.encode(page[-1] + 1, fp)
        return Response.json(200, body)

    @router.get("/markets/slug/{slug}")
    def market_by_slug(req: Request) -> Response:
        i = world.index_of_slug(req.path_params["slug"])
        if i is None or not world.exists(i, req.now):
            return not_found()
        return Response.json(200, objects.market_object(world, i, req.now, True))

    @router.get("/markets/{id}")
    def market_by_id(req: Request) -> Response:
        raw = req.path_params["id"]
        if not raw.isdigit():
            return validation_error("id is invalid")
        i = world.index_of_market_id(raw)
        if i is None or not world.exists(i, req.now):
            return not_found()
        return Response.json(200, objects.market_object(world, i, req.now, True))

    gamma_events.add_routes(router, world, codec, guard, limit_of)

    return router
