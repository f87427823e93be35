"""Time-independent attributes of markets and events (text, outcomes, fees, images)."""
from __future__ import annotations

from datetime import datetime, timezone

from . import text as T
from .hashing import S_TEXT, h
from .timeline import EventInfo, Life

SUBMITTER = "0x91430CaD2d3975766499717fA0D66A78D814E5c5"
RESOLVERS = ("0x65070BE91477460D8A7AeEb94ef92fe056C2f2A7", "0x69c47De9D4D3Dad79590d61b9e05918E03775f24",
             "0x2F5e3684cb1F318ec51b00Edba38d79Ac2c0aA9d")
LADDER = ("$100M", "$300M", "$500M", "$1B", "$2B", "$5B")
TAGS = {
    "politics": (("2", "Politics", "politics", 1698259950), ("144", "Elections", "elections", 1698960271)),
    "sports": (("1", "Sports", "sports", 1698259000), ("100350", "Soccer", "soccer", 1720000000)),
    "crypto": (("21", "Crypto", "crypto", 1698300000), ("102127", "Up or Down", "up-or-down", 1740000000)),
    "general": (("100328", "Economy", "economy", 1700000000),),
    "threshold": (("21", "Crypto", "crypto", 1698300000), ("101999", "Pre-Market", "pre-market", 1730000000)),
}
V2_CUTOVER = int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())


def _year(ts: int) -> int:
    return datetime.fromtimestamp(ts, tz=timezone.utc).year


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")


def event_static(seed: int, ev: EventInfo, market_slug0: str, market_question0: str, event_id: str) -> dict:
    r = h(seed, S_TEXT, ev.first, 1)
    kind = ev.kind
    if ev.size == 1:
        title = market_question0
        slug = market_slug0
    elif kind == "politics":
        country = T.pick(T.COUNTRIES, r >> 4)
        office = T.pick(T.OFFICES, r >> 12)
        title = (f"Next Prime Minister of {country}?" if office == "Prime Minister"
                 else f"{country} {office} Election Winner {_year(ev.end)}")
        slug = f"{T.slugify(title)}-{event_id}"
    elif kind == "sports":
        a, b = _teams(r, T.FOOTBALL)
        title = f"{a} vs. {b}"
        slug = f"fifwc-{T.FOOTBALL_CODES[a]}-{T.FOOTBALL_CODES[b]}-{_day(ev.start_time or ev.end)}"
    else:
        token = T.pick(T.TOKENS, r >> 4)
        title = f"{token} FDV above ___ one day after launch?"
        slug = f"{T.slugify(token)}-fdv-above-one-day-after-launch-{event_id}"
    series = None
    if kind == "crypto":
        name, sym, _ = T.pick(T.CRYPTO, h(seed, S_TEXT, ev.first, 2))
        label = T.window_label(ev.window)
        series = {"slug": f"{sym}-up-or-down-{label}", "title": f"{sym.upper()} Up or Down {label}",
                  "id": str(10600 + h(seed, S_TEXT, int.from_bytes(sym.encode(), "big"), ev.window) % 400), "recurrence": label}
    tag_key = "politics" if kind.startswith("politics") else "sports" if kind.startswith("sports") else kind
    return {
        "title": title,
        "slug": slug,
        "image": T.image_url(T.slugify(title), r >> 3),
        "series": series,
        "tags": TAGS.get(tag_key, TAGS["general"]),
        "comment_base": r % 600,
    }


def _teams(r: int, pool) -> tuple[str, str]:
    a = T.pick(pool, r >> 5)
    b = T.pick(pool, (r >> 5) + 1 + (r >> 13) % (len(pool) - 1))
    return a, b


