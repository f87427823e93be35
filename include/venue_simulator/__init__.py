"""Local simulator of the prediction-market venue APIs (Polymarket and Kalshi).

Each venue host is mounted under a URL prefix; the paths after the prefix are the real
paths, so pointing a connection at ``http://127.0.0.1:PORT/polymarket/gamma`` instead of
``https://gamma-api.polymarket.com`` (or ``http://127.0.0.1:PORT/kalshi/trade-api/v2`` instead
of ``https://external-api.kalshi.com/trade-api/v2``) is the only change a client needs.
"""
from .config import SimConfig
from .server import SimulatorServer

__all__ = ["SimulatorServer", "SimConfig"]
