"""Deterministic wording: questions, titles, descriptions, slugs (with non-ASCII on purpose)."""
from __future__ import annotations

import unicodedata
from datetime import datetime, timezone

PEOPLE = (
    "Amélie Durand", "Søren Østergaard", "Zoë Brennan", "José Ñúñez", "Łukasz Wójcik",
    "Ayşe Yılmaz", "Jürgen Weiß", "Chloé Laurent", "Mateus Araújo", "Nikolaj Kjær",
    "Renée Côté", "Tomás Ibáñez", "Zoltán Kovács", "Elif Şahin", "Anaïs Lefèvre",
    "Marcus Webb", "Priya Raman", "Daniel Okafor", "Hannah Cole", "Victor Hale",
    "Grace Lin", "Omar Haddad", "Laura Finch", "Kenji Sato", "Aisha Bello",
    "Robert Crane", "Elena Park", "Samuel Ortiz", "Ingrid Berg", "Felix Hart",
    "Noah Reyes", "Maya Chen", "Adanech Tesfaye", "Dmitri Volkov", "Lucía Herrera",
)
COUNTRIES = (
    "Chile", "Poland", "Denmark", "Brazil", "Colombia", "Portugal", "Iceland", "Peru",
    "Ethiopia", "Côte d’Ivoire", "Türkiye", "Norway", "Kenya", "Ecuador", "Romania",
)
OFFICES = ("Presidential", "Prime Minister", "Mayoral", "Senate")
PARTIES = ("Democratic", "Republican", "Labour", "Conservative", "Green")
TOKENS = ("Nexora", "Quillon", "Velaris", "Orbitra", "Lumina", "Katara", "Zentra", "Solvane")
COMPANIES = ("Acme Robotics", "Northwind", "Globex", "Initech", "Umbrella Pharma", "Hooli", "Vandelay")
CITIES = ("São Paulo", "Zürich", "Kraków", "Reykjavík", "Málaga", "Tokyo", "Chicago", "Nairobi")
FOOTBALL = ("Spain", "Austria", "Brazil", "Türkiye", "Côte d'Ivoire", "Japan", "Mexico", "Norway",
            "Morocco", "Croatia", "Uruguay", "Senegal")
FOOTBALL_CODES = {"Spain": "esp", "Austria": "aut", "Brazil": "bra", "Türkiye": "tur",
                  "Côte d'Ivoire": "civ", "Japan": "jpn", "Mexico": "mex", "Norway": "nor",
                  "Morocco": "mar", "Croatia": "cro", "Uruguay": "uru", "Senegal": "sen"}
ESPORTS = ("T1", "Hanwha Life Esports", "Gen.G", "G2 Esports", "Fnatic", "Team Liquid",
           "paiN Gaming", "Karmine Corp", "Dplus KIA", "Bilibili Gaming")
NBA = ("Lakers", "Celtics", "Nuggets", "Knicks", "Warriors", "Bucks", "Suns", "Heat")
CRYPTO = (("Bitcoin", "btc", "BTC"), ("Ethereum", "eth", "ETH"), ("Solana", "sol", "SOL"), ("XRP", "xrp", "XRP"))
ADJECTIVES = ("Enchanting", "Brisk", "Quiet", "Lucky", "Sharp", "Golden", "Restless", "Humble", "Vivid", "Stoic")
NOUNS = ("Populist", "Otter", "Falcon", "Trader", "Oracle", "Badger", "Comet", "Maple", "Harbor", "Lynx")
UPLOAD = "https://polymarket-upload.s3.us-east-2.amazonaws.com/"
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-"


def pick(seq, r: int):
    return seq[r % len(seq)]


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out, dash = [], False
    for ch in ascii_text.lower():
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def token12(r: int) -> str:
    return "".join(B62[(r >> (6 * k)) & 63] for k in range(12))


def image_url(base: str, r: int, ext: str = "png") -> str:
    return f"{UPLOAD}{base[:60].rstrip('-')}-{token12(r)}.{ext}"


def fmt_day(ts: int) -> str:
    dt = datetime.fromtimestamp(ts, tz=timezone.utc)
    return f"{dt.strftime('%B')} {dt.day}, {dt.year}"


def et_clock(ts: int) -> str:
    """``5:20AM`` in US Eastern (fixed UTC-5 is close enough for titles)."""
    dt = datetime.fromtimestamp(ts - 5 * 3600, tz=timezone.utc)
    hour = dt.hour % 12 or 12
    return f"{hour}:{dt.minute:02d}{'AM' if dt.hour < 12 else 'PM'}"


def crypto_title(name: str, start: int, end: int) -> str:
    dt = datetime.fromtimestamp(start - 5 * 3600, tz=timezone.utc)
    return f"{name} Up or Down - {dt.strftime('%B')} {dt.day}, {et_clock(start)}-{et_clock(end)} ET"


def window_label(seconds: int) -> str:
    return f"{seconds // 60}m" if seconds < 3600 else f"{seconds // 3600}h"


YES_NO_TAIL = ("Otherwise, this market will resolve to “No”.",
               "Otherwise, the market will resolve to \"No\".")


def description(kind: str, question: str, end_ts: int, r: int, nul: bool, extra: str = "") -> str:
    day = fmt_day(end_ts)
    if kind == "crypto":
        text = (f"This market will resolve to \"Up\" if the {extra} price at the end of the time range "
                "specified in the title is greater than or equal to the price at the beginning of that "
                "range. Otherwise, it will resolve to \"Down\".\nThe resolution source for this market is "
                f"information from Chainlink, specifically the {extra}/USD data stream.")
    elif kind in ("sports", "sports_single"):
        text = (f"This market refers to the match scheduled for {day}. If the listed team wins, this market "
                "will resolve to “Yes”. Otherwise, this market will resolve to “No”.\n\nIf the game is "
                "postponed, this market will remain open until the game has been completed. If it is "
                "canceled entirely, with no make-up game, this market will resolve 50-50.")
    elif kind == "threshold":
        text = (f"This market will resolve to “Yes” if the condition in the title is met by {day}, 11:59 PM ET. "
                f"{pick(YES_NO_TAIL, r)}\n\nThe resolution source for this market is the most liquid price "
                "source available.")
    else:
        text = (f"This market will resolve to “Yes” if the following occurs by {day}, 11:59 PM ET: "
                f"{question.rstrip('?')}. {pick(YES_NO_TAIL, r)}\n\nThe primary resolution source for this "
                "market will be official information; however, a consensus of credible reporting may also be used.")
    if (r >> 8) % 5 == 0:
        text += "\n\nNote: prices are quoted in USDC; “fees” may apply."
    if nul:
        cut = text.find("\n") if "\n" in text else len(text) // 2
        text = text[:cut] + "\u0000" + text[cut:]
    return text
