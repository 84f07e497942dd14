"""Figures in kk/ru/en notation: PERCENT, MONEY, QUANTITY (people) or CARDINAL.

``value`` is a float with the scale applied (1,7 млн -> 1700000.0, "$1.2bn" -> 1.2e9); ``unit``
is one of persons (a noun counting people: "120 тұрғын", "35 специалистов", "10 police
officers"), families, percent, pp (percentage points), USD, KZT, EUR, RUB, GBP, MCI, tonnes,
hectares, km, m, sq_m, or None. A range ("10–15%",
"от 5 до 10 тыс. человек") is one entity: ``value`` is its lower bound and ``norm`` reads
"10..15 percent". Numbers in words count when they carry a unit or several words
("екі мың", "пятнадцать процентов", "two million"). Years, dates, document numbers
("№ 477-IV"), article and list numbers ("статья 97", "1) ..."), ages ("16 жаста", "aged 35",
"в возрасте 40 лет"), clock times ("09:00", "сағат 10-да", "10 a.m."), centuries ("в 15 веке")
and ordinals ("3rd", "5-й", "2-ші") are not figures.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from nlp.entities.rules.dates import find_dates
from nlp.entities.rules.figure_checks import (
    AGE_TIME_BEFORE,
    ORDINAL_NEXT,
    PHONE,
    YEAR_WORD,
    Number,
    first_veto,
    read_number,
)
from nlp.entities.rules.figure_patterns import (
    _DIGIT_HYPHEN_WORD,
    _FIGURE,
    _FIGURE_KK,
    _GLUED,
    _LABELS,
    _PREFIX,
    _SCALE,
    _SCALES,
    _SPACES,
    _SPEED_AFTER,
    _TONNES_AFTER_SCALE,
    _UNIT_AFTER,
    _UNIT_ONLY,
    _WORD_FIGURES,
)
from nlp.entities.rules.numbers import WORDS_RE, is_number_words, words_value
from nlp.records import Entity
from nlp.text.terms import morph

SOURCE = "rule:figures"


def find_figures(text: str, lang: str | None = None) -> list[Entity]:
    """PERCENT/MONEY/QUANTITY/CARDINAL entities with ``value`` and ``unit``."""
    lang = lang or "und"
    dates = find_dates(text)
    rx = _FIGURE_KK if lang == "kk" else _FIGURE
    found = [f for m in rx.finditer(text) if (f := _figure(text, m, lang))]
    found += _glued_figures(text, found)
    found += _word_figures(text, lang, found)
    found.sort(key=lambda e: e.start)
    found = [f for f in found if not any(d.start <= f.start and f.end <= d.end for d in dates)]
    phones = [p.span() for p in PHONE.finditer(text) if sum(c.isdigit() for c in p.group()) >= 7]
    found = [f for f in found if not any(a < f.end and f.start < b for a, b in phones)]
    return _share_units(text, found)


_SHARED_UNIT = re.compile(r"\s*(?:to|and|or|до|и|или|[-–—])\s*", re.IGNORECASE)


def _share_units(text: str, found: list[Entity]) -> list[Entity]:
    """"from 941 to 1,499 persons", "с 941 до 1 499 человек": the bare number shares the unit."""
    for i, (a, b) in enumerate(zip(found, found[1:], strict=False)):
        if a.unit is None and a.norm == f"{a.value:.15g}" and b.unit \
                and _SHARED_UNIT.fullmatch(text[a.end:b.start]) and _exponent_free(b):
            found[i] = Entity(a.start, a.end, b.label, a.text, f"{a.norm} {b.unit}", None,
                              a.value, b.unit, SOURCE)
    return found


def _exponent_free(e: Entity) -> bool:
    """True when a figure's text has no scale word ("1,499 persons", not "2 million")."""
    return not re.search(_SCALE, e.text, re.IGNORECASE)


def _figure(text: str, m: re.Match[str], lang: str) -> Entity | None:
    """The entity for one digit match, or None when a check drops it (``figure_checks``)."""
    n = _number(text, m, lang)
    if first_veto(n):
        return None
    unit, scale, case, after = n.unit, n.scale, n.case, n.after
    if m["from"] and not m["num2"]:  # "от 5" alone: the figure starts at the number
        again = (_FIGURE_KK if lang == "kk" else _FIGURE).match(text, m.start("num"))
        return _figure(text, again, lang) if again else None
    values = [parse_number(m[g], lang) for g in ("num", "num2") if m[g]]
    if None in values or (len(values) == 2 and values[1] <= values[0]):
        return None  # "4-1)" is a list item, "2017-2021" a date (caught by the date rule)
    figure = _entity(text, m, [float(v.scaleb(_exponent(scale))) for v in values], unit)
    if case:  # the ending belongs to the number
        figure.end, figure.text = case.end(), text[figure.start:case.end()]
    elif after != m.end() and (tail := _UNIT_ONLY[lang == "kk"].match(text, after)):
        return _with_unit(text, figure, tail.end(), _unit(tail))  # "twelve (12) employees"
    if unit is None and scale and (tonnes := _TONNES_AFTER_SCALE.match(text, m.end())):
        return _with_unit(text, figure, tonnes.end(), "tonnes")
    if unit is None and lang == "ru":
        return _ru_people_after(text, figure)
    return _unit_after(text, figure) if lang == "kk" and unit is None else figure


