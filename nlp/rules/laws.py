"""LAW rule: citations of legal acts in kk/ru/en with a language-neutral key.

A citation is a run of parts that touch each other (only spaces, commas, "of", "dated",
"от" between them): the act type, its issuer, number, date and quoted title. Russian and
English put the type first ("Закон РК от ... № ..."); Kazakh puts it last, inflected
("... № 477-IV «...» Заңына"). ``norm`` is ``type:number:date`` with missing parts left out,
so the same act gets the same key in all three languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.records import Entity
from nlp.rules.dates import find_dates, select_longest

SOURCE = "rule:laws"
_KK = "а-яәғқңөұүһі"

# (key, language, pattern); Kazakh words allow any case ending after the stem.
TYPES: list[tuple[str, str, str]] = [
    ("law", "en", r"laws?"),
    ("law", "ru", r"закон(?:а|у|ом|е|ы|ов|ам|ами|ах)?"),
    ("law", "kk", r"заң(?:ы(?:на|нда|ндағы|нан|мен|ның|н)?|ға|да|дар[" + _KK + "]*)?"),
    ("code", "en", r"codes?"),
    ("code", "ru", r"кодекс(?:а|у|ом|е|ы|ов)?"),
    ("code", "kk", r"кодексі?[" + _KK + "]*"),
    ("decree", "en", r"decrees?"),
    ("decree", "ru", r"указ(?:а|у|ом|е|ы|ов|ами|ах)?"),
    ("decree", "kk", r"жарлы[қғ][" + _KK + "]*"),
    ("resolution", "en", r"resolutions?"),
    ("resolution", "ru", r"постановлени(?:е|я|ю|ем|и|й|ями|ях)"),
    ("resolution", "kk", r"қаулы[" + _KK + "]*"),
    ("order", "en", r"(?<!in )orders?"),
    ("order", "ru", r"приказ(?:а|у|ом|е|ы|ов|ами|ах)?"),
    ("order", "kk", r"бұйры[қғ][" + _KK + "]*"),
    ("concept", "en", r"concept"),
    ("concept", "ru", r"концепци(?:я|и|ю|ей)"),
    ("concept", "kk", r"тұжырымдама[" + _KK + "]*"),
    ("programme", "en", r"state\s+program(?:me)?s?"),
    ("programme", "ru", r"государственн(?:ая|ой|ую)\s+программ(?:а|ы|е|у|ой)"),
    ("programme", "kk", r"мемлекеттік\s+бағдарлама[" + _KK + "]*"),
    ("treaty", "en", r"treat(?:y|ies)"),
    ("treaty", "ru", r"договор(?:а|у|ом|е|ы|ов)?"),
    ("treaty", "kk", r"шарт(?:ы|қа|та|тың|ына|ымен|ында)?"),
    ("agreement", "en", r"agreements?"),
    ("agreement", "ru", r"соглашени(?:е|я|ю|ем|и|й)"),
    ("agreement", "kk", r"келісім[" + _KK + "]*"),
    ("convention", "en", r"conventions?"),
    ("convention", "ru", r"конвенци(?:я|и|ю|ей)"),
    ("convention", "kk", r"конвенция[" + _KK + "]*"),
]


def _type_regex(first: str) -> re.Pattern[str]:
    """All type words, the text's own language first: "кодекс" is ru and kk alike."""
    order = sorted(range(len(TYPES)), key=lambda i: TYPES[i][1] != first)
    alts = "|".join(f"(?P<t{i}>{TYPES[i][2]})" for i in order)
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE)


_TYPE_RE = {lang: _type_regex(lang) for lang in ("kk", "ru", "en")}

_RK_RU = r"(?:Республики\s+Казахстан|РК)"
_RK_EN = r"(?:the\s+)?(?:Republic\s+of\s+Kazakhstan|RK)"
_ISSUERS = [
    rf"(?:(?:Президента|Правительства|Министра|Министерства|Председателя|Парламента|Агентства"
    rf"|Комитета)(?:\s+[а-яё-]+){{0,10}}?\s+)?{_RK_RU}",
    r"(?:Президента|Правительства|Министра)\b",
    rf"of\s+(?:the\s+(?:Acting\s+)?(?:President|Government|Minister|Ministry|Parliament"
    rf"|Chairman)(?:\s+(?:of|and|for|the|[A-Z][a-z]+)){{0,10}}?\s+of\s+)?{_RK_EN}",
    r"of\s+the\s+(?:President|Government)\b",
    rf"(?:Қазақстан\s+Республикасы(?:ның)?|ҚР)(?:\s+(?:[{_KK}]+\s+){{0,8}}?"
    rf"(?:Президент|Үкімет|Парламент|министр|Премьер-Министр)[{_KK}]*)?",
    r"(?:Президентінің|Үкіметінің)",
]
_ISSUER_RE = re.compile(r"(?<!\w)(?:" + "|".join(_ISSUERS) + r")(?!\w)", re.IGNORECASE)
_NUMBER_RE = re.compile(
    r"(?<!\w)(?:№|No\.?|N)\s*(?P<n>\d+(?:[-–/][^\W_]+)*)(?:\s*(?:ЗРК|ҚРЗ)(?!\w))?(?![\w-])"
)
_TITLE_RE = re.compile(
    r"«(?:[^«»\n]|«[^«»\n]*»){1,400}»|“[^“”\n]{1,400}”|„[^„“”\n]{1,400}[“”]"
    r"|\"[^\"\n]{1,400}\"|(?<!\w)'[A-ZА-ЯЁ][^'\n]{1,300}'(?!\w)"
)
# What may stand between two parts of one citation.
_GAP_RE = re.compile(r"(?:[\s,]|\b(?:dated|of|from|the|от)\b)*", re.IGNORECASE)
_ROMAN_LOOKALIKES = str.maketrans("ІХС", "IXC")


