"""Kalshi error bodies: the ``{"error": {"code", "message", "service"}}`` envelope, except 429
whose ``error`` is a plain string."""
from __future__ import annotations

import orjson

from ..routing import JSON_TYPE, Response

SERVICE = "exchange"
CODES = {400: "bad_request", 401: "invalid_credentials", 403: "forbidden", 404: "not_found", 409: "conflict",
         500: "internal_server_error", 502: "bad_gateway", 503: "service_unavailable", 504: "gateway_timeout"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, service: str = SERVICE) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.service = service

    def response(self) -> Response:
        return error(self.status, self.message, self.code, self.service)


def error(status: int, message: str, code: str | None = None, service: str = SERVICE) -> Response:
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message, "service": service}}
    return Response(status, orjson.dumps(body), JSON_TYPE)


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str = "not found") -> ApiError:
    return ApiError(404, message)


def too_many_requests() -> Response:
    return Response(429, orjson.dumps({"error": "too many requests"}), JSON_TYPE)


def error_body(status: int) -> Response:
    """Default body of an injected fault or a refused request, per status."""
    if status == 429:
        return too_many_requests()
    if status == 401:
        return error(401, "invalid credentials", "invalid_credentials", "auth")
    return error(status, CODES.get(status, "error").replace("_", " "))


def ok(payload) -> Response:
    """200 with keys in sorted order, as the recorded bodies are."""
    return Response(200, orjson.dumps(payload, option=orjson.OPT_SORT_KEYS), JSON_TYPE)
