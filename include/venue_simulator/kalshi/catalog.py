"""Series of the Kalshi world: three long-dated one-offs, three multivariate (parlay)
collections and ``n`` recurring series cycling through families (weather, Fed, crypto,
sports, economic releases), some of them renamed (``FED`` -> ``KXFED``)."""
from __future__ import annotations

import dataclasses

from ..polymarket.hashing import h

HOUR = 3600
DAY = 86400

CITIES = (("NY", "NYC"), ("CHI", "Chicago"), ("AUS", "Austin"), ("MIA", "Miami"), ("DEN", "Denver"),
          ("LAX", "Los Angeles"), ("PHIL", "Philadelphia"), ("SEA", "Seattle"), ("BOS", "Boston"),
          ("ATL", "Atlanta"), ("DAL", "Dallas"), ("HOU", "Houston"), ("PHX", "Phoenix"), ("SFO", "San Francisco"),
          ("DC", "Washington DC"), ("MSP", "Minneapolis"))
COINS = (("BTC", "Bitcoin", 60000.0), ("ETH", "Ethereum", 2500.0), ("SOL", "Solana", 150.0),
         ("XRP", "XRP", 0.6), ("DOGE", "Dogecoin", 0.15))
LEAGUES = (("NFL", "Pro football", ("HOU", "PIT", "KC", "BUF", "DAL", "PHI", "SF", "DET", "BAL", "GB")),
           ("NBA", "Pro basketball", ("BKN", "GSW", "DAL", "DEN", "LAL", "BOS", "NYK", "MIA", "MIL", "PHX")),
           ("MLB", "Pro baseball", ("NYY", "LAD", "BOS", "HOU", "ATL", "SD", "SEA", "CHC", "TOR", "PHI")),
           ("NHL", "Pro hockey", ("NYR", "BOS", "TOR", "EDM", "FLA", "DAL", "VGK", "COL", "CAR", "WPG")))
# (ticker, old prefix, title, unit, base value, step, frequency)
ECON = (("KXFED", "FED", "Fed funds rate", "%", 4.25, 0.25, "custom"),
        ("KXCPI", "CPI", "CPI", "%", 0.2, 0.1, "monthly"),
        ("KXPAYROLLS", "PROLLS", "Jobs numbers", "k", 150.0, 25.0, "monthly"),
        ("KXGDP", "GDP", "GDP growth", "%", 2.0, 0.5, "quarterly"),
        ("KXCORECPI", None, "Core CPI", "%", 0.3, 0.1, "monthly"),
        ("KXU3", None, "Unemployment rate", "%", 4.1, 0.1, "monthly"))
FAMILIES = ("weather_high", "econ", "crypto", "sports", "weather_low")
# Old prefixes of renamed weather series (HIGHNY -> KXHIGHNY, ...).
RENAMED_WEATHER = {"NY", "CHI"}

SPECIALS = (
    # ticker, title, category, sub_title, code, close, market suffixes (None = the event ticker itself)
    ("KXELONMARS", "Will Elon Musk visit Mars in his lifetime?", "World", "Before 2099", "99",
     "2099-08-01T04:59:00Z", (None,)),
    ("KXNEWPOPE", "Who will the next Pope be?", "World", "Before 2070", "70",
     "2070-01-01T04:59:00Z", ("PPAR", "LTAG", "PTUR", "MZUP")),
    ("KXWARMING", "Will the world pass 2 degrees Celsius over pre-industrial levels before 2050?",
     "Climate and Weather", "Before 2050", "50", "2050-01-01T04:59:00Z", (None,)),
)
POPE_NAMES = ("Pietro Parolin", "Luis Antonio Tagle", "Peter Turkson", "Matteo Zuppi")
MVE = (("KXMVESPORTSMULTIGAMEEXTENDED", "Multi-game sports parlays"),
       ("KXMVECROSSCATEGORY", "Cross-category parlays"),
       ("KXMVENFLSINGLEGAME", "Pro football same-game parlays"))
SOURCES = {
    "weather_high": ("National Weather Service", "https://www.weather.gov/wrh/climate"),
    "weather_low": ("National Weather Service", "https://www.weather.gov/srh/nwsoffices"),
    "econ": ("Bureau of Labor Statistics", "https://www.bls.gov/"),
    "fed": ("Federal Reserve Board of Governors", "https://www.federalreserve.gov/monetarypolicy/fomccalendars.htm"),
    "crypto": ("CF Benchmarks", "https://www.cfbenchmarks.com/data/indices/BRTI"),
    "sports": ("ESPN", "https://www.espn.com/"),
    "special": ("Reuters", "https://www.reuters.com/"),
    "mve": ("Kalshi", "https://kalshi.com/"),
}
CATEGORIES = {"weather_high": "Climate and Weather", "weather_low": "Climate and Weather", "econ": "Economics",
              "crypto": "Crypto", "sports": "Sports"}
