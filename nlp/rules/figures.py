"""Figures in kk/ru/en notation: PERCENT, MONEY, QUANTITY (people) or CARDINAL.

``value`` is a float with the scale applied (1,7 млн -> 1700000.0); ``unit`` is one of
persons, families, percent, USD, KZT, EUR, RUB, MCI, or None. Years, dates and document
numbers ("№ 477-IV") are not figures.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from nlp.records import Entity
from nlp.rules.dates import after_number_sign, find_dates

SOURCE = "rule:figures"

_SPACES = " \u00a0\u202f\u2009"  # thousands are grouped by a space, no-break or thin space
_NUM = (
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 1,087,800 (English thousands)
    rf"|\d{{1,3}}(?:[{_SPACES}]\d{{3}})+(?:[.,]\d+)?"  # 1 087 800
    r"|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?"  # 1.087.800
    r"|\d+(?:[.,]\d+)?"  # 17540, 76.2, 76,2
)
_SCALES = {
    "thousand": 3, "тыс": 3, "тысяч": 3, "мың": 3,
    "million": 6, "mln": 6, "млн": 6, "миллион": 6,
    "billion": 9, "bn": 9, "млрд": 9, "миллиард": 9,
    "trillion": 12, "трлн": 12, "триллион": 12,
}
_SCALE = r"(?:thousand|million|mln|billion|bn|trillion|тыс\.?|тысяч[а-я]*|мың|млн\.?|млрд\.?" \
         r"|трлн\.?|миллион[а-я]*|миллиард[а-я]*|триллион[а-я]*)"
_KK = "а-яәғқңөұүһі"
# Unit words, by the unit they stand for; tried in this order.
_UNITS: dict[str, str] = {
    "percent": r"%|percent|per\s+cent|процент[а-я]*|проц\.|пайыз[" + _KK + "]*",
    "USD": r"(?:US\s+)?dollars?|USD|долл(?:\.|ар[а-я]*)(?:\s+США)?|АҚШ\s+доллар[" + _KK + "]*",
    "KZT": r"тенге|теңге|tenge|KZT|₸|тг\.",
    "EUR": r"euros?|EUR|евро|€",
    "RUB": r"(?:Russian\s+)?r[ou]?ubles?|RUB|руб(?:\.|л[а-я]*)|рубл[а-я]*|₽",
    "MCI": r"MCI|МРП|АЕК|monthly\s+calculation\s+ind[a-z]*|месячн[а-я]*\s+расч[её]тн[а-я]*"
           r"\s+показател[а-я]*|айлық\s+есептік\s+көрсеткіш[" + _KK + "]*",
    "families": r"famil(?:y|ies)|households?|сем(?:ей|ьи|ья|ьям|ьями|ьях)|домохозяйств[а-я]*"
                r"|отбасы[" + _KK + "]*",
    "persons": (
        r"people|persons?|individuals|(?:ethnic\s+)?Kazakhs|kandas(?:es)?|oralmans?"
        r"|(?:foreign\s+)?(?:citizens|nationals)|foreigners|refugees|(?:labou?r\s+)?migrants"
        r"|immigrants|emigrants|workers|students|residents|repatriates|returnees"
        r"|человек[а]?|чел\.|(?:этническ[а-я]*\s+)?казах(?:ов|ам|ами|и|а)?|кандас[а-я]*|оралман[а-я]*"
        r"|(?:иностранн[а-я]*\s+)?граждан[а-я]*|иностранц[а-я]*|(?:трудов[а-я]*\s+)?мигрант[а-я]*"
        r"|иммигрант[а-я]*|эмигрант[а-я]*|беженц[а-я]*|переселенц[а-я]*|студент[а-я]*"
        r"|работник[а-я]*|лиц[а]?|жител[а-я]*|репатриант[а-я]*"
        r"|адам[" + _KK + r"]*|жан\b|(?:шетел[" + _KK + r"]*\s+)?азамат[" + _KK + "]*"
        r"|шетелдік[" + _KK + r"]*|(?:еңбек\s+)?мигрант[" + _KK + r"]*|босқын[" + _KK + "]*"
        r"|(?:этникалық\s+)?қазақ(?:тар[" + _KK + r"]*)?|қоныс\s+аударушы[" + _KK + "]*"
    ),
}
_UNIT = "|".join(f"(?P<u_{name}>{pattern})" for name, pattern in _UNITS.items())
_PREFIX = {"US$": "USD", "$": "USD", "USD": "USD", "€": "EUR", "₸": "KZT", "KZT": "KZT"}
_FIGURE = re.compile(
    r"(?<![\w.,/])(?<![^\W\d_]-)"  # not inside a word, number or code ("COVID-19")
    r"(?:(?P<cur>US\$|\$|€|₸|USD|KZT)\s?)?"
    rf"(?P<num>{_NUM})(?![\w]|[.,]\d)"
    rf"(?:\s*(?P<scale>{_SCALE})(?![\w]))?"
    rf"(?:\s*(?P<unit>{_UNIT})(?!\w))?",
    re.IGNORECASE,
)
_YEAR_WORD = re.compile(r"\s*(?:год|г\.|гг\.|жыл|ж\.|year)", re.IGNORECASE)
_CODE_SUFFIX = re.compile(r"[-–][^\W\d_]")  # "477-IV", "5-ти", "1-ші"
_LABELS = {"percent": "PERCENT", "persons": "QUANTITY", "families": "QUANTITY", None: "CARDINAL"}


def find_figures(text: str, lang: str | None = None) -> list[Entity]:
    """PERCENT/MONEY/QUANTITY/CARDINAL entities with ``value`` and ``unit``."""
    dates = find_dates(text)
    found = []
    for m in _FIGURE.finditer(text):
        figure = _figure(text, m, lang or "und")
        if figure and not any(d.start <= figure.start and figure.end <= d.end for d in dates):
            found.append(figure)
    return found


def _figure(text: str, m: re.Match[str], lang: str) -> Entity | None:
    """The entity for one match, or None for a year, date part or document number."""
    unit = next((k[2:] for k, v in m.groupdict().items() if k.startswith("u_") and v), None)
    unit = unit or _PREFIX.get((m["cur"] or "").upper())
    bare = not (unit or m["scale"])
    if _CODE_SUFFIX.match(text, m.end("num")) or after_number_sign(text, m.start()):
        return None
    if bare and (_is_year(m["num"]) or _YEAR_WORD.match(text, m.end())):
        return None
    value = parse_number(m["num"], lang)
    if value is None:
        return None
    value = float(value.scaleb(_exponent(m["scale"])))
    label = _LABELS.get(unit, "MONEY")
    norm = f"{value:.15g}" + (f" {unit}" if unit else "")
    # "1,7 млн." ends a sentence more often than it abbreviates: keep the period out.
    end = m.end() - 1 if m.group().endswith(".") and m["scale"] and not m["unit"] else m.end()
    return Entity(m.start(), end, label, text[m.start():end], norm, None, value, unit, SOURCE)


def _exponent(scale: str | None) -> int:
    """Power of ten of a scale word in any case form ("млн.", "миллиона", "thousand")."""
    word = (scale or "").lower()
    return next((exp for stem, exp in _SCALES.items() if word.startswith(stem)), 0)


def _is_year(num: str) -> bool:
    return len(num) == 4 and num.isdigit() and 1900 <= int(num) <= 2099


def parse_number(raw: str, lang: str = "und") -> Decimal | None:
    """Decimal value of a number in kk/ru/en notation ("1,087,800", "76,2", "1 087 800")."""
    s = "".join(c for c in raw if c not in _SPACES)
    if "," in s and "." in s:  # the later separator is the decimal one
        decimal_comma = s.rfind(",") > s.rfind(".")
        s = s.replace(".", "").replace(",", ".") if decimal_comma else s.replace(",", "")
    elif s.count(",") > 1 or s.count(".") > 1:
        s = s.replace(",", "").replace(".", "")
    elif "," in s:
        head, tail = s.split(",")
        # "1,087" is a thousand in English, a decimal in Russian and Kazakh.
        s = head + tail if lang == "en" and len(tail) == 3 else f"{head}.{tail}"
    try:
        return Decimal(s)
    except InvalidOperation:
        return None
