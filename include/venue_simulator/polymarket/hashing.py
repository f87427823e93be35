"""Deterministic hashing: every world attribute is a pure function of (seed, salt, indices)."""
from __future__ import annotations

import hashlib
import struct

M64 = (1 << 64) - 1
INV64 = 1.0 / 18446744073709551616.0


def mix64(x: int) -> int:
    """splitmix64 finaliser."""
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def h(*parts: int) -> int:
    x = 0x243F6A8885A308D3
    for p in parts:
        x = mix64(x ^ (p & M64))
    return x


def u(*parts: int) -> float:
    """Uniform float in [0, 1)."""
    return h(*parts) * INV64


_PACK3 = struct.Struct("<QQQ").pack
_PACK4 = struct.Struct("<QQQQ").pack
_UNPACK8 = struct.Struct("<8Q").unpack
_blake2b = hashlib.blake2b


def rand8(seed: int, salt: int, i: int, k: int | None = None) -> tuple[int, ...]:
    """Eight independent 64-bit values from one hash call (cheap bulk randomness)."""
    data = _PACK3(seed & M64, salt, i & M64) if k is None else _PACK4(seed & M64, salt, i & M64, k & M64)
    return _UNPACK8(_blake2b(data, digest_size=64).digest())


def keyed(seed: int, salt: int) -> int:
    """A per-(seed, salt) key; ``mix64(key ^ i)`` is then a one-step hash of ``i``."""
    return h(seed, salt)


def hexdigest(nbytes: int, *parts) -> str:
    data = ":".join(str(p) for p in parts).encode()
    return hashlib.blake2b(data, digest_size=nbytes).hexdigest()


def bigint(nbytes: int, *parts) -> int:
    data = ":".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=nbytes).digest(), "big")


class Feistel:
    """Keyed bijection on ``2*half_bits``-bit integers (hides sequential indices in ids)."""

    def __init__(self, key: int, half_bits: int = 20, rounds: int = 4) -> None:
        self.key = key
        self.bits = half_bits
        self.mask = (1 << half_bits) - 1
        self.rounds = rounds
        self._round_keys = tuple(h(key, r) for r in range(rounds))

    def _f(self, r: int, x: int) -> int:
        return mix64(self._round_keys[r] ^ x) & self.mask

    def encode(self, x: int) -> int:
        left, right = x >> self.bits, x & self.mask
        for r in range(self.rounds):
            left, right = right, left ^ self._f(r, right)
        return (left << self.bits) | right

    def decode(self, y: int) -> int:
        left, right = y >> self.bits, y & self.mask
        for r in reversed(range(self.rounds)):
            left, right = right ^ self._f(r, left), left
        return (left << self.bits) | right


# Salts (arbitrary distinct constants).
S_CREATE = 101
S_EVBLOCK = 102
S_KIND = 103
S_LIFE = 104
S_MARKET = 105
S_WEIGHT = 106
S_TX = 107
S_TXJ = 108
S_PRICE = 109
S_BOOK = 110
S_WALLET = 111
S_TEXT = 112
S_GAP = 113
S_RES = 114
S_FMT = 115
S_MAKER = 116
S_ID = 117
S_RESOL = 118
S_COMBO = 119
S_LAG = 120
S_BLANK = 121
S_V2 = 122
S_TRACE = 123
