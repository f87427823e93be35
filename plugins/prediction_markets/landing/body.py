"""How a response body is stored: as jsonb when it is JSON, sanitised when jsonb refuses a
valid JSON body (NUL characters, lone surrogates), as text or bytes when it is not JSON."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import orjson

# jsonb cannot hold U+0000, and psycopg cannot encode lone surrogates to UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_REPLACEMENT = "\ufffd"
# Escapes that may decode to such characters; only bodies containing them are walked.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


# Values nested deeper than this are replaced by a string holding the start of their JSON text:
# parsers (and Python's recursion) give up near a thousand levels (orjson writes at most 255), and
# one such value must not cost its page every other entity.
MAX_DEPTH = 128
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def flatten_deep(body: bytes, limit: int = MAX_DEPTH) -> bytes:
    """The JSON text with every array/object opening below `limit` levels replaced by a string."""
    out, depth, last, skip_from, skip_depth = bytearray(), 0, 0, None, 0
    for match in _TOKEN.finditer(body):
        token = match.group()
        if token[:1] == b'"':
            continue
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit and skip_from is None:
                out += body[last:match.start()]
                skip_from, skip_depth = match.start(), depth
        else:
            if skip_from is not None and depth == skip_depth:
                raw = body[skip_from:match.end()].decode("utf-8", errors="replace")
                out += json.dumps(f"<nested deeper than {limit} levels: {raw[:200]}>").encode()
                last, skip_from = match.end(), None
            depth -= 1
    out += body[last:] if skip_from is None else b""
    return bytes(out)


@dataclass(frozen=True)
class Parsed:
    data: Any
    error: str | None = None
    # Why the parsed value differs from the body (it is stored flagged, the body kept as text).
    sanitized: str | None = None


def parse_body(body: bytes) -> Parsed:
    if not body:
        return Parsed(None, "empty body")
    try:
        return Parsed(orjson.loads(body))
    except orjson.JSONDecodeError as exc:
        first_error = str(exc)
    if "depth limit" in first_error or "recursion" in first_error.lower():
        try:
            return Parsed(orjson.loads(flatten_deep(body)), sanitized=f"values nested deeper than {MAX_DEPTH} levels "
                                                                      "replaced by their text")
        except orjson.JSONDecodeError as exc:
            return Parsed(None, f"invalid JSON: {exc}")
    # orjson rejects lone surrogate escapes that are still valid JSON text.
    try:
        return Parsed(json.loads(body, parse_constant=_reject_constant))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return Parsed(None, f"invalid JSON: {first_error}")


def parse_json_body(body: bytes) -> tuple[Any, str | None]:
    """(parsed JSON, None) or (None, why it is not JSON)."""
    parsed = parse_body(body)
    return parsed.data, parsed.error


def storable_text(value: str | None) -> str | None:
    """Text Postgres accepts (no NUL, no lone surrogate): ids and messages come from the wire."""
    if value is None:
        return None
    value = str(value)
    return _UNSTORABLE.sub(_REPLACEMENT, value) if _UNSTORABLE.search(value) else value


def storable_json(value: Any) -> str:
    """JSON text jsonb accepts, from any value we write beside a page (params, cursors, state)."""
    clean, _ = _sanitize(value)
    return json.dumps(clean, default=str)


def _sanitize(value: Any) -> tuple[Any, bool]:
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            return _UNSTORABLE.sub(_REPLACEMENT, value), True
        return value, False
    if isinstance(value, list):
        changed = False
        out = []
        for item in value:
            clean, c = _sanitize(item)
            out.append(clean)
            changed |= c
        return out, changed
    if isinstance(value, dict):
        changed = False
        out_d = {}
        for key, item in value.items():
            clean_key, ck = _sanitize(key)
            clean, c = _sanitize(item)
            out_d[clean_key] = clean
            changed |= c or ck
        return out_d, changed
    return value, False


@dataclass(frozen=True)
class StoredBody:
    sha256: str
    size: int
    response: str | None  # JSON text for the jsonb column
    response_text: str | None
    response_raw: bytes | None
    is_sanitized: bool
    error: str | None


def stored_body(body: bytes, data: Any, parse_error: str | None, sanitized: str | None = None) -> StoredBody:
    digest = hashlib.sha256(body).hexdigest()
    if parse_error is None and data is not None and sanitized is not None:
        clean, _ = _sanitize(data)
        text = _decode(body)
        return StoredBody(digest, len(body), orjson.dumps(clean).decode(), text,
                          None if text is not None else body, True, None)
    if parse_error is None and data is not None:
        if _SUSPECT_ESCAPE.search(body) is None:
            # Postgres parses the exact text into jsonb: no re-serialisation.
            return StoredBody(digest, len(body), body.decode("utf-8"), None, None, False, None)
        clean, changed = _sanitize(data)
        if changed:
            text = _decode(body)
            return StoredBody(
                digest, len(body), orjson.dumps(clean).decode(), text,
                None if text is not None else body, True, None,
            )
        return StoredBody(digest, len(body), body.decode("utf-8"), None, None, False, None)
    text = _decode(body)
    error = parse_error
    if text is None:
        error = f"{parse_error}; body is not valid UTF-8, kept in response_raw"
    return StoredBody(digest, len(body), None, text, None if text is not None else body, False, error)


def _decode(body: bytes) -> str | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # A text column cannot hold NUL either.
    return None if "\x00" in text else text
