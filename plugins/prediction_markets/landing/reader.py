"""Reads of landing state for the operator: checkpoints and the market catalog."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from prediction_markets.adapters.base import CatalogEntry, Interval, ScopeState

_CATALOG_COLUMNS = "market_id, event_id, keys, opened_at, closed_at, is_closed"


class LandingReader:
    """Implements adapters.base.Catalog; owns no transaction (each read commits)."""

    def __init__(self, conn, source: str) -> None:
        self.conn = conn
        self.source = source

    def _fetch(self, sql: str, args: Sequence[Any]) -> list[tuple]:
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            rows = cur.fetchall()
        self.conn.commit()
        return rows

    def load_states(self, resource: str, scopes: Sequence[str]) -> dict[str, tuple[Mapping[str, Any] | None, ScopeState]]:
        """Checkpoints of many scopes in one query (a batch of markets)."""
        rows = self._fetch(
            "select scope, cursor, high_water_mark, state from landing.sync_state "
            "where source = %s and resource = %s and scope = any(%s)",
            (self.source, resource, list(scopes)),
        )
        return {r[0]: (r[1], ScopeState(high_water_mark=r[2], state=r[3] or {})) for r in rows}

    def venue_state(self, resource: str, scope: str) -> Mapping[str, Any]:
        rows = self._fetch(
            "select state from landing.sync_state where source = %s and resource = %s and scope = %s",
            (self.source, resource, scope),
        )
        return rows[0][0] if rows and rows[0][0] else {}

    def _entries(self, sql: str, args: Sequence[Any]) -> list[CatalogEntry]:
        return [CatalogEntry(*row) for row in self._fetch(sql, args)]

    def open_markets_not_seen_since(self, source: str, since: datetime) -> list[CatalogEntry]:
        return self._entries(
            f"select {_CATALOG_COLUMNS} from landing.market_catalog "
            "where source = %s and not is_closed and last_seen_at < %s order by market_id",
            (source, since),
        )

    _LIVE = (
        "from landing.market_catalog where source = %s and (opened_at is null or opened_at < %s) "
        "and (not is_closed or closed_at >= %s - make_interval(secs => %s))"
    )

    def live_markets(self, interval: Interval, grace_s: float = 0, part: int = 0, parts: int = 1) -> list[CatalogEntry]:
        """Markets open at some point of the interval (or closed less than grace_s before it),
        split into `parts` stable partitions by a hash of the market id."""
        return self._entries(
            f"select {_CATALOG_COLUMNS} {self._LIVE} and mod(hashtext(market_id)::bigint + 2147483648, %s) = %s order by market_id",
            (self.source, interval.end, interval.start, grace_s, parts, part),
        )

    def count_live_markets(self, interval: Interval, grace_s: float = 0) -> int:
        return self._fetch(f"select count(*) {self._LIVE}", (self.source, interval.end, interval.start, grace_s))[0][0]