def _number(text: str, m: re.Match[str], lang: str) -> Number:
    """A digit match with its unit and scale, as the checks read it."""
    unit = _unit(m)
    if unit in ("km", "m") and _SPEED_AFTER.match(text, m.end()):
        unit = None  # "140 км/ч" is a speed: a figure, not a length
    return read_number(text, m, lang, unit, m["scale"] or m["short"])


def explain(text: str, lang: str | None = None) -> list[tuple[str, int, str]]:
    """Debug: (number, offset, what decided) for every number the digit pattern finds: the
    check that dropped it, "kept", "unreadable" (no value), "inside_date" or "phone"."""
    lang = lang or "und"
    kept = {(f.start, f.end) for f in find_figures(text, lang)}
    out = []
    for m in (_FIGURE_KK if lang == "kk" else _FIGURE).finditer(text):
        decided = first_veto(_number(text, m, lang))
        if decided is None:
            figure = _figure(text, m, lang)
            decided = "unreadable" if figure is None else _fate(text, figure, kept)
        out.append((m.group(), m.start(), decided))
    return out


def _fate(text: str, figure: Entity, kept: set) -> str:
    if any(figure.start == a for a, _ in kept):
        return "kept"
    phones = [p.span() for p in PHONE.finditer(text) if sum(c.isdigit() for c in p.group()) >= 7]
    if any(a < figure.end and figure.start < b for a, b in phones):
        return "phone"
    return "inside_date"


def _unit_after(text: str, figure: Entity) -> Entity:
    """A Kazakh figure with its unit after a case ending or "жуық" ("350-ге жуық адам")."""
    m = _UNIT_AFTER.match(text, figure.end)
    unit = _unit(m) if m else None
    return figure if unit is None else _with_unit(text, figure, m.end(), unit)


def _with_unit(text: str, figure: Entity, end: int, unit: str) -> Entity:
    """The figure stretched to ``end`` with the unit found there."""
    return Entity(figure.start, end, _LABELS.get(unit, "MONEY"), text[figure.start:end],
                  f"{figure.norm} {unit}", None, figure.value, unit, SOURCE)


# Russian nouns that count people are too many to list ("кандидатов", "гостей", "сына"):
# pymorphy3 tells an animate noun. Animals are animate too, and "лицо" is also a legal entity.
_RU_WORD = re.compile(r"\s+([а-яё][а-яё-]*)")
_RU_NOT_PEOPLE = frozenset(w.replace("ё", "е") for w in (  # compared ё-folded
    "корова бык вол тёлка телёнок овца баран ягнёнок коза козёл лошадь конь кобыла жеребёнок "
    "свинья поросёнок птица курица петух цыплёнок гусь утка индейка верблюд як олень сайгак "
    "животное особь голова скот собака кошка кот кролик рыба осётр пчела насекомое зверь волк "
    "медведь лиса заяц мышь крыса комар муха микроб бактерия вирус организм лицо").split())
_RU_NOT_PERSON_TAGS = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Inmx", "Abbr"}


_morph = morph  # one pymorphy3 analyzer per process (nlp.text.terms.morph)


def _ru_people_end(text: str, end: int) -> int | None:
    """End of an animate noun counting people right after a Russian number ("27 кандидатов",
    "двух новых гостей"), up to two plural adjectives or participles in between; else None."""
    words, pos = [], end
    while len(words) < 3 and (w := _RU_WORD.match(text, pos)):
        words.append(w)
        pos = w.end()
    if not words:
        return None
    parses = [_morph().parse(w[1]) for w in words]
    for i, word_parses in enumerate(parses):
        nxt = parses[i + 1] if i + 1 < len(parses) else []
        if i < 2 and _is_plural_modifier(word_parses) and any(p.tag.POS == "NOUN" for p in nxt):
            continue
        return words[i].end() if _is_person_noun(word_parses) else None
    return None


def _is_plural_modifier(parses) -> bool:
    top = parses[0].tag
    return top.POS in ("ADJF", "PRTF") and "plur" in top


def _is_person_noun(parses) -> bool:
    """An animate common noun (not an animal), as pymorphy3's first guess or a likely one."""
    for i, p in enumerate(parses):
        if i and p.score < 0.4:
            break
        if p.tag.POS == "NOUN" and "anim" in p.tag and not (_RU_NOT_PERSON_TAGS & p.tag.grammemes):
            return p.normal_form.replace("ё", "е") not in _RU_NOT_PEOPLE
    return False


def _ru_people_after(text: str, figure: Entity) -> Entity:
    """A Russian figure with no unit, stretched over the animate noun it counts, if any."""
    end = _ru_people_end(text, figure.end)
    return figure if end is None else _with_unit(text, figure, end, "persons")


