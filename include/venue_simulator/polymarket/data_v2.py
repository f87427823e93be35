"""Data API v2 (https://data-api.polymarket.com/v2): trades, prices-history, resolutions, status."""
from __future__ import annotations

import hashlib

from ..routing import Request, Response, Router
from . import prices_v2, resolution
from .feed import block_of, cdn_instant, clamp_upper, first_page, previous_month_start, three_years_before
from .hashing import hexdigest
from .rows import trade_row_v2
from .v2http import ADDRESS, Cursors, Query, V2Error, error, from_exception, trace_id

DAY = 86400
TRADES_DEFAULT, TRADES_MAX = 100, 1000
PRICES_MAX = 10_000
DEFAULT_MIN_SIZE = 0.01
# Contracts of the protocol: not user wallets.
PROTOCOL_ADDRESSES = {a.lower() for a in (
    "0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E", "0xC5d563A36AE78145C45a50134d48A1215220f80a",
    "0xd91E80cF2E7be2e162c6513ceD06f1dD0dA35296", "0x4D97DCd97eC945f40cF65F87097ACe5EA0476045")}
CACHE_CONTROL = "public, max-age=300"
RESOLUTION_SELECTORS = "provide exactly one of 'question_id', 'condition', or 'event_id'"

TRADES_PARAMS = {"condition": ("condition_id", "conditionId"), "event_id": ("eventId",), "user": (),
                 "side": (), "taker_only": ("takerOnly",), "filter_type": ("filterType",),
                 "filter_amount": ("filterAmount",), "start": (), "end": (), "limit": (), "cursor": ()}
PRICES_PARAMS = {"token_id": ("tokenId",), "start": (), "end": (), "interval": (),
                 "bucket_seconds": ("bucketSeconds",), "as_of": ("asOf",), "limit": (), "cursor": ()}
RESOLUTION_PARAMS = {"question_id": ("questionId",), "condition": ("condition_id", "conditionId"),
                     "event_id": ("eventId",)}


def _envelope(rows: list, limit: int, offset: int, has_more: bool, cursor: str | None) -> dict:
    return {"data": rows, "pagination": {"limit": limit, "offset": offset, "has_more": has_more,
                                         "next_cursor": cursor if has_more else None}}


