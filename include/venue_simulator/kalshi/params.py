"""Query-string parsing with Kalshi's validation errors (400 in the error envelope)."""
from __future__ import annotations

from .errors import bad_request


def one(req, name: str) -> str | None:
    """The single value of a parameter ('' counts as absent); repeated keys are refused."""
    values = [v for v in req.query.get(name, ()) if v != ""]
    if len(values) > 1:
        raise bad_request(f"{name} may be given only once")
    return values[0] if values else None


def int_param(req, name: str, default: int | None = None, required: bool = False) -> int | None:
    raw = one(req, name)
    if raw is None:
        if required:
            raise bad_request(f"{name} is required")
        return default
    try:
        return int(raw.strip())
    except ValueError:
        raise bad_request(f"{name} must be an integer") from None


def bool_param(req, name: str, default: bool = False) -> bool:
    raw = one(req, name)
    if raw is None:
        return default
    text = raw.strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise bad_request(f"{name} must be a boolean")


def limit_param(req, default: int, maximum: int) -> int:
    """0 or absent -> default; negative or above the maximum -> 400."""
    value = int_param(req, "limit", 0)
    if value < 0 or value > maximum:
        raise bad_request(f"limit must be between 1 and {maximum}")
    return value or default


def list_param(req, name: str) -> list[str]:
    """Comma-separated values, also accepted as repeated keys."""
    out: list[str] = []
    for raw in req.query.get(name, ()):
        out.extend(part.strip() for part in raw.split(",") if part.strip())
    return out
