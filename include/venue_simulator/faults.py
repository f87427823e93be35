"""Fault injection rules and the body mutations they apply."""
from __future__ import annotations

import dataclasses
import email.utils
import fnmatch
import itertools
import re
import threading

import orjson

KINDS = (
    "status", "html403", "timeout", "slow", "truncate_body", "truncate_connection",
    "non_json", "drift", "nul",
)
# Kinds answered without calling the venue handler.
SHORT_CIRCUIT = {"status", "html403", "non_json"}
DRIFT_MODES = ("json_string_as_array", "change_type", "rename_key", "drop_key", "add_keys")
DEFAULT_DELAY = {"timeout": 30.0, "slow": 3.0}


@dataclasses.dataclass
class FaultRule:
    kind: str
    service: str | None = None       # "polymarket/data" (exact or glob); None = any venue
    path: str | None = None          # "/trades" (exact or glob); None = any path
    method: str | None = None        # "GET"; None = any
    query: dict | None = None        # optional subset match: {"offset": "200"}
    times: int | None = 1            # faulted requests; None = unlimited
    after: int = 0                   # matching requests let through first
    status: int | None = None        # kind=status
    retry_after: str | int | float | None = None
    retry_after_format: str = "seconds"   # or "http-date": Retry-After as an IMF-fixdate
    body: object = None              # str/bytes sent verbatim, anything else JSON-encoded
    content_type: str | None = None
    delay: float | None = None       # kind=timeout/slow (seconds)
    mode: str | list | None = None   # kind=drift: one or several of DRIFT_MODES, default all
    key: str | None = None           # kind=drift/nul: target key
    id: int = 0
    matched: int = 0
    applied: int = 0

    @classmethod
    def from_dict(cls, spec: dict) -> "FaultRule":
        if not isinstance(spec, dict):
            raise ValueError("a fault rule is a JSON object")
        known = {f.name for f in dataclasses.fields(cls)} - {"id", "matched", "applied"}
        unknown = set(spec) - known
        if unknown:
            raise ValueError(f"unknown fault rule fields: {sorted(unknown)}")
        rule = cls(**spec)
        rule.validate()
        return rule

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        if self.kind == "status":
            if not isinstance(self.status, int) or not 100 <= self.status <= 599:
                raise ValueError("kind=status needs an integer status")
        if self.retry_after_format not in ("seconds", "http-date"):
            raise ValueError("retry_after_format must be 'seconds' or 'http-date'")
        if self.retry_after_format == "http-date" and self.retry_after is not None:
            float(self.retry_after)   # the delay, in seconds, turned into a date when served
        if self.times is not None and (not isinstance(self.times, int) or self.times < 0):
            raise ValueError("times must be a non-negative integer or null")
        if not isinstance(self.after, int) or self.after < 0:
            raise ValueError("after must be a non-negative integer")
        if self.kind == "drift":
            for mode in self.drift_modes():
                if mode not in DRIFT_MODES:
                    raise ValueError(f"drift mode must be in {DRIFT_MODES}")
        if self.delay is not None and float(self.delay) < 0:
            raise ValueError("delay must be >= 0")
        if self.method:
            self.method = self.method.upper()

    def drift_modes(self) -> list[str]:
        if self.mode in (None, "all"):
            return list(DRIFT_MODES)
        return [self.mode] if isinstance(self.mode, str) else list(self.mode)

    def effective_delay(self) -> float:
        return float(self.delay) if self.delay is not None else DEFAULT_DELAY.get(self.kind, 0.0)

    def matches(self, service: str | None, method: str, path: str, query: dict) -> bool:
        if self.service is not None and not _glob(self.service, service or ""):
            return False
        if self.path is not None and not _glob(self.path, path):
            return False
        if self.method is not None and self.method != method.upper():
            return False
        if self.query:
            for name, want in self.query.items():
                if str(want) not in query.get(name, ()):
                    return False
        return True

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def retry_after_value(rule: FaultRule, delay, wall_now: float) -> str:
    """Retry-After as sent: the delay in seconds, or (``retry_after_format: "http-date"``) the
    HTTP-date that many seconds after the wall clock (clients compare it with their own clock)."""
    if rule.retry_after_format == "http-date":
        return email.utils.formatdate(wall_now + float(delay), usegmt=True)
    return str(delay)


def _glob(pattern: str, value: str) -> bool:
    return pattern == value or fnmatch.fnmatchcase(value, pattern)


class FaultRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(self, rule: FaultRule | dict | None = None, **fields) -> FaultRule:
        if rule is None:
            rule = FaultRule.from_dict(fields)
        elif isinstance(rule, dict):
            rule = FaultRule.from_dict({**rule, **fields})
        else:
            rule.validate()
        with self._lock:
            rule.id = next(self._ids)
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def list(self) -> list[dict]:
        with self._lock:
            return [r.to_dict() for r in self._rules]

    def take(self, service: str | None, method: str, path: str, query: dict) -> FaultRule | None:
        """Count the request against every matching rule; return the first rule that fires."""
        chosen = None
        with self._lock:
            for rule in self._rules:
                if not rule.matches(service, method, path, query):
                    continue
                position = rule.matched
                rule.matched += 1
                if chosen is not None or position < rule.after:
                    continue
                if rule.times is not None and rule.applied >= rule.times:
                    continue
                rule.applied += 1
                chosen = dataclasses.replace(rule)
        return chosen


# ---------------------------------------------------------------------------- mutations

_RENAME_PREF = ("conditionId", "clobTokenIds", "proxyWallet", "transactionHash", "asset_id",
                "timestamp", "t", "outcomePrices", "volumeNum", "id", "event_ticker", "trade_id")
_RETYPE_PREF = ("size", "price", "p", "volumeNum", "timestamp", "t", "liquidityNum",
                "volume", "liquidity", "outcomeIndex", "orderMinSize", "tick_size", "end_period_ts",
                "settlement_timer_seconds")
_DROP_PREF = ("endDate", "outcomePrices", "price", "hash", "asset", "closed", "outcome", "close_time",
              "yes_price_dollars")
_NUL_PREF = ("description", "title", "question", "name", "pseudonym", "outcome", "slug")
_CONTAINER_KEYS = ("markets", "data", "history", "trades", "events", "series", "candlesticks", "orderbooks")


def records(doc) -> list[dict]:
    """The entity objects of a response body (list items, or the envelope's list)."""
    if isinstance(doc, list):
        return [d for d in doc if isinstance(d, dict)]
    if isinstance(doc, dict):
        for key in _CONTAINER_KEYS:
            value = doc.get(key)
            if isinstance(value, list) and value and isinstance(value[0], dict):
                return [d for d in value if isinstance(d, dict)]
        return [doc]
    return []


def _pick(record: dict, key: str | None, preferred: tuple, accept) -> str | None:
    if key is not None:
        return key if key in record else None
    for name in preferred:
        if name in record and accept(record[name]):
            return name
    for name, value in record.items():
        if accept(value):
            return name
    return None


def _renamed(name: str) -> str:
    if "_" in name:
        head, *rest = name.split("_")
        return head + "".join(p[:1].upper() + p[1:] for p in rest)
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return snake if snake != name else name + "_v2"


def _json_array_string(value) -> bool:
    return isinstance(value, str) and value.startswith("[") and value.endswith("]")


def _retype(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return [value]
    return int(number) if number.is_integer() and "." not in value else number


def drift_record(record: dict, modes: list[str], key: str | None) -> None:
    if "json_string_as_array" in modes:
        for name, value in list(record.items()):
            if _json_array_string(value):
                try:
                    record[name] = orjson.loads(value)
                except orjson.JSONDecodeError:
                    pass
    if "change_type" in modes:
        name = _pick(record, key, _RETYPE_PREF, lambda v: not isinstance(v, (dict, list)) and v is not None)
        if name is not None:
            record[name] = _retype(record[name])
    if "rename_key" in modes:
        name = _pick(record, key, _RENAME_PREF, lambda v: True)
        if name is not None:
            items = [(_renamed(k) if k == name else k, v) for k, v in record.items()]
            record.clear()
            record.update(items)
    if "drop_key" in modes:
        name = _pick(record, None if "rename_key" in modes else key, _DROP_PREF, lambda v: True)
        if name is not None:
            record.pop(name, None)
    if "add_keys" in modes:
        record["marketGroupV2"] = {"id": "7", "kind": "beta", "weights": [0.25, 0.75]}
        record["riskTier"] = 3
        record["deprecatedFlag"] = None


def apply_drift(body: bytes, rule: FaultRule) -> bytes:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body
    for record in records(doc):
        drift_record(record, rule.drift_modes(), rule.key)
    return orjson.dumps(doc)


def apply_nul(body: bytes, rule: FaultRule) -> bytes:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body[: len(body) // 2] + b"\x00" + body[len(body) // 2:]
    for record in records(doc):
        name = _pick(record, rule.key, _NUL_PREF, lambda v: isinstance(v, str) and len(v) > 0)
        if name is not None and isinstance(record[name], str):
            record[name] = _with_nul(record[name])
            return orjson.dumps(doc)
    _nul_anywhere(doc)
    return orjson.dumps(doc)


def _with_nul(text: str) -> str:
    cut = max(1, len(text) // 2)
    return text[:cut] + "\u0000" + text[cut:]


def _nul_anywhere(node) -> bool:
    """Put a NUL into the first string found depth-first (bodies without entity text)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(value, str) and value:
            node[key] = _with_nul(value)
            return True
        if isinstance(value, (dict, list)) and _nul_anywhere(value):
            return True
    return False
