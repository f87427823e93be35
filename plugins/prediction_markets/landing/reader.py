"""Reads of landing state for the operator: checkpoints and the market catalog."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from prediction_markets.adapters.base import CatalogEntry, Interval, OpenGap, ScopeState

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
            "select scope, cursor, high_water_mark, state, failed_runs from landing.sync_state "
            "where source = %s and resource = %s and scope = any(%s)",
            (self.source, resource, list(scopes)),
        )
        return {r[0]: (r[1], ScopeState(high_water_mark=r[2], state=r[3] or {}, failed_runs=r[4])) for r in rows}

    def venue_state(self, resource: str, scope: str) -> Mapping[str, Any]:
        rows = self._fetch(
            "select state from landing.sync_state where source = %s and resource = %s and scope = %s",
            (self.source, resource, scope),
        )
        return rows[0][0] if rows and rows[0][0] else {}

    def scope_states(self, resource: str, scopes: Sequence[str]) -> dict[str, ScopeState]:
        return {scope: state for scope, (_cursor, state) in self.load_states(resource, scopes).items()}

    def open_gaps(self, resource: str) -> list[OpenGap]:
        rows = self._fetch(
            "select gap_id, resource, scope, gap_from, gap_to, reason, attempts from landing.sync_gaps "
            "where source = %s and resource = %s and closed_at is null and not unreachable order by gap_id",
            (self.source, resource),
        )
        return [OpenGap(*row) for row in rows]

    def earliest_state_time(self, resource: str, key: str) -> datetime | None:
        return self._fetch(
            "select min((state ->> %s)::timestamptz) from landing.sync_state "
            "where source = %s and resource = %s and state ? %s",
            (key, self.source, resource, key),
        )[0][0]

    def _entries(self, sql: str, args: Sequence[Any]) -> list[CatalogEntry]:
        return [CatalogEntry(*row) for row in self._fetch(sql, args)]

    def open_markets_not_seen_since(self, source: str, since: datetime) -> list[CatalogEntry]:
        return self._entries(
            f"select {_CATALOG_COLUMNS} from landing.market_catalog "
            "where source = %s and not is_closed and last_seen_at < %s order by market_id",
            (source, since),
        )

    def markets_live_between(self, start: datetime, end: datetime) -> list[CatalogEntry]:
        return self._entries(
            f"select {_CATALOG_COLUMNS} {self._LIVE} order by market_id", (self.source, end, start, 0)
        )

    def closed_markets_awaiting(self, resource: str, done_flag: str, closed_since: datetime | None) -> list[CatalogEntry]:
        return self._entries(
            f"select {', '.join('c.' + c for c in _CATALOG_COLUMNS.split(', '))} from landing.market_catalog c "
            "left join landing.sync_state s on s.source = c.source and s.resource = %s and s.scope = c.market_id "
            "where c.source = %s and c.is_closed and (%s::timestamptz is null or c.closed_at >= %s) "
            "and coalesce((s.state ->> %s)::boolean, false) is not true order by c.market_id",
            (resource, self.source, closed_since, closed_since, done_flag),
        )

    _LIVE = (
        "from landing.market_catalog where source = %s and (opened_at is null or opened_at < %s) "
        "and (not is_closed or closed_at >= %s - make_interval(secs => %s))"
    )

    # ... or holding a gap a later run must fill (its batches keep it until then).
    _PLANNED = (
        "from landing.market_catalog c where source = %s and (((opened_at is null or opened_at < %s) "
        "and (not is_closed or closed_at >= %s - make_interval(secs => %s))) or exists ("
        "select 1 from landing.sync_gaps g where g.source = c.source and g.market_id = c.market_id "
        "and g.closed_at is null and not g.unreachable))"
    )

    def live_markets(self, interval: Interval, grace_s: float = 0, part: int = 0, parts: int = 1) -> list[CatalogEntry]:
        """Markets open at some point of the interval (or closed less than grace_s before it, or
        holding an open gap), split into `parts` stable partitions by a hash of the market id."""
        return self._entries(
            f"select {_CATALOG_COLUMNS} {self._PLANNED} and mod(hashtext(market_id)::bigint + 2147483648, %s) = %s "
            "order by market_id",
            (self.source, interval.end, interval.start, grace_s, parts, part),
        )

    def all_markets(self, part: int = 0, parts: int = 1, only: Sequence[str] | None = None) -> list[CatalogEntry]:
        """Every market the catalog holds (open and closed), optionally only the given ids, split
        into `parts` stable partitions: the full sync's batches."""
        return self._entries(
            f"select {_CATALOG_COLUMNS} from landing.market_catalog where source = %s "
            "and (%s::text[] is null or market_id = any(%s::text[])) "
            "and mod(hashtext(market_id)::bigint + 2147483648, %s) = %s order by market_id",
            (self.source, list(only) if only else None, list(only) if only else None, parts, part),
        )

    def count_markets(self, only: Sequence[str] | None = None) -> int:
        return self._fetch(
            "select count(*) from landing.market_catalog where source = %s "
            "and (%s::text[] is null or market_id = any(%s::text[]))",
            (self.source, list(only) if only else None, list(only) if only else None),
        )[0][0]

    def count_live_markets(self, interval: Interval, grace_s: float = 0) -> int:
        return self._fetch(f"select count(*) {self._PLANNED}", (self.source, interval.end, interval.start, grace_s))[0][0]
