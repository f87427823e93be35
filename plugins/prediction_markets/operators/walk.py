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
from prediction_markets.landing.writer import Checkpoint, LandingWriter, Page, PageEffects
from prediction_markets.operators.progress import Progress

log = logging.getLogger(__name__)
_STOP = object()


@dataclass
class Totals:
    scopes: int = 0
    scopes_failed: int = 0
    pages: int = 0
    error_responses: int = 0
    records: int = 0
    gaps_opened: int = 0
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, **deltas: int) -> None:
        with self._lock:
            for name, value in deltas.items():
                setattr(self, name, getattr(self, name) + value)

    def add_counters(self, counters: Mapping[str, int]) -> None:
        with self._lock:
            for name, value in counters.items():
                self.counters[name] = self.counters.get(name, 0) + int(value)

    def note_once(self, kind: str, message: str) -> bool:
        with self._lock:
            if message in getattr(self, kind):
                return False
            getattr(self, kind).append(message)
            return True

    def note(self, kind: str, message: str) -> None:
        with self._lock:
            getattr(self, kind).append(message)


@dataclass(frozen=True)
class _ProgressJob:
    snapshot: Mapping[str, Any]


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
                if isinstance(job, _ProgressJob):
                    if self.error is None:
                        self.writer.record_progress(job.snapshot)
                    continue
                if self.error is None:
                    self.writer.land(*job)
            except BaseException as exc:  # noqa: BLE001 - surfaced by put()/flush()
                self.error = exc
                log.exception("landing failed")
            finally:
                self.jobs.task_done()

    def put(self, page: Page, checkpoint: Checkpoint | None = None, catalog=(), effects: PageEffects | None = None) -> None:
        if self.error is not None:
            raise RuntimeError("landing writer failed") from self.error
        self.jobs.put((page, checkpoint, catalog, effects))

    def flush(self) -> None:
        done = threading.Event()
        self.jobs.put(done)
        done.wait()
        if self.error is not None:
            raise RuntimeError("landing writer failed") from self.error


