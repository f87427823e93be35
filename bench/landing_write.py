"""Landing write path alone (no HTTP): pages/s and MB/s into landing.raw_api_responses.

    PYTHONPATH=.:plugins:include .venv/bin/python bench/landing_write.py [--pages 400]

Pages are real simulator bodies (Data API trades, 500 fills each, ~400 kB) built in-process
before timing. Variants, side by side in one run:
  pglz    the column compression Postgres uses by default
  lz4     response/response_text compressed with lz4 (what migration V003 sets)
  text    the body kept as text only (no jsonb parsing): the cost of jsonb itself
Each variant lands every page in its own transaction with a checkpoint, as the operator does.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 9, 1, tzinfo=timezone.utc)


def build_pages(count: int) -> list[bytes]:
    from venue_simulator.polymarket.world import PolymarketWorld

    world = PolymarketWorld(seed=42, n_markets=2000, n_trades=2_000_000,
                            epoch_start=datetime(2025, 1, 1, tzinfo=timezone.utc),
                            epoch_end=datetime(2027, 1, 1, tzinfo=timezone.utc))
    pages: list[bytes] = []
    for i in range(world.market_count(NOW.timestamp())):
        cid = world.condition_id(i)
        rows = world.trades(cid, NOW, limit=500)
        if len(rows) == 500:
            pages.append(orjson.dumps(rows))
        if len(pages) == count:
            break
    return pages


def land_all(db, pages: list[bytes], variant: str) -> dict:
    from prediction_markets.adapters.base import Interval, Request, Response
    from prediction_markets.landing.body import parse_json_body
    from prediction_markets.landing.migrations import apply_migrations
    from prediction_markets.landing.writer import Checkpoint, LandingWriter, Page, RunInfo

    with db.connect() as conn:
        apply_migrations(conn)
        conn.execute("select landing.ensure_source_partition('polymarket')")
        compression = {"pglz": "pglz", "lz4": "lz4", "text": "lz4"}[variant]
        for column in ("response", "response_text"):
            conn.execute(f"alter table landing.raw_api_responses_polymarket alter column {column} "
                         f"set compression {compression}")
    writer = LandingWriter(db.connect(), RunInfo("polymarket", ["trades"], Interval(NOW - timedelta(hours=1), NOW)))
    writer.start_run()
    request = Request("trades", "polymarket_data", "/trades", (("market", "x"),))
    responses = []
    for body in pages:
        data, error = parse_json_body(body)
        if variant == "text":
            data, error = None, "kept as text"
        responses.append(Response(status=200, body=body, data=data, error=error))
    started = time.perf_counter()
    for i, response in enumerate(responses):
        writer.land(Page(request, response, "x", records=500), Checkpoint("trades", "x", {"next": i}))
    seconds = time.perf_counter() - started
    with db.connect() as conn:
        size = conn.execute("select pg_total_relation_size('landing.raw_api_responses_polymarket')").fetchone()[0]
    mb = sum(len(p) for p in pages) / 1e6
    return {"pages_per_s": round(len(pages) / seconds, 1), "fills_per_s": round(len(pages) * 500 / seconds),
            "mb_per_s": round(mb / seconds, 1), "stored_mb": round(size / 1e6, 1), "body_mb": round(mb, 1)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pages", type=int, default=400)
    args = p.parse_args()
    sys.path[:0] = [str(ROOT), str(ROOT / "plugins"), str(ROOT / "include")]
    from local_stack.warehouse import ensure_database

    pages = build_pages(args.pages)
    print(f"{len(pages)} pages, {sum(map(len, pages)) / len(pages) / 1e3:.0f} kB each", flush=True)
    for variant in ("pglz", "lz4", "text"):
        db = ensure_database("pm_bench_landing", recreate=True)
        print(variant, land_all(db, pages, variant), flush=True)


if __name__ == "__main__":
    main()
