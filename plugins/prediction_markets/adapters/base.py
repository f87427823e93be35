"""The venue adapter interface.

An adapter knows one venue's API: which resources it lands, how to build the first request
of a walk for a data interval, and how to get the next request from a response. It is pure
Python (no Airflow, no database, no HTTP): the extract operator owns the loop, the hook owns
the wire, the landing writer owns the transaction. Adding a venue means one module here.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class PageShapeError(ValueError):
    """A 200 response whose JSON does not have the shape the adapter needs (schema drift)."""


@dataclass(frozen=True)
class Interval:
    """[start, end) in whole seconds: venues take second-resolution timestamps, and a bound
    between two seconds cannot be expressed in a request (a manual run ends at its trigger
    time). Flooring both bounds keeps consecutive intervals adjacent."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", self.start.replace(microsecond=0))
        object.__setattr__(self, "end", self.end.replace(microsecond=0))


@dataclass(frozen=True)
class Request:
    """One HTTP request, serialisable so a walk can resume from it after a crash."""

    resource: str
    conn_id: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    method: str = "GET"
    json: Any = None
    # Name under which the request is reported; the path template.
    endpoint: str = ""
    # Rate-limit units this request consumes (venues charge batch calls per item).
    cost: int = 1
    # Sign the request with the connection's credentials (venues whose hook implements it).
    signed: bool = False

    def __post_init__(self) -> None:
        if not self.endpoint:
            object.__setattr__(self, "endpoint", self.path)

    def param(self, name: str) -> str | None:
        for key, value in self.params:
            if key == name:
                return value
        return None

    def with_params(self, **updates: Any) -> Request:
        """Copy with single-valued params replaced (None removes the key)."""
        kept = tuple((k, v) for k, v in self.params if k not in updates)
        added = tuple((k, str(v)) for k, v in updates.items() if v is not None)
        return dataclasses.replace(self, params=kept + added)

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "conn_id": self.conn_id,
            "path": self.path,
            "params": [list(p) for p in self.params],
            "method": self.method,
            "json": self.json,
            "endpoint": self.endpoint,
            "cost": self.cost,
            "signed": self.signed,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Request:
        return cls(
            resource=data["resource"],
            conn_id=data["conn_id"],
            path=data["path"],
            params=tuple((k, v) for k, v in data.get("params", [])),
            method=data.get("method", "GET"),
            json=data.get("json"),
            endpoint=data.get("endpoint", ""),
            cost=int(data.get("cost", 1)),
            signed=bool(data.get("signed", False)),
        )


@dataclass
class Response:
    """What came back for one attempt. `data` is the parsed JSON body, or None."""

    status: int | None
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    data: Any = None
    error: str | None = None
    url: str = ""
    elapsed_ms: int | None = None
    # Why `data` differs from the body (e.g. values nested too deep replaced): stored flagged.
    sanitized: str | None = None
    # The body was refused for its size (nothing was kept in memory past the cap): final.
    oversized: bool = False

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass(frozen=True)
class Scope:
    """A unit of checkpointing: one walk of one resource (e.g. one market's trades)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    # None: the resource's interval_bound decides whether an unfinished walk of an earlier
    # interval is resumed; a bool overrides it for this scope.
    interval_bound: bool | None = None
    # False: nothing to resume or remember (e.g. order book snapshots): no sync_state row.
    checkpointed: bool = True


@dataclass(frozen=True)
class CatalogEntry:
    """A market as the planner needs it: ids for child requests and its live window."""

    market_id: str
    event_id: str | None
    keys: Mapping[str, Any]
    opened_at: datetime | None
    closed_at: datetime | None
    is_closed: bool


@dataclass(frozen=True)
class Gap:
    """A range a walk could not reach, recorded with the page that found it; later runs retry
    it. `gap_from`/`gap_to` bound it in time (None: open-ended)."""

    resource: str
    scope: str
    gap_from: datetime | None
    gap_to: datetime | None
    reason: str
    # Beyond any API's reach (e.g. older than a venue's fixed window): kept open for the record.
    unreachable: bool = False
    # The market it belongs to, if one: its hourly batches keep it until the gap is filled.
    market_id: str | None = None


@dataclass(frozen=True)
class ScopeCheckpoint:
    """A checkpoint of another scope written with a page: one walk over several markets (a
    batch request) records each market's own high-water mark and state."""

    resource: str
    scope: str
    high_water_mark: datetime | None = None
    state: Mapping[str, Any] | None = None


@dataclass
class Step:
    """The adapter's verdict on one response.

    next: the following request of this walk, or None when the walk is complete.
    progress: adapter state carried along the walk; stored with the page so a resumed walk
        continues with it.
    records: entities on this page (for run statistics).
    high_water_mark / state: set on the last page of a walk; the checkpoint kept between runs.
    scope_checkpoints: checkpoints of other scopes that commit with this page.
    gaps / closed_gaps: ranges found unreachable, gap ids this page filled.
    counters: named counts for the run log (entities skipped, fills not modelled...).
    """

    next: Request | None
    progress: dict[str, Any] = field(default_factory=dict)
    records: int = 0
    catalog: Sequence[CatalogEntry] = ()
    high_water_mark: datetime | None = None
    state: dict[str, Any] | None = None
    warnings: Sequence[str] = ()
    scope_checkpoints: Sequence[ScopeCheckpoint] = ()
    gaps: Sequence[Gap] = ()
    closed_gaps: Sequence[int] = ()
    counters: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ScopeState:
    """What the previous runs left for a scope."""

    high_water_mark: datetime | None = None
    state: Mapping[str, Any] = field(default_factory=dict)
    # Runs in a row that stopped on this scope's stored cursor.
    failed_runs: int = 0


