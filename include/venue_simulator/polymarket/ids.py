"""Identifiers and their O(1) reverse lookups (no tables: indices are hidden in the ids)."""
from __future__ import annotations

import functools

from .hashing import S_ID, Feistel, bigint, h, hexdigest

MARKET_ID_BASE = 500_000
MARKET_ID_STRIDE = 4
EVENT_ID_BASE = 20_000
EVENT_ID_STRIDE = 3
TOKEN_CODE_DIGITS = 13          # low decimal digits of a token id carry Feistel(index, outcome)
TOKEN_MIN = 10 ** 75            # 76..78 decimal digits, like uint256 token ids
COND_CODE_HEX = 10              # low hex digits of a conditionId carry Feistel(index)
V2_MODULE = {False: "01", True: "02"}   # Protocol V2 module byte: binary, neg-risk


class Ids:
    def __init__(self, seed: int, n_markets: int, v2_module=None) -> None:
        """``v2_module(i)``: None for a CTF (v1) market, else whether the Protocol V2 market is
        neg-risk (its module byte)."""
        self.seed = seed
        self.n = n_markets
        self.v2_module = v2_module or (lambda i: None)
        self._tok = Feistel(h(seed, S_ID, 1))
        self._cond = Feistel(h(seed, S_ID, 2))
        self.token_id = functools.lru_cache(maxsize=16384)(self._token_id)
        self.condition_id = functools.lru_cache(maxsize=16384)(self._condition_id)

    # ---------------------------------------------------------------- market ids
    def market_id(self, i: int) -> str:
        return str(MARKET_ID_BASE + i * MARKET_ID_STRIDE + h(self.seed, S_ID, 3, i) % MARKET_ID_STRIDE)

    def index_of_market_id(self, text: str) -> int | None:
        if not text.isdigit() or len(text) > 15:
            return None
        value = int(text) - MARKET_ID_BASE
        if value < 0:
            return None
        i = value // MARKET_ID_STRIDE
        return i if i < self.n and self.market_id(i) == text.lstrip("0") else None

    def event_id(self, first: int) -> str:
        return str(EVENT_ID_BASE + first * EVENT_ID_STRIDE + h(self.seed, S_ID, 4, first) % EVENT_ID_STRIDE)

    def first_of_event_id(self, text: str) -> int | None:
        """Candidate first-market index of an event id (caller checks it starts an event)."""
        if not text.isdigit() or len(text) > 15:
            return None
        value = int(text) - EVENT_ID_BASE
        if value < 0:
            return None
        first = value // EVENT_ID_STRIDE
        return first if first < self.n and self.event_id(first) == text.lstrip("0") else None

    # ---------------------------------------------------------------- chain ids
    def _condition_id(self, i: int) -> str:
        neg_risk = self.v2_module(i)
        if neg_risk is None:
            return "0x" + hexdigest(27, self.seed, "cond", i) + f"{self._cond.encode(i):010x}"
        # Protocol V2: module byte, bytes31 condition id right-padded with 00
        return "0x" + V2_MODULE[neg_risk] + hexdigest(25, self.seed, "cond2", i) + f"{self._cond.encode(i):010x}00"

    def index_of_condition_id(self, text: str) -> int | None:
        text = text.strip().lower()
        if len(text) != 66 or not text.startswith("0x"):
            return None
        for code in (text[-COND_CODE_HEX:], text[-COND_CODE_HEX - 2:-2]):
            try:
                i = self._cond.decode(int(code, 16))
            except ValueError:
                return None
            if i < self.n and self.condition_id(i) == text:
                return i
        return None

    def position_id(self, i: int, outcome: int) -> str:
        """Protocol V2 position id: the (padded) condition id OR the outcome index."""
        return str(int(self.condition_id(i)[2:], 16) | outcome)

    def position_ref(self, text: str) -> tuple[int, int] | None:
        """V2 position id -> (market index, outcome), or None."""
        text = text.strip()
        if not text.isdigit() or len(text) > 78:
            return None
        value = int(text)
        if value >= 1 << 256 or value & 0xFF > 1:
            return None
        i = self.index_of_condition_id("0x" + f"{value & ~0xFF:064x}")
        if i is None or self.v2_module(i) is None:
            return None
        return i, value & 0xFF

    def asset_id(self, i: int, outcome: int) -> str:
        """The id the CLOB and the Data API use: position id (V2) or CTF token id (v1)."""
        return self.token_id(i, outcome) if self.v2_module(i) is None else self.position_id(i, outcome)

    def _token_id(self, i: int, outcome: int) -> str:
        high = bigint(32, self.seed, "tok", i, outcome) // 10 ** TOKEN_CODE_DIGITS
        value = high * 10 ** TOKEN_CODE_DIGITS + self._tok.encode(2 * i + outcome)
        if value < TOKEN_MIN:
            value += TOKEN_MIN
        return str(value)

    def asset_ref(self, text: str) -> tuple[int, int] | None:
        """CLOB asset id (v1 token id or V2 position id) -> (market index, outcome index).
        The CTF-style ids of V2 markets (listed by some as ``clobTokenIds``) are unknown."""
        ref = self.token_ref(text)
        if ref is not None:
            return None if self.v2_module(ref[0]) is not None else ref
        return self.position_ref(text)

    def token_ref(self, text: str) -> tuple[int, int] | None:
        """CTF-style token id -> (market index, outcome index), or None if unknown."""
        text = text.strip()
        if not (76 <= len(text) <= 78) or not text.isdigit():
            return None
        code = int(text[-TOKEN_CODE_DIGITS:])
        if code >= 1 << 40:
            return None
        x = self._tok.decode(code)
        i, outcome = x >> 1, x & 1
        if i >= self.n or self.token_id(i, outcome) != text:
            return None
        return i, outcome

    def question_id(self, i: int) -> str:
        return "0x" + hexdigest(32, self.seed, "qid", i)

    def neg_risk_market_id(self, first: int) -> str:
        return "0x" + hexdigest(31, self.seed, "nrm", first) + "00"

    def neg_risk_request_id(self, i: int) -> str:
        return "0x" + hexdigest(32, self.seed, "nrr", i)

    def wallet(self, k: int) -> str:
        return "0x" + hexdigest(20, self.seed, "wallet", k)

    def tx_hash(self, i: int, j: int) -> str:
        return "0x" + hexdigest(32, self.seed, "tx", i, j)

    def book_hash(self, *parts) -> str:
        return hexdigest(20, self.seed, "book", *parts)
