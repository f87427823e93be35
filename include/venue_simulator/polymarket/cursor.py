"""Opaque keyset cursors: base64 of {position, filter fingerprint} plus an integrity tag."""
from __future__ import annotations

import base64
import hashlib
import hmac

import orjson

class CursorError(ValueError):
    pass


def fingerprint(filters: dict) -> str:
    """Stable digest of the parsed filters of a request (paging parameters excluded)."""
    return hashlib.sha256(orjson.dumps(filters, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _tag(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:10]

    def encode(self, position: int, fp: str) -> str:
        payload = orjson.dumps({"p": position, "f": fp})
        return base64.urlsafe_b64encode(payload + b"." + self._tag(payload)).decode().rstrip("=")

    def decode(self, token: str, fp: str) -> int:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (ValueError, TypeError):
            raise CursorError("after_cursor is not a valid cursor") from None
        payload, sep, tag = raw[:-11], raw[-11:-10], raw[-10:]
        if sep != b"." or not hmac.compare_digest(tag, self._tag(payload)):
            raise CursorError("after_cursor is not a valid cursor")
        try:
            data = orjson.loads(payload)
            position = int(data["p"])
            cursor_fp = str(data["f"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            raise CursorError("after_cursor is not a valid cursor") from None
        if cursor_fp != fp:
            raise CursorError("after_cursor does not match the request filters")
        if position < 0:
            raise CursorError("after_cursor is not a valid cursor")
        return position
