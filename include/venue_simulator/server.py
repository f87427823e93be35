"""HTTP core: threading server, mounts, request log, faults, rate limits, admin API."""
from __future__ import annotations

import email.utils
import http.server
import socket
import threading
import time
import traceback
import urllib.parse

import orjson

from . import faults as faultlib
from . import htmlpages
from .clock import SimClock
from .config import SimConfig
from .faults import FaultRegistry, FaultRule
from .log import RequestLog
from .admin import ADMIN_PREFIX, handle_admin
from .ratelimit import RateLimiter
from .routing import HTML_TYPE, JSON_TYPE, Mount, Request, Response


def default_error_body(status: int) -> Response:
    if status == 429:
        return Response.json(429, {"error": "Too Many Requests"})
    return Response.json(status, {"error": http.server.BaseHTTPRequestHandler.responses.get(status, ("error",))[0]})


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class SimulatorServer:
    """A local venue simulator. ``start()`` serves in a background thread.

    >>> with SimulatorServer(SimConfig(seed=1, polymarket_markets=20)) as sim:
    ...     sim.url("polymarket/gamma")  # base URL of the Gamma connection
    ...     sim.url("kalshi")            # base URL of the Kalshi connection

    ``.polymarket`` and ``.kalshi`` are the worlds behind the venues (ground truth without HTTP).
    """

    def __init__(self, config: SimConfig | None = None, *, mount_polymarket: bool = True,
                 mount_kalshi: bool = True) -> None:
        self.config = config or SimConfig()
        self.clock = SimClock(self.config.now)
        self.log = RequestLog(self.config.request_log_size)
        self.faults = FaultRegistry()
        self.limiter = RateLimiter(self.config.rate_limit_factor, self.config.rate_limit_window,
                                   self.config.rate_limit_max_queue)
        self.enforce_rate_limits = self.config.enforce_rate_limits
        self._mounts: list[Mount] = []
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        self.polymarket = None
        if mount_polymarket:
            from .polymarket import PolymarketWorld, build_mounts
            self.polymarket = PolymarketWorld(
                seed=self.config.seed,
                n_markets=self.config.polymarket_markets,
                n_trades=self.config.polymarket_trades,
                epoch_start=self.config.epoch_start,
                epoch_end=self.config.epoch_end,
                v2_switchover=self.config.polymarket_v2_switchover,
                combos=self.config.polymarket_combos,
                void_share=self.config.polymarket_void_share,
                dispute_share=self.config.polymarket_dispute_share,
                slow_resolution_share=self.config.polymarket_slow_resolution_share,
            )
            for m in build_mounts(self.polymarket, v1_trades=self.config.polymarket_v1_trades):
                self.mount(m)
        self.kalshi = None
        if mount_kalshi:
            from .kalshi import KalshiWorld, build_mount
            cfg = self.config
            self.kalshi = KalshiWorld(seed=cfg.seed, n_series=cfg.kalshi_series, n_markets=cfg.kalshi_markets,
                                      n_trades=cfg.kalshi_trades, epoch_start=cfg.epoch_start,
                                      epoch_end=cfg.epoch_end, historical_cutoff=cfg.kalshi_historical_cutoff)
            self.mount(build_mount(self.kalshi, cfg.kalshi_public_keys))

    # ------------------------------------------------------------------ lifecycle
    def mount(self, mount: Mount) -> None:
        """Register a venue host under its prefix (longest prefix wins)."""
        self._mounts.append(mount)
        self._mounts.sort(key=lambda m: len(m.prefix), reverse=True)

    def start(self) -> "SimulatorServer":
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _HTTPServer((self.config.host, self.config.port), _make_handler(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="venue-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._conn_lock:
            conns = list(self._connections)
            self._connections.clear()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def serve_forever(self) -> None:
        """Blocking variant used by the CLI."""
        self.start()
        try:
            while not self._stopping.wait(0.5):
                pass
        finally:
            self.stop()

    def __enter__(self) -> "SimulatorServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        host = self.config.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def url(self, service: str) -> str:
        """Base URL of a venue connection, e.g. ``url("polymarket/gamma")``."""
        for m in self._mounts:
            if m.service == service:
                return self.base_url + m.prefix
        raise KeyError(service)

    def service_urls(self) -> dict[str, str]:
        return {m.service: self.base_url + m.prefix for m in sorted(self._mounts, key=lambda m: m.prefix)}

    # ------------------------------------------------------------------ python API
    def requests(self, since: int = 0, service: str | None = None) -> list[dict]:
        return self.log.since(since, service)

    def clear_requests(self) -> None:
        self.log.clear()

    def set_now(self, when) -> None:
        self.clock.set(when)

    def now(self) -> float:
        return self.clock.now()

    def add_fault(self, rule: FaultRule | dict | None = None, **fields) -> dict:
        return self.faults.add(rule, **fields).to_dict()

    def clear_faults(self) -> None:
        self.faults.clear()

    def list_faults(self) -> list[dict]:
        return self.faults.list()

    # ------------------------------------------------------------------ dispatch
    def _find_mount(self, path: str) -> tuple[Mount | None, str]:
        for m in self._mounts:
            if path == m.prefix or path.startswith(m.prefix + "/"):
                return m, path[len(m.prefix):] or "/"
        return None, path

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._conn_lock:
            (self._connections.add if add else self._connections.discard)(conn)

    def _sleep(self, seconds: float) -> bool:
        """Interruptible sleep; False when the server is stopping."""
        return not self._stopping.wait(seconds)

    def _admin(self, method: str, path: str, query: dict, body: bytes) -> Response:
        return handle_admin(self, method, path[len(ADMIN_PREFIX):], query, body)

    def _dispatch(self, req: Request, mount: Mount | None) -> tuple[Response, FaultRule | None, float]:
        """-> (response, applied fault, seconds queued by the rate limiter)."""
        resp, fault, queued = self._answer(req, mount)
        if mount is not None and mount.finish is not None:
            mount.finish(req, resp)
        return resp, fault, queued

    def _answer(self, req: Request, mount: Mount | None) -> tuple[Response, FaultRule | None, float]:
        error_body = (mount.error_body if mount and mount.error_body else default_error_body)
        if mount is not None and mount.error_response is not None:
            error_body = lambda status, _req=req, _fn=mount.error_response: _fn(_req, status)  # noqa: E731
        if mount is not None and mount.url_too_long is not None and req.target_length > self.config.max_url_length:
            return mount.url_too_long(), None, 0.0
        fault = self.faults.take(req.service, req.method, req.path, req.query)
        if fault is not None:
            if fault.kind == "status":
                resp = error_body(fault.status) if fault.body is None else _custom_body(fault.status, fault.body)
                resp.status = fault.status
                delay = fault.retry_after if fault.retry_after is not None else resp.headers.get("Retry-After")
                if delay is not None:
                    resp.headers["Retry-After"] = faultlib.retry_after_value(fault, delay, time.time())
                if fault.content_type:
                    resp.content_type = fault.content_type
                return resp, fault, 0.0
            if fault.kind == "html403":
                host = (req.service or "api").replace("/", "-")
                return Response.html(403, htmlpages.cloudflare_blocked(host, htmlpages.ray_id(f"{time.time()}"))), fault, 0.0
            if fault.kind == "non_json":
                text = fault.body if isinstance(fault.body, str) else htmlpages.bad_gateway()
                return Response(200, text.encode("utf-8"), fault.content_type or HTML_TYPE), fault, 0.0
            if fault.kind in ("timeout", "slow"):
                if not self._sleep(fault.effective_delay()):
                    return Response.json(503, {"error": "shutting down"}), fault, 0.0
        queued = 0.0
        if mount is not None and self.enforce_rate_limits:
            admitted, queued = self.limiter.acquire(
                self.limiter.buckets(mount.service, req.path, mount.rate_rules), self._stopping)
            if not admitted:
                if mount.limited_response is not None:
                    return mount.limited_response(req), fault, queued
                return error_body(429), fault, queued
            for rule in mount.token_rules:
                if not self.limiter.take_tokens(f"{mount.service}:{rule.name}", rule.rate, rule.capacity,
                                                rule.cost(req)):
                    return error_body(429), fault, queued
        resp = self._route(req, mount)
        if fault is not None and resp.is_json:
            if fault.kind == "drift":
                resp.body = faultlib.apply_drift(resp.body, fault)
            elif fault.kind == "nul":
                resp.body = faultlib.apply_nul(resp.body, fault)
        if fault is not None and fault.kind == "truncate_body":
            resp.status = 200
            resp.body = resp.body[: max(1, len(resp.body) // 2)]
        return resp, fault, queued

    def _route(self, req: Request, mount: Mount | None) -> Response:
        if mount is None:
            return Response.json(404, {"error": "not found", "path": req.path})
        handler, params, _ = mount.router.resolve(req.method, req.path)
        if handler is None:
            if mount.not_found is not None:
                return mount.not_found(req)
            return Response.json(404, {"error": "not found"})
        req.path_params = params
        try:
            return handler(req)
        except Exception:  # a bug in a venue handler must not kill the connection
            traceback.print_exc()
            if mount.error_response is not None:
                return mount.error_response(req, 500)
            return Response.json(500, {"error": "internal error"})


def _custom_body(status: int, body) -> Response:
    if isinstance(body, bytes):
        return Response(status, body, JSON_TYPE)
    if isinstance(body, str):
        stripped = body.lstrip()
        ctype = JSON_TYPE if stripped[:1] in ("{", "[", '"') else "text/plain; charset=utf-8"
        return Response(status, body.encode("utf-8"), ctype)
    return Response.json(status, body)


def _make_handler(sim: SimulatorServer):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "cloudflare"
        sys_version = ""

        def version_string(self) -> str:
            return self.server_version
        timeout = sim.config.keepalive_timeout

        def date_time_string(self, timestamp=None) -> str:
            # The Date header is the venue's clock: the simulated now.
            return email.utils.formatdate(sim.clock.now() if timestamp is None else timestamp, usegmt=True)

        def setup(self) -> None:
            super().setup()
            try:   # headers and body leave in one segment anyway; never wait for delayed ACKs
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
            sim._track(self.connection, True)

        def finish(self) -> None:
            try:
                super().finish()
            finally:
                sim._track(self.connection, False)

        def log_message(self, format, *args) -> None:  # silence stderr access log
            pass

        def do_GET(self) -> None:
            self._serve()

        do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def _serve(self) -> None:
            arrival = time.time()
            started = time.monotonic()
            body = self._read_body()
            split = urllib.parse.urlsplit(self.path)
            path = urllib.parse.unquote(split.path) or "/"
            query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
            method = self.command
            if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
                self._send(sim._admin(method, path, query, body), None)
                return
            mount, sub = sim._find_mount(path)
            seq = sim.log.next_seq()
            req = Request(method=method, service=mount.service if mount else None, path=sub, query=query,
                          body=body, headers={k.lower(): v for k, v in self.headers.items()},
                          now=sim.clock.now(), target_length=len(self.path))
            resp, fault, queued = sim._dispatch(req, mount)
            json_body = None
            if body:
                try:
                    json_body = orjson.loads(body)
                except orjson.JSONDecodeError:
                    json_body = body.decode("utf-8", "replace")
            truncated = fault is not None and fault.kind == "truncate_connection"
            entry = {
                "seq": seq, "time": arrival, "method": method, "service": req.service, "path": sub,
                "query": query, "body": json_body, "status": resp.status,
                "response_bytes": len(resp.body) // 2 if truncated else len(resp.body),
                "content_type": resp.content_type, "fault": fault.kind if fault else None,
                "fault_id": fault.id if fault else None, "queued_seconds": round(queued, 4),
                "duration_ms": round((time.monotonic() - started) * 1000, 3),
            }
            # logged before the first byte leaves, so a client that has its answer sees the entry
            sim.log.append(entry)
            sent = self._send(resp, fault)
            if sent != entry["response_bytes"]:
                entry["response_bytes"] = sent

        def _send(self, resp: Response, fault: FaultRule | None) -> int:
            body = resp.body
            announce = len(body)
            if fault is not None and fault.kind == "truncate_connection":
                body = body[: len(body) // 2]
            try:
                self.send_response(resp.status)
                self.send_header("Content-Type", resp.content_type)
                self.send_header("Content-Length", str(announce))
                for name, value in resp.headers.items():
                    self.send_header(name, value)
                if fault is not None and fault.kind == "truncate_connection":
                    self.send_header("Connection", "close")
                # end_headers() + write(body) in a single send
                self._headers_buffer.append(b"\r\n")
                if self.command != "HEAD":
                    self._headers_buffer.append(body)
                self.flush_headers()
            except (BrokenPipeError, ConnectionResetError, OSError):
                self.close_connection = True
                return 0
            if fault is not None and fault.kind == "truncate_connection":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            return len(body)

    return Handler