@dataclass(frozen=True)
class OpenGap:
    gap_id: int
    resource: str
    scope: str
    gap_from: datetime | None
    gap_to: datetime | None
    reason: str
    attempts: int = 0


class Catalog(Protocol):
    """Read access to landing state, provided by the operator."""

    def open_markets_not_seen_since(self, source: str, since: datetime) -> list[CatalogEntry]: ...

    def venue_state(self, resource: str, scope: str) -> Mapping[str, Any]:
        """The `state` another resource of this venue checkpointed (e.g. a cutoff it read)."""

    def scope_states(self, resource: str, scopes: Sequence[str]) -> Mapping[str, ScopeState]:
        """Checkpoints of the given scopes of a resource (missing scopes are absent)."""

    def markets_live_between(self, start: datetime, end: datetime) -> list[CatalogEntry]:
        """Markets open at some point of [start, end)."""

    def closed_markets_awaiting(self, resource: str, done_flag: str, closed_since: datetime | None) -> list[CatalogEntry]:
        """Closed markets (closed at or after `closed_since`) whose checkpoint of `resource`
        does not hold `done_flag: true` in its state (e.g. a resolution not final yet)."""

    def open_gaps(self, resource: str) -> list[OpenGap]:
        """Gaps of a resource not yet filled (retryable ones)."""

    def earliest_state_time(self, resource: str, key: str) -> datetime | None:
        """The earliest time stored under `key` in the states of a resource's scopes."""


@dataclass
class RunContext:
    interval: Interval
    started_at: datetime
    settings: Mapping[str, Any]
    # The batch of markets a per-market task works on.
    items: Sequence[CatalogEntry] = ()
    catalog: Catalog | None = None
    run_type: str = "scheduled"
    # Walks completed in this run -> their final progress, for resources that depend on others.
    completed: dict[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class RateRule:
    """A published venue limit: at most `limit` requests per `period` seconds.

    `paths` are path prefixes the rule counts ("" counts every path of the connection);
    rules with the same key are shared by every connection of the venue that declares them.
    """

    key: str
    limit: int
    period: float = 10.0
    paths: tuple[str, ...] = ("",)

    def matches(self, path: str) -> bool:
        return any(path == p or path.startswith(p.rstrip("/") + "/") or p == "" for p in self.paths)


class Resource(ABC):
    """One resource of a venue (markets, trades, ...): `name` namespaces its checkpoints,
    `landing_resource` labels its rows in landing (several resources may share a label)."""

    name: str
    conn_id: str
    landing_resource: str = ""
    # Per-market resources get their scopes from a batch of catalog entries.
    per_market: bool = False
    # A walk bounded by the data interval resumes only within that interval; others (e.g. a
    # keyset backfill) resume whatever interval started them.
    interval_bound: bool = True

    @abstractmethod
    def scopes(self, ctx: RunContext) -> Iterable[Scope]: ...

    @abstractmethod
    def start(self, scope: Scope, ctx: RunContext, previous: ScopeState) -> tuple[Request | None, dict]:
        """First request of the walk (None to skip the scope) and the initial progress."""

    @abstractmethod
    def advance(self, scope: Scope, ctx: RunContext, progress: dict, request: Request, response: Response) -> Step:
        """Interpret a final (non-retryable) response and say what comes next."""

    # The path whose rate limit bounds this resource (for estimates).
    main_path: str = ""

    def estimate_requests(self, ctx: RunContext) -> int:
        """Requests a walk of `ctx.items` needs at least (one per scope unless a resource knows
        better), printed before a full sync starts."""
        return sum(1 for _ in self.scopes(ctx))


class VenueAdapter(ABC):
    """A venue: its connections, their published rate limits, and its resources."""

    source: str
    schedule: str = "0 * * * *"  # cron; the DAG gets [start, end) data intervals of this period
    # Listing resources run first, in this order; per-market resources run over batches.
    reference_resources: tuple[str, ...] = ()
    # The full sync (`backfill_<venue>`): listings first (the reference resources unless the
    # venue names others), then these per-market resources.
    backfill_reference_resources: tuple[str, ...] = ()
    history_resources: tuple[str, ...] = ()
    # Venue-wide walks (one task each, after the listings): e.g. a feed of every market's trades.
    feed_resources: tuple[str, ...] = ()
    market_resources: tuple[str, ...] = ()
    default_settings: Mapping[str, Any] = {}

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = {**self.default_settings, **(settings or {})}

    @abstractmethod
    def resource(self, name: str) -> Resource: ...

    @abstractmethod
    def rate_rules(self, conn_id: str) -> Sequence[RateRule]: ...

    def hook_class(self, conn_id: str) -> str:
        """"module:Class" of the hook for a connection; venues with their own auth override it."""
        return "prediction_markets.hooks.venue_http:VenueHttpHook"

    def conn_ids(self, resources: Sequence[str]) -> tuple[str, ...]:
        return tuple(sorted({self.resource(r).conn_id for r in resources}))

    def landing_resources(self, resources: Sequence[str]) -> tuple[str, ...]:
        """The landing labels the given resources write (one Asset each)."""
        labels = (self.resource(r).landing_resource or r for r in resources)
        return tuple(dict.fromkeys(labels))
