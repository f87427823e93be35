"""Venue-agnostic request/response types, a tiny router and venue mounts."""
from __future__ import annotations

import dataclasses
import re
from typing import Callable

import orjson

JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=UTF-8"


@dataclasses.dataclass
class Request:
    method: str
    service: str | None        # e.g. "polymarket/gamma"
    path: str                  # path after the mount prefix, e.g. "/markets/keyset"
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str]
    now: float                 # simulated now (epoch seconds) fixed at arrival
    target_length: int         # length of the raw request target (path + query)
    path_params: dict[str, str] = dataclasses.field(default_factory=dict)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """Last value of a query parameter (what most web frameworks return)."""
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, *names: str) -> list[str]:
        """All values of the given keys (``id=1&id=2`` and ``id[]=1`` forms)."""
        out: list[str] = []
        for name in names:
            out.extend(self.query.get(name, ()))
        return out

    def json(self):
        return orjson.loads(self.body) if self.body else None


@dataclasses.dataclass
class Response:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload, headers: dict[str, str] | None = None) -> "Response":
        return cls(status, orjson.dumps(payload), JSON_TYPE, dict(headers or {}))

    @classmethod
    def html(cls, status: int, text: str, headers: dict[str, str] | None = None) -> "Response":
        return cls(status, text.encode("utf-8"), HTML_TYPE, dict(headers or {}))

    @property
    def is_json(self) -> bool:
        return self.content_type.startswith(JSON_TYPE)


Handler = Callable[[Request], Response]


class Router:
    """Method + path pattern -> handler. Patterns use ``{name}`` for one path segment."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern, Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern.rstrip("/") or "/") + "/?$"
        self._routes.append((method.upper(), re.compile(regex), handler))

    def get(self, pattern: str):
        def deco(fn: Handler) -> Handler:
            self.add("GET", pattern, fn)
            return fn
        return deco

    def post(self, pattern: str):
        def deco(fn: Handler) -> Handler:
            self.add("POST", pattern, fn)
            return fn
        return deco

    def resolve(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], bool]:
        """-> (handler, path params, path_known). path_known is True when only the method differs."""
        path_known = False
        for route_method, regex, handler in self._routes:
            match = regex.match(path)
            if match is None:
                continue
            if route_method == method.upper():
                return handler, match.groupdict(), True
            path_known = True
        return None, {}, path_known


@dataclasses.dataclass
class RateRule:
    """At most ``limit`` requests per window for requests whose path matches one of ``paths``
    (fnmatch globs; ``None`` = every request of the service)."""

    name: str
    limit: int
    paths: tuple[str, ...] | None = None


@dataclasses.dataclass
class TokenRule:
    """Token bucket: ``rate`` tokens per second up to ``capacity``; a request costs ``cost(req)``."""

    name: str
    rate: float
    capacity: float
    cost: Callable[["Request"], int]


@dataclasses.dataclass
class Mount:
    """One venue host mounted under a URL prefix of the simulator."""

    prefix: str                                  # "/polymarket/gamma"
    service: str                                 # "polymarket/gamma"
    router: Router
    rate_rules: list[RateRule] = dataclasses.field(default_factory=list)
    # status -> default body for injected faults / rate limiting, venue flavoured.
    error_body: Callable[[int], Response] | None = None
    # Answer used for an over-long request target (None = no check at the venue level).
    url_too_long: Callable[[], Response] | None = None
    not_found: Callable[[Request], Response] | None = None
    # Token buckets checked (after the sliding windows) when rate limits are enforced.
    token_rules: list[TokenRule] = dataclasses.field(default_factory=list)
    # Request-aware variants (a host serving two API generations): the body of an injected
    # status / an internal error, the answer of the rate limiter, and a last touch on every
    # response (e.g. headers every response of a route family carries).
    error_response: Callable[["Request", int], Response] | None = None
    limited_response: Callable[["Request"], Response] | None = None
    finish: Callable[["Request", Response], None] | None = None
