"""Kalshi: RSA-PSS request signing and rate tiers on top of the venue HTTP hook.

Credentials come from the `kalshi` Connection: key id in `login` (or extra `key_id`), the
PEM private key in `password` (masked by Airflow) or a file named by extra `private_key_path`.
The key is never logged, landed or put in an exception message.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from prediction_markets.adapters.base import RateRule
from prediction_markets.hooks.venue_http import VenueHttpHook

# Read budget per tier in requests per second (token buckets of 10 tokens per read).
READS_PER_SECOND = {"basic": 20, "advanced": 30, "premier": 100, "paragon": 200, "prime": 400}
READ_RULE = "kalshi:read"


def sign(private_key, timestamp_ms: str, method: str, path: str) -> str:
    """Kalshi's signature: RSA-PSS (SHA-256, MGF1-SHA256, salt = digest length) over
    timestamp + METHOD + path, where path excludes the query string."""
    message = f"{timestamp_ms}{method.upper()}{path}".encode()
    signature = private_key.sign(
        message,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
        hashes.SHA256(),
    )
    return base64.b64encode(signature).decode()


def load_private_key(pem: str | bytes):
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        # The message must not echo the key material.
        raise ValueError("kalshi connection: the private key is not a readable unencrypted PEM key") from None


class KalshiHook(VenueHttpHook):
    default_conn_name = "kalshi"
    hook_name = "Kalshi Trade API"

    def _load(self) -> None:
        conn = self.get_connection(self.venue_conn_id)
        extra = conn.extra_dejson or {}
        tier = str(extra.get("rate_tier", "basic")).lower()
        if tier not in READS_PER_SECOND:
            raise ValueError(f"kalshi connection: rate_tier must be one of {', '.join(READS_PER_SECOND)}")
        self._rate_rules = [
            RateRule(r.key, READS_PER_SECOND[tier] * int(r.period), r.period, r.paths) if r.key == READ_RULE else r
            for r in self._rate_rules
        ]
        super()._load()
        self._key_id = extra.get("key_id") or conn.login or None
        pem = conn.password or None
        if extra.get("private_key_path"):
            pem = Path(extra["private_key_path"]).read_bytes()
        self._private_key = load_private_key(pem) if (self._key_id and pem) else None

    @property
    def can_sign(self) -> bool:
        self.get_conn()
        return self._private_key is not None

    def auth_headers(self, method: str, url: str) -> Mapping[str, Any]:
        self.get_conn()
        if self._private_key is None:
            return {}
        timestamp = str(int(time.time() * 1000))
        return {
            "KALSHI-ACCESS-KEY": self._key_id,
            "KALSHI-ACCESS-TIMESTAMP": timestamp,
            "KALSHI-ACCESS-SIGNATURE": sign(self._private_key, timestamp, method, urlsplit(url).path),
        }

    def __repr__(self) -> str:
        return f"KalshiHook(conn_id={self.venue_conn_id!r})"