@dataclass
class _Part:
    start: int
    end: int
    kind: str  # type | issuer | number | date | title
    value: str = ""
    lang: str = ""


def find_laws(text: str, lang: str | None = None) -> list[Entity]:
    """LAW entities for citations that carry a number, a date or a quoted title."""
    parts = _parts(text, lang if lang in _TYPE_RE else "ru")
    citations: list[Entity] = []
    for group in _touching(text, parts):
        citations.extend(_citation(text, c) for c in _split(group) if _is_citation(c))
    return citations


def _parts(text: str, lang: str) -> list[_Part]:
    """Every citation part in the text, none overlapping."""
    titles = [_Part(m.start(), m.end(), "title", m.group()[1:-1]) for m in _TITLE_RE.finditer(text)]
    found = [_Part(m.start(), m.end(), "number", _norm_number(m["n"]))
             for m in _NUMBER_RE.finditer(text)]
    found += [_Part(m.start(), m.end(), "issuer") for m in _ISSUER_RE.finditer(text)]
    found += [_Part(d.start, d.end, "date", d.norm) for d in find_dates(text)]
    for m in _TYPE_RE[lang].finditer(text):
        key, type_lang, _ = TYPES[int(m.lastgroup[1:])]
        found.append(_Part(m.start(), m.end(), "type", key, type_lang))
    # A title is longer than any part inside it, so longest-first drops those parts.
    return select_longest(titles + found)


def _touching(text: str, parts: list[_Part]) -> list[list[_Part]]:
    """Runs of parts with only a gap (spaces, commas, "of", "от") between neighbours."""
    groups: list[list[_Part]] = []
    for part in parts:
        prev = groups[-1][-1] if groups else None
        if prev and _joins(text[prev.end:part.start], prev, part):
            groups[-1].append(part)
        else:
            groups.append([part])
    return groups


def _joins(gap: str, left: _Part, right: _Part) -> bool:
    if not _GAP_RE.fullmatch(gap):
        return False
    # "Закон № 5, 2021 году ..." - a comma before a bare year starts a new sentence part.
    loose_year = any(p.kind == "date" and len(p.value) < 10 for p in (left, right))
    return not ("," in gap and loose_year)


def _split(group: list[_Part]) -> list[list[_Part]]:
    """One citation per type word: ru/en take the parts after it, kk the parts before."""
    out: list[list[_Part]] = []
    pending: list[_Part] = []
    current: list[_Part] | None = None
    for part in group:
        if part.kind != "type":
            (current if current is not None else pending).append(part)
        elif part.lang == "kk":
            out.append(pending + [part])
            pending, current = [], None
        else:
            current, pending = [part], []
            out.append(current)
    return out


def _is_citation(parts: list[_Part]) -> bool:
    """A number, a title or a dated month makes a citation; "2021 жылы Заң ..." does not."""
    return any(p.kind in ("number", "title") or (p.kind == "date" and len(p.value) >= 7)
               for p in parts)


def _citation(text: str, parts: list[_Part]) -> Entity:
    """The LAW entity: from the first to the last informative part."""
    while parts[-1].kind == "issuer":
        parts = parts[:-1]  # "Закон № 5 Республики" ends at the number
    key = next(p.value for p in parts if p.kind == "type")
    number = next((p.value for p in parts if p.kind == "number"), "")
    dates = [p.value for p in parts if p.kind == "date"]
    date = max(dates, key=len, default="")
    title = next((p.value for p in parts if p.kind == "title"), "")
    norm = ":".join(x for x in (key, number, date) if x)
    if not (number or date):
        norm = f'{key}:"{" ".join(title.lower().split())}"'
    canonical = norm if number or len(date) == 10 else None
    start, end = parts[0].start, parts[-1].end
    return Entity(start, end, "LAW", text[start:end], norm, canonical, source=SOURCE)


def _norm_number(raw: str) -> str:
    """"477-ІV" (Kazakh І) and "477–IV" are "477-IV"."""
    number = raw.upper().replace("–", "-")
    head, sep, tail = number.rpartition("-")
    if sep and re.fullmatch(r"[IVXLCІХС]+", tail):
        number = head + sep + tail.translate(_ROMAN_LOOKALIKES)
    return number
