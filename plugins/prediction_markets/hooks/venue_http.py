"""HTTP hook for venue APIs: session from an Airflow Connection, proactive rate limiting,
retries with backoff on 429/5xx/timeouts that honour Retry-After.

Every attempt is returned to the caller (the operator lands all of them, errors included);
the hook never decides what a page means, only whether the wire should be tried again.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Sequence

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from airflow.sdk import BaseHook
from prediction_markets.adapters.base import RateRule, Request, Response
from prediction_markets.hooks.ratelimit import LimiterStore, LocalStore, RateLimiter
from prediction_markets.landing.body import parse_body

DEFAULT_MAX_BODY_BYTES = 128 * 1024 * 1024
KEPT_OF_OVERSIZED = 64 * 1024
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524, 525, 526, 527, 530})


class RetryableResponse(Exception):
    def __init__(self, response: Response, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.response = response
        self.reason = reason
        self.retry_after = retry_after


@dataclass
class FetchResult:
    """All attempts of one request; `final` is the last. `exhausted`: still failing after retries."""

    attempts: list[Response]
    exhausted: bool = False
    reason: str | None = None

    @property
    def final(self) -> Response:
        return self.attempts[-1]


@dataclass
class HookStats:
    requests: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    rate_limit_wait_s: float = 0.0
    bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **deltas: float) -> None:
        with self._lock:
            for name, value in deltas.items():
                setattr(self, name, getattr(self, name) + value)


def base_url_from_connection(conn) -> str:
    """The connection's host is the API base URL (a full URL, or host + port + path)."""
    host = (conn.host or "").strip().rstrip("/")
    if not host:
        raise ValueError(f"connection {conn.conn_id!r} has no host: set it to the API base URL")
    if "://" in host:
        return host
    extra = conn.extra_dejson or {}
    scheme = conn.conn_type if conn.conn_type in ("http", "https") else extra.get("scheme", "https")
    port = f":{conn.port}" if conn.port else ""
    path = f"/{conn.schema.strip('/')}" if conn.schema else ""
    return f"{scheme}://{host}{port}{path}"


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _is_html(response: Response) -> bool:
    ctype = response.headers.get("content-type", "").lower()
    return "html" in ctype or response.body.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))