def _glued_figures(text: str, taken: list[Entity]) -> list[Entity]:
    """"a 100-dollar bill", "5-процентный рост", "a 25,000-strong crowd": the number with the
    unit its adjective names (the adjective stays out of the span)."""
    found: list[Entity] = []
    for hit in _DIGIT_HYPHEN_WORD.finditer(text):  # rare: look only around "5-w"
        window = _GLUED.finditer(text, max(0, hit.start() - 30), hit.end() + 40)
        m = next((g for g in window if g.end("num") == hit.start() + 1), None)
        if m is None or any(e.start < m.end() and m.start() < e.end for e in taken + found):
            continue
        unit = next(k[2:] for k, v in m.groupdict().items() if k.startswith("g_") and v)
        english = m[f"g_{unit}"].isascii()  # "25,000-strong" is English thousands
        value = parse_number(m["num"], "en" if english else "ru")
        if value is None:
            continue
        unit = None if unit == "none" else unit
        value = float(value.scaleb(_exponent(m["scale"])))
        end = m.end("scale") if m["scale"] else m.end("num")
        found.append(Entity(m.start(), end, _LABELS.get(unit, "MONEY"), text[m.start():end],
                            f"{value:.15g}" + (f" {unit}" if unit else ""), None, value, unit,
                            SOURCE))
    return found


def _word_figures(text: str, lang: str, taken: list[Entity]) -> list[Entity]:
    """Figures written in words, where they do not overlap a digit figure."""
    rx = _WORD_FIGURES.get(lang)
    found: list[Entity] = []
    for m in rx.finditer(text) if rx else ():
        if any(e.start < m.end() and m.start() < e.end for e in taken):
            continue
        unit = _unit(m)
        value = words_value(m["words"], lang)
        people = None
        if value is not None and unit is None and lang == "ru":
            people = _ru_people_end(text, m.end())
            if people is None and _is_collective_alone(text, m):
                people = m.end()  # "шестеро пострадали": six people
            unit = "persons" if people else None
        if value is None or not (unit or m["scale"] or is_number_words(m["words"], lang)):
            continue
        if ORDINAL_NEXT.match(text, m.end("words")) or YEAR_WORD.match(text, m.end()) \
                or (not unit and AGE_TIME_BEFORE.search(text[max(0, m.start() - 30):m.start()])):
            continue  # "екі мың жиырмасыншы жылы" is a year, "он сегіз жыл" a duration
        figure = _entity(text, m, [float(value.scaleb(_exponent(m["scale"])))],
                         None if people else unit)
        if people:
            figure = _with_unit(text, figure, people, "persons")
        found.append(_unit_after(text, figure) if lang == "kk" and unit is None else figure)
    return found


_COLLECTIVE = re.compile(r"(?:дво|тро|четвер|пятер|шестер|семер|восьмер|девятер|десятер)(?:о|е)",
                         re.IGNORECASE)


def _is_collective_alone(text: str, m: re.Match[str]) -> bool:
    """A Russian collective numeral with no noun after it stands for people ("шестеро
    пострадали", "их было трое"); "двое суток" counts days."""
    if not _COLLECTIVE.fullmatch(m["words"]):
        return False
    nxt = _RU_WORD.match(text, m.end())
    return nxt is None or _morph().parse(nxt[1])[0].tag.POS not in ("NOUN", "ADJF", "PRTF", "NUMR")


def _entity(text: str, m: re.Match[str], values: list[float], unit: str | None) -> Entity:
    label = _LABELS.get(unit, "MONEY")
    norm = "..".join(f"{v:.15g}" for v in values) + (f" {unit}" if unit else "")
    # "1,7 млн." ends a sentence more often than it abbreviates: keep the period out.
    end = m.end() - 1 if m.group().endswith(".") and m["scale"] and not m["unit"] else m.end()
    return Entity(m.start(), end, label, text[m.start():end], norm, None, min(values), unit,
                  SOURCE)


def _unit(m: re.Match[str]) -> str | None:
    unit = next((k[2:] for k, v in m.groupdict().items() if k.startswith("u_") and v), None)
    return unit or _PREFIX.get((m.groupdict().get("cur") or "").upper())


_SHORT_SCALES = {"k": 3, "m": 6, "mn": 6, "bn": 9}


def _exponent(scale: str | None) -> int:
    """Power of ten of a scale word in any case form ("млн.", "миллиона", "thousand", "bn")."""
    word = (scale or "").lower()
    if word in _SHORT_SCALES:
        return _SHORT_SCALES[word]
    return next((exp for stem, exp in _SCALES.items() if word.startswith(stem)), 0)


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


def read_figure(text: str, lang: str) -> tuple[float | None, str | None]:
    """(value, unit) of a span a model labelled as a number ("five", "$2 million"), if any."""
    found = [f for f in find_figures(text, lang) if f.value is not None]
    if not found:
        value = words_value(text.strip(" .,"), lang) if lang in WORDS_RE else None
        return (float(value), None) if value is not None else (None, None)
    best = max(found, key=lambda f: f.end - f.start)
    return best.value, best.unit


if __name__ == "__main__":  # python -m nlp.entities.rules.figures ru "текст": what decided
    import sys

    for number, offset, decided in explain(sys.argv[2], sys.argv[1]):
        print(f"{offset:>6}  {number!r:<24} {decided}")