TAGS = {"weather_high": ["Daily temperature"], "weather_low": None, "econ": ["Inflation"],
        "crypto": ["BTC", "Crypto prices"], "sports": ["Football"]}
# Natural spacing of the date codes: frequency text -> (granularity, lead time before close).
CADENCE = {"hourly": ("hour", 2 * HOUR), "daily": ("day", DAY), "weekly": ("day", 7 * DAY),
           "monthly": ("month", 30 * DAY), "custom": ("month", 40 * DAY), "quarterly": ("month", 44 * DAY)}
GRANULARITY_S = {"minute": 60, "hour": HOUR, "day": DAY, "month": 31 * DAY}
MAX_LEAD = 45 * DAY            # no recurring or parlay market trades longer than this


@dataclasses.dataclass(frozen=True, slots=True)
class SeriesDef:
    idx: int                    # position in the series list
    kind: str                   # special | mve | regular
    ticker: str
    old_prefix: str | None      # events created before ``renamed_at`` use this prefix
    title: str
    family: str
    frequency: str
    granularity: str            # hour | day | month | none
    lead: int                   # seconds from event creation to close
    category: str
    tags: list | None
    fee_type: str
    fee_multiplier: float
    source: tuple[str, str]
    extra: tuple                # family parameters (city, coin, league, econ row)
    exchange_index: int
    updated: int                # last_updated_ts (epoch seconds)
    micros: int


def _grain(frequency: str, spacing: float) -> tuple[str, str, int]:
    """-> (frequency, date-code granularity, lead): the natural granularity of the frequency, or
    the coarsest finer one the series' event spacing allows (so date codes stay unique)."""
    grain, lead = CADENCE[frequency]
    order = ("month", "day", "hour", "minute")
    for g in order[order.index(grain):]:
        if GRANULARITY_S[g] <= spacing:
            return frequency, g, lead
    return frequency, "minute", lead


def build_series(seed: int, n_regular: int, spacing: float, epoch_start: int) -> list[SeriesDef]:
    """All series: specials, parlay collections, then the recurring ones."""
    out: list[SeriesDef] = []

    def add(kind, ticker, old, title, family, frequency, grain, lead, category, tags, extra, fee="quadratic"):
        r = h(seed, 401, len(out))
        out.append(SeriesDef(len(out), kind, ticker, old, title, family, frequency, grain, lead, category, tags,
                             fee if r % 9 else "quadratic_with_maker_fees", (1, 0.5, 1, 1, 0.75)[r % 5],
                             SOURCES.get(family, SOURCES["special"]), extra, int(r >> 8) % 2,
                             epoch_start - 200 * DAY + int((r >> 16) % (300 * DAY)), (r >> 40) % 1_000_000))

    for ticker, title, category, *_ in SPECIALS:
        add("special", ticker, None, title, "special", "one_off", "none", 0, category, None, ())
    for ticker, title in MVE:
        add("mve", ticker, None, title, "mve", "custom", "none", 0, "Sports", ["Parlays"], ())
    counters = {f: 0 for f in FAMILIES}
    for k in range(n_regular):
        family = FAMILIES[k % len(FAMILIES)] if k >= 2 else ("weather_high", "econ")[k]
        v = counters[family]
        counters[family] += 1
        if family.startswith("weather"):
            code, city = CITIES[v % len(CITIES)]
            lap = "" if v < len(CITIES) else str(v // len(CITIES) + 1)
            high = family == "weather_high"
            ticker = ("KXHIGH" if high else "KXLOW") + code + lap
            old = ("HIGH" + code) if high and code in RENAMED_WEATHER and not lap else None
            title = f"{'Highest' if high else 'Lowest'} temperature in {city}"
            freq, extra = "daily", (city, high)
        elif family == "econ":
            row = ECON[v % len(ECON)]
            lap = "" if v < len(ECON) else str(v // len(ECON) + 1)
            ticker, old, title, freq = row[0] + lap, (row[1] if row[1] and not lap else None), row[2], row[6]
            extra = row
        elif family == "crypto":
            sym, name, base = COINS[v % len(COINS)]
            lap = "" if v < len(COINS) else str(v // len(COINS) + 1)
            ticker, old, title, freq, extra = f"KX{sym}D{lap}", None, f"{name} price today", "hourly", (sym, name, base)
        else:
            league, name, teams = LEAGUES[v % len(LEAGUES)]
            lap = "" if v < len(LEAGUES) else str(v // len(LEAGUES) + 1)
            ticker, old, title, freq = f"KX{league}GAME{lap}", None, f"{name} game", "daily"
            extra = (league, name, teams)
        freq, grain, lead = _grain(freq, spacing)
        fam = "fed" if family == "econ" and extra[0] == "KXFED" else family
        category = CATEGORIES[family]
        tags = ["Interest rates"] if fam == "fed" else TAGS[family]
        add("regular", ticker, old, title, fam, freq, grain, lead, category, tags, extra)
    return out