def _markets_of(scope: Scope) -> int:
    """Markets a scope walks: a batch request names them; other scopes count as none."""
    markets = scope.params.get("markets") if isinstance(scope.params, Mapping) else None
    return len(markets) if isinstance(markets, (list, tuple)) else 0


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
        progress_interval_s: float | None = None,
        max_failed_runs: int | None = None,
    ) -> None:
        self.adapter = adapter
        self.ctx = ctx
        self.hooks = hooks
        self.reader = reader
        self.max_workers = max_workers
        self.totals = Totals()
        self._writer = _Writer(writer)
        interval = progress_interval_s if progress_interval_s is not None else float(
            adapter.settings.get("progress_interval_s", 30))
        self.progress = Progress(lambda snap: self._writer.jobs.put(_ProgressJob(dict(snap))), interval)
        self.max_failed_runs = max_failed_runs if max_failed_runs is not None else int(
            adapter.settings.get("max_failed_runs", 3))
        self._interval_key = [ctx.interval.start.isoformat(), ctx.interval.end.isoformat()]

    def run(self, resources: Sequence[str]) -> Totals:
        self._writer.start()
        try:
            for name in resources:
                self._run_resource(self.adapter.resource(name))
                # Later resources may read what this one put in the catalog.
                self._writer.flush()
        finally:
            self.progress.tick(force=True)
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
        self.progress.begin(resource.name, len(scopes), sum(_markets_of(s) for s in scopes))
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
        self.progress.scope_done(_markets_of(scope))

    def _resume_point(self, resource: Resource, scope: Scope, cursor: Mapping[str, Any] | None,
                      previous: ScopeState) -> tuple[Request, dict] | None:
        if not cursor or not cursor.get("next"):
            return None
        bound = resource.interval_bound if scope.interval_bound is None else scope.interval_bound
        if bound and cursor.get("interval") != self._interval_key:
            return None
        if previous.failed_runs >= self.max_failed_runs:
            # A cursor failing run after run would fail every hour for ever: start again from
            # the scope's safe point (its checkpoint, or a fresh walk), and say what was dropped.
            abandoned = cursor["next"]
            self.totals.note("warnings", (
                f"{resource.name}/{scope.key}: abandoned the stored cursor {abandoned.get('path')} "
                f"{abandoned.get('params')} after {previous.failed_runs} failed runs; restarting from "
                f"{'the checkpoint ' + previous.high_water_mark.isoformat() if previous.high_water_mark else 'the start'}"))
            self.totals.add_counters({"cursors_abandoned": 1})
            return None
        return Request.from_json(cursor["next"]), dict(cursor.get("progress") or {})

    def _storable_catalog(self, entries):
        """A market whose id holds a character Postgres text refuses (NUL) cannot be keyed: it is
        skipped and counted, the rest of its page goes on (the page itself is landed whole)."""
        kept = [e for e in entries if "\x00" not in e.market_id]
        if len(kept) < len(entries):
            self.totals.add_counters({"catalog_entries_skipped": len(entries) - len(kept)})
            self.totals.note_once("warnings", "markets with a NUL in their id were skipped from the catalog "
                                              "(their pages are landed; staging flags them)")
        return kept

    def _note_retirement(self, request: Request, response) -> None:
        """A venue announcing a route's end (Deprecation/Sunset headers) is worth a warning the
        day it starts, not the day the route answers 410."""
        headers = response.headers or {}
        deprecation, sunset = headers.get("deprecation"), headers.get("sunset")
        if deprecation or sunset:
            message = (f"{request.conn_id} {request.endpoint} is deprecated by the venue"
                       f"{f' (sunset {sunset})' if sunset else ''}: move to its successor")
            if self.totals.note_once("warnings", message):
                log.warning("%s", message)

    def _cursor(self, request: Request, progress: dict) -> dict[str, Any]:
        return {"interval": self._interval_key, "next": request.to_json(), "progress": progress}

    def _walk(self, resource: Resource, scope: Scope, cursor, previous: ScopeState) -> dict | None:
        """Returns the final progress of a completed walk, None if it stopped early."""
        resumed = self._resume_point(resource, scope, cursor, previous)
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
            def fail(error: str) -> None:
                """Land the page with the reason; the walk stops and keeps its cursor at this request."""
                if final.error and final.error not in error:
                    error = f"{error} ({final.error})"
                retry_here = Checkpoint(resource.name, scope.key, self._cursor(request, progress),
                                        failure=error) if scope.checkpointed else None
                gap_id = scope.params.get("gap_id") if isinstance(scope.params, Mapping) else None
                effects = PageEffects(failed_gaps=[(int(gap_id), error)]) if gap_id is not None else None
                self._writer.put(Page(request, final, scope.key, attempt=attempt_no, error=error), retry_here,
                                 effects=effects)
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
            except Exception as exc:  # noqa: BLE001 - an adapter bug on one page: landed, never lost
                log.exception("%s %s: adapter error on %s", resource.name, scope.key, request.path)
                fail(f"unexpected page shape: adapter error {type(exc).__name__}: {exc}")
                return None
            if step.next == request:
                # An adapter bug must fail the walk, not loop on one page for ever.
                fail("walk made no progress: next request repeats this one")
                return None
            checkpoint = None
            if scope.checkpointed:
                nxt = self._cursor(step.next, step.progress) if step.next is not None else None
                checkpoint = Checkpoint(resource.name, scope.key, nxt, step.high_water_mark, step.state)
            catalog = self._storable_catalog(step.catalog)
            if final.sanitized:
                self.totals.add_counters({"pages_sanitized": 1})
            effects = PageEffects(step.scope_checkpoints, step.gaps, step.closed_gaps)
            self._writer.put(
                Page(request, final, scope.key, attempt=attempt_no, records=step.records), checkpoint, catalog,
                effects,
            )
            if final.ok:
                self.totals.count(pages=1, records=step.records)
            else:
                self.totals.count(error_responses=1)
            self.progress.page(step.records if final.ok else 0)
            self.totals.count(gaps_opened=len(step.gaps))
            if step.counters:
                self.totals.add_counters(step.counters)
            self._note_retirement(request, final)
            for warning in step.warnings:
                self.totals.note("warnings", f"{resource.name}/{scope.key}: {warning}")
            for gap in step.gaps:
                span = f"{gap.gap_from.isoformat() if gap.gap_from else '-inf'} .. {gap.gap_to.isoformat() if gap.gap_to else 'now'}"
                self.totals.note("warnings", f"{gap.resource}/{gap.scope}: gap {span} recorded: {gap.reason}")
            request, progress = step.next, step.progress
        return progress
