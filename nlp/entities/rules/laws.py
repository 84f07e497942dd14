"""LAW rule: citations of legal acts in kk/ru/en with a language-neutral key.

A citation is a run of parts that touch each other (only spaces, commas, "of", "dated",
"от" between them): the act type, its issuer, number, date and title (quoted, or unquoted:
"Договор о Евразийском экономическом союзе", "Labour Code", "Халықтың көші-қоны туралы
Заңы"). Russian and English put the type first; Kazakh puts it last, inflected. A run with
no type word is still a law when it has a convocation number ("ҚР 2010.12.29 N 372-IV"),
and "законами от ... № 74-V (...); от ... № 327-VI" lends its type to the second act.
``norm`` is ``type:number:date`` with the parts that are known (from the text or the act
registry); ``canonical_id`` is the act's key, see ``nlp.entities.rules.acts``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.entities.rules.acts import canonical_id, find_act
from nlp.entities.rules.dates import find_dates, select_longest
from nlp.lang import kk
from nlp.records import Entity

SOURCE = "rule:laws"
_KK = kk.LETTERS + "i"  # Kazakh texts often type a Latin "i" for "і"

# (key, language, pattern); Kazakh words allow any case ending after the stem.
TYPES: list[tuple[str, str, str]] = [
    ("law", "en", r"laws?"),
    ("law", "ru", r"закон(?:а|у|ом|е|ы|ов|ам|ами|ах)?"),
    ("law", "kk", r"заң(?:ы(?:на|нда|ндағы|нан|мен|ның|н)?|ға|да|дар[" + _KK + "]*)?"),
    ("constitutional_law", "en", r"constitutional\s+laws?"),
    ("constitutional_law", "ru", r"конституционн(?:ый|ого|ому|ым|ом|ые|ых)\s+закон[а-я]*"),
    ("constitutional_law", "kk", r"конституциялық\s+заң[" + _KK + "]*"),
    ("constitution", "en", r"constitution"),
    ("constitution", "ru", r"конституци(?:я|и|ю|ей)"),
    ("constitution", "kk", r"конституция[" + _KK + "]*"),
    ("code", "en", r"codes?"),
    ("code", "ru", r"кодекс(?:а|у|ом|е|ы|ов)?"),
    ("code", "kk", r"кодекс[" + _KK + "]*"),
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
    ("strategy", "en", r"strategy"),
    ("strategy", "ru", r"стратеги(?:я|и|ю|ей)"),
    ("strategy", "kk", r"стратегия[" + _KK + "]*"),
    ("programme", "en", r"state\s+program(?:me)?s?"),
    ("programme", "ru", r"государственн(?:ая|ой|ую)\s+программ(?:а|ы|е|у|ой)"),
    ("programme", "kk", r"мемлекеттік\s+бағдарлама[" + _KK + "]*"),
    # a programme or plan by name: a citation only with a title ("programme “Baqytty Otbasy”",
    # «Тың игеру» бағдарламасы, "Plan of the Nation")
    ("programme", "en", r"program(?:me)?s?"),
    ("programme", "ru", r"программ(?:а|ы|е|у|ой|ам|ами|ах)"),
    ("programme", "kk", r"бағдарлама[" + _KK + "]*"),
    ("plan", "en", r"plans?"),
    ("plan", "ru", r"план(?:а|у|ом|е|ы|ов)?"),
    ("plan", "kk", r"жоспар[" + _KK + "]*"),
    ("treaty", "en", r"treat(?:y|ies)"),
    ("treaty", "ru", r"договор(?:а|у|ом|е|ы|ов)?"),
    ("treaty", "kk", r"шарт(?:ы|қа|та|тың|ына|ымен|ында)?"),
    ("agreement", "en", r"agreements?"),
    ("agreement", "ru", r"соглашени(?:е|я|ю|ем|и|й)"),
    ("agreement", "kk", r"келісім[" + _KK + "]*"),
    ("convention", "en", r"conventions?"),
    ("convention", "ru", r"конвенци(?:я|и|ю|ей)"),
    ("convention", "kk", r"конвенция[" + _KK + "]*"),
    ("compact", "en", r"compacts?"),
    ("compact", "ru", r"пакт(?:а|у|ом|е)?"),
    # by name only, as programmes: "the new “Business Roadmap”", «Дорожная карта занятости»,
    # "special project “Auyl – El Besigi”", «Ұлттық жоба»
    ("roadmap", "en", r"road\s*maps?"),
    ("roadmap", "ru", r"дорожн(?:ая|ой|ую)\s+карт(?:а|ы|е|у|ой)"),
    ("roadmap", "kk", r"жол\s+карта[" + _KK + "]*"),
    ("project", "en", r"(?:national|special|state)\s+projects?"),
    ("project", "ru",
     r"(?:национальн|специальн)(?:ый|ого|ому|ым|ом|ые|ых)\s+проект(?:а|у|ом|е|ы|ов)?"),
    ("project", "kk", r"(?:ұлттық|арнайы)\s+жоба[" + _KK + "]*"),
    # rules approved by an order or a resolution, cited by title: «Правила привлечения
    # иностранной рабочей силы», "Rules for issuing work permits", "... тарту қағидалары"
    ("rules", "ru", r"правил(?:а|ами|ах|ам)?"),
    ("rules", "en", r"rules"),
    ("rules", "kk", r"қағидалар[" + _KK + "]*"),
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
    rf"|Комитета|Конституционного|Верховного|Центральной|Национального|Генерального)"
    rf"(?:\s+[а-яё-]+){{0,10}}?\s+)?{_RK_RU}",
    r"(?:Президента|Правительства|Министра)\b",
    rf"of\s+(?:the\s+(?:Acting\s+)?(?:President|Government|Minister|Ministry|Parliament"
    rf"|Chairman|Constitutional|Supreme|Central|Agency|Committee|National)"
    rf"(?:\s+(?:of|and|for|the|[A-Z][a-z]+)){{0,10}}?\s+of\s+)?{_RK_EN}",
    r"of\s+the\s+(?:President|Government)\b",
    rf"(?:Қазақстан\s+Республикасы(?:ның)?|ҚР)(?:\s+(?:[{_KK}]+\s+){{0,8}}?"
    rf"(?:Президент|Үкімет|Парламент|министр|Премьер-Министр|Кеңес|Сот|комитет|агенттіг)"
    rf"[{_KK}]*)?",
    r"(?:Президентінің|Үкіметінің)",
]
_ISSUER_RE = re.compile(r"(?<!\w)(?:" + "|".join(_ISSUERS) + r")(?!\w)", re.IGNORECASE)
# "имеющий силу Закона", "заң күші бар": a decree with the force of law; joins, adds nothing.
_FORCE_RE = re.compile(r"(?<!\w)(?:имеющ[а-я]*\s+силу\s+(?:конституционного\s+)?закона"
                       r"|заң\s+күш[іi]\s+бар|having\s+the\s+force\s+of\s+(?:a\s+)?law)(?!\w)",
                       re.IGNORECASE)
_NUMBER_RE = re.compile(
    r"(?<!\w)(?:№|No\.?|N)\s*(?P<n>\d+(?:[-–/][^\W_]+)*)(?:\s*(?:ЗРК|ҚРЗ)(?!\w))?(?![\w-])"
)
_TITLE_RE = re.compile(
    r"«(?:[^«»\n]|«[^«»\n]*»){1,400}»|“[^“”\n]{1,400}”|„[^„“”\n]{1,400}[“”]"
    r"|\"[^\"\n]{1,400}\"|(?<!\w)'[A-ZА-ЯЁ][^'\n]{1,300}'(?!\w)"
)
_RU_WORD = r"[А-ЯЁа-яё][А-ЯЁа-яё-]*"
# Unquoted titles: after the type in ru/en, before it in kk; a named code before "кодекс".
_AFTER_TITLE = {
    "ru": re.compile(rf"(?<!\w)(?:[Оо]б?|[Пп]о)\s+{_RU_WORD}"
                     rf"(?:\s+(?:(?:и|в|по|для|с|со)\s+)?{_RU_WORD}){{0,9}}"),
    "en": re.compile(r"(?<!\w)(?:on|relating\s+to)\s+(?:the\s+)?[A-Z][\w'’-]*"
                     r"(?:\s+(?:(?:of|and|for|in|on|the|to|with)\s+)*[A-Z][\w'’-]*){0,8}"),
}
# ... after a capitalised policy document's type: "Concept of Civil Society Development until
# 2025", "Plan of the Nation", "Compact for Safe, Orderly and Regular Migration".
POLICY_TYPES = frozenset({"concept", "strategy", "programme", "plan", "compact", "roadmap",
                          "project"})
# A quoted name that says what it is: “Business Roadmap”, «Дорожная карта бизнеса-2025»,
# “Nurly Zhol State Program”, «Мәңгілік Ел» бағдарламасы is caught by its type word already.
_NAMED_POLICY = re.compile(
    r"(?:(?:State\s+)?Program(?:me)?|Strategy|Concept|Road\s*map|Plan|Compact"
    r"|Государственн\w+\s+программ\w*|Программ\w*|Стратеги\w*|Концепци\w*"
    r"|Дорожн\w+\s+карт\w*|План(?:а|у|ом|е)?"
    r"|бағдарлама\w*|стратегия\w*|тұжырымдама\w*|жол\s+картасы)"
    r"(?:[\s-]+(?:of|for|on|the|[A-Z]\w*|[а-яёА-ЯЁ]+|\d{4}))*\W*$"
    r"|^\W*(?:Program(?:me)?|Strategy|Concept|Road\s*map|Plan|Государственн\w+\s+программ\w*"
    r"|Программ\w*|Стратеги\w*|Концепци\w*|Дорожн\w+\s+карт\w*)(?!\w)", re.I)
# The title of a set of rules: a verbal noun and what it governs.
_RULES_TITLE = {
    "ru": re.compile(r"(?:и\s+(?:условия|порядок|сроки)\s+)?[а-яё]+(?:ния|тия|ции|ки|ды|ва)"
                     r"(?:\s+(?:\([^()\n]{1,30}\)|(?:(?:и|в|на|по|для|с|со|к|от|из)\s+)?"
                     r"[А-ЯЁа-яё][А-ЯЁа-яё-]*)){0,12}"),
    "en": re.compile(r"(?:for|of|on)\s+(?:the\s+)?[A-Za-z][\w-]*(?:\s+(?:(?:of|and|for|in|on|the"
                     r"|to|with|by|from|a|an)\s+)*[A-Za-z][\w-]*){0,10}"),
}
# ... and before the Kazakh type: "Шетелдік жұмыс күшін тарту қағидалары"
_RULES_BEFORE_KK = re.compile(
    rf"(?<![\w-])[А-ЯӘҒҚҢӨҰҮҺІ][\w-]*(?:\s+[{_KK}][\w-]*){{0,8}}?\s+[{_KK}]+(?:у|ю)"
    rf"(?=\s+қағидалар)")
_RULES_STOP = re.compile(r"\s+(?:в\s+соответствии|согласно|которы\w+|утвержденн\w+|которые"
                         r"|that|which|approved|adopted|is|are|was|were)\b.*", re.S | re.I)
_POLICY_TITLE = re.compile(
    r"(?:of|for)\s+(?:the\s+)?[A-Z][\w'’-]*(?:,?\s+(?:(?:of|and|for|in|on|the|to|with|against)\s+)*"
    r"[A-Z][\w'’-]*){0,8}(?:\s+(?:until|till|to|for)\s+\d{4}(?:\s*[-–]\s*\d{4})?"
    r"|\s+\d{4}(?:\s*[-–]\s*\d{4})?)?")
# ... and the name before it: "Long-term Development Strategy 2050", "Kazakhstan-2050 Strategy"
_POLICY_NAME = re.compile(
    r"(?<![\w-])(?!(?:The|This|That|These|Our|Its|Their|A|An|New|Each|Every)\b)"
    r"[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,4}(?=\s+(?:Strategy|Concept|Plan|Program(?:me)?)\b)")
_BEFORE_TITLE = re.compile(
    rf"(?<![\w-])[А-ЯӘҒҚҢӨҰҮҺІ][\w-]*(?:\s+(?:[{_KK}][\w-]*|Қазақстан\w*|Республика\w*)){{0,7}}?"
    r"\s+туралы(?!\w)"
    r"|(?<![\w-])[А-ЯЁ][а-яё-]+(?:ый|ой|ий|ого|ому|ым|ом)(?=\s+кодекс)"
    r"|(?<![\w-])[А-ЯӘҒҚҢӨҰҮҺІ][\w-]*(?=\s+кодекс)"
    r"|(?<![\w-])[A-Z][a-z]+(?:\s+Procedure)?(?=\s+Code\b)"
)
_RU_VERB = re.compile(r"[а-яё]+(?:ет|ют|ит|ят|ется|ются|ится|ятся|ал|ала|ало|али|ил|ила|ило"
                      r"|или|ял|яла|яли|ел|ела|ели|ть|ться)$")
_RU_STOP = frozenset("от который которая которые которого согласно года году".split())
# What may stand between two parts of one citation.
# (and markdown's emphasis marks: "special project __“Auyl – El Besigi”__")
_GAP_RE = re.compile(r"(?:[\s,]|(?<!\w)[*_]{1,2}|\b(?:dated|of|from|the|от)\b)*", re.IGNORECASE)
# Between an act and the next one of a list: "(вводится ...); от".
_NEXT_RE = re.compile(r"\s*(?:\((?:[^()]|\([^()]*\)){0,400}\))?\s*[;,]?\s*(?:и|and|және)?\s*"
                      r"(?:от|from|dated|of)?\s*", re.IGNORECASE)
_ROMAN = re.compile(r"X{0,2}(?:IX|IV|V?I{0,3})")
_ROMAN_LOOKALIKES = str.maketrans("ІХС1l|", "IXCIII")


@dataclass
class _Part:
    start: int
    end: int
    kind: str  # type | issuer | number | date | title | force
    value: str = ""
    lang: str = ""


def find_laws(text: str, lang: str | None = None) -> list[Entity]:
    """LAW entities for citations that carry a number, a date or a title."""
    parts = _parts(text, lang if lang in _TYPE_RE else "ru")
    citations: list[Entity] = []
    for group in _touching(text, parts):
        for c in _split(group):
            kind = _kind(text, c, citations)
            if kind and _is_citation(text, c, kind):
                citations.append(_citation(text, c, kind))
    return citations


def _parts(text: str, lang: str) -> list[_Part]:
    """Every citation part in the text, none overlapping."""
    found = [_Part(m.start(), m.end(), "title", m.group()[1:-1]) for m in _TITLE_RE.finditer(text)]
    found += [_Part(m.start(), m.end(), "number", norm_number(m["n"]))
              for m in _NUMBER_RE.finditer(text)]
    found += [_Part(m.start(), m.end(), "issuer") for m in _ISSUER_RE.finditer(text)]
    found += [_Part(m.start(), m.end(), "force") for m in _FORCE_RE.finditer(text)]
    found += [_Part(d.start, d.end, "date", d.norm) for d in find_dates(text)]
    for m in _TYPE_RE[lang].finditer(text):
        key, type_lang, _ = TYPES[int(m.lastgroup[1:])]
        found.append(_Part(m.start(), m.end(), "type", key, type_lang))
    found = select_longest(found)  # a quoted title drops the parts inside it
    return select_longest(found + _unquoted_titles(text, found))


def _unquoted_titles(text: str, parts: list[_Part]) -> list[_Part]:
    """Unquoted titles right after a ru/en type or issuer, or right before a kk type."""
    ends = {p.end for p in parts if p.kind in ("type", "issuer")}
    starts = {p.start for p in parts if p.kind in ("type", "issuer", "date", "number")}
    titles = []
    for p in parts:
        if p.kind == "type" and p.value in POLICY_TYPES and text[p.start].isupper():
            m = _POLICY_TITLE.match(text, p.end + len(text[p.end:]) - len(text[p.end:].lstrip()))
            if m:
                titles.append(_Part(m.start(), m.end(), "title", m.group()))
        if p.kind == "type" and p.value == "rules" and p.lang in _RULES_TITLE \
                and text[p.start].isupper():
            at = p.end + len(text[p.end:]) - len(text[p.end:].lstrip(" "))
            m = _RULES_TITLE[p.lang].match(text, at)
            if m and at > p.end:
                title = _RULES_STOP.sub("", m.group())
                title = re.sub(r"(?:\s+(?:и|в|на|по|для|с|со|к|от|из|of|and|for|in|on|the|to"
                               r"|with|by|from|a|an))+$", "", title)
                if title:
                    titles.append(_Part(at, at + len(title), "title", title))
    for m in _RULES_BEFORE_KK.finditer(text):
        titles.append(_Part(m.start(), m.end(), "title", m.group()))
    for m in _POLICY_NAME.finditer(text):
        titles.append(_Part(m.start(), m.end(), "title", m.group()))
    for rx in _AFTER_TITLE.values():
        for m in rx.finditer(text):
            if len(text[:m.start()].rstrip()) in ends:
                end = _trim_title(text, m)
                titles.append(_Part(m.start(), end, "title", text[m.start():end]))
    for m in _BEFORE_TITLE.finditer(text):
        if m.end() + len(text[m.end():]) - len(text[m.end():].lstrip()) in starts:
            titles.append(_Part(m.start(), m.end(), "title", m.group()))
    return titles


def _trim_title(text: str, m: re.Match[str]) -> int:
    """End of an unquoted Russian title: before the first verb or stop word."""
    end = m.start()
    for w in re.finditer(r"\S+", m.group()):
        word = w.group().lower()
        if w.start() and (word in _RU_STOP or _RU_VERB.fullmatch(word)):
            break
        end = m.start() + w.end()
    return end


def _touching(text: str, parts: list[_Part]) -> list[list[_Part]]:
    """Runs of parts with only a gap (spaces, commas, "of", "от") between neighbours."""
    groups: list[list[_Part]] = []
    for part in parts:
        prev = groups[-1][-1] if groups else None
        if prev and _joins(text, prev, part):
            groups[-1].append(part)
        else:
            groups.append([part])
    return groups


_LISTED_TITLE = re.compile(r"[«“„\"]\s*(?:On|About|Об?|[А-ЯӘҒҚҢӨҰҮҺІ]\w*(?:\s+\w+)*\s+туралы)\b")
_NAMED_BY = re.compile(r"\s+[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w’'-]+\s+")  # "программы Хрущева «...»"


def _joins(text: str, left: _Part, right: _Part) -> bool:
    gap = text[left.end:right.start]
    if left.kind == "type" and right.kind == "title" and text[right.start] in "«“„\"'" \
            and _NAMED_BY.fullmatch(gap):
        return True
    if not _GAP_RE.fullmatch(gap):
        return False
    if left.kind == "type" and left.value in POLICY_TYPES and left.lang == "en" \
            and text[left.start].islower() and gap.strip().strip("*_"):
        return False  # "the concept of the “Listening State”": an idea, not a document
    # "Закон № 5, 2021 году ..." - a comma before a bare year starts a new sentence part.
    loose_year = any(p.kind == "date" and len(p.value) < 10 for p in (left, right))
    return not ("," in gap and loose_year)


def _split(group: list[_Part]) -> list[list[_Part]]:
    """One citation per type word: ru/en take the parts after it, kk the parts before.

    A named title just before a ru/en type ("Трудовой кодекс") belongs to it; the parts of
    a run without any type word stay together as one candidate.
    """
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
            lead = pending[-1:] if pending and pending[-1].kind == "title" else []
            current, pending = lead + [part], []
            out.append(current)
    if pending and current is None:
        out.append(pending)
    return out


def _kind(text: str, parts: list[_Part], before: list[Entity]) -> str | None:
    """The act type: the type word's, a listed act's, or "law" for a convocation number."""
    kind = next((p.value for p in parts if p.kind == "type"), None)
    if kind:
        return kind
    numbers = [p.value for p in parts if p.kind == "number"]
    dated = any(p.kind == "date" and len(p.value) == 10 for p in parts)
    # "laws “On the status of the capital” and “On the special status of ...”"
    titled = any(p.kind == "title" and _LISTED_TITLE.match(text, p.start) for p in parts)
    named = next((p for p in parts if p.kind == "title" and text[p.start] in "«“„\""
                  and _NAMED_POLICY.search(p.value)), None)
    if named and len(parts) == 1:
        return _policy_kind(named.value)
    prev = before[-1] if before else None
    if (numbers or dated or titled) and prev \
            and _NEXT_RE.fullmatch(text[prev.end:parts[0].start]):
        return prev.norm.split(":")[0]
    has_context = any(p.kind in ("date", "issuer") for p in parts)
    distinctive = numbers and re.fullmatch(r"\d+-[IVXLC]+", numbers[0])
    return "law" if has_context and distinctive else None


def _policy_kind(title: str) -> str:
    """The type a policy document's own name states (see ``_NAMED_POLICY``)."""
    for key, _, pattern in TYPES:
        if key in POLICY_TYPES and re.search(rf"(?<!\w){pattern}", title, re.I):
            return key
    return "programme"


