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


def parse_json_body(body: bytes) -> tuple[Any, str | None]:
    """(parsed JSON, None) or (None, why it is not JSON)."""
    if not body:
        return None, "empty body"
    try:
        return orjson.loads(body), None
    except orjson.JSONDecodeError as exc:
        first_error = str(exc)
    # orjson rejects lone surrogate escapes that are still valid JSON text.
    try:
        return json.loads(body, parse_constant=_reject_constant), None
    except (ValueError, UnicodeDecodeError):
        return None, f"invalid JSON: {first_error}"


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


def stored_body(body: bytes, data: Any, parse_error: str | None) -> StoredBody:
    digest = hashlib.sha256(body).hexdigest()
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
