"""Local simulator of the prediction-market venue APIs (Polymarket today, Kalshi next).

Each venue host is mounted under a URL prefix; the paths after the prefix are the real
paths, so pointing a connection at ``http://127.0.0.1:PORT/polymarket/gamma`` instead of
``https://gamma-api.polymarket.com`` is the only change a client needs.
"""
from .config import SimConfig
from .server import SimulatorServer

__all__ = ["SimulatorServer", "SimConfig"]