# A plural type word: with an unquoted title it names a kind of acts, not one act.
_PLURAL = re.compile(r"(?:закон|кодекс|указ|приказ)(?:ы|ов|ам|ами|ах)|постановлени(?:я|й|ям|ями|ях)"
                     rf"|(?:заң|жарлы[қғ]|бұйры[қғ]|қаулы)(?:дар|лар|тар)[{_KK}]*"
                     r"|(?:laws|codes|decrees|resolutions|orders)", re.I)


def _is_citation(text: str, parts: list[_Part], kind: str) -> bool:
    """A number, a title or a dated month makes a citation; "2021 жылы Заң ..." does not."""
    if kind == "constitution":  # "Конституция" names the act; "constitution" is generic
        word = next(p for p in parts if p.kind == "type")
        return text[word.start].isupper() or any(p.kind == "issuer" for p in parts)
    word = next((p for p in parts if p.kind == "type"), None)
    if word and _PLURAL.fullmatch(text[word.start:word.end]) and not any(
            p.kind in ("number", "date") or p.kind == "title" and text[p.start] in "«“„\"'"
            for p in parts):
        return False  # "законами о гражданстве", "... туралы заңдарында": a kind of law
    return any(p.kind in ("number", "title") or (p.kind == "date" and len(p.value) >= 7)
               for p in parts)


