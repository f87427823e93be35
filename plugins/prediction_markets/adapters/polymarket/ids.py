"""Polymarket identifiers: condition ids, outcome ids chosen by protocol version, combos.

API-V2.md §5: a Gamma market's `version` says which ledger its outcomes live on. "v1" markets
(and old payloads without `version`) list CLOB token ids in `clobTokenIds` (a JSON array
serialised in a string); "v2" markets list Poly V2 position ids in `positionIds` (a real
array) and may carry `clobTokenIds` null, or stale legacy ids that the CLOB does not trade.
The choice follows `version`, never which field happens to be present.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from prediction_markets.adapters.parsing import json_list

# Protocol of an outcome id (market_outcomes says which one each id belongs to).
CTF = "ctf"                    # v1: Conditional Tokens token id, traded on the CLOB since 2020
POSITION_MANAGER = "position_manager"  # v2: Poly V2 PositionManager position id

_HEX62 = re.compile(r"^0x[0-9a-f]{62}$")
_HEX64 = re.compile(r"^0x[0-9a-f]{64}$")


def protocol_version(market: Mapping[str, Any]) -> str:
    """"v1" or "v2"; markets listed before Gamma had the field are v1."""
    version = market.get("version")
    return "v2" if isinstance(version, str) and version.strip().lower() == "v2" else "v1"


def outcome_ids(market: Mapping[str, Any]) -> tuple[list[str], str]:
    """(outcome ids in outcome order, their protocol). Both fields are read tolerantly (real
    array or JSON string); an absent or null list gives no ids."""
    if protocol_version(market) == "v2":
        return [str(i) for i in json_list(market.get("positionIds")) if i is not None], POSITION_MANAGER
    return [str(i) for i in json_list(market.get("clobTokenIds")) if i is not None], CTF


def normalise_condition_id(value: Any) -> str | None:
    """Lower-case `0x` + 64 hex. Gamma may serve a V2 condition id in its 31-byte form (62 hex
    digits), which the CLOB and the Data API know padded with `00`."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().lower()
    if _HEX62.match(text):
        return text + "00"
    return text


def is_combo_condition(value: Any) -> bool:
    """A combo (multi-leg) fill in the trade feed carries a 62-hex-digit combo condition id,
    where a binary market's is 64 (API-V2.md §2.6)."""
    return isinstance(value, str) and bool(_HEX62.match(value.strip().lower()))


def is_condition_id(value: Any) -> bool:
    return isinstance(value, str) and bool(_HEX64.match(value.strip().lower()))
