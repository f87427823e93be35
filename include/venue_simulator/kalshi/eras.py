"""Payload generations of the Kalshi API, chosen by the simulated time of the response.

| era | from | fields |
|---|---|---|
| 1 | (assumed) before 2026-01-12 | integer cents and integer counts only |
| 2 | 2026-01-12 | cents/counts plus ``*_dollars`` strings |
| 3 | 2026-01-29 | cents/counts plus ``*_dollars`` plus ``*_fp`` count strings |
| 4 | 2026-03-12 | ``*_dollars`` and ``*_fp`` only (legacy integers removed) |

Subpenny ticks and fractional contract counts start with era 4 in this simulator.
"""
from __future__ import annotations

import dataclasses
import functools
from datetime import datetime, timezone

from ..timeutil import iso_z

DOLLARS_FROM = int(datetime(2026, 1, 12, tzinfo=timezone.utc).timestamp())
FP_FROM = int(datetime(2026, 1, 29, tzinfo=timezone.utc).timestamp())
LEGACY_REMOVED = int(datetime(2026, 3, 12, tzinfo=timezone.utc).timestamp())


@dataclasses.dataclass(frozen=True, slots=True)
class Era:
    number: int
    legacy: bool       # integer cents / counts
    dollars: bool      # *_dollars strings
    fp: bool           # *_fp count strings

    @property
    def modern(self) -> bool:
        return self.number == 4


ERAS = {1: Era(1, True, False, False), 2: Era(2, True, True, False), 3: Era(3, True, True, True),
        4: Era(4, False, True, True)}


def era_at(now: float) -> Era:
    if now >= LEGACY_REMOVED:
        return ERAS[4]
    if now >= FP_FROM:
        return ERAS[3]
    if now >= DOLLARS_FROM:
        return ERAS[2]
    return ERAS[1]


# ------------------------------------------------------------------------------ wire formats

def dollars(mills: int) -> str:
    """Mills -> FixedPointDollars with four decimals (``111`` -> ``"0.1110"``)."""
    sign = "-" if mills < 0 else ""
    mills = abs(mills)
    return f"{sign}{mills // 1000}.{mills % 1000:03d}0"


def fp(hundredths: int) -> str:
    """Hundredths of a contract -> FixedPointCount (``4317`` -> ``"43.17"``)."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"


@functools.lru_cache(maxsize=4096)
def _day(day: int) -> str:
    return datetime.fromtimestamp(day * 86400, tz=timezone.utc).strftime("%Y-%m-%dT")


def go_time(ts: int, micros: int = 0) -> str:
    """RFC 3339 with Go's trimmed fraction: ``...:36.37315Z``, ``...:00Z``."""
    ts = int(ts)
    day, sec = divmod(ts, 86400)
    if day < 0 or day > 60000:
        return iso_z(ts, micros, -1)
    hh, rem = divmod(sec, 3600)
    base = f"{_day(day)}{hh:02d}:{rem // 60:02d}:{rem % 60:02d}"
    if not micros:
        return base + "Z"
    return f"{base}.{micros:06d}".rstrip("0") + "Z"


ZERO_TIME = "0001-01-01T00:00:00Z"