def _citation(text: str, parts: list[_Part], kind: str) -> Entity:
    """The LAW entity: from the first to the last informative part."""
    while parts[-1].kind in ("issuer", "force"):
        parts = parts[:-1]  # "Закон № 5 Республики" ends at the number
    number = next((p.value for p in parts if p.kind == "number"), "")
    date = max((p.value for p in parts if p.kind == "date"), key=len, default="")
    title = next((p.value for p in parts if p.kind == "title"), "")
    act = find_act(kind, number, date, title)
    if act:
        kind, number = act["type"], number or act["number"]
        date = date if len(date) == 10 else act["date"] or date
    norm = ":".join(x for x in (kind, number, date) if x)
    if not (number or date):
        norm = f'{kind}:"{" ".join(title.lower().split())}"'
    canonical = act["id"] if act else canonical_id(kind, number, date)
    if canonical is None and title and not number:  # cited by title: type and title
        canonical = norm

    start, end = parts[0].start, parts[-1].end
    return Entity(start, end, "LAW", text[start:end], norm, canonical, source=SOURCE)


def norm_number(raw: str) -> str:
    """"477-ІV" (Kazakh І), "477–IV" and the OCR slip "477-1IV" are "477-IV"."""
    number = raw.upper().replace("–", "-")
    head, sep, tail = number.rpartition("-")
    roman = tail.translate(_ROMAN_LOOKALIKES)
    if sep and re.fullmatch(r"[IVXLC]+", roman) and re.search(r"[IVXLCІХС]", tail):
        if not _ROMAN.fullmatch(roman) and _ROMAN.fullmatch(roman[1:]):
            roman = roman[1:]
        number = head + sep + roman
    return number
