"""Data API v2 conventions: error bodies, trace ids, strict query parsing, signed cursors."""
from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re

import orjson

from ..routing import Response

CODES = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed", 429: "rate_limited",
         500: "internal", 503: "request_timeout"}
MESSAGES = {400: "invalid request", 404: "not found", 405: "method not allowed",
            429: "service is at heavy-query capacity; retry after the Retry-After delay",
            500: "internal error", 503: "request timed out"}
RETRY_AFTER = {429: "2", 503: "5"}
HEX_ID = re.compile(r"^0x[0-9a-fA-F]{62}([0-9a-fA-F]{2})?$")
ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
INT64_MAX = (1 << 63) - 1
_counter = itertools.count(1)


class V2Error(Exception):
    def __init__(self, status: int, message: str, parameter: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter
        self.code = code or CODES.get(status, "internal")


def trace_id(seed: int, *parts) -> str:
    """32 hex digits. Without ``parts``: unique per response (a counter is mixed in)."""
    data = repr((seed, parts or ("response", next(_counter)))).encode()
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def error(status: int, message: str | None = None, parameter: str | None = None, code: str | None = None,
          trace: str | None = None, seed: int = 0) -> Response:
    code = code or CODES.get(status, "internal")
    trace = trace or trace_id(seed)
    body = {"error": message or MESSAGES.get(status, "error"), "code": code}
    if parameter is not None:
        body["parameter"] = parameter
    body["retryable"] = status in (429, 500, 503)
    body["trace_id"] = trace
    headers = {"x-trace-id": trace}
    if status in RETRY_AFTER:
        headers["Retry-After"] = RETRY_AFTER[status]
    return Response.json(status, body, headers)


def from_exception(exc: V2Error, seed: int) -> Response:
    return error(exc.status, exc.message, exc.parameter, exc.code, seed=seed)


# ---------------------------------------------------------------------------- queries

class Query:
    """Query parameters of a v2 route: snake_case or camelCase spellings, unknown ones refused."""

    def __init__(self, req, spec: dict[str, tuple[str, ...]]) -> None:
        self.values: dict[str, list[str]] = {}
        names = {alias: canonical for canonical, aliases in spec.items() for alias in (canonical, *aliases)}
        for key, values in req.query.items():
            canonical = names.get(key)
            if canonical is None:
                hint = "; page with cursor" if key == "offset" else ""
                raise V2Error(400, f"unknown query parameter '{key}'{hint}", key)
            self.values.setdefault(canonical, []).extend(values)

    def has(self, name: str) -> bool:
        return name in self.values

    def text(self, name: str) -> str | None:
        values = self.values.get(name)
        return values[-1] if values else None

    def items(self, name: str) -> list[str]:
        """Comma-separated and repeated values, distinct, in order."""
        out: list[str] = []
        for value in self.values.get(name, ()):
            for part in value.split(","):
                part = part.strip()
                if part and part not in out:
                    out.append(part)
        return out

    def integer(self, name: str, default: int | None = None, minimum: int = 0,
                maximum: int = INT64_MAX) -> int | None:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise V2Error(400, f"{name} must be an integer", name) from None
        if not minimum <= value <= maximum:
            raise V2Error(400, f"{name} must be between {minimum} and {maximum}", name)
        return value

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.text(name)
        if raw is None:
            return default
        text = raw.strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise V2Error(400, f"{name} must be true or false", name)

    def number(self, name: str) -> float | None:
        raw = self.text(name)
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise V2Error(400, f"{name} must be a number", name) from None
        if value != value or value < 0 or value == float("inf"):
            raise V2Error(400, f"{name} must be a non-negative number", name)
        return value

    def condition_ids(self, name: str = "condition", cap: int = 20) -> list[str]:
        ids = [c.lower() for c in self.items(name)]
        distinct = list(dict.fromkeys(ids))
        if len(distinct) > cap:
            raise V2Error(400, f"{name} accepts at most {cap} ids", name)
        for cid in distinct:
            if not HEX_ID.match(cid):
                raise V2Error(400, f"malformed condition id '{cid}'", name)
        return distinct

    def event_ids(self, name: str = "event_id", cap: int = 20) -> list[str]:
        ids = list(dict.fromkeys(self.items(name)))
        if len(ids) > cap:
            raise V2Error(400, f"{name} accepts at most {cap} ids", name)
        for e in ids:
            if not e.isdigit() or int(e) <= 0 or len(e) > 18:
                raise V2Error(400, f"{name} must be positive integers, got '{e}'", name)
        return ids


# ---------------------------------------------------------------------------- cursors

class Cursors:
    """Opaque signed cursors: base64url of ``{"data":{"type","params"},"sig"}``."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sig(self, data: dict) -> str:
        return hmac.new(self._secret, orjson.dumps(data), hashlib.sha256).hexdigest()[:32]

    def encode(self, kind: str, params: dict) -> str:
        data = {"type": kind, "params": params}
        raw = orjson.dumps({"data": data, "sig": self._sig(data)})
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, token: str, kind: str) -> dict:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            doc = orjson.loads(raw)
            data, sig = doc["data"], doc["sig"]
            ok = isinstance(sig, str) and hmac.compare_digest(sig, self._sig(data))
            params = data["params"]
            ok = ok and data["type"] == kind and isinstance(params, dict)
        except (ValueError, TypeError, KeyError, orjson.JSONDecodeError):
            ok = False
        if not ok:
            raise V2Error(400, "invalid cursor", "cursor")
        return params