class VenueHttpHook(BaseHook):
    """Talks to one venue host named by an Airflow Connection (`conn_type` http/https)."""

    conn_name_attr = "venue_conn_id"
    default_conn_name = "polymarket_gamma"
    conn_type = "http"
    hook_name = "Prediction market venue API"

    def __init__(
        self,
        venue_conn_id: str = default_conn_name,
        *,
        rate_rules: Sequence[RateRule] = (),
        limiter_store: LimiterStore | None = None,
        pool_size: int = 8,
        sleep: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.venue_conn_id = venue_conn_id
        self._rate_rules = list(rate_rules)
        self._limiter_store = limiter_store or LocalStore()
        self._pool_size = pool_size
        self._sleep = sleep
        self._session: requests.Session | None = None
        self._session_lock = threading.Lock()
        self.stats = HookStats()

    # -- connection ------------------------------------------------------------------------
    def _load(self) -> None:
        conn = self.get_connection(self.venue_conn_id)
        extra = conn.extra_dejson or {}
        self.base_url = base_url_from_connection(conn)
        self.extra = extra
        overrides: Mapping[str, int] = extra.get("rate_limits", {})
        scale = float(extra.get("rate_limit_scale", 1.0))
        rules = [
            RateRule(r.key, max(1, int(overrides.get(r.key, r.limit * scale))), r.period, r.paths)
            for r in self._rate_rules
        ]
        self.limiter = RateLimiter(
            rules,
            self._limiter_store,
            safety=float(extra.get("rate_limit_safety", 0.9)),
            burst_fraction=float(extra.get("rate_limit_burst", 0.1)),
            sleep=self._sleep,
        )
        self.max_attempts = int(extra.get("max_attempts", 6))
        self.backoff_base_s = float(extra.get("backoff_base_s", 1.0))
        self.backoff_max_s = float(extra.get("backoff_max_s", 60.0))
        self.retry_after_max_s = float(extra.get("retry_after_max_s", 300.0))
        self.cloudflare_wait_s = float(extra.get("cloudflare_wait_s", 60.0))
        self.slow_response_s = float(extra.get("slow_response_s", 10.0))
        self.timeout = (float(extra.get("connect_timeout_s", 10.0)), float(extra.get("read_timeout_s", 60.0)))
        # Larger bodies are landed as errors (their first bytes kept), never held in memory whole.
        self.max_body_bytes = int(extra.get("max_body_bytes", DEFAULT_MAX_BODY_BYTES))
        self.headers = {"User-Agent": "prediction-markets-platform/1.0", **extra.get("headers", {})}

    def get_conn(self) -> requests.Session:
        with self._session_lock:
            if self._session is None:
                self._load()
                session = requests.Session()
                adapter = requests.adapters.HTTPAdapter(
                    pool_connections=2, pool_maxsize=self._pool_size, max_retries=0
                )
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                session.headers.update(self.headers)
                self._session = session
            return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def test_connection(self) -> tuple[bool, str]:
        try:
            session = self.get_conn()
            resp = session.get(self.base_url, timeout=self.timeout)
            return True, f"{self.base_url} answered HTTP {resp.status_code}"
        except Exception as exc:  # noqa: BLE001 - reported to the UI, not raised
            return False, str(exc)

    # -- requests --------------------------------------------------------------------------
    def auth_headers(self, method: str, url: str) -> Mapping[str, str]:
        """Headers authenticating a `signed` request; venues that sign requests override this.
        Without credentials a signed request goes out unsigned and the venue's 401 is landed."""
        return {}

    def url_for(self, request: Request) -> str:
        self.get_conn()
        return f"{self.base_url}{request.path}"

    def _send(self, request: Request) -> Response:
        session = self.get_conn()
        url = self.url_for(request)
        waited = self.limiter.acquire(request.path, request.cost)
        if waited > 0:
            self.stats.add(rate_limit_waits=1, rate_limit_wait_s=waited)
        started = time.monotonic()
        try:
            resp = session.request(
                request.method,
                url,
                params=list(request.params),
                json=request.json,
                headers=dict(self.auth_headers(request.method, url)) if request.signed else None,
                timeout=self.timeout,
                stream=True,
            )
            body, oversized = self._read_capped(resp)
        except requests.RequestException as exc:
            elapsed = int((time.monotonic() - started) * 1000)
            self.stats.add(requests=1)
            return Response(status=None, body=b"", error=f"{type(exc).__name__}: {exc}", url=url, elapsed_ms=elapsed)
        elapsed = int((time.monotonic() - started) * 1000)
        self.stats.add(requests=1, bytes=len(body))
        headers = {k.lower(): v for k, v in resp.headers.items()}
        if elapsed / 1000 > self.slow_response_s:
            # The venue queues callers over its limit: slow everyone down instead of piling on.
            self.limiter.pause(request.path, elapsed / 2000)
        if oversized:
            return Response(status=resp.status_code, body=body, headers=headers, url=resp.url, elapsed_ms=elapsed,
                            error=f"body larger than {self.max_body_bytes} bytes: refused, first "
                                  f"{len(body)} bytes kept", oversized=True)
        parsed = parse_body(body)
        return Response(
            status=resp.status_code, body=body, headers=headers, data=parsed.data,
            error=parsed.error, url=resp.url, elapsed_ms=elapsed, sanitized=parsed.sanitized,
        )

    def _read_capped(self, resp) -> tuple[bytes, bool]:
        """The body, or its first bytes when it exceeds the cap (the rest is not read)."""
        chunks, size = [], 0
        try:
            for chunk in resp.iter_content(chunk_size=1 << 16):
                chunks.append(chunk)
                size += len(chunk)
                if size > self.max_body_bytes:
                    return b"".join(chunks)[:KEPT_OF_OVERSIZED], True
            return b"".join(chunks), False
        finally:
            resp.close()

    def _classify(self, response: Response, attempt: int) -> RetryableResponse | None:
        if response.status is None:
            return RetryableResponse(response, response.error or "no response")
        if response.status in RETRYABLE_STATUS:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            return RetryableResponse(response, f"HTTP {response.status}", retry_after)
        if response.status == 403 and _is_html(response) and attempt == 1:
            # Cloudflare challenge/block page: one patient retry, then treat as final.
            return RetryableResponse(response, "HTTP 403 HTML (Cloudflare)", self.cloudflare_wait_s)
        if response.status == 200 and response.error is not None and not response.oversized:
            return RetryableResponse(response, f"malformed body: {response.error}")
        return None

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception()
        if isinstance(exc, RetryableResponse) and exc.retry_after is not None:
            return min(exc.retry_after, self.retry_after_max_s)
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (state.attempt_number - 1))
        return random.uniform(ceiling / 2, ceiling)

    def fetch(self, request: Request) -> FetchResult:
        """Send `request`, retrying transient failures; every attempt is in the result."""
        result = FetchResult(attempts=[])

        def attempt_once() -> None:
            response = self._send(request)
            result.attempts.append(response)
            problem = self._classify(response, len(result.attempts))
            if problem is not None:
                raise problem

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception()
            self.stats.add(retries=1)
            if isinstance(exc, RetryableResponse) and exc.response.status == 429:
                # Everyone sharing this limit waits, not just this worker.
                self.limiter.pause(request.path, state.upcoming_sleep)
            self.log.warning(
                "%s %s: %s; retry %d in %.1fs",
                request.method, request.path, exc, state.attempt_number, state.upcoming_sleep,
            )

        self.get_conn()
        retrying = Retrying(
            retry=retry_if_exception_type(RetryableResponse),
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            retrying(attempt_once)
        except RetryableResponse as exc:
            result.exhausted = True
            result.reason = exc.reason
        return result
