"""Query-string parsing with venue-flavoured validation errors."""
from __future__ import annotations

from ..timeutil import parse_instant


class ParamError(Exception):
    """A request parameter is invalid; the handler turns it into the venue's error answer."""


def int_arg(req, name: str, default: int | None, minimum: int | None = 0) -> int | None:
    raw = req.arg(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ParamError(f"{name} must be an integer") from None
    if minimum is not None and value < minimum:
        raise ParamError(f"{name} must be >= {minimum}")
    return value


def bool_arg(req, name: str, default: bool | None) -> bool | None:
    raw = req.arg(name)
    if raw is None or raw == "":
        return default
    text = raw.strip().lower()
    if text in ("true", "1", "t"):
        return True
    if text in ("false", "0", "f"):
        return False
    raise ParamError(f"{name} must be a boolean")


def time_arg(req, name: str) -> float | None:
    raw = req.arg(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_instant(raw).timestamp()
    except (TypeError, ValueError):
        raise ParamError(f"{name} must be an ISO-8601 date-time") from None


def list_arg(req, name: str, split_commas: bool = False) -> list[str]:
    """Repeated keys (``k=a&k=b``) and the ``k[]`` form; comma-joined values only if asked."""
    out: list[str] = []
    for value in req.args(name, name + "[]"):
        parts = value.split(",") if split_commas else [value]
        out.extend(v.strip() for v in parts if v.strip() != "")
    return out
