"""Signed requests: Kalshi's RSA-PSS scheme, checked on ``GET /portfolio/balance``.

The signature is base64 RSA-PSS (SHA-256, MGF1-SHA256, salt length = digest length) over
``KALSHI-ACCESS-TIMESTAMP + METHOD + path``, where path is the full request path (simulator
prefix included) without the query string. Timestamps more than ``MAX_SKEW`` seconds away from
the wall clock are refused. Every refusal is the same 401 ``invalid_credentials`` body.
"""
from __future__ import annotations

import base64
import binascii
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ..polymarket.hashing import h
from ..routing import Request, Response
from .errors import error, ok

MAX_SKEW = 60.0
PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def load_keys(spec) -> tuple[dict, list]:
    """PEM string(s) or {key id: PEM} -> ({key id: public key}, [keys accepted for any id])."""
    if spec is None:
        return {}, []
    if isinstance(spec, (str, bytes)):
        spec = [spec]
    if isinstance(spec, dict):
        return {str(k): _public(v) for k, v in spec.items()}, []
    return {}, [_public(v) for v in spec]


def _public(pem):
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        key = serialization.load_pem_private_key(data, password=None).public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("Kalshi API keys are RSA keys")
    return key


def denied() -> Response:
    return error(401, "invalid credentials", "invalid_credentials", "auth")


def verify(req: Request, full_path: str, by_id: dict, anyone: list) -> str | None:
    """-> the key id when the request is correctly signed, else None."""
    key_id = req.headers.get("kalshi-access-key", "")
    stamp = req.headers.get("kalshi-access-timestamp", "")
    signature = req.headers.get("kalshi-access-signature", "")
    if not (key_id and stamp.isdigit() and signature):
        return None
    if abs(time.time() - int(stamp) / 1000.0) > MAX_SKEW:
        return None
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return None
    message = f"{stamp}{req.method.upper()}{full_path}".encode()
    keys = [by_id[key_id]] if key_id in by_id else ([] if by_id else anyone)
    for key in keys:
        try:
            key.verify(raw, message, PSS, hashes.SHA256())
            return key_id
        except InvalidSignature:
            continue
    return None


def register(router, world, prefix: str, public_keys) -> None:
    by_id, anyone = load_keys(public_keys)

    @router.get("/portfolio/balance")
    def balance(req: Request) -> Response:
        key_id = verify(req, prefix + req.path, by_id, anyone)
        if key_id is None:
            return denied()
        r = h(world.seed, 990, int.from_bytes(key_id.encode()[:16].ljust(16, b"\0"), "big"))
        cash = 50_000 + r % 5_000_000
        return ok({"balance": cash, "portfolio_value": cash + (r >> 24) % 2_000_000, "updated_ts": int(req.now)})
