"""Agencies: ORG entities linked to ``nlp/data/agencies.json`` by a ``canonical_id``.

Each name becomes a regex in which every word matches its stem plus any ending, so
"Министерством труда", "министрлігінің" and "Ministries" match their registry names.
Full names match in any case; abbreviations only as written ("МОМ", never "мом").
A record's "bare" names ("Правительство", "Parliament", "Үкімет") need a capital and no
other name beside them: "Правительство России" and "Russian Government" are not linked.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from nlp.data import DATA
from nlp.records import Entity

SOURCE = "rule:agencies"
REGISTRY = DATA / "agencies.json"

_VOWELS = frozenset("аеёиоуыэюяйьәіөүұaeiouy")
# Kazakh stems voice their last consonant before a vowel: министрлік -> министрлігі.
_KK_FINAL = {"г": "[гк]", "к": "[гк]", "ғ": "[ғқ]", "қ": "[ғқ]", "б": "[бп]", "п": "[бп]"}
_EN_SUFFIXES = ("ies", "es", "s", "y")
_OPEN_QUOTES, _CLOSE_QUOTES = "«\"“„", "»\"”“"
# Kazakh puts the country first; found by looking back from a state body's match.
_KZ_BEFORE = re.compile(r"(?<!\w)(?:Қазақстан\s+Республикасы(?:ның)?|ҚР)\s+$", re.IGNORECASE)
_QUALIFIED_AFTER = re.compile(r"\s+(?:of\s+(?:the\s+)?)?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]")
_RU_ADJECTIVE = re.compile(r"(?:ий|ый|ой|ое|ая|ого|ому|ым|ом|ую|ей|ие|ых)$")
_ARTICLES = frozenset({"the", "this", "that", "these", "their", "our", "its"})
_KZ_AFTER = {
    "ru": r"(?:\s+(?:Республики\s+Казахстан|РК))?",
    "en": r"(?:\s+of\s+(?:the\s+)?(?:Republic\s+of\s+Kazakhstan|RK|Kazakhstan))?",
}


@cache
def load_registry() -> tuple[dict[str, Any], ...]:
    """The agency records, as in ``nlp/data/agencies.json``."""
    with REGISTRY.open(encoding="utf-8") as f:
        return tuple(json.load(f))


def agency(agency_id: str) -> dict[str, Any] | None:
    """The registry record with this id, or None."""
    return next((r for r in load_registry() if r["id"] == agency_id), None)


def find_agencies(text: str, lang: str | None = None) -> list[Entity]:
    """ORG entities for registry agencies named (in any language or case form) in ``text``."""
    pattern, ids, state, bare = _matcher()
    found: list[Entity] = []
    for m in pattern.finditer(text):
        i = int(m.lastgroup[1:])
        start = m.start()
        if bare[i] and _qualified(text, m, lang):
            continue
        if state[i]:  # "Қазақстан Республикасының Ішкі істер министрлігі" is one name
            floor = max(found[-1].end if found else 0, start - 40)
            before = _KZ_BEFORE.search(text, floor, start)
            start = before.start() if before else start
        found.append(Entity(start, m.end(), "ORG", text[start:m.end()], ids[i], ids[i],
                            source=SOURCE))
    return found


def _qualified(text: str, m: re.Match[str], lang: str | None) -> bool:
    """True when another name qualifies a bare one: "Правительство России", "Ресей Үкіметі".

    Russian puts such a name after, or an adjective before ("Российского Правительства");
    a capitalised noun before it is just legal style ("Палат Парламента").
    """
    if _QUALIFIED_AFTER.match(text, m.end()):
        return True
    before = re.search(r"(\S+)\s+$", text[max(0, m.start() - 40):m.start()])
    word = before.group(1) if before else ""
    if not (len(word) > 3 and word[0].isupper() and word.lower() not in _ARTICLES):
        return False
    return lang != "ru" or bool(_RU_ADJECTIVE.search(word))


@cache
def _matcher() -> tuple[re.Pattern[str], list[str], list[bool], list[bool]]:
    """One regex for every name and abbreviation, and each branch's id and state flag.

    Branches are grouped by first letter, so a word start tries one small group instead
    of all ~250 names; within a group the longest name comes first, as the first branch
    that matches at a position wins.
    """
    branches: list[tuple[str, str, str, bool, bool]] = []  # text, regex, id, state, bare
    for rec in load_registry():
        state = rec["type"] == "state"
        for lang, names in rec["names"].items():
            branches += [(n, _name_regex(n, lang, state), rec["id"], state, False)
                         for n in names]
        for lang, names in rec.get("bare", {}).items():
            branches += [(n, f"(?={re.escape(n[0])}){_name_regex(n, lang, False)}", rec["id"],
                          state, True) for n in names]
        branches += [(a, _abbr_regex(a), rec["id"], state, False) for a in rec["abbr"]]
    groups: dict[str, list[int]] = {}
    for i, (source, *_) in sorted(enumerate(branches), key=lambda b: -len(b[1][0])):
        groups.setdefault(_first_letters(source), []).append(i)
    alts = "|".join(
        f"(?=[{re.escape(first)}])(?:{'|'.join(f'(?P<a{i}>{branches[i][1]})' for i in group)})"
        for first, group in groups.items()
    )
    regex = re.compile(rf"(?<!\w)(?:{alts})(?!\w)")
    return regex, [b[2] for b in branches], [b[3] for b in branches], [b[4] for b in branches]


def _first_letters(name: str) -> str:
    """The characters a match of ``name`` can start with."""
    first = name[0]
    if first in _OPEN_QUOTES:
        return _OPEN_QUOTES
    letters = {first.lower(), first.upper()} | ({"ё", "Ё"} if first in "еЕ" else set())
    return "".join(sorted(letters))


def _name_regex(name: str, lang: str, state: bool) -> str:
    """Case-insensitive regex for a full name; state bodies may add "of the RK" after it.

    An English name written with a capital keeps it: "interior ministries" is generic.
    """
    regex = r"\s+".join(_word_regex(w, lang) for w in name.split())
    lead = f"(?={re.escape(name[0])})" if lang == "en" and name[0].isupper() else ""
    return f"{lead}(?i:{regex}{_KZ_AFTER.get(lang, '') if state else ''})"


def _abbr_regex(abbr: str) -> str:
    """Case-sensitive regex for an abbreviation; "МВД" also takes a trailing "РК"."""
    return r"\s+".join(re.escape(w) for w in abbr.split()) + r"(?:\s+РК)?"


def _word_regex(word: str, lang: str) -> str:
    """A word as its stem plus any ending; quotes and hyphens may vary."""
    m = re.fullmatch(f"([{_OPEN_QUOTES}]?)(.*?)([{_CLOSE_QUOTES}]?)", word)
    lead, core, trail = m.groups() if m else ("", word, "")
    *heads, last = re.split(r"[-‐–]", core)
    regex = "".join(re.escape(h) + "[-‐–]?" for h in heads) + _stem_regex(last, lang, bool(heads))
    return (f"[{_OPEN_QUOTES}]" if lead else "") + regex + (f"[{_CLOSE_QUOTES}]" if trail else "")


def _stem_regex(word: str, lang: str, after_hyphen: bool = False) -> str:
    """Stem plus any ending: strip an English plural or up to two final Cyrillic vowels."""
    if len(word) <= 3 or word.isupper():
        return re.escape(word) + (r"\w*" if after_hyphen else "")  # "и", "дел", "ООН"
    if word.isascii():
        stem = next((word[:-len(s)] for s in _EN_SUFFIXES
                     if word.endswith(s) and len(word) - len(s) >= 3), word)
        return re.escape(stem).replace("iz", "i[sz]") + r"\w*"
    stem = word
    while len(stem) > 4 and len(word) - len(stem) < 2 and stem[-1].lower() in _VOWELS:
        stem = stem[:-1]
    regex = re.escape(stem)
    if lang == "kk" and stem[-1] in _KK_FINAL:
        regex = re.escape(stem[:-1]) + _KK_FINAL[stem[-1]]
    return regex.replace("е", "[её]").replace("Е", "[ЕЁ]") + r"\w*"
