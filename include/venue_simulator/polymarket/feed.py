"""The Data API v2 trade feed: seek anchors, ingestion lag, windows and keyset merges.

A fill is identified by (market or combo index i, transaction j, fill position f); the feed
orders fills by ``(timestamp, sequence)`` descending, where the sequence is block-number
based: ``block(ts) * 10**14 + i * 10**8 + j * 10 + f``. A page seeks below an anchor in
closed form (per market: the number of transactions up to a second is O(1)), so a page costs
O(rows) for market feeds; the global feed also touches the markets trading at the anchor.
"""
from __future__ import annotations

import bisect
import collections
import heapq
import threading
from array import array
from datetime import datetime, timezone

from .hashing import INV64, S_LAG, keyed, mix64

# Polygon blocks: calibrated on the recorded /v2/status (block 93784295 at 2026-09-14T10:24:36Z).
BLOCK_REF_TS = 1789381476
BLOCK_REF = 93784295
SEQ_BLOCK = 10 ** 14
SEQ_MARKET = 10 ** 8
MAX_TX = 10 ** 7
TOP = (1 << 62, 1 << 126)        # above every key
CDN_TTL = 300


def block_of(ts: float) -> int:
    return max(1, BLOCK_REF + (int(ts) - BLOCK_REF_TS) // 2)


def seq_of(ts: int, i: int, j: int, f: int) -> int:
    return block_of(ts) * SEQ_BLOCK + i * SEQ_MARKET + j * 10 + f


# ---------------------------------------------------------------------------- freshness

class Ingestion:
    """Rows become visible ``lag`` seconds after their block time. The lag is drawn per
    simulated minute (2-40 s, mostly small) and interpolated between minutes, so the visible
    horizon only moves forward."""

    def __init__(self, seed: int) -> None:
        self._key = keyed(seed, S_LAG)

    def minute_lag(self, minute: int) -> int:
        u = mix64(self._key ^ minute) * INV64
        return 2 + int(38 * u ** 3)

    def horizon(self, now: float) -> int:
        """Newest block timestamp visible at ``now``."""
        m, r = divmod(int(now), 60)
        a = m * 60 - self.minute_lag(m)
        b = (m + 1) * 60 - self.minute_lag(m + 1)
        return a + (b - a) * r // 60

    def lag(self, now: float) -> int:
        return int(now) - self.horizon(now)


def cdn_instant(now: float) -> int:
    """Page 1 (a URL without cursor) is served as of the start of the current CDN bucket."""
    return int(now) // CDN_TTL * CDN_TTL


# ---------------------------------------------------------------------------- windows

def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), tz=timezone.utc)


def three_years_before(ts: float) -> int:
    d = _utc(ts)
    try:
        back = d.replace(year=d.year - 3)
    except ValueError:           # 29 February
        back = d.replace(year=d.year - 3, day=28)
    return int(back.timestamp())


def previous_month_start(ts: float) -> int:
    d = _utc(ts)
    year, month = (d.year, d.month - 1) if d.month > 1 else (d.year - 1, 12)
    return int(datetime(year, month, 1, tzinfo=timezone.utc).timestamp())


# ---------------------------------------------------------------------------- streams

