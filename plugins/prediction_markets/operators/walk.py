"""The page loop shared by every venue: walk each scope of each resource, land every response.

Fetching runs on a small thread pool (one walk per scope at a time); one writer thread lands
pages in order, each page with the checkpoint it advances, so HTTP and Postgres overlap.
A walk killed at any point resumes from the last committed page's cursor.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from prediction_markets.adapters.base import (
    PageShapeError,
    Request,
    Resource,
    RunContext,
    Scope,
    ScopeState,
    VenueAdapter,
)
from prediction_markets.hooks.venue_http import VenueHttpHook
from prediction_markets.landing.reader import LandingReader
from prediction_markets.landing.writer import Checkpoint, LandingWriter, Page

log = logging.getLogger(__name__)
_STOP = object()


@dataclass
class Totals:
    scopes: int = 0
    scopes_failed: int = 0
    pages: int = 0
    error_responses: int = 0
    records: int = 0
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, **deltas: int) -> None:
        with self._lock:
            for name, value in deltas.items():
                setattr(self, name, getattr(self, name) + value)

    def note(self, kind: str, message: str) -> None:
        with self._lock:
            getattr(self, kind).append(message)


class _Writer(threading.Thread):
    """Lands queued pages in order on its own connection; remembers the first failure."""

    def __init__(self, writer: LandingWriter, depth: int = 64) -> None:
        super().__init__(name="landing-writer", daemon=True)
        self.writer = writer
        self.jobs: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is _STOP:
                    return
                if isinstance(job, threading.Event):
                    job.set()
                    continue
                if self.error is None:
                    self.writer.land(*job)
            except BaseException as exc:  # noqa: BLE001 - surfaced by put()/flush()
                self.error = exc
                log.exception("landing failed")
            finally:
                self.jobs.task_done()

    def put(self, page: Page, checkpoint: Checkpoint | None = None, catalog=()) -> None:
        if self.error is not None:
            raise RuntimeError("landing writer failed") from self.error
        self.jobs.put((page, checkpoint, catalog))

    def flush(self) -> None:
        done = threading.Event()
        self.jobs.put(done)
        done.wait()
        if self.error is not None:
            raise RuntimeError("landing writer failed") from self.error


class Extraction:
    def __init__(
        self,
        adapter: VenueAdapter,
        ctx: RunContext,
        hooks: Mapping[str, VenueHttpHook],
        writer: LandingWriter,
        reader: LandingReader,
        *,
        max_workers: int = 4,
    ) -> None:
        self.adapter = adapter
        self.ctx = ctx
        self.hooks = hooks
        self.reader = reader
        self.max_workers = max_workers
        self.totals = Totals()
        self._writer = _Writer(writer)
        self._interval_key = [ctx.interval.start.isoformat(), ctx.interval.end.isoformat()]

    def run(self, resources: Sequence[str]) -> Totals:
        self._writer.start()
        try:
            for name in resources:
                self._run_resource(self.adapter.resource(name))
                # Later resources may read what this one put in the catalog.
                self._writer.flush()
        finally:
            self._writer.jobs.put(_STOP)
            self._writer.join()
        if self._writer.error is not None:
            raise RuntimeError("landing writer failed") from self._writer.error
        return self.totals

    def _run_resource(self, resource: Resource) -> None:
        scopes = list(resource.scopes(self.ctx))
        if not scopes:
            return
        states = self.reader.load_states(resource.name, [s.key for s in scopes])
        self.totals.count(scopes=len(scopes))
        workers = min(self.max_workers, len(scopes))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"walk-{resource.name}") as pool:
            futures = [pool.submit(self._walk_safely, resource, s, *states.get(s.key, (None, ScopeState()))) for s in scopes]
            for future in futures:
                future.result()

    def _walk_safely(self, resource: Resource, scope: Scope, cursor, previous: ScopeState) -> None:
        try:
            final_progress = self._walk(resource, scope, cursor, previous)
        except Exception as exc:  # noqa: BLE001 - one bad scope must not stop the others
            log.exception("%s %s: walk failed", resource.name, scope.key)
            final_progress = None
            self.totals.note("failures", f"{resource.name}/{scope.key}: {type(exc).__name__}: {exc}")
        if final_progress is not None:
            self.ctx.completed[(resource.name, scope.key)] = final_progress
        else:
            self.totals.count(scopes_failed=1)

    def _resume_point(self, resource: Resource, scope: Scope, cursor: Mapping[str, Any] | None) -> tuple[Request, dict] | None:
        if not cursor or not cursor.get("next"):
            return None
        bound = resource.interval_bound if scope.interval_bound is None else scope.interval_bound
        if bound and cursor.get("interval") != self._interval_key:
            return None
        return Request.from_json(cursor["next"]), dict(cursor.get("progress") or {})

    def _cursor(self, request: Request, progress: dict) -> dict[str, Any]:
        return {"interval": self._interval_key, "next": request.to_json(), "progress": progress}

    def _walk(self, resource: Resource, scope: Scope, cursor, previous: ScopeState) -> dict | None:
        """Returns the final progress of a completed walk, None if it stopped early."""
        resumed = self._resume_point(resource, scope, cursor)
        if resumed:
            request, progress = resumed
            log.info("%s %s: resuming at %s %s", resource.name, scope.key, request.path, request.params)
        else:
            request, progress = resource.start(scope, self.ctx, previous)
        while request is not None:
            result = self.hooks[request.conn_id].fetch(request)
            for number, attempt in enumerate(result.attempts[:-1], start=1):
                self._writer.put(Page(request, attempt, scope.key, attempt=number))
                self.totals.count(error_responses=1)
            final, attempt_no = result.final, len(result.attempts)
            retry_here = (
                Checkpoint(resource.name, scope.key, self._cursor(request, progress)) if scope.checkpointed else None
            )
            def fail(error: str) -> None:
                """Land the page with the reason; the walk stops and keeps its cursor at this request."""
                self._writer.put(Page(request, final, scope.key, attempt=attempt_no, error=error), retry_here)
                self.totals.count(error_responses=1)
                self.totals.note("failures", f"{resource.name}/{scope.key}: {request.path}: {error}")

            if result.exhausted:
                fail(f"gave up after {attempt_no} attempts: {result.reason}")
                return None
            try:
                step = resource.advance(scope, self.ctx, progress, request, final)
            except PageShapeError as exc:
                fail(f"unexpected page shape: {exc}")
                return None
            if step.next == request:
                # An adapter bug must fail the walk, not loop on one page for ever.
                fail("walk made no progress: next request repeats this one")
                return None
            checkpoint = None
            if scope.checkpointed:
                nxt = self._cursor(step.next, step.progress) if step.next is not None else None
                checkpoint = Checkpoint(resource.name, scope.key, nxt, step.high_water_mark, step.state)
            self._writer.put(
                Page(request, final, scope.key, attempt=attempt_no, records=step.records), checkpoint, step.catalog
            )
            if final.ok:
                self.totals.count(pages=1, records=step.records)
            else:
                self.totals.count(error_responses=1)
            for warning in step.warnings:
                self.totals.note("warnings", f"{resource.name}/{scope.key}: {warning}")
            request, progress = step.next, step.progress
        return progress
