"""The checks that decide whether a number the figure patterns found is a figure.

Each check is a small named function of a ``Number`` (the match and what surrounds it) that
says True when the number is *not* a figure: a year, a date, an age, a clock time, an article
or list number, a document or service number, part of a name. ``CHECKS`` is their order (as
razdel keeps its sentence rules); ``first_veto`` names the first that drops a number, and
``nlp.entities.rules.figures.explain`` shows it for every number of a text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.entities.rules.dates import KK_MONTH_NAMES, after_number_sign
from nlp.entities.rules.numbers import WORDS_RE, words_value
from nlp.lang import kk

_KK = kk.LETTERS

# Years, ages and durations are dates ("3 года", "29 жастағы", "10 days"), not figures.
# Clock times are not figures either ("10 a.m.", "7 o'clock"), nor minutes and seconds, nor
# years before or of our era ("575 B. C."); a count of hours is, as the dev gold has it
# ("через сорок восемь часов").
YEAR_WORD = re.compile(r"\s*(?:(?:рабочих|календарных|working|business|calendar)\s+)?"
                        r"(?:год|г\.|гг\.|жыл|ж\.|year|лет\b|жас|месяц|дн(?:я|ей)\b|days?\b"
                        r"|weeks?\b|months?\b|ай\b|күн|апта|век[а-я]*|ғасыр|centur|тәулі"
                        r"|minut|минут|секунд|seconds?\b|мин\.|сек\.|минөт"
                        r"|B\.?\s?C\.?(?:E\.?)?(?!\w)|A\.\s?D\.|до\s+н\.\s?э\.|б\.\s?з\.\s?[бд]\."
                        r"|o'clock|[ap]\.?m\.?(?!\w))",
                        re.IGNORECASE)
# A number after these is an age or a clock time: "aged 35", "в возрасте 40", "сағат 10-да".
AGE_TIME_BEFORE = re.compile(r"(?<!\w)(?:aged|ages?|age\s+of|в\s+возрасте(?:\s+(?:от|до))?"
                              r"|сағат)\s*$", re.IGNORECASE)
# "в 10 часов (утра)" is a clock time, "через 48 часов" a count of hours.
_CLOCK_RU = re.compile(r"(?<!\w)в\s+$", re.IGNORECASE), re.compile(r"\s*час(?:а|ов)?\b")
# "John Smith, 45, said": a number set off by commas after a name is an age (English news).
_NAME_AGE = re.compile(r"[A-Z][a-z]+,\s$")
_CODE_SUFFIX = re.compile(r"[-–][^\W\d_]")  # "477-IV", "5-ти", "1-ші"
# A Kazakh ending after a hyphen keeps a number a number: a case ("366-ға", "4-ақ"), a possessive
# ("12-сінің": of twelve of them) or the collective "-еу" ("5-еуіне": to five of them).
# An "about"/"over" word may be glued on too ("50-астам кәсіпорын": over 50 firms).
_KK_CASE = re.compile(
    r"-(?=[^\W\d_])(?:астам|артық|аса|шақты|шамасы|" + "|".join(kk.APPROXIMATIVE) + "|"
    + kk.alternation(kk.COLLECTIVE) + "?" + kk.alternation(kk.POSSESSIVE_3) + "?"
    + kk.alternation(kk.CASES + kk.DATIVE_AFTER_POSSESSIVE + ("н", "ақ", "ек")) + r"?)(?![\w-])")
ORDINAL_NEXT = re.compile(r"\s+\w*(?:ыншы|інші|ншы|нші)", re.IGNORECASE)
# Words after which a number is a reference, not a figure: "статья 97", "articles 73 and 96".
_REFERENCE = re.compile(
    r"(?<!\w)(?:articles?|art\.|sections?|paragraphs?|para\.|chapters?|items?|clauses?|pages?"
    r"|pp?\.|vol\.|volume|no\.|стат(?:ья|ьи|ье|ью|ьей|ей|ьям|ьями|ьях)|ст\.|пункт[а-я]*|п\.|пп\."
    r"|подпункт[а-я]*|глав[а-я]*|част[а-я]*|раздел[а-я]*|стр\.|том[а-я]*|абзац[а-я]*"
    r"|tables?|figures?|fig\.|annex(?:es)?|appendix|таблиц[а-я]*|приложени[а-я]*|рис\."
    r"|рисун[а-я]*|кесте[" + _KK + r"]*|сурет[" + _KK + r"]*|қосымша[" + _KK + r"]*)"
    r"\s*(?:\d+(?:[-–]\d+)?\s*(?:,|и|and|or|или|және)\s*)*$",
    re.IGNORECASE,
)
# Document types a number after names: "Resolution 2328", "резолюции 2334", "Decree 145".
_DOCUMENT_BEFORE = re.compile(
    r"(?<!\w)(?:resolutions?|decrees?|directives?|conventions?|protocols?|regulations?"
    r"|резолюци[а-я]*|постановлени[а-я]*|указ(?:а|у|ом|е|ы|ов)?|приказ(?:а|у|ом|е|ы|ов)?"
    r"|распоряжени[а-я]*|конвенци[а-я]*|протокол(?:а|у|ом|е|ы|ов)?|директив[а-я]*"
    r"|қаулы[" + _KK + r"]*|жарлы[ғқ][" + _KK + r"]*|бұйры[ғқ][" + _KK + r"]*)"
    r"\s*(?:\d+\s*(?:,|и|and|or|или|және)\s*)*$",
    re.IGNORECASE,
)
# An all-caps letter code names what follows it: "CTF 50", "USS Hopper (DDG 70)", "(L 12)".
# Currency and unit codes ("USD 500", "EUR 5", "МРП 10") and the words "A" / "I" are not codes.
_CODE_BEFORE = re.compile(r"(?<![\w.])(?-i:[A-ZА-ЯЁ]{1,5})[ \u00a0]$")
_NOT_CODES = frozenset("A I USD EUR KZT RUB GBP MCI CHF JPY CNY US UK МРП АЕК ПМ".split())
_MONTH = (r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?"
          r"|aug(?:ust|\.)?|sept?(?:ember|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?"
          r"|(?:январ|феврал|апрел|июн|июл|сентябр|октябр|ноябр|декабр|ма)[яеь]|марта?|августа?"
          rf"|(?:{KK_MONTH_NAMES})[{_KK}]*)(?!\w)")
# A day or a day range before a month is a date: "27-28 сентября", "5 - 6 April",
# "с 3 на 4 июня", "5 and 6 May"; and after an English month: "October 25 - 26".
_MONTH_AFTER = re.compile(rf"(?:\s*(?:на|по|и|до|and|to|or|&|[-–—])\s*\d{{1,2}})?\s*{_MONTH}",
                          re.IGNORECASE)
# A day after a Kazakh month in the genitive is a date: "Мамырдың 9-ы мен 12-сі аралығында".
_MONTH_GENITIVE = re.compile(
    r"(?<!\w)(?:" + "|".join(kk.MONTHS) + ")" + kk.alternation(kk.GENITIVE)
    + r"\s+(?:\d{1,2}(?:-[" + _KK + r"]+)?\s*"
    r"(?:мен|бен|пен|және|,|[-–—])\s*)*$", re.IGNORECASE)
_MONTH_BEFORE = re.compile(
    r"(?<!\w)(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)\s*$")
_FOOTNOTE = re.compile(r"\[\s*(?:\d+\s*[-–,]\s*)*$"), re.compile(r"\s*(?:[-–,]\s*\d+\s*)*\]")
# Telephone numbers: "888 - 847 - 6592", "8 (7172) 74-05-02", "+7 701 123 4567",
# "0800 555 111" (a leading zero).
PHONE = re.compile(r"(?<![\w.,])(?:\+\d{1,3}[\s-]?(?:\(\d{2,5}\)|\d{2,5})(?:[\s-]?\d{2,4}){2,}"
                    r"|0\d{2,4}(?:[ -]\d{2,4}){2,}"
                    r"|(?:\d{1,3}\s?)?(?:\(\d{2,5}\)\s?)?\d{2,4}(?:\s?[-–]\s?\d{2,4}){2,})(?![\w.,]\d)")
_LIST_NUMBER = re.compile(r"(?:^|\n)[ \t#*-]*$")
_LIST_AFTER = re.compile(r" ?[.)]")
_SECTION = re.compile(r"\d+(?:\.\d+)+\.?[ \t]+[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]")  # "1.1 Heading", "2.3. Цели"
# A number that names a telephone service is none ("служба спасения 911", "call 112"), nor is a
# number alone in quotes («1406» нөмірі).
_SERVICE_BEFORE = re.compile(
    r"(?<!\w)(?:call|dial(?:led|ling)?|hotline|helpline|служб[а-я]*(?:\s+[а-яё]+)?|номер[а-я]*"
    r"|телефон[а-я]*(?:\s+доверия)?|горяч[а-я]+\s+лини[а-я]*|нөмір[" + _KK + r"]*"
    r"|телефон[" + _KK + r"]*)\s*[«\"“]?$", re.IGNORECASE)
_QUOTED_ALONE = re.compile(r"[«\"“]$"), re.compile(r"[»\"”]")
# "men aged 33, 34 and 39": every number of the list is an age.
_AGE_LIST = re.compile(r"(?<!\w)(?:aged|ages\s+of)\s*(?:\d{1,3}\s*(?:,|and|or|to|-|–)\s*)+$",
                       re.IGNORECASE)
# "the actor, 31, said": an age after a noun phrase for a person, with a determiner (English
# news); "the report, 31, 45 and 50" is a list.
_NOUN_AGE = re.compile(r"(?<!\w)(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur|[Ii]ts"
                       r"|[A-Z]\w+['’]s)\s+(?:[\w-]+\s+){0,3}(?=[a-z])[\w-]*(?:er|or|ist|ian|ess|ant|ent|man|boy|girl|wife|husband|son"
                       r"|daughter|mother|father|star|model|chief|suspect|victim|friend|partner"
                       r"|coach|mum|dad|mom|child|teen|pupil|guard|boss|judge|nurse|cop|chef)"
                       r",\s$")
# "Bellator 206", "on Channel 5", "BBC Radio 4": a capitalised word inside a sentence names what
# a number after it belongs to (English); "About 300" at a sentence start is a figure.
_NAME_NUMBER = re.compile(r"(?<=[\w,;:)] )(?-i:[A-Z][a-z]+) $")
# A number inside a short quoted name is part of it: «Саратовская 29», "Ақмола 7 Б",
# «4’33'», «1406»: an opening quote, then nothing or a capitalised name, and a closing quote
# within a few characters after the number.
_QUOTED_NAME = (re.compile(r"[«\"“](?:(?-i:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])[^\"«»“”\n]{0,40}[\s-])?$"),
                re.compile(r"[^\"«»“”\n\s]{0,6}(?:\s(?-i:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]{1,3}))?[»\"”]"))
# "4’33" (minutes and seconds), "5'11" (feet and inches): no figure.
_PRIME_AFTER = re.compile(r"[’′']\d")
_PRIME_BEFORE = re.compile(r"\d[’′']$")
# Clause numbers split by tokenisation: "9. 2 The Borrower", "Clause 9. 2, the Lender".
_CLAUSE_TAIL = re.compile(r"(?:\s+(?-i:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])|\s*,|\s*$)")
_CLAUSE_FIRST = re.compile(r"\.\s\d{1,3}(?![\d.,])")
_CLAUSE_SECOND = re.compile(r"(?<![\d.,])\d{1,3}\.\s$")
# "fifteen (15) days", "3 (three) years": the bracketed number repeats the other one.
_BRACKET_WORDS = re.compile(r"\s*\(([^\W\d_]+(?:[\s-][^\W\d_]+){0,3})\)")
_WORDS_BRACKET = re.compile(r"((?:[^\W\d_]+[\s-]){0,3}[^\W\d_]+)\s*\($")
# "28 or 29 days", "5 или 6 лет": the first of two alternatives before a duration.
_OR_NEXT = re.compile(r"\s*(?:or|и|или|немесе|не|and|және|to|до)\s+\d{1,4}(?![\d.,])",
                      re.IGNORECASE)
# "42 Ventures", "99 Designs": in Kazakh or Russian text a number before a Latin capitalised
# word belongs to a name.
_LATIN_NAME_AFTER = re.compile(r"\s(?-i:[A-Z][a-z]+)\b")


def _is_name_or_date_part(text: str, m: re.Match[str]) -> bool:
    """"Resolution 2328", "CTF 50", "[1]", "27-28 сентября", "October 25 - 26": the number
    names a document, a ship or a footnote, or is a day of a date."""
    before = text[max(0, m.start() - 40):m.start()]
    if _DOCUMENT_BEFORE.search(before) or (_FOOTNOTE[0].search(before)
                                          and _FOOTNOTE[1].match(text, m.end())):
        return True
    code = _CODE_BEFORE.search(before)
    if code and code.group().strip() not in _NOT_CODES:
        return True
    days = [m[g] for g in ("num", "num2") if m[g]]
    if not all(d.isdigit() and 1 <= int(d) <= 31 for d in days):
        return False
    return bool(_MONTH_AFTER.match(text, m.end()) or _MONTH_BEFORE.search(before)
                or _MONTH_GENITIVE.search(before))


def _is_quoted_clause_or_name(text: str, m: re.Match[str], lang: str) -> bool:
    """«Саратовская 29», «4’33'», "9. 2 The Borrower", "42 Ventures": a number that is part of a
    quoted name, a time in primes, a clause number split by tokenisation or a Latin name."""
    if m["num2"] or not m["num"].isdigit():
        return False
    if _PRIME_AFTER.match(text, m.end()) or _PRIME_BEFORE.search(text, max(0, m.start() - 2),
                                                                  m.start()) or (
            _QUOTED_NAME[0].search(text, max(0, m.start() - 50), m.start())
            and _QUOTED_NAME[1].match(text, m.end())):
        return True
    if lang in ("kk", "ru") and _LATIN_NAME_AFTER.match(text, m.end()):
        return True
    first = _CLAUSE_FIRST.match(text, m.end())
    if first or _CLAUSE_SECOND.search(text, max(0, m.start() - 6), m.start()):
        return bool(_CLAUSE_TAIL.match(text, first.end() if first else m.end()))
    return False


def _skip_repeat(text: str, m: re.Match[str], lang: str) -> int:
    """Where the text after a number goes on, past a bracketed repeat of it in the other
    notation: "3 (three) years" and "fifteen (15) days" both read as "... years" / "... days"."""
    if lang not in WORDS_RE:
        return m.end()
    words = _BRACKET_WORDS.match(text, m.end())
    if words and words_value(words[1], lang) is not None:
        return words.end()
    if text[m.end():m.end() + 1] == ")" and text[m.start() - 1:m.start()] == "(":
        run = _WORDS_BRACKET.search(text, max(0, m.start() - 60), m.start())
        tokens = run[1].split() if run else []
        if any(words_value(" ".join(tokens[i:]), lang) is not None for i in range(len(tokens))):
            return m.end() + 1
    return m.end()


def _is_age_or_time(text: str, m: re.Match[str], lang: str) -> bool:
    """"aged 35", "в возрасте 40", "сағат 10-да", "Jane Doe, 45, said": not figures."""
    before = text[max(0, m.start() - 30):m.start()]
    if AGE_TIME_BEFORE.search(before) or _AGE_LIST.search(before) or (
            _CLOCK_RU[0].search(before) and _CLOCK_RU[1].match(text, m.end())):
        return True
    return lang == "en" and m["num"].isdigit() and int(m["num"]) < 120 and not m["num2"] \
        and text[m.end():m.end() + 1] == "," and bool(
            _NAME_AGE.search(text, 0, m.start())
            or _NOUN_AGE.search(text, max(0, m.start() - 60), m.start()))


def _is_service_number(text: str, m: re.Match[str], lang: str) -> bool:
    """"служба спасения 911", «1406», "Channel 5", "Bellator 206": a number that names."""
    before = text[max(0, m.start() - 40):m.start()]
    if m["num2"] or not m["num"].isdigit():
        return False
    if _SERVICE_BEFORE.search(before) or (_QUOTED_ALONE[0].search(before)
                                          and _QUOTED_ALONE[1].match(text, m.end())):
        return True
    word = _NAME_NUMBER.search(before) if lang == "en" else None
    return bool(word) and not _MONTH_BEFORE.search(before)


def _is_reference(text: str, start: int) -> bool:
    return bool(_REFERENCE.search(text[max(0, start - 60):start]))


def _is_list_number(text: str, m: re.Match[str]) -> bool:
    """"1) ...", "4-1) ...", "2 ." or "## 2. Data" or "1.1 Heading" at the start of a line."""
    if not _LIST_NUMBER.search(text[:m.start()][-8:]):
        return False
    last = m.end("num2") if m["num2"] else m.end("num")
    return bool(_LIST_AFTER.match(text, last)) or bool(_SECTION.match(text, m.start()))


def _is_year(num: str) -> bool:
    return len(num) == 4 and num.isdigit() and 1800 <= int(num) <= 2099


# --- the checks, in order -------------------------------------------------------------

@dataclass
class Number:
    """A number the digit pattern matched, with what the checks read around it."""

    text: str
    m: re.Match
    lang: str
    unit: str | None  # the unit matched after it, if any
    scale: str | None  # "млн", "thousand", "bn"...
    case: re.Match | None  # a Kazakh ending glued on with a hyphen: "366-ға"
    after: int  # where the text after the number goes on (past a repeat in brackets)
    years: list[str]  # the groups ("num", "num2") that read as years

    @property
    def plain(self) -> bool:
        """No unit and no scale: a bare number or range, the kind that is often no figure."""
        return not (self.unit or self.scale)


def read_number(text: str, m: re.Match, lang: str, unit: str | None,
                scale: str | None) -> Number:
    """The ``Number`` of a digit match whose unit and scale are known."""
    bare = not (unit or scale) and not m["num2"]
    case = _KK_CASE.match(text, m.end()) if bare and lang == "kk" else None
    after = (case.end() if case else _skip_repeat(text, m, lang)) if bare else m.end()
    years = [g for g in ("num", "num2") if m[g] and _is_year(m[g])]
    return Number(text, m, lang, unit, scale, case, after, years)


def short_scale(n: Number) -> bool:
    """"3m" is three metres as often as three million ("$3m" is money, "3bn" a billion)."""
    return bool(n.m["short"] and n.m["short"].lower() != "bn" and not n.m["cur"])


def code_or_number_sign(n: Number) -> bool:
    """"477-IV", "№ 5", "09" (of "09:00"), "0400": a code, a number after "№", a zero first."""
    return bool((_CODE_SUFFIX.match(n.text, n.m.end("num")) and not (n.case or n.m["suffix"]))
                or after_number_sign(n.text, n.m.start()) or re.fullmatch(r"0\d+", n.m["num"]))


def reference(n: Number) -> bool:
    """"статья 97", "articles 73 and 96", "Table 2": a reference to a part of a text."""
    return _is_reference(n.text, n.m.start())


def list_item(n: Number) -> bool:
    """"1) ...", "## 2. Data", "1.1 Heading": the number of a list item or section."""
    return n.plain and _is_list_number(n.text, n.m)


def name_or_date_part(n: Number) -> bool:
    """"Resolution 2328", "CTF 50", "[1]", "27-28 сентября": a name, footnote or day."""
    return n.plain and _is_name_or_date_part(n.text, n.m)


def service_number(n: Number) -> bool:
    """"служба спасения 911", «1406», "Channel 5": a number that names a service or channel."""
    return n.plain and _is_service_number(n.text, n.m, n.lang)


def quoted_clause_or_name(n: Number) -> bool:
    """«Саратовская 29», "4’33", "9. 2 The Borrower", "42 Ventures": part of a name or clause."""
    return n.plain and _is_quoted_clause_or_name(n.text, n.m, n.lang)


def year_before_noun(n: Number) -> bool:
    """"the 2004 tsunami victims": a year before a noun used as an adjective (English)."""
    return (n.lang == "en" and n.unit in ("persons", "families") and bool(n.years)
            and not n.m["num2"] and not n.scale and bool(re.search(r"\s", n.m["unit"] or "")))


def year_or_duration(n: Number) -> bool:
    """"2019", "between 1885 and 1935", "3 года", "3 – 4 жыл бұрын", "15 веке"."""
    return n.plain and bool(
        len(n.years) == (2 if n.m["num2"] else 1) or YEAR_WORD.match(n.text, n.after)
        or ((alt := _OR_NEXT.match(n.text, n.after)) and YEAR_WORD.match(n.text, alt.end())))


def age_or_time(n: Number) -> bool:
    """"aged 35", "в возрасте 40", "сағат 10-да", "Jane Doe, 45, said": an age or a time."""
    return n.plain and _is_age_or_time(n.text, n.m, n.lang)


CHECKS = [short_scale, code_or_number_sign, reference, list_item, name_or_date_part,
          service_number, quoted_clause_or_name, year_before_noun, year_or_duration,
          age_or_time]


def first_veto(n: Number) -> str | None:
    """The name of the first check that says ``n`` is no figure; None if none does."""
    return next((check.__name__ for check in CHECKS if check(n)), None)