class Feed:
    """Keyset streams over the world's fills (markets and combos), newest first.

    A fill key is ``(ts, seq, i, j, f)``. Streams hold explicit positions, so the state of the
    global merge after a page can be kept and resumed by the next page of the same walk."""

    CACHED_MERGES = 8

    def __init__(self, world) -> None:
        self.w = world
        self._lock = threading.Lock()
        self._order = None
        self._merges: collections.OrderedDict = collections.OrderedDict()

    # ------------------------------------------------------------ one market
    def seek(self, i: int, upper: tuple, taker_only: bool):
        """The newest fill of market/combo ``i`` strictly below ``upper`` = (ts, seq), or None."""
        ts_u, seq_u = upper
        plan = self.w.plan(i)
        j = plan.visible_tx(ts_u) - 1
        if j < 0:
            return None
        ts = plan.tx_time(j)
        f = plan.makers(j)
        key = (ts, seq_of(ts, i, j, f), i, j, f)
        while key is not None and key[0] == ts_u and key[1] >= seq_u:
            key = self.prev(key, taker_only)
        return key

    def prev(self, key: tuple, taker_only: bool):
        """The fill just older than ``key`` in the same market (makers follow their taker)."""
        ts, seq, i, j, f = key
        if not taker_only and f > 0:
            return ts, seq - 1, i, j, f - 1
        if j == 0:
            return None
        plan = self.w.plan(i)
        j -= 1
        ts = plan.tx_time(j)
        f = plan.makers(j)
        return ts, seq_of(ts, i, j, f), i, j, f

    def market_stream(self, i: int, upper: tuple, taker_only: bool):
        key = self.seek(i, upper, taker_only)
        while key is not None:
            yield key
            key = self.prev(key, taker_only)

    def merged(self, indices, upper: tuple, taker_only: bool):
        streams = [self.market_stream(i, upper, taker_only) for i in sorted(set(indices))]
        if len(streams) == 1:
            return streams[0]
        return heapq.merge(*streams, key=lambda k: (k[0], k[1]), reverse=True)

    # ------------------------------------------------------------ global feed
    def global_order(self):
        """(last trade time ascending, first trade time, index) of every market and combo that
        trades at all. Computed once: the whole schedule is a pure function of the world."""
        with self._lock:
            if self._order is not None:
                return self._order
        w = self.w
        items = []
        for i in range(w.n + w.combos.count):
            plan = w.plan_uncached(i)
            if plan.n_tx:
                items.append((plan.tx_time(plan.n_tx - 1), plan.tx_time(0), i))
        items.sort()
        order = (array("q", [x[0] for x in items]), array("q", [x[1] for x in items]),
                 array("l", [x[2] for x in items]))
        with self._lock:
            self._order = order
        return order

    def global_stream(self, upper: tuple, taker_only: bool) -> "GlobalMerge":
        """Every fill below ``upper`` across all markets and combos, newest first: the merge left
        by the page that ended at ``upper`` when there is one, else a new one."""
        with self._lock:
            merge = self._merges.pop((upper, taker_only), None)
        return merge if merge is not None else GlobalMerge(self, upper, taker_only)

    def keep_global(self, merge: "GlobalMerge", anchor: tuple, unread: list) -> None:
        """Keep a merge for the next page (which continues below ``anchor``); ``unread``: fills
        read past the anchor that the next page must see first."""
        merge.unread(unread)
        with self._lock:
            self._merges[(anchor, merge.taker_only)] = merge
            while len(self._merges) > self.CACHED_MERGES:
                self._merges.popitem(last=False)


class GlobalMerge:
    """Lazy k-way merge of every market's fills below an anchor. Markets trading at the anchor
    are sought at once; markets whose last trade is older join when the merge reaches it."""

    def __init__(self, feed: Feed, upper: tuple, taker_only: bool) -> None:
        self.feed = feed
        self.taker_only = taker_only
        self.last, first, self.idx = feed.global_order()
        pos = bisect.bisect_left(self.last, upper[0])
        heap = []
        for k in range(pos, len(self.last)):
            if first[k] <= upper[0]:
                key = feed.seek(self.idx[k], upper, taker_only)
                if key is not None:
                    heap.append((-key[0], -key[1], key))
        heapq.heapify(heap)
        self.heap = heap
        self.p = pos - 1
        self.back: list = []

    def unread(self, keys: list) -> None:
        self.back.extend(reversed(keys))

    def __iter__(self):
        return self

    def __next__(self):
        if self.back:
            return self.back.pop()
        heap, last = self.heap, self.last
        while self.p >= 0 and (not heap or last[self.p] >= heap[0][2][0]):
            key = self.feed.seek(self.idx[self.p], TOP, self.taker_only)
            if key is not None:
                heapq.heappush(heap, (-key[0], -key[1], key))
            self.p -= 1
        if not heap:
            raise StopIteration
        key = heap[0][2]
        nxt = self.feed.prev(key, self.taker_only)
        if nxt is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, (-nxt[0], -nxt[1], nxt))
        return key


def clamp_upper(upper: tuple | None, max_ts: int) -> tuple:
    """The tighter of an anchor and "everything up to ``max_ts``"."""
    ceiling = (max_ts, TOP[1])
    return ceiling if upper is None else min(upper, ceiling)


def first_page(stream, limit: int, lo: int, keep, build, budget: int):
    """-> (rows, has_more, anchor of the last row or examined fill, fills read past the anchor).

    Rows below ``lo`` end the feed. ``keep(row)`` drops rows (filters the service applies
    after reading): a page examines at most ``budget`` fills, so it can be short (even empty)
    before the end; its cursor then continues after the last examined fill."""
    rows: list[dict] = []
    anchor = None
    past: list = []
    examined = 0
    for key in stream:
        if key[0] < lo:
            return rows, False, anchor, []
        row = build(key)
        examined += 1
        past.append(key)
        if keep is None or keep(row):
            if len(rows) >= limit:
                return rows, True, anchor, past
            rows.append(row)
            anchor, past = (key[0], key[1]), []
        elif len(rows) < limit:
            anchor, past = (key[0], key[1]), []
        if examined >= budget:
            for nxt in stream:        # probe: does anything remain in the window?
                return rows, nxt[0] >= lo, anchor, past + [nxt]
            return rows, False, anchor, []
    return rows, False, anchor, []
