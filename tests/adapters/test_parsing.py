from datetime import datetime, timezone
from decimal import Decimal

import pytest

from prediction_markets.adapters.parsing import json_list, parse_ts, to_decimal

UTC = timezone.utc


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2026-06-01T00:00:00Z", datetime(2026, 6, 1, tzinfo=UTC)),
        ("2026-04-27T21:55:14.576Z", datetime(2026, 4, 27, 21, 55, 14, 576000, tzinfo=UTC)),
        ("2026-04-23T22:32:51.276002Z", datetime(2026, 4, 23, 22, 32, 51, 276002, tzinfo=UTC)),
        # Kalshi trades carry 5 fractional digits next to 6.
        ("2026-01-12T14:59:36.37315Z", datetime(2026, 1, 12, 14, 59, 36, 373150, tzinfo=UTC)),
        # Nanoseconds are truncated to microseconds.
        ("2026-01-12T14:59:36.123456789Z", datetime(2026, 1, 12, 14, 59, 36, 123456, tzinfo=UTC)),
        # Gamma closedTime / tag publishedAt use Postgres style.
        ("2026-03-19 23:20:15+00", datetime(2026, 3, 19, 23, 20, 15, tzinfo=UTC)),
        ("2024-03-07 20:44:01.258+00", datetime(2024, 3, 7, 20, 44, 1, 258000, tzinfo=UTC)),
        ("2026-03-19T18:20:15-05:00", datetime(2026, 3, 19, 23, 20, 15, tzinfo=UTC)),
        ("2026-06-01", datetime(2026, 6, 1, tzinfo=UTC)),
        (1783008527, datetime(2026, 7, 2, 16, 8, 47, tzinfo=UTC)),
        ("1786385407185", datetime(2026, 8, 10, 18, 10, 7, 185000, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", None),
        ("", None),
        (None, None),
        ("not a date", None),
        (True, None),
        # Values the wire can carry that are no time: never raised, None.
        (1e20, None),
        (float("inf"), None),
        (float("nan"), None),
        ("99999999999999999999999", None),
        ("2026-02-30T00:00:00Z", None),
        ("0000-00-00 00:00:00+00", None),
        ("2026-13-01", None),
    ],
)
def test_parse_ts(raw, expected):
    assert parse_ts(raw) == expected


def test_json_list_accepts_string_list_and_junk():
    assert json_list('["Yes", "No"]') == ["Yes", "No"]
    assert json_list(["Up", "Down"]) == ["Up", "Down"]  # schema drift: a real array
    assert json_list("[]") == []
    assert json_list("not json") == []
    assert json_list('{"a": 1}') == []
    assert json_list(None) == []


def test_to_decimal_keeps_exact_digits():
    assert to_decimal("0.709999959") == Decimal("0.709999959")
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal("x") is None
    assert to_decimal(None) is None
