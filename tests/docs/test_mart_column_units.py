"""Every number and time column of a mart says its unit in the docs (what the docs site shows
analysts): a probability in [0, 1], shares, contracts, USD, a count, seconds... and UTC for times.

Identifiers and ordinals (`*_id`, `*_index`) are numbers without a unit. The check reads the parsed
manifest, so a description given through a doc block counts with its rendered text.
"""

from __future__ import annotations

import re

NUMBER_TYPES = ("numeric", "decimal", "integer", "bigint", "smallint", "double precision", "real")
TIME_TYPES = ("timestamp with time zone", "timestamp without time zone", "timestamptz", "timestamp", "date")
QUANTITY_UNITS = re.compile(
    r"probabilit|\[0, ?1\]|\bshares?\b|\bcontracts?\b|\bUSDC?\b|\bdollars?\b|\bcents?\b|\bnumber of\b|\bcount\b"
    r"|\b(milli)?seconds\b|\bpercent\b|\bbasis points\b|\bratio\b",
    re.IGNORECASE)
# A duration named for its unit (`period_minutes`, `time_to_close_seconds`) states it in its name.
DURATION_NAME = re.compile(r"_(ms|seconds|minutes|hours|days)$")
TIME_UNIT = re.compile(r"\bUTC\b")
IDENTIFIER = re.compile(r"(_id|_index)$")

def mart_columns(manifest: dict) -> dict[str, tuple[str, str]]:
    """`table.column` -> (data_type, description) for every column of every mart model."""
    columns = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/"):
            for name, column in node["columns"].items():
                columns[f"{node['name']}.{name}"] = ((column.get("data_type") or "").lower(),
                                                     column.get("description") or "")
    return columns


def lacks_unit(name: str, data_type: str, description: str) -> bool:
    if data_type.startswith(TIME_TYPES):
        return not TIME_UNIT.search(description)
    if data_type.startswith(NUMBER_TYPES) and not IDENTIFIER.search(name) and not DURATION_NAME.search(name):
        return not QUANTITY_UNITS.search(description)
    return False


def test_every_mart_number_and_time_column_states_its_unit(manifest):
    columns = mart_columns(manifest)
    assert {c.split(".")[0] for c in columns} >= {"markets", "trades", "price_snapshots"}
    missing = sorted(name for name, (data_type, text) in columns.items() if lacks_unit(name, data_type, text))
    assert not missing, (
        "these mart columns do not state their unit in their description (probability in [0, 1], shares, "
        "contracts, USD, count, seconds..., UTC for times):\n" + "\n".join(
            f"  {name} ({columns[name][0]}): {columns[name][1]!r}" for name in missing))


def test_the_check_recognises_units_and_their_absence():
    assert not lacks_unit("t.price", "numeric", "Price as a probability in [0, 1].")
    assert not lacks_unit("t.quantity", "numeric", "Shares filled (Kalshi contracts).")
    assert not lacks_unit("t.traded_at", "timestamp with time zone", "When the fill happened (UTC).")
    assert not lacks_unit("t.landing_id", "bigint", "landing_id of the page.")
    assert not lacks_unit("t.period_minutes", "integer", "Period of the candle (1, 60 or 1440).")
    assert lacks_unit("t.opened_at", "timestamp with time zone", "When trading opened.")
    assert lacks_unit("t.volume_24h", "numeric", "Volume of the last 24 hours as reported.")
    assert lacks_unit("t.liquidity", "numeric", "Liquidity as reported.")
