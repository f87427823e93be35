"""Markets of an event: ticker suffix, strike, sub-titles, titles and the realised outcome."""
from __future__ import annotations

import dataclasses
import math
from datetime import datetime

from ..polymarket.hashing import h
from .catalog import POPE_NAMES, SPECIALS
from .layout import EventInfo

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclasses.dataclass(frozen=True, slots=True)
class Strike:
    suffix: str | None          # None: the market ticker is the event ticker
    strike_type: str | None     # None: key omitted
    floor: float | None
    cap: float | None
    yes_sub: str
    no_sub: str
    title: str
    yes: bool                   # realised outcome once determined
    expiration_value: str


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 2)


def _txt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if not float(x).is_integer() else str(int(x))


def pretty_day(ts: int, tz) -> str:
    d = datetime.fromtimestamp(ts, tz)
    return f"{d.strftime('%b')} {d.day}, {d.year}"


def event_strikes(seed: int, ev: EventInfo, tz) -> tuple[Strike, ...]:
    fam = ev.series.family
    r = h(seed, 501, ev.first)
    u = (r >> 11) * (1.0 / (1 << 53))
    if ev.kind == "special":
        return _special(ev)
    day = pretty_day(ev.close, tz)
    if fam in ("weather_high", "weather_low"):
        city, high = ev.series.extra
        doy = datetime.fromtimestamp(ev.close, tz).timetuple().tm_yday
        c = int(round(52 + 24 * math.sin(2 * math.pi * (doy - 105) / 365.25) - (0 if high else 14) + (r % 9) - 4))
        v = c + int(round((u - 0.5) * 12))
        word = "high" if high else "low"
        out = [Strike(f"T{c - 5}", "less", None, c - 5, f"{c - 6}° or below", f"{c - 6}° or below",
                      f"Will the {word} temp in {city} be <{c - 5}° on {day}?", v < c - 5, str(v))]
        for lo in (c - 5, c - 3, c - 1, c + 1):
            out.append(Strike(f"B{lo}.5", "between", lo, lo + 1, f"{lo}° to {lo + 1}°", f"{lo}° to {lo + 1}°",
                              f"Will the {word} temp in {city} be {lo}-{lo + 1}° on {day}?", lo <= v <= lo + 1, str(v)))
        out.append(Strike(f"T{c + 2}", "greater", c + 2, None, f"{c + 3}° or above", f"{c + 3}° or above",
                          f"Will the {word} temp in {city} be >{c + 2}° on {day}?", v > c + 2, str(v)))
        return tuple(out[:ev.size])
    if fam == "sports":
        _, name, teams = ev.series.extra
        away, home = sports_teams(seed, ev.rb, teams)
        winner = away if u < 0.5 else home
        return tuple(Strike(t, None, None, None, t, t, f"{away} at {home} Winner?", t == winner, winner)
                     for t in (away, home))[:ev.size]
    if fam == "crypto":
        sym, name, base = ev.series.extra
        center = base * (1.0 + 0.4 * (((r >> 20) % 1000) / 1000.0 - 0.5))
        step = 10 ** (int(math.floor(math.log10(center))) - 2) * 5
        v = center * (1 + (u - 0.5) * 0.02)
        out = []
        for p in range(ev.size):
            k = max(1, math.floor(center / step) + p - 3)
            x = round(k * step - 0.01, 2) if step >= 1 else round(k * step, 5)
            text = f"{x:.2f}" if step >= 1 else f"{x:.5f}".rstrip("0").rstrip(".")
            out.append(Strike(f"T{text}", "greater", x, None, f"${text} or above", f"${text} or above",
                              f"{name} price on {day}?", v > x, f"{v:.5g}"))
        return tuple(out)
    row = ev.series.extra                        # econ / fed: (ticker, old, title, unit, base, step, freq)
    unit, base, step = row[3], row[4], row[5]
    drift = ((ev.k * 7 + (r % 5)) % 9) - 4
    center = max(step * (ev.size // 2 + 1), base + step * drift / 2)      # strikes stay positive
    v = center + step * (int(u * 4) - 1.5)
    out = []
    for p in range(ev.size):
        x = round(center + step * (p - ev.size // 2), 2)
        label = f"Above {_txt(x)}{unit}"
        out.append(Strike(f"T{_txt(x)}", "greater", _num(x), None, label, label,
                          f"{row[2]} above {_txt(x)}{unit}?", v > x, _txt(round(v, 2))))
    return tuple(out)


def sports_teams(seed: int, rb: int, teams) -> tuple[str, str]:
    r = h(seed, 502, rb)
    a = r % len(teams)
    b = (a + 1 + (r >> 8) % (len(teams) - 1)) % len(teams)
    return teams[a], teams[b]


def _special(ev: EventInfo) -> tuple[Strike, ...]:
    k = ev.series.idx
    ticker, title, _, sub, code, _, suffixes = SPECIALS[k]
    if k == 0:
        return (Strike(None, None, None, None, "Mars", "Mars", "Will Elon Musk visit Mars before Aug 1, 2099?",
                       False, ""),)
    if k == 1:
        return tuple(Strike(sfx, None, None, None, name, name, f"Will {name} be the next Pope?", False, "")
                     for sfx, name in zip(suffixes, POPE_NAMES))[:ev.size]
    return (Strike(None, None, None, None, "Before 2050", "Before 2050", title, False, ""),)


def date_code(ts: int, grain: str, tz) -> str:
    d = datetime.fromtimestamp(ts, tz)
    code = f"{d.year % 100:02d}{MONTHS[d.month - 1]}"
    if grain in ("day", "hour", "minute"):
        code += f"{d.day:02d}"
    if grain in ("hour", "minute"):
        code += f"{d.hour:02d}"
    if grain == "minute":
        code += f"{d.minute:02d}"
    return code


CODE_LEN = {"month": 5, "day": 7, "hour": 9, "minute": 11}


def code_key(code: str) -> tuple | None:
    """Sortable key of a date code's leading part (``24JAN01`` -> (24, 1, 1))."""
    if len(code) < 5 or not code[:2].isdigit() or code[2:5] not in MONTHS:
        return None
    key = [int(code[:2]), MONTHS.index(code[2:5]) + 1]
    rest = code[5:]
    while len(rest) >= 2 and rest[:2].isdigit():
        key.append(int(rest[:2]))
        rest = rest[2:]
    return tuple(key)
