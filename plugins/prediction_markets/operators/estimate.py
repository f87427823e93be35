"""What a full sync will cost, printed before it starts: per resource, the requests it needs at
least and the hours they take at the venue's published limits (at the backfill's share)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from prediction_markets.adapters.base import Interval, RunContext, VenueAdapter
from prediction_markets.hooks.ratelimit import slot_for
from prediction_markets.operators.extract import DEFAULT_BACKFILL_SHARE


@dataclass
class Estimate:
    resource: str
    requests: int
    requests_per_s: float

    @property
    def hours(self) -> float:
        return self.requests / self.requests_per_s / 3600 if self.requests_per_s else float("inf")


@dataclass
class Report:
    source: str
    markets: int
    share: float
    rows: list[Estimate] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"full sync of {self.source}: {self.markets} markets; at {self.share:.0%} of the published limits:"]
        for e in self.rows:
            out.append(f"  {e.resource}: >= {e.requests:,} requests at {e.requests_per_s:.1f} req/s: "
                       f">= {e.hours:.2f} h")
        # Resources on different routes run side by side; the slowest bounds the whole.
        slowest = max((e.hours for e in self.rows), default=0.0)
        out.append(f"  total: >= {sum(e.requests for e in self.rows):,} requests, >= {slowest:.2f} h "
                   "(trade pages beyond the first of each walk are not known in advance; the task logs "
                   "report the measured rate and ETA)")
        return out


def sustained_rate(adapter: VenueAdapter, conn_id: str, path: str, share: float) -> float:
    """Requests per second the limiter allows on `path` (the tightest matching rule)."""
    rates = [1.0 / slot_for(r).interval_s * share for r in adapter.rate_rules(conn_id) if r.matches(path)]
    return min(rates) if rates else float("inf")


def estimate_full_sync(adapter: VenueAdapter, reader, resources: Sequence[str], only=None) -> Report:
    share = float(adapter.settings.get("backfill_rate_share", DEFAULT_BACKFILL_SHARE))
    entries = reader.all_markets(0, 1, only)
    now = datetime.now(timezone.utc)
    ctx = RunContext(interval=Interval(now, now), started_at=now, settings=adapter.settings, items=entries,
                     catalog=reader, run_type="backfill")
    report = Report(adapter.source, len(entries), share)
    for name in resources:
        resource = adapter.resource(name)
        requests = resource.estimate_requests(ctx)
        rate = sustained_rate(adapter, resource.conn_id, resource.main_path or "/", share)
        report.rows.append(Estimate(name, requests, rate))
    return report
