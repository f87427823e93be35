"""Writes to the landing schema. A page, the checkpoint it advances and the catalog rows it
carries commit in one transaction: a run killed at any point resumes without gap or duplicate."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import psycopg

from prediction_markets.adapters.base import CatalogEntry, Interval, Request, Response
from prediction_markets.landing.body import stored_body

KEPT_HEADERS = ("content-type", "content-length", "retry-after", "date", "cf-ray", "server", "etag", "age")


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
    """cursor: position of an unfinished walk (None once complete)."""

    resource: str
    scope: str
    cursor: Mapping[str, Any] | None
    high_water_mark: datetime | None = None
    state: Mapping[str, Any] | None = None


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
    (source, resource, scope, cursor, high_water_mark, state, last_landing_id, last_run_id, updated_at)
values (%s, %s, %s, %s::jsonb, %s, coalesce(%s::jsonb, '{}'::jsonb), %s, %s, now())
on conflict (source, resource, scope) do update set
    cursor = excluded.cursor,
    -- greatest() ignores nulls: a checkpoint never moves backwards.
    high_water_mark = greatest(s.high_water_mark, excluded.high_water_mark),
    state = case when %s::jsonb is null then s.state else s.state || excluded.state end,
    last_landing_id = excluded.last_landing_id,
    last_run_id = excluded.last_run_id,
    updated_at = now()
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


class LandingWriter:
    """Owns one warehouse connection (psycopg 3, as the Postgres provider hands out);
    not thread-safe: the operator gives it one thread."""

    def __init__(self, conn, run: RunInfo) -> None:
        self.conn = conn
        self.conn.autocommit = False
        self.run = run
        self.ingestion_run_id: int | None = None

    # -- runs ------------------------------------------------------------------------------
    def start_run(self) -> int:
        with self.conn.cursor() as cur:
            cur.execute("select landing.ensure_source_partition(%s)", (self.run.source,))
            cur.execute(
                """
                insert into landing.ingestion_runs (source, resources, dag_id, task_id, run_id, map_index,
                    try_number, data_interval_start, data_interval_end)
                values (%s, %s, %s, %s, %s, %s, %s, %s, %s) returning ingestion_run_id
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

    def finish_run(self, totals: Mapping[str, Any], outcome: str, warnings: Sequence[str] = (),
                   error: str | None = None) -> None:
        if self.conn.closed:
            return
        self.conn.rollback()
        with self.conn.cursor() as cur:
            cur.execute(
                """
                update landing.ingestion_runs set finished_at = now(),
                    duration_s = extract(epoch from now() - started_at),
                    scopes = %(scopes)s, scopes_failed = %(scopes_failed)s, pages = %(pages)s,
                    error_responses = %(error_responses)s, records = %(records)s, retries = %(retries)s,
                    rate_limit_waits = %(rate_limit_waits)s, rate_limit_wait_s = %(rate_limit_wait_s)s,
                    bytes = %(bytes)s, outcome = %(outcome)s, warnings = %(warnings)s, error = %(error)s
                where ingestion_run_id = %(id)s
                """,
                {**totals, "outcome": outcome, "warnings": list(warnings)[:200], "error": error,
                 "id": self.ingestion_run_id},
            )
        self.conn.commit()

    # -- pages -----------------------------------------------------------------------------
    def land(self, page: Page, checkpoint: Checkpoint | None = None,
             catalog: Sequence[CatalogEntry] = ()) -> int:
        """Insert one response (and its checkpoint and catalog rows) in one transaction."""
        body = stored_body(page.response.body, page.response.data, page.response.error)
        try:
            return self._land(page, body, checkpoint, catalog, keep_json=True)
        except psycopg.DataError as exc:
            # jsonb refused a body we thought storable: keep it as text, with the reason.
            self.conn.rollback()
            page.error = f"jsonb rejected the body: {str(exc).strip()}"
            return self._land(page, body, checkpoint, catalog, keep_json=False)

    def _land(self, page: Page, body, checkpoint, catalog, keep_json: bool) -> int:
        req, resp = page.request, page.response
        response_json = body.response if keep_json else None
        response_text = body.response_text
        if not keep_json and response_text is None and body.response is not None:
            response_text = resp.body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
        error = page.error or resp.error or body.error
        headers = {k: resp.headers[k] for k in KEPT_HEADERS if k in resp.headers}
        with self.conn.cursor() as cur:
            cur.execute("select landing.lock_landing_ids()")
            cur.execute(
                _INSERT_PAGE,
                (
                    str(uuid.uuid4()), self.run.source, req.resource, page.scope, req.endpoint, req.method,
                    resp.url or req.path, json.dumps(params_json(req.params)),
                    json.dumps(req.json) if req.json is not None else None, page.attempt, resp.status,
                    json.dumps(headers), page.fetched_at, resp.elapsed_ms, self.run.interval.start,
                    self.run.interval.end, self.run.run_id, self.ingestion_run_id, body.sha256, body.size,
                    response_json, response_text,
                    body.response_raw,
                    body.is_sanitized and keep_json, page.records, error,
                ),
            )
            landing_id = cur.fetchone()[0]
            if checkpoint is not None:
                state_json = json.dumps(checkpoint.state) if checkpoint.state is not None else None
                cur.execute(
                    _UPSERT_STATE,
                    (
                        self.run.source, checkpoint.resource, checkpoint.scope,
                        json.dumps(checkpoint.cursor) if checkpoint.cursor is not None else None,
                        checkpoint.high_water_mark, state_json, landing_id, self.run.run_id, state_json,
                    ),
                )
            if catalog:
                now = datetime.now(timezone.utc)
                rows = {}
                for e in catalog:  # the last occurrence on a page wins
                    keys = {k: v for k, v in e.keys.items() if v is not None}  # a page never erases a key
                    rows[e.market_id] = (
                        self.run.source, e.market_id, e.event_id, json.dumps(keys),
                        e.opened_at, e.closed_at, e.is_closed, now, landing_id,
                    )
                cur.executemany(_UPSERT_CATALOG, list(rows.values()))
        self.conn.commit()
        return landing_id
