"""``python -m venue_simulator``: serve the simulated venues until SIGINT/SIGTERM."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

from .config import SimConfig
from .server import SimulatorServer


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m venue_simulator",
                                description="Local simulator of the Polymarket (Gamma, CLOB, Data) and Kalshi APIs.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--polymarket-markets", type=int, default=SimConfig.polymarket_markets)
    p.add_argument("--polymarket-trades", type=int, default=SimConfig.polymarket_trades)
    p.add_argument("--polymarket-v1-trades", choices=("retired", "served"), default="retired",
                   help="Data API v1 GET /trades: retired (410, default) or served")
    p.add_argument("--polymarket-v2-switchover", default="2026-11-02T00:00:00Z",
                   help="creation instant from which markets can be Protocol V2 markets ('none': never)")
    p.add_argument("--polymarket-combos", type=int, default=None,
                   help="combo markets in the Data API feed (default: a few, by world size)")
    p.add_argument("--polymarket-void-share", type=float, default=SimConfig.polymarket_void_share)
    p.add_argument("--polymarket-dispute-share", type=float, default=SimConfig.polymarket_dispute_share)
    p.add_argument("--polymarket-slow-resolution-share", type=float,
                   default=SimConfig.polymarket_slow_resolution_share)
    p.add_argument("--kalshi-series", type=int, default=SimConfig.kalshi_series)
    p.add_argument("--kalshi-markets", type=int, default=SimConfig.kalshi_markets)
    p.add_argument("--kalshi-trades", type=int, default=SimConfig.kalshi_trades)
    p.add_argument("--kalshi-historical-cutoff", default=None,
                   help="fixed historical cutoff (ISO-8601; default: 90 days before the simulated now)")
    p.add_argument("--kalshi-public-key", action="append", default=[], metavar="[KEY_ID=]PEM_FILE",
                   help="public key accepted for signed Kalshi requests (repeatable)")
    p.add_argument("--now", default=None,
                   help="freeze the simulated clock at this ISO-8601 instant (default: follow the wall clock)")
    p.add_argument("--epoch-start", default="2025-01-01T00:00:00Z")
    p.add_argument("--epoch-end", default="2027-01-01T00:00:00Z")
    p.add_argument("--enforce-rate-limits", action="store_true")
    p.add_argument("--rate-limit-factor", type=float, default=1.0)
    p.add_argument("--request-log-size", type=int, default=200_000, help="request log entries kept in memory")
    return p.parse_args(argv)


def public_keys(specs: list[str]):
    """``[KEY_ID=]PEM_FILE`` arguments -> the ``kalshi_public_keys`` setting."""
    if not specs:
        return None
    by_id, anonymous = {}, []
    for spec in specs:
        key_id, sep, path = spec.partition("=")
        if not sep:
            key_id, path = "", spec
        with open(path, encoding="utf-8") as fh:
            pem = fh.read()
        if key_id:
            by_id[key_id] = pem
        else:
            anonymous.append(pem)
    if by_id and anonymous:
        raise SystemExit("--kalshi-public-key: give a key id for every key, or for none")
    return by_id or anonymous


def config_from(args: argparse.Namespace) -> SimConfig:
    switchover = None if args.polymarket_v2_switchover.lower() == "none" else args.polymarket_v2_switchover
    return SimConfig(
        host=args.host, port=args.port, seed=args.seed,
        polymarket_markets=args.polymarket_markets, polymarket_trades=args.polymarket_trades,
        polymarket_v1_trades=args.polymarket_v1_trades, polymarket_v2_switchover=switchover,
        polymarket_combos=args.polymarket_combos, polymarket_void_share=args.polymarket_void_share,
        polymarket_dispute_share=args.polymarket_dispute_share,
        polymarket_slow_resolution_share=args.polymarket_slow_resolution_share,
        kalshi_series=args.kalshi_series, kalshi_markets=args.kalshi_markets,
        kalshi_trades=args.kalshi_trades, kalshi_historical_cutoff=args.kalshi_historical_cutoff,
        kalshi_public_keys=public_keys(args.kalshi_public_key),
        now=args.now, epoch_start=args.epoch_start, epoch_end=args.epoch_end,
        enforce_rate_limits=args.enforce_rate_limits, rate_limit_factor=args.rate_limit_factor,
        request_log_size=args.request_log_size)


def main(argv=None) -> int:
    config = config_from(parse_args(argv))
    started = time.perf_counter()
    server = SimulatorServer(config).start()
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(f"venue simulator ready in {time.perf_counter() - started:.2f}s on {server.base_url}", flush=True)
    for service, url in server.service_urls().items():
        print(f"  {service:<18} {url}", flush=True)
    print(f"  {'admin':<18} {server.base_url}/_sim/requests | /_sim/clock | /_sim/faults", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        print("venue simulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
