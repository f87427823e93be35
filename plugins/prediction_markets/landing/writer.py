"""Writes to the landing schema. A page, the checkpoint it advances and the catalog rows it
carries commit in one transaction: a run killed at any point resumes without gap or duplicate."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import psycopg

from prediction_markets.adapters.base import CatalogEntry, Gap, Interval, Request, Response, ScopeCheckpoint
from prediction_markets.landing.body import storable_json, storable_text, stored_body

log = logging.getLogger(__name__)
# Connection failures (a terminated backend, a restarted server) are retried on a new connection.
CONNECTION_ERRORS = (psycopg.OperationalError, psycopg.InterfaceError)

# Headers worth keeping with a response: what it was, when, from which cache or trace, and
# whether the venue is retiring the route.
KEPT_HEADERS = ("content-type", "content-length", "retry-after", "date", "cf-ray", "server", "etag", "age",
                "cache-control", "x-trace-id", "deprecation", "sunset", "warning")


@dataclass(frozen=True)
class RunInfo:
    source: str
    resources: Sequence[str]
    interval: Interval
    dag_id: str | None = None
    task_id: str | None = None
    run_id: str | None = None
    map_index: int | None = None
    try_number: int | None = None


@dataclass
class Checkpoint:
    """cursor: position of an unfinished walk (None once complete). `failure`: the walk stopped
    at this cursor for this reason (counted in sync_state.failed_runs; any landed page resets it)."""

    resource: str
    scope: str
    cursor: Mapping[str, Any] | None
    high_water_mark: datetime | None = None
    state: Mapping[str, Any] | None = None
    failure: str | None = None


@dataclass
class PageEffects:
    """What else commits with a page: other scopes' checkpoints, gaps found, gaps filled."""

    scope_checkpoints: Sequence[ScopeCheckpoint] = ()
    gaps: Sequence[Gap] = ()
    closed_gaps: Sequence[int] = ()
    # (gap id, why) of a gap walk that failed: counted on the gap, which stays open.
    failed_gaps: Sequence[tuple[int, str]] = ()

    def __bool__(self) -> bool:
        return bool(self.scope_checkpoints or self.gaps or self.closed_gaps or self.failed_gaps)


@dataclass
class Page:
    request: Request
    response: Response
    scope: str | None
    attempt: int = 1
    records: int | None = None
    error: str | None = None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


