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


class Ids:
    def __init__(self, seed: int, n_markets: int) -> None:
        self.seed = seed
        self.n = n_markets
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
        return "0x" + hexdigest(27, self.seed, "cond", i) + f"{self._cond.encode(i):010x}"

    def index_of_condition_id(self, text: str) -> int | None:
        text = text.strip().lower()
        if len(text) != 66 or not text.startswith("0x"):
            return None
        try:
            i = self._cond.decode(int(text[-COND_CODE_HEX:], 16))
        except ValueError:
            return None
        return i if i < self.n and self.condition_id(i) == text else None

    def _token_id(self, i: int, outcome: int) -> str:
        high = bigint(32, self.seed, "tok", i, outcome) // 10 ** TOKEN_CODE_DIGITS
        value = high * 10 ** TOKEN_CODE_DIGITS + self._tok.encode(2 * i + outcome)
        if value < TOKEN_MIN:
            value += TOKEN_MIN
        return str(value)

    def token_ref(self, text: str) -> tuple[int, int] | None:
        """token id -> (market index, outcome index), or None if unknown."""
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