def add_routes(router: Router, world) -> None:
    cursors = Cursors(hexdigest(32, world.seed, "data-v2-cursor").encode())
    questions: dict[str, int] = {}

    def guarded(fn):
        def wrapped(req: Request) -> Response:
            try:
                return fn(req)
            except V2Error as exc:
                return from_exception(exc, world.seed)
        wrapped.__name__ = fn.__name__
        return wrapped

    # ------------------------------------------------------------------ /v2/trades
    @router.get("/v2/trades")
    @guarded
    def trades(req: Request) -> Response:
        q = Query(req, TRADES_PARAMS)
        limit = q.integer("limit", TRADES_DEFAULT, 0, TRADES_MAX) or TRADES_DEFAULT
        taker_only = q.boolean("taker_only", True)
        side = q.text("side")
        if side is not None and side not in ("BUY", "SELL"):
            raise V2Error(400, "side must be BUY or SELL", "side")
        filter_type = q.text("filter_type") or "TOKENS"
        if filter_type not in ("CASH", "TOKENS"):
            raise V2Error(400, "filter_type must be CASH or TOKENS", "filter_type")
        amount = q.number("filter_amount")
        amount = DEFAULT_MIN_SIZE if not amount else amount        # 0 behaves as the default
        user = q.text("user")
        if user is not None:
            if not ADDRESS.match(user):
                raise V2Error(400, "user must be a 0x-prefixed 20-byte address", "user")
            if user.lower() in PROTOCOL_ADDRESSES:
                raise V2Error(400, "user is a protocol contract address, not a wallet", "user")
            user = user.lower()
        start, end = q.integer("start", 0), q.integer("end", 0)
        conditions = q.condition_ids("condition")
        events = q.event_ids("event_id")
        if conditions and events:
            raise V2Error(400, "condition and event_id are mutually exclusive", "event_id")
        token = q.text("cursor")
        now = req.now
        if token:
            params = cursors.decode(token, "trades")
            try:
                page_size, offset = int(params["l"]), int(params["d"])
                anchor = (int(params["ts"]), int(params["sq"]))
            except (KeyError, TypeError, ValueError):
                raise V2Error(400, "invalid cursor", "cursor") from None
            as_of = now
        else:   # page 1 has a fixed URL: the CDN may answer it from a copy up to 300 s old
            page_size, offset, anchor, as_of = limit, 0, None, cdn_instant(now)
        horizon = world.ingestion.horizon(as_of)
        hi = None
        if user is not None:   # start/end are honoured only with user
            lo = three_years_before(as_of) if not start else start
            hi = end or int(as_of) + DAY
        elif conditions or events:
            lo = three_years_before(as_of)
        else:
            lo = previous_month_start(as_of)
        upper = clamp_upper(anchor, horizon if hi is None else min(horizon, hi))
        if conditions:
            indices = [world.fill_index(c) for c in conditions]
            indices = [i for i in indices if i is not None and (i >= world.n or world.exists(i, as_of))]
            stream = world.feed.merged(indices, upper, taker_only) if indices else iter(())
        elif events:
            members = []
            for e in events:
                first = world.event_first_of_id(e)
                if first is not None:
                    members += [i for i in world.event_markets(first) if world.exists(i, as_of)]
            stream = world.feed.merged(members, upper, taker_only) if members else iter(())
        else:
            stream = world.feed.global_stream(upper, taker_only)
        merge = stream if not conditions and not events else None
        bare = merge is not None
        fills_cache: dict = {}

        def build(key):
            ts, _, i, j, f = key
            fills = fills_cache.get((i, j))
            if fills is None:
                if len(fills_cache) > 256:
                    fills_cache.clear()
                fills = fills_cache[(i, j)] = world._tx(i, j)
            return trade_row_v2(world, i, j, f, fills[f], ts, bare)

        def keep(row) -> bool:
            if (row["size"] * row["price"] if filter_type == "CASH" else row["size"]) < amount:
                return False
            if side is not None and row["side"] != side:
                return False
            return user is None or row["proxy_wallet"] == user

        rows, has_more, last, unread = first_page(stream, page_size, lo, keep, build, 2 * page_size + 64)
        if merge is not None and has_more and last is not None:
            world.feed.keep_global(merge, last, unread)        # the walk's next page resumes it
        cursor = None
        if has_more and last is not None:
            cursor = cursors.encode("trades", {"l": page_size, "ts": last[0], "sq": str(last[1]),
                                               "d": offset + len(rows)})
        headers = {"cache-control": CACHE_CONTROL}
        if token:
            headers["x-trace-id"] = trace_id(world.seed)
            headers["x-cache"] = "Miss from cloudfront"
        else:
            headers["x-trace-id"] = trace_id(world.seed, "page1", req.path, sorted(req.query.items()), as_of)
            headers["age"] = str(int(now) - as_of)
            headers["x-cache"] = "Hit from cloudfront" if int(now) > as_of else "Miss from cloudfront"
        return Response.json(200, _envelope(rows, page_size, offset, has_more and cursor is not None, cursor),
                             headers)

    # ------------------------------------------------------------------ /v2/prices-history
    @router.get("/v2/prices-history")
    @guarded
    def prices_history(req: Request) -> Response:
        q = Query(req, PRICES_PARAMS)
        limit = q.integer("limit", PRICES_MAX, 0, PRICES_MAX) or PRICES_MAX
        token = (q.text("token_id") or "").strip()
        if not token:
            raise V2Error(400, "token_id is required", "token_id")
        now = int(req.now)
        window, as_of = _price_window(q, now)
        cursor_token = q.text("cursor")
        offset, anchor, page_size = 0, None, limit
        if cursor_token:
            params = cursors.decode(cursor_token, "prices_history")
            try:
                page_size, offset = int(params["l"]), int(params["d"])
                anchor = (int(params["ts"]), _rank(params["sq"]))
            except (KeyError, TypeError, ValueError):
                raise V2Error(400, "invalid cursor", "cursor") from None
        ref = world.token_ref(token)
        if ref is None or not world.exists(ref[0], now):
            points = iter(())
        elif as_of is not None:
            point = prices_v2.as_of_point(world, ref[0], ref[1], as_of, now)
            points = iter([point] if point else [])
        else:
            points = prices_v2.series(world, ref[0], ref[1], window, now)
        rows, last, has_more = [], None, False
        for ts, rank, price, res in points:
            if anchor is not None and (ts, rank) <= anchor:
                continue
            if len(rows) >= page_size:
                has_more = True
                break
            rows.append({"timestamp": ts, "price": price, "resolution_seconds": res})
            last = (ts, rank, res)
        cursor = None
        if has_more:
            sq = str(last[2]) if last[1] == prices_v2.BUCKET else ("0" if last[1] == prices_v2.TICK else "1")
            cursor = cursors.encode("prices_history", {"l": page_size, "ts": last[0], "sq": sq,
                                                       "d": offset + len(rows)})
        return Response.json(200, _envelope(rows, page_size, offset, has_more, cursor),
                             {"x-trace-id": trace_id(world.seed)})

    # ------------------------------------------------------------------ /v2/resolutions
    @router.get("/v2/resolutions")
    @guarded
    def resolutions(req: Request) -> Response:
        q = Query(req, RESOLUTION_PARAMS)
        given = [name for name in RESOLUTION_PARAMS if q.items(name)]
        if len(given) != 1:
            raise V2Error(400, RESOLUTION_SELECTORS)
        now = req.now
        rows = []
        if given[0] == "question_id":
            qid = q.items("question_id")
            if len(qid) != 1 or not _is_bytes32(qid[0]):
                raise V2Error(400, "question_id must be one 0x-prefixed 32-byte id", "question_id")
            if not questions:
                questions.update({world.question_id(i): i for i in range(world.n)})
            i = questions.get(qid[0].lower())
            row = world.question_resolution(i, now) if i is not None else None
            rows = [row] if row else []
        else:
            if given[0] == "condition":
                indices = [world.index_of_condition_id(c) for c in q.condition_ids("condition")]
            else:
                indices = []
                for e in q.event_ids("event_id"):
                    first = world.event_first_of_id(e)
                    if first is not None:
                        indices += list(world.event_markets(first))
            for i in indices:
                row = world.resolution(i, now) if i is not None else None
                if row is not None:
                    rows.append(row)
        return Response.json(200, {"data": rows}, {"x-trace-id": trace_id(world.seed)})

    # ------------------------------------------------------------------ /v2/status
    @router.get("/v2/status")
    @guarded
    def status(req: Request) -> Response:
        Query(req, {})
        snap = int(req.now) // 30 * 30          # the status document is recomputed every 30 s
        lag = world.ingestion.lag(snap)
        top = block_of(world.ingestion.horizon(snap))
        behind = 1 + int(hashlib.blake2b(str(snap).encode(), digest_size=2).hexdigest(), 16) % 3
        lagging = [{"source": s, "block": top - behind, "behind_max": behind} for s in (
            "auto_redeem_binary_redemption", "auto_redeem_neg_risk_redemption", "binary_module_event_prepared",
            "binary_module_position_redeemed", "combinatorial_module_compressed")]
        body = {"data": {
            "computed_at": resolution.rfc3339(snap),
            "age_seconds": int(req.now) - snap,
            "serving": {"lag_seconds": lag, "worst": "activity_feed", "mechanisms": [
                {"name": "activity_feed", "age_seconds": lag},
                {"name": "custody_balances", "age_seconds": 0, "blocks_behind": 400 + snap // 30 % 600},
                {"name": "pnl", "age_seconds": 1, "blocks_behind": 1}]},
            "ingestion": {"cursors": 148, "network": "polygon", "chain_id": 137, "max_synced_block": top,
                          "min_synced_block": top - behind, "most_lagged": lagging[0], "lagging": lagging}}}
        return Response.json(200, body, {"x-trace-id": trace_id(world.seed)})


def _is_bytes32(text: str) -> bool:
    return len(text) == 66 and text[:2] == "0x" and all(c in "0123456789abcdefABCDEF" for c in text[2:])


def _rank(sq) -> int:
    sq = str(sq)
    return prices_v2.TICK if sq == "0" else prices_v2.SETTLEMENT if sq == "1" else prices_v2.BUCKET


def _price_window(q: Query, now: int):
    """-> (Window or None, as_of or None). A bound of 0 is refused like any non-positive one."""
    start, end, as_of = q.integer("start", None, 1), q.integer("end", None, 1), q.integer("as_of", None, 1)
    width = q.integer("bucket_seconds", None, 60, 86400)
    try:
        return prices_v2.window(now, start, end, q.text("interval"), width, as_of)
    except prices_v2.WindowError as exc:
        raise V2Error(400, str(exc), exc.parameter) from None


# ---------------------------------------------------------------------------- mount hooks

def error_response(req: Request, status: int) -> Response:
    """Default bodies of injected statuses and internal errors: v2 envelope on /v2 paths."""
    if req.path.startswith("/v2/"):
        return error(status)
    from .data_api import error_body
    return error_body(status)


def limited_response(req: Request) -> Response:
    """Over a rate limit: /v2/trades answers a bare 429 (no body, no Retry-After, as measured);
    other v2 routes the v2 body with Retry-After; v1 routes their old body."""
    if req.path.rstrip("/") == "/v2/trades":
        return Response(429, b"", "text/plain; charset=utf-8")
    if req.path.startswith("/v2/"):
        resp = error(429)
        resp.headers["Retry-After"] = "1"
        return resp
    return Response.json(429, {"error": "Too Many Requests"})


def finish(req: Request, resp: Response) -> None:
    if (req.path == "/v2" or req.path.startswith("/v2/")) and "x-trace-id" not in resp.headers:
        resp.headers["x-trace-id"] = trace_id(0)


def not_found_or_v1(router: Router, fallback):
    def not_found(req: Request) -> Response:
        if req.path.startswith("/v2/") or req.path == "/v2":
            _, _, known = router.resolve(req.method, req.path)
            if known:
                return error(405, f"method {req.method} not allowed on {req.path}")
            return error(404, f"no route {req.path}")
        return fallback(req)
    return not_found