def params_json(params: Sequence[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params:
        if key in out:
            out[key] = (out[key] if isinstance(out[key], list) else [out[key]]) + [value]
        else:
            out[key] = value
    return out


_INSERT_PAGE = """
insert into landing.raw_api_responses (
    request_id, source, resource, scope, endpoint, method, url, request_params, request_body,
    attempt, status_code, response_headers, fetched_at, elapsed_ms, data_interval_start,
    data_interval_end, run_id, ingestion_run_id, response_sha256, response_bytes, response,
    response_text, response_raw, is_sanitized, record_count, error
) values (
    %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s,
    %s, %s, %s::jsonb, %s, %s, %s, %s, %s
) returning landing_id
"""

_UPSERT_STATE = """
insert into landing.sync_state as s
    (source, resource, scope, cursor, high_water_mark, state, last_landing_id, last_run_id, updated_at,
     failed_runs, last_error)
values (%(source)s, %(resource)s, %(scope)s, %(cursor)s::jsonb, %(hwm)s, coalesce(%(state)s::jsonb, '{}'::jsonb),
        %(landing_id)s, %(run_id)s, now(), case when %(failure)s::text is null then 0 else 1 end, %(failure)s)
on conflict (source, resource, scope) do update set
    cursor = excluded.cursor,
    -- greatest() ignores nulls: a checkpoint never moves backwards.
    high_water_mark = greatest(s.high_water_mark, excluded.high_water_mark),
    state = case when %(state)s::jsonb is null then s.state else s.state || excluded.state end,
    last_landing_id = excluded.last_landing_id,
    last_run_id = excluded.last_run_id,
    updated_at = now(),
    failed_runs = case when %(failure)s::text is null then 0 else s.failed_runs + 1 end,
    last_error = coalesce(%(failure)s, s.last_error)
"""

_UPSERT_CATALOG = """
insert into landing.market_catalog as c
    (source, market_id, event_id, keys, opened_at, closed_at, is_closed, last_seen_at, last_landing_id)
values (%s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s)
on conflict (source, market_id) do update set
    event_id = coalesce(excluded.event_id, c.event_id),
    keys = c.keys || excluded.keys,
    opened_at = coalesce(excluded.opened_at, c.opened_at),
    closed_at = excluded.closed_at,
    is_closed = excluded.is_closed,
    last_seen_at = excluded.last_seen_at,
    last_landing_id = excluded.last_landing_id
"""


# Another scope's checkpoint: its cursor (a walk of its own) is left alone.
_UPSERT_SCOPE_STATE = """
insert into landing.sync_state as s
    (source, resource, scope, high_water_mark, state, last_landing_id, last_run_id, updated_at)
values (%s, %s, %s, %s, coalesce(%s::jsonb, '{}'::jsonb), %s, %s, now())
on conflict (source, resource, scope) do update set
    high_water_mark = greatest(s.high_water_mark, excluded.high_water_mark),
    state = s.state || excluded.state,
    last_landing_id = excluded.last_landing_id,
    last_run_id = excluded.last_run_id,
    updated_at = now()
"""

# A run silent this long (no page, no progress) is taken for dead by the next run of its venue.
ABANDON_AFTER = "6 hours"

_OPEN_GAP = """
insert into landing.sync_gaps (source, resource, scope, gap_from, gap_to, reason, opened_run_id, unreachable, market_id)
values (%s, %s, %s, %s, %s, %s, %s, %s, %s)
on conflict (source, resource, scope, coalesce(gap_from, '-infinity'), coalesce(gap_to, 'infinity'))
    where closed_at is null
do update set reason = excluded.reason, unreachable = excluded.unreachable
"""

_GAP_ATTEMPT = """
update landing.sync_gaps set attempts = attempts + 1, last_attempt_at = now(), last_error = %s
where gap_id = %s and source = %s and closed_at is null
"""

_CLOSE_GAP = """
update landing.sync_gaps set closed_at = now(), closed_run_id = %s
where gap_id = %s and source = %s and closed_at is null
"""


class LandingWriter:
    """Owns one warehouse connection (psycopg 3, as the Postgres provider hands out); not
    thread-safe: the operator gives it one thread. With `connect`, a lost connection (terminated
    backend, restarted server) is replaced and the page's transaction retried: nothing was
    committed, so nothing lands twice."""

    def __init__(self, conn, run: RunInfo, connect: Callable[[], Any] | None = None,
                 reconnect_for_s: float = 120.0) -> None:
        self.conn = conn
        self.conn.autocommit = False
        self.run = run
        self.ingestion_run_id: int | None = None
        self._connect = connect
        self._reconnect_for_s = reconnect_for_s
        self.reconnects = 0

    def _retrying(self, work: Callable[[], Any]) -> Any:
        """Run a transaction; on a lost connection, reconnect with backoff and run it again."""
        deadline = time.monotonic() + self._reconnect_for_s
        delay = 0.5
        while True:
            try:
                return work()
            except CONNECTION_ERRORS as exc:
                if self._connect is None or time.monotonic() > deadline:
                    raise
                log.warning("landing connection lost (%s); reconnecting in %.1fs", str(exc).strip()[:200], delay)
                try:
                    self.conn.close()
                except Exception:  # noqa: BLE001 - the old connection is gone anyway
                    pass
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
                try:
                    self.conn = self._connect()
                    self.conn.autocommit = False
                    self.reconnects += 1
                except CONNECTION_ERRORS:
                    continue

    # -- runs ------------------------------------------------------------------------------
    def start_run(self) -> int:
        return self._retrying(self._start_run)

    def _start_run(self) -> int:
        with self.conn.cursor() as cur:
            cur.execute("select landing.ensure_source_partition(%s)", (self.run.source,))
            self._close_abandoned(cur)
            cur.execute(
                """
                insert into landing.ingestion_runs (source, resources, dag_id, task_id, run_id, map_index,
                    try_number, data_interval_start, data_interval_end, heartbeat_at)
                values (%s, %s, %s, %s, %s, %s, %s, %s, %s, now()) returning ingestion_run_id
                """,
                (
                    self.run.source, list(self.run.resources), self.run.dag_id, self.run.task_id,
                    self.run.run_id, self.run.map_index, self.run.try_number,
                    self.run.interval.start, self.run.interval.end,
                ),
            )
            self.ingestion_run_id = cur.fetchone()[0]
        self.conn.commit()
        return self.ingestion_run_id

    def _close_abandoned(self, cur) -> None:
        """Runs whose process died (SIGKILL, a lost worker) never finish. Closed as abandoned, so
        no row says `running` for ever: an earlier try of this very task; the same task of another
        DAG run (the DAGs run one DAG run at a time, so that one is over); any run of the venue
        silent for longer than `ABANDON_AFTER`."""
        cur.execute(
            """
            update landing.ingestion_runs set outcome = 'abandoned', finished_at = now(),
                duration_s = extract(epoch from now() - started_at),
                error = coalesce(error, 'the process running it stopped without finishing')
            where source = %(source)s and outcome = 'running' and (
                (dag_id is not distinct from %(dag_id)s and task_id is not distinct from %(task_id)s
                 and run_id is not distinct from %(run_id)s and map_index is not distinct from %(map_index)s
                 and coalesce(try_number, 0) < coalesce(%(try_number)s, 0))
                or (%(dag_id)s::text is not null and dag_id = %(dag_id)s and task_id is not distinct from %(task_id)s
                    and run_id is distinct from %(run_id)s)
                or coalesce(heartbeat_at, started_at) < now() - %(after)s::interval)
            """,
            {"source": self.run.source, "dag_id": self.run.dag_id, "task_id": self.run.task_id,
             "run_id": self.run.run_id, "map_index": self.run.map_index, "try_number": self.run.try_number,
             "after": ABANDON_AFTER},
        )

    def finish_run(self, totals: Mapping[str, Any], outcome: str, warnings: Sequence[str] = (),
                   error: str | None = None) -> None:
        if self.conn.closed and self._connect is None:
            return
        self._retrying(lambda: self._finish_run(totals, outcome, warnings, error))

    def _finish_run(self, totals, outcome, warnings, error) -> None:
        if self.conn.closed:
            raise psycopg.OperationalError("connection closed")
        self.conn.rollback()
        with self.conn.cursor() as cur:
            cur.execute(
                """
                update landing.ingestion_runs set finished_at = now(),
                    duration_s = extract(epoch from now() - started_at),
                    scopes = %(scopes)s, scopes_failed = %(scopes_failed)s, pages = %(pages)s,
                    error_responses = %(error_responses)s, records = %(records)s, retries = %(retries)s,
                    rate_limit_waits = %(rate_limit_waits)s, rate_limit_wait_s = %(rate_limit_wait_s)s,
                    bytes = %(bytes)s, outcome = %(outcome)s, warnings = %(warnings)s, error = %(error)s,
                    counters = %(counters)s::jsonb, gaps_opened = %(gaps_opened)s, heartbeat_at = now()
                where ingestion_run_id = %(id)s
                """,
                {"gaps_opened": 0, **totals, "counters": json.dumps(dict(totals.get("counters") or {})),
                 "outcome": outcome, "warnings": [storable_text(w) for w in list(warnings)[:200]],
                 "error": storable_text(error), "id": self.ingestion_run_id},
            )
        self.conn.commit()

    def record_progress(self, snapshot: Mapping[str, Any]) -> None:
        """A running task's progress, for people watching it (`landing.ingestion_runs.progress`)."""
        def work() -> None:
            with self.conn.cursor() as cur:
                cur.execute(
                    "update landing.ingestion_runs set progress = %s::jsonb, heartbeat_at = now() "
                    "where ingestion_run_id = %s",
                    (storable_json(dict(snapshot)), self.ingestion_run_id),
                )
            self.conn.commit()
        self._retrying(work)

    # -- pages -----------------------------------------------------------------------------
    def land(self, page: Page, checkpoint: Checkpoint | None = None,
             catalog: Sequence[CatalogEntry] = (), effects: PageEffects | None = None) -> int:
        """Insert one response (and its checkpoint, catalog rows and effects) in one transaction.

        A body jsonb refuses is kept as text with the reason; if even that is refused, the page
        is landed without its body (sha256, size and the reason kept): the walk goes on."""
        body = stored_body(page.response.body, page.response.data, page.response.error, page.response.sanitized)
        attempts = (("json", None), ("text", "jsonb rejected the body"), ("bare", "the body could not be stored"))
        for number, (form, reason) in enumerate(attempts):
            try:
                return self._retrying(lambda: self._land(page, body, checkpoint, catalog, effects, form))
            except psycopg.DataError as exc:
                self.conn.rollback()
                if number == len(attempts) - 1:
                    raise
                page.error = f"{attempts[number + 1][1]}: {str(exc).strip()}"
        raise AssertionError("unreachable")

    def _land(self, page: Page, body, checkpoint, catalog, effects, form: str) -> int:
        req, resp = page.request, page.response
        response_json = body.response if form == "json" else None
        response_text = body.response_text if form != "bare" else None
        response_raw = body.response_raw if form != "bare" else None
        if form == "text" and response_text is None and body.response is not None:
            response_text = storable_text(resp.body.decode("utf-8", errors="replace"))
        error = page.error or resp.error or body.error
        headers = {k: resp.headers[k] for k in KEPT_HEADERS if k in resp.headers}
        with self.conn.cursor() as cur:
            cur.execute("select landing.lock_landing_ids()")
            cur.execute(
                _INSERT_PAGE,
                (
                    str(uuid.uuid4()), self.run.source, req.resource, storable_text(page.scope), req.endpoint,
                    req.method, storable_text(resp.url or req.path), storable_json(params_json(req.params)),
                    storable_json(req.json) if req.json is not None else None, page.attempt, resp.status,
                    storable_json(headers), page.fetched_at, resp.elapsed_ms, self.run.interval.start,
                    self.run.interval.end, self.run.run_id, self.ingestion_run_id, body.sha256, body.size,
                    response_json, response_text, response_raw,
                    body.is_sanitized and form == "json", page.records, storable_text(error),
                ),
            )
            landing_id = cur.fetchone()[0]
            if checkpoint is not None:
                state_json = storable_json(checkpoint.state) if checkpoint.state is not None else None
                cur.execute(_UPSERT_STATE, {
                    "source": self.run.source, "resource": checkpoint.resource,
                    "scope": storable_text(checkpoint.scope),
                    "cursor": storable_json(checkpoint.cursor) if checkpoint.cursor is not None else None,
                    "hwm": checkpoint.high_water_mark, "state": state_json, "landing_id": landing_id,
                    "run_id": self.run.run_id, "failure": storable_text(checkpoint.failure),
                })
            if catalog:
                now = datetime.now(timezone.utc)
                rows = {}
                for e in catalog:  # the last occurrence on a page wins
                    keys = {k: v for k, v in e.keys.items() if v is not None}  # a page never erases a key
                    rows[e.market_id] = (
                        self.run.source, e.market_id, storable_text(e.event_id), storable_json(keys),
                        e.opened_at, e.closed_at, e.is_closed, now, landing_id,
                    )
                cur.executemany(_UPSERT_CATALOG, list(rows.values()))
            if effects:
                self._apply(cur, effects, landing_id)
        self.conn.commit()
        return landing_id

    def _apply(self, cur, effects: PageEffects, landing_id: int) -> None:
        if effects.scope_checkpoints:
            cur.executemany(_UPSERT_SCOPE_STATE, [
                (self.run.source, c.resource, storable_text(c.scope), c.high_water_mark,
                 storable_json(c.state) if c.state is not None else None, landing_id, self.run.run_id)
                for c in effects.scope_checkpoints
            ])
        for gap in effects.gaps:
            cur.execute(_OPEN_GAP, (self.run.source, gap.resource, storable_text(gap.scope), gap.gap_from,
                                    gap.gap_to, storable_text(gap.reason), self.run.run_id, gap.unreachable,
                                    storable_text(gap.market_id)))
        for gap_id, why in effects.failed_gaps:
            cur.execute(_GAP_ATTEMPT, (storable_text(why), gap_id, self.run.source))
        for gap_id in effects.closed_gaps:
            cur.execute(_CLOSE_GAP, (self.run.run_id, gap_id, self.run.source))
