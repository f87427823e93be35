"""Resolution lifecycles (UMA, Chainlink, Protocol V2 native) and the /v2/resolutions rows.

Trading stops at ``close`` (Gamma ``closed: true``); a UMA question is proposed some minutes
to hours later and settles after the 2-hour liveness; ~5% are disputed (challenged,
reproposed, disputed again, settled by the DVM 2-5 days later), ~6% are managed proposals
kept in extended review for 2-30 days (both shares configurable). Chainlink (crypto) and EOA
markets settle minutes after the close without a proposal. Neg-risk siblings of an event's winner resolve "derived" with it.
Void markets pay 50-50.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

from .feed import block_of
from .hashing import INV64, S_RESOL, h, hexdigest, rand8

DAY = 86400
LIVENESS = 7200
UNSET = "69"                    # UMA's "not set" price sentinel
E18 = 10 ** 18
MICRO = 1_000_000
STAGES = ("open", "pending", "proposed", "challenged", "reproposed", "disputed", "resolved")


@dataclasses.dataclass(frozen=True, slots=True)
class ResolutionPlan:
    idx: int
    reporter: str              # UMA_OO | CHAINLINK | EOA
    native: bool               # Protocol V2 market: native V2 lifecycle rows
    derived: bool              # neg-risk sibling settled with the event's winner
    void: bool
    disputed: bool
    extended: bool             # managed proposal kept past the normal expiry
    created: int
    close: int
    proposed_at: int | None
    challenged_at: int | None
    reproposed_at: int | None
    disputed_at: int | None
    resolved_at: int
    payouts: tuple[int, int]
    final_price: str           # UMA price (1e18 scale) of the first outcome
    first_price: str           # what the first proposal claimed
    posed: bool                # open status "posed" rather than "initialized"
    new_version_q: bool
    show_estimate: bool        # expected_settlement_time + basis present on pending rows
    no_event: bool             # terminal row without a transaction hash / log index
    drop_reporter: bool        # terminal row lacks reporter and market_type
    drop_arbitrated: bool
    market_type: str
    question_id: str | None


def rfc3339(ts: int) -> str:
    return datetime.fromtimestamp(int(ts), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def uma_price(winner: int, void: bool) -> str:
    if void:
        return str(E18 // 2)
    return str(E18) if winner == 0 else "0"


def build_plan(w, i: int) -> ResolutionPlan:
    tl = w.timeline
    life = tl.life(i)
    ev = tl.event(life.first)
    u = [x * INV64 for x in rand8(w.seed, S_RESOL, i)]
    crypto = life.kind == "crypto"
    native = w.is_v2(i)
    void = life.res_kind == "void"
    reporter = "CHAINLINK" if crypto else "EOA" if u[0] < 0.03 else "UMA_OO"
    derived = (ev.neg_risk and ev.size > 1 and ev.winner_pos >= 0 and life.pos != ev.winner_pos
               and not life.early)
    uma = reporter == "UMA_OO" and not derived
    disputed = uma and u[1] < w.dispute_share
    extended = uma and not disputed and u[2] < w.slow_resolution_share
    close = life.close
    proposed = challenged = reproposed = disputed_at = None
    if derived:
        winner = build_plan(w, ev.first + ev.winner_pos)
        resolved = max(close + 60, winner.resolved_at)
    elif not uma:
        resolved = close + 60 + int(540 * u[3])
    else:
        proposed = close + 300 + int(3 * 3600 * u[3])
        if disputed:
            challenged = proposed + 600 + int(5400 * u[4])
            reproposed = challenged + 3600 + int(11 * 3600 * u[5])
            disputed_at = reproposed + 600 + int(5400 * u[6])
            resolved = disputed_at + 2 * DAY + int(3 * DAY * u[7])
        elif extended:
            resolved = proposed + 2 * DAY + int(28 * DAY * u[4] ** 2)
        else:
            resolved = proposed + LIVENESS + int(600 * u[4])
    payouts = (MICRO // 2, MICRO // 2) if void else ((MICRO, 0) if life.winner == 0 else (0, MICRO))
    final = uma_price(life.winner, void)
    first = uma_price(1 - life.winner, False) if disputed else final
    r = h(w.seed, S_RESOL, i, 1)
    if not ev.neg_risk:
        market_type = "BINARY"
    else:
        market_type = "INCREMENTAL_NEGRISK" if ev.kind == "politics" else "ATOMIC_NEGRISK"
    question = None if crypto or native else w.question_id(i)
    return ResolutionPlan(
        i, reporter, native, derived, void, disputed, extended, life.created, close, proposed, challenged,
        reproposed, disputed_at, resolved, payouts, final, first, r % 4 == 0, (r >> 8) % 10 == 0,
        (r >> 16) % 100 < 85, derived or (r >> 24) % 4 == 0, not derived and (r >> 32) % 5 == 0,
        (r >> 40) % 100 < 15, market_type, question)


# ---------------------------------------------------------------------------- stages

def stage(p: ResolutionPlan, now: float) -> str:
    """Lifecycle stage at ``now``: open, pending (closed, nothing proposed), proposed,
    challenged, reproposed, disputed, resolved."""
    if now >= p.resolved_at:
        return "resolved"
    if now < p.close:
        return "open"
    for name, at in (("disputed", p.disputed_at), ("reproposed", p.reproposed_at),
                     ("challenged", p.challenged_at), ("proposed", p.proposed_at)):
        if at is not None and now >= at:
            return name
    return "pending"


def _event_time(p: ResolutionPlan, st: str) -> int:
    return {"open": p.created + 41, "pending": p.created + 41, "proposed": p.proposed_at,
            "challenged": p.challenged_at, "reproposed": p.reproposed_at, "disputed": p.disputed_at,
            "resolved": p.resolved_at}[st]


def _tx(w, p: ResolutionPlan, st: str) -> tuple[str, str]:
    code = STAGES.index(st)
    return "0x" + hexdigest(32, w.seed, "resolution", p.idx, st), str(1 + h(w.seed, S_RESOL, p.idx, code) % 900)


def _estimate(p: ResolutionPlan, st: str) -> tuple[int, str] | None:
    if not p.show_estimate:
        return None
    if st == "proposed":
        if p.extended:
            return p.proposed_at + 2 * DAY, "managed_proposal_expiration"
        return p.proposed_at + LIVENESS, "liveness"
    if st == "reproposed":
        return p.reproposed_at + LIVENESS, "liveness"
    if st == "disputed":
        return (p.disputed_at + 2 * DAY) // DAY * DAY + DAY, "dvm_round_estimate"
    return None


def gamma_status(p: ResolutionPlan, now: float) -> tuple[str | None, list[str]]:
    """-> (Gamma ``umaResolutionStatus`` or None, the status history at ``now``)."""
    st = stage(p, now)
    if p.reporter != "UMA_OO" or p.derived:
        return ("resolved" if st == "resolved" else None), []
    history = []
    if p.proposed_at is not None and now >= p.proposed_at:
        history.append("proposed")
    for at, name in ((p.challenged_at, "disputed"), (p.reproposed_at, "proposed"), (p.disputed_at, "disputed")):
        if at is not None and now >= at:
            history.append(name)
    if st == "resolved":
        history.append("resolved")
    return (history[-1] if history else None), history


# ---------------------------------------------------------------------------- rows

def uma_row(w, p: ResolutionPlan, now: float, with_condition: bool, with_question: bool = True) -> dict:
    st = stage(p, now)
    tx, log = _tx(w, p, st)
    row: dict = {}
    if with_question:
        row["question_id"] = p.question_id
    if with_condition:
        row["condition_id"] = w.ids.condition_id(p.idx)
    if st in ("open", "pending"):
        row["status"] = "posed" if p.posed else "initialized"
    else:
        row["status"] = st
    row["extended_review"] = p.extended and now >= (p.proposed_at or now) + LIVENESS
    row["was_disputed"] = p.challenged_at is not None and now >= p.challenged_at
    row["new_version_q"] = p.new_version_q
    proposed = p.proposed_at is not None and now >= p.proposed_at
    reproposed = p.reproposed_at is not None and now >= p.reproposed_at
    row["proposed_price"] = p.first_price if proposed else UNSET
    row["reproposed_price"] = p.final_price if reproposed else UNSET
    row["price"] = p.final_price if st == "resolved" else UNSET
    row["transaction_hash"] = tx
    row["log_index"] = log
    row["last_update_timestamp"] = str(_event_time(p, st))
    estimate = _estimate(p, st)
    if estimate is not None:
        row["expected_settlement_time"] = rfc3339(estimate[0])
        row["settlement_time_basis"] = estimate[1]
    return row


def native_row(w, p: ResolutionPlan, now: float) -> dict:
    st = stage(p, now)
    tx, log = _tx(w, p, st)
    status = {"open": "active", "pending": "active", "challenged": "arbitration", "reproposed": "arbitration",
              "disputed": "arbitration"}.get(st, st)
    row = {"condition_id": w.ids.condition_id(p.idx), "status": status, "extended_review": False,
           "was_disputed": st in ("challenged", "reproposed", "disputed"), "new_version_q": p.new_version_q,
           "transaction_hash": tx, "log_index": log, "last_update_timestamp": rfc3339(_event_time(p, st)),
           "market_type": p.market_type}
    if st == "proposed" and p.show_estimate:
        row["expected_settlement_time"] = rfc3339(p.proposed_at + LIVENESS)
        row["settlement_time_basis"] = "liveness"
    return row


def terminal_row(w, p: ResolutionPlan) -> dict:
    tx, log = ("", "") if p.no_event else _tx(w, p, "resolved")
    row = {"condition_id": w.ids.condition_id(p.idx), "status": "resolved", "extended_review": p.extended,
           "was_disputed": p.disputed, "new_version_q": p.new_version_q, "transaction_hash": tx,
           "log_index": log, "last_update_timestamp": rfc3339(p.resolved_at)}
    if not p.drop_reporter:
        row["market_type"] = p.market_type
    row["payouts"] = list(p.payouts)
    row["resolution_source"] = "derived" if p.derived else "reported"
    if not p.drop_reporter and not p.derived:
        row["reporter"] = p.reporter
    if not p.drop_arbitrated:
        row["was_arbitrated"] = p.native and p.disputed
    row["resolved_block"] = block_of(p.resolved_at)
    row["resolved_at"] = rfc3339(p.resolved_at)
    return row


def condition_row(w, p: ResolutionPlan, now: float) -> dict | None:
    """The row of a condition lookup at ``now`` (None: no row yet). Source preference: native V2
    lifecycle, then the UMA lifecycle, then the terminal CTF state."""
    st = stage(p, now)
    if st == "resolved":
        return terminal_row(w, p)
    if p.native:
        return native_row(w, p, now)
    if p.question_id is None or p.reporter != "UMA_OO" and not p.derived:
        return None
    return uma_row(w, p, now, with_condition=True)


def question_row(w, p: ResolutionPlan, now: float) -> dict | None:
    """The row of a ``question_id`` lookup (UMA questions only; no ``condition_id``)."""
    if p.question_id is None or p.native or p.reporter != "UMA_OO" and not p.derived:
        return None
    return uma_row(w, p, now, with_condition=False)
