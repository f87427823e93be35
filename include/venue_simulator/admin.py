"""Admin API under ``/_sim``: request log, clock, fault rules, rate limits, health."""
from __future__ import annotations

import orjson

from .faults import FaultRule
from .routing import Response

ADMIN_PREFIX = "/_sim"


def handle_admin(sim, method: str, path: str, query: dict, body: bytes) -> Response:
    """``path`` is relative to ``/_sim`` (``/requests``, ``/clock``, ...)."""
    sub = path.rstrip("/") or "/"
    try:
        payload = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return Response.json(400, {"error": "body is not JSON"})
    if sub == "/requests":
        if method == "GET":
            try:
                since = int((query.get("since") or ["0"])[-1] or 0)
            except ValueError:
                return Response.json(400, {"error": "since must be an integer"})
            service = (query.get("service") or [None])[-1]
            return Response.json(200, sim.requests(since, service))
        if method == "DELETE":
            n = len(sim.log)
            sim.clear_requests()
            return Response.json(200, {"cleared": n})
    elif sub == "/clock":
        if method == "GET":
            return Response.json(200, sim.clock.describe())
        if method == "POST":
            payload = payload or {}
            try:
                if "advance_seconds" in payload:
                    sim.clock.advance(float(payload["advance_seconds"]))
                elif "now" in payload:
                    sim.clock.set(payload["now"])
                else:
                    return Response.json(400, {"error": "expected {\"now\": ISO-8601|null} or {\"advance_seconds\": n}"})
            except (TypeError, ValueError) as exc:
                return Response.json(400, {"error": str(exc)})
            return Response.json(200, sim.clock.describe())
    elif sub == "/faults":
        if method == "GET":
            return Response.json(200, sim.list_faults())
        if method == "POST":
            specs = payload if isinstance(payload, list) else [payload]
            try:
                rules = [sim.faults.add(FaultRule.from_dict(s)).to_dict() for s in specs]
            except (TypeError, ValueError) as exc:
                return Response.json(400, {"error": str(exc)})
            return Response.json(200, rules if isinstance(payload, list) else rules[0])
        if method == "DELETE":
            sim.clear_faults()
            return Response.json(200, {"cleared": True})
    elif sub == "/ratelimits":
        if method == "GET":
            return Response.json(200, {"enforced": sim.enforce_rate_limits, "factor": sim.limiter.factor,
                                       "window": sim.limiter.window, "max_queue": sim.limiter.max_queue})
        if method == "POST":
            payload = payload or {}
            if "enforce" in payload:
                sim.enforce_rate_limits = bool(payload["enforce"])
            if "factor" in payload:
                sim.limiter.factor = float(payload["factor"])
            sim.limiter.reset()
            return Response.json(200, {"enforced": sim.enforce_rate_limits, "factor": sim.limiter.factor})
    elif sub == "/health":
        return Response.json(200, {"ok": True, "services": sim.service_urls() if sim._httpd else {}})
    elif sub == "/config":
        cfg = sim.config
        return Response.json(200, {
            "seed": cfg.seed, "polymarket_markets": cfg.polymarket_markets,
            "polymarket_trades": cfg.polymarket_trades,
            "polymarket_v1_trades": cfg.polymarket_v1_trades,
            "polymarket_v2_switchover": (cfg.polymarket_v2_switchover.isoformat()
                                         if cfg.polymarket_v2_switchover is not None else None),
            "polymarket_combos": sim.polymarket.combos.count if sim.polymarket is not None else None,
            "polymarket_void_share": cfg.polymarket_void_share,
            "polymarket_dispute_share": cfg.polymarket_dispute_share,
            "polymarket_slow_resolution_share": cfg.polymarket_slow_resolution_share,
            "kalshi_series": cfg.kalshi_series, "kalshi_markets": cfg.kalshi_markets,
            "kalshi_trades": cfg.kalshi_trades,
            "kalshi_historical_cutoff": (cfg.kalshi_historical_cutoff.isoformat()
                                         if cfg.kalshi_historical_cutoff is not None else None),
            "epoch_start": cfg.epoch_start.isoformat(), "epoch_end": cfg.epoch_end.isoformat(),
            "enforce_rate_limits": sim.enforce_rate_limits,
        })
    return Response.json(404, {"error": "not found"})
