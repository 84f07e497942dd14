"""DATE rule for kk/ru/en: dates, month-year, day-month, year ranges, years; ``norm`` is ISO.

A day and month without a year is "--MM-DD" (ISO 8601's form for a recurring date).

Laws and figures reuse these spans: a citation's date, and "not a figure" for the
numbers inside a date.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable
from typing import Protocol, TypeVar

from nlp.lang import kk
from nlp.records import Entity

SOURCE = "rule:dates"

_EN_NAMES = "january february march april may june july august september october november december"
EN_MONTHS = {name: i for i, name in enumerate(_EN_NAMES.split(), 1)}
EN_MONTHS |= {name[:3]: i for name, i in EN_MONTHS.items()} | {"sept": 9}
# Russian and Kazakh months are told apart by their first three letters.
RU_MONTHS = dict(zip("янв фев мар апр май июн июл авг сен окт ноя дек".split(), range(1, 13),
                     strict=True))
KK_MONTHS = dict(zip("қаң ақп нау сәу мам мау шіл там қыр қаз қар жел".split(), range(1, 13),
                     strict=True))

_EN_M = r"(?P<m>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)"
_EN_CAP_M = r"(?P<m>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?:[a-z]+|\.)?)"
_RU_M_GEN = r"(?P<m>(?:январ|феврал|апрел|июн|июл|сентябр|октябр|ноябр|декабр|ма)я|марта|августа)"
_RU_M_ANY = (r"(?P<m>(?:январ|феврал|апрел|июн|июл|сентябр|октябр|ноябр|декабр)[ьяюе]"
             r"|(?:март|август)[ауе]?|ма[йяею])")
# Kazakh month names take case endings: шілдедегі, қаңтардан, қыркүйегінде.
KK_MONTH_NAMES = "|".join(kk.MONTH_STEMS)
_KK_M = rf"(?P<m>(?:{KK_MONTH_NAMES})[{kk.LETTERS}]*)"
_Y = r"(?P<y>(?:19|20)\d\d)"
_FULL_Y = r"(?P<y>(?:1[7-9]|20)\d\d)"  # with day and month a year may be older: 1875
_D = r"(?P<d>[0-3]?\d)"
_RU_YW = r"\s*(?:год[а-я]*|гг?\.)"  # года, году, г.
_KK_YW = r"\s*(?:жыл[а-яәғқңөұүһі]*|ж\.)"  # жылғы, жылы, ж.
_ORD = r"(?:st|nd|rd|th)?"


def _c(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    # Not inside a longer number, word or document number ("477-IV", "1.2021").
    return re.compile(r"(?<![\w.,/-])" + pattern + r"(?![\w%]|[.,]\d)", flags)


# (pattern, language of its month names). Where two forms overlap the longer span wins.
_RULES: list[tuple[re.Pattern[str], str]] = [
    (_c(_FULL_Y + _KK_YW + r"\s+" + _D + r"\s+" + _KK_M), "kk"),
    (_c(_D + r"\s+" + _KK_M + r"\s+" + _FULL_Y + f"(?:{_KK_YW})?"), "kk"),
    (_c(_D + r"\s+" + _RU_M_GEN + r"\s+" + _FULL_Y + f"(?:{_RU_YW})?"), "ru"),
    (_c(_D + _ORD + r"\s+" + _EN_M + r",?\s+" + _FULL_Y), "en"),
    (_c(_EN_M + r"\s+" + _D + _ORD + r",?\s+" + _FULL_Y), "en"),
    # Day and month without a year: "8 сентября", "4 July", "July 4" -> "--07-04".
    (_c(_D + r"\s+" + _RU_M_GEN), "ru"),
    (_c(_D + r"\s+" + _KK_M), "kk"),
    (_c(_D + _ORD + r"\s+" + _EN_CAP_M, 0), "en"),
    (_c(_EN_CAP_M + r"\s+" + _D + _ORD, 0), "en"),
    (_c(_D + r"\.(?P<m>[01]?\d)\." + _Y + r"(?:\s*(?:г\.|года|ж\.))?"), "num"),
    (_c(_Y + r"-(?P<m>[01]\d)-(?P<d>[0-3]\d)"), "num"),
    (_c(_Y + r"\.(?P<m>[01]\d)\.(?P<d>[0-3]\d)(?:\s*ж\.|\.(?=\s))?"), "num"),  # kk: 2010.12.29
    (_c(_Y + _KK_YW + r"\s+" + _KK_M), "kk"),
    (_c(_RU_M_ANY + r"\s+" + _Y + f"(?:{_RU_YW})?"), "ru"),
    (_c(r"(?P<m>[A-Z][a-z]+\.?)\s+" + _Y, 0), "en"),  # capitalised: "may 2021" is a verb
    (_c(_Y + r"\s*[-–—]\s*(?P<y2>(?:19|20)\d\d)" + f"(?:{_RU_YW}|{_KK_YW})?"), "num"),
    (_c(r"(?:с|from|between)\s+" + _Y + r"(?:\s*(?:г\.|года?))?\s+(?:по|до|to|and)\s+"
        r"(?P<y2>(?:19|20)\d\d)" + f"(?:{_RU_YW}|{_KK_YW})?"), "num"),  # с 1998 по 2000 годы
    (_c(_Y + f"(?:{_RU_YW}|{_KK_YW}|" + r"\s+year)"), "num"),
    (_c(_Y), "num"),
]


def find_dates(text: str, lang: str | None = None) -> list[Entity]:
    """DATE entities (full dates, month-year, ranges, years) with an ISO ``norm``."""
    found = []
    for pattern, month_lang in _RULES:
        for m in pattern.finditer(text):
            iso = _iso(m.groupdict(), month_lang)
            if iso and not after_number_sign(text, m.start()):
                found.append(Entity(m.start(), m.end(), "DATE", m.group(), iso, source=SOURCE))
    return select_longest(found)


def _iso(g: dict[str, str | None], month_lang: str) -> str | None:
    """ISO date, month or year (or "Y1/Y2" for a range); None when it does not exist."""
    year = int(g.get("y") or 0)
    if g.get("y2"):
        return f"{year}/{g['y2']}" if int(g["y2"]) > year else None
    if not g.get("m"):
        return str(year)
    month = _month(g["m"], month_lang)
    if not month:
        return None
    if not g.get("d"):
        return f"{year}-{month:02d}"
    try:  # 2000 is a leap year: "29 февраля" without a year is a valid day
        day = dt.date(year or 2000, month, int(g["d"] or 0))
    except ValueError:
        return None
    return day.isoformat() if year else f"--{month:02d}-{day.day:02d}"


def _month(word: str, month_lang: str) -> int | None:
    """Month number of a month name (any case ending) or of digits."""
    word = word.lower().rstrip(".")
    if month_lang == "num":
        return int(word)
    if month_lang == "en":
        return EN_MONTHS.get(word)
    if month_lang == "ru" and word.startswith("ма") and not word.startswith("мар"):
        return 5  # май, мая, мае
    return (RU_MONTHS if month_lang == "ru" else KK_MONTHS).get(word[:3])


_NUMBER_SIGN = re.compile(r"(?:№|\bNo\.?|\bN)\s*$")


def after_number_sign(text: str, start: int) -> bool:
    """A number right after "№" or "No." is a document number, not a date or figure."""
    return bool(_NUMBER_SIGN.search(text[max(0, start - 6):start]))


class _Span(Protocol):
    start: int
    end: int


S = TypeVar("S", bound=_Span)


def select_longest(spans: Iterable[S]) -> list[S]:
    """Non-overlapping spans, longer first, then earlier; returned in text order."""
    starts: list[int] = []
    kept: list[S] = []
    for e in sorted(spans, key=lambda e: (e.start - e.end, e.start)):
        i = bisect.bisect_right(starts, e.start)
        if (i and kept[i - 1].end > e.start) or (i < len(kept) and kept[i].start < e.end):
            continue
        starts.insert(i, e.start)
        kept.insert(i, e)
    return kept