def market_static(seed: int, life: Life, ev: EventInfo, market_id: str, nul: bool) -> dict:
    """Question, outcomes, slug, description and the other fixed fields of one market."""
    i = life.idx
    r = h(seed, S_TEXT, i)
    re_ = h(seed, S_TEXT, ev.first, 1)
    kind = ev.kind
    outcomes = ("Yes", "No")
    group_title = ""
    threshold = "0"
    resolution_source = ""
    extra = ""
    slug = None
    if kind == "crypto":
        name, sym, upper = T.pick(T.CRYPTO, h(seed, S_TEXT, ev.first, 2))
        question = T.crypto_title(name, ev.start_time, ev.end)
        slug = f"{sym}-updown-{T.window_label(ev.window)}-{ev.start_time}"
        outcomes = ("Up", "Down")
        resolution_source = f"https://data.chain.link/streams/{sym}-usd"
        extra = upper
    elif kind == "politics_single":
        person = T.pick(T.PEOPLE, r >> 4)
        question = f"Will {person} win the {_year(ev.end)} {T.pick(T.COUNTRIES, r >> 12)} presidential election?"
    elif kind == "politics":
        start = (re_ >> 20) % len(T.PEOPLE)
        person = T.PEOPLE[(start + life.pos * 7) % len(T.PEOPLE)]
        country = T.pick(T.COUNTRIES, re_ >> 4)
        office = T.pick(T.OFFICES, re_ >> 12)
        if office == "Prime Minister":
            question = f"Will {person} be the next Prime Minister of {country}?"
        else:
            question = f"Will {person} win the {_year(ev.end)} {country} {office.lower()} election?"
        group_title = person
        threshold = str(life.pos)
    elif kind == "sports":
        a, b = _teams(re_, T.FOOTBALL)
        day = _day(ev.start_time)
        if life.pos == 0:
            question, group_title = f"Will {a} win on {day}?", a
        elif life.pos == ev.size - 1:
            question, group_title = f"Will {b} win on {day}?", b
        else:
            question, group_title = f"Will {a} vs. {b} end in a draw?", f"Draw ({a} vs. {b})"
        threshold = str(life.pos)
    elif kind == "sports_single":
        if r % 2:
            a, b = _teams(r, T.ESPORTS)
            question = f"LoL: {a} vs {b} (BO3) - LCK Round {1 + (r >> 9) % 5}-{2 + (r >> 11) % 5} Legend Group"
        else:
            a, b = _teams(r, T.NBA)
            question = f"{a} vs. {b}"
        outcomes = (a, b)
    elif kind == "threshold":
        token = T.pick(T.TOKENS, re_ >> 4)
        value = LADDER[min(life.pos, len(LADDER) - 1)]
        question = f"{token} FDV above {value} one day after launch?"
        group_title = value
        threshold = str(life.pos)
    else:
        question = _general_question(r, ev.end)
    if slug is None:
        slug = f"{T.slugify(question)}-{market_id}"
    description = T.description(kind, question, ev.end, r, nul, extra)
    fees = kind == "crypto" or (life.created >= V2_CUTOVER and r % 7 == 0)
    return {
        "question": question,
        "slug": slug,
        "outcomes": outcomes,
        "group_title": group_title,
        "threshold": threshold,
        "resolution_source": resolution_source,
        "description": description,
        "image": T.image_url(T.slugify(question), r >> 2),
        "resolved_by": T.pick(RESOLVERS, r >> 30),
        "uma_bond": ("500", "25000", "1000")[(r >> 33) % 3],
        "uma_reward": ("5", "10", "2")[(r >> 35) % 3],
        "rewards_min_size": (50, 20, 100, 0)[(r >> 37) % 4],
        "rewards_max_spread": (4.5, 3.5, 3, 0)[(r >> 37) % 4],
        "fees": fees,
        "fee_type": "crypto_fees" if kind == "crypto" else ("general_fees" if fees else None),
        "restricted": (r >> 40) % 10 != 0,
        "featured": (r >> 44) % 40 == 0,
        "holding_rewards": (r >> 46) % 5 == 0,
        "clear_book": kind != "crypto",
        "v2": life.created >= V2_CUTOVER,
        "competitive": 0.75 + ((r >> 48) % 10_000) / 40_000.0,
    }


def _general_question(r: int, end: int) -> str:
    day = T.fmt_day(end)
    form = r % 6
    if form == 0:
        month = datetime.fromtimestamp(end, tz=timezone.utc).strftime("%B")
        return f"Will the Fed cut rates at the {month} {_year(end)} meeting?"
    if form == 1:
        return f"Will {T.pick(T.CITIES, r >> 5)} record a temperature above {25 + (r >> 9) % 15}°C on {day}?"
    if form == 2:
        return f"Will {T.pick(T.COMPANIES, r >> 5)} announce a stock split before {_year(end) + 1}?"
    if form == 3:
        return f"Will {T.pick(T.COUNTRIES, r >> 5)} hold a snap election by {day}?"
    if form == 4:
        return f"Will {T.pick(T.TOKENS, r >> 5)} launch a token by {day}?"
    return f"Will “{T.pick(('Midnight Arcade', 'Golden Hour', 'Paper Moons'), r >> 5)}” reach #1 on the Hot 100 by {day}?"
