"""Opaque cursors shaped like the real ones (base64 of protobuf-style bytes): the position,
a digest of the parsed filters and an integrity tag. Tampered, foreign or mismatched -> 400."""
from __future__ import annotations

import base64
import hashlib
import hmac

import orjson

from .errors import bad_request


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 70:
            raise ValueError("truncated")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def fingerprint(filters: dict) -> bytes:
    return hashlib.sha256(orjson.dumps(filters, option=orjson.OPT_SORT_KEYS)).digest()[:8]


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _tag(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:8]

    def encode(self, values: tuple[int, ...], fp: bytes) -> str:
        payload = b"".join(bytes([0x08 + 8 * k]) + _varint(v + (1 << 63)) for k, v in enumerate(values))
        payload += b"\x7a\x08" + fp
        return base64.urlsafe_b64encode(payload + b"\x82\x01\x08" + self._tag(payload)).decode().rstrip("=")

    def decode(self, token: str, fp: bytes, arity: int) -> tuple[int, ...]:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload, marker, tag = raw[:-11], raw[-11:-8], raw[-8:]
            if marker != b"\x82\x01\x08" or not hmac.compare_digest(tag, self._tag(payload)):
                raise ValueError("tag")
            values, pos = [], 0
            for k in range(arity):
                if payload[pos] != 0x08 + 8 * k:
                    raise ValueError("field")
                value, pos = _read_varint(payload, pos + 1)
                values.append(value - (1 << 63))
            if payload[pos:pos + 2] != b"\x7a\x08" or len(payload) != pos + 10:
                raise ValueError("fingerprint")
            cursor_fp = payload[pos + 2:]
        except (ValueError, IndexError, TypeError):
            raise bad_request("invalid cursor") from None
        if cursor_fp != fp:
            raise bad_request("cursor does not match the request filters")
        return tuple(values)
