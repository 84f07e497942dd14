"""Line-end hyphens: join "exter-\\nnal", keep "көші-\\nқон", decided from evidence.

For a break ``left-`` / ``right`` the evidence is, in order:
  1. the rest of the document: does it write "leftright" or "left-right" elsewhere?
  2. the word lists (``nlp.parse.lexicon``): is "leftright" or "left-right" a known word?
  3. the language: Russian particles ("кто-\\nто", "из-\\nза") and capitalised second
     parts ("Алматы-\\nАстана") keep the hyphen; two known words that do not form a known
     word keep it ("socio-\\neconomic"); anything else was a typesetting break and joins.
A soft hyphen (U+00AD) always joins; digits around a hyphen or dash ("2022-\\n2026",
"COVID-\\n19", "2022—\\n2026") keep it; a dash after a space ("word —\\nword") is left alone.
"""

from __future__ import annotations

import re
from collections import Counter

from nlp.lang import kk
from nlp.parse.lexicon import count, normalise

HYPHENS = "-\u00ad\u2010\u00ac"  # hyphen-minus, soft hyphen, hyphen, not sign (OCR)
_BREAK = re.compile(rf"([^\W_]+)([{HYPHENS}])[ \t]*\n[ \t]*([^\W_]+)")
_DASH_RANGE = re.compile(r"(\d)[ \t]*([\u2012\u2013\u2014])[ \t]*\n[ \t]*(\d)")
_TOKEN = re.compile(r"[^\W\d_]+(?:[-\u2010][^\W\d_]+)*")
RU_PARTICLES = {"то", "либо", "нибудь", "ка", "таки", "де"}
RU_PREFIXES = {"кое", "кой", "из", "кто", "экс", "вице", "веб", "лейб", "обер", "штаб"}
RU_ADJ_END = re.compile(r"(?:ый|ий|ой|ая|яя|ое|ее|ые|ие|ого|его|ому|ему|ым|им|ых|их|ыми|ими|ую"
                        r"|юю)$")
EN_PREFIXES = {"self", "socio", "ex", "cross", "non", "anti", "multi", "semi", "quasi", "pan"}
EN_TENS = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
EN_SECOND = {"based", "related", "oriented", "specific", "level", "term", "scale", "free",
             "led", "owned", "friendly", "making", "building", "driven", "sized", "wise"}
# A Kazakh case/plural/possessive ending cannot follow a hyphen after a lower-case word.
KK_SUFFIXES = {*kk.CASES, *kk.DATIVE_AFTER_POSSESSIVE, *kk.PLURAL, *kk.POSSESSIVE_3,
               "ын", "ін", "ымен", "імен"}
EN_SUFFIXES = {"ness", "less", "ment", "ments", "tion", "tions", "able", "ible", "ing", "ings",
               "ity", "ities", "ly", "ful", "ous", "ive", "ism", "ist", "ists", "ize", "ise"}
_CYR = re.compile(r"[\u0400-\u04FF]")


def document_counts(texts: list[str]) -> Counter:
    """Word counts of the document, line-end breaks excluded (they are what we decide)."""
    counts: Counter = Counter()
    for text in texts:
        for m in _TOKEN.finditer(_BREAK.sub(" ", text)):
            counts[normalise(m.group())] += 1
    return counts


def dehyphenate(text: str, counts: Counter, lang: str = "und") -> str:
    """``text`` with its line-end hyphens joined or kept (line breaks inside words removed)."""
    text = _DASH_RANGE.sub(r"\1\2\3", text)
    return _BREAK.sub(lambda m: _join(m.group(1), m.group(2), m.group(3), counts, lang), text)


def _join(left: str, hyphen: str, right: str, counts: Counter, lang: str) -> str:
    if hyphen in "\u00ad\u00ac":
        return left + right
    if left[-1].isdigit() or right[0].isdigit():
        return f"{left}-{right}"
    return left + ("-" if keep_hyphen(left, right, counts, lang) else "") + right


def keep_hyphen(left: str, right: str, counts: Counter | None = None, lang: str = "und") -> bool:
    """True if "left-\\nright" is a real compound, False if the hyphen only broke a word."""
    counts = counts or Counter()
    head = left.rsplit("-", 1)[-1]
    joined, hyphenated = normalise(head + right), normalise(f"{head}-{right}")
    if counts[hyphenated] != counts[joined]:
        return counts[hyphenated] > counts[joined]
    lang = _lang(head + right, lang)
    known_joined, known_hyph = count(joined, lang), count(hyphenated, lang)
    if known_joined or known_hyph:
        return known_hyph >= known_joined
    return _by_rule(normalise(head), normalise(right), right, lang)


def _by_rule(head: str, tail: str, raw_tail: str, lang: str) -> bool:
    """No evidence either way: what the language's spelling rules make likely."""
    if raw_tail[0].isupper() and not raw_tail.isupper():
        return True  # "Алматы-Астана", "post-Soviet"
    if len(head) >= 2 and tail.startswith(head):
        return True  # reduplication: "әлсін-әлсін", "ара-арасында"
    if (lang == "kk" and tail in KK_SUFFIXES) or (lang == "en" and tail in EN_SUFFIXES):
        return False  # an ending: "мүсін-дер", "correct-ness"
    if lang in ("ru", "kk") and (tail in RU_PARTICLES or head in RU_PREFIXES):
        return True  # "кто-то", "экс-президент"
    if lang == "ru" and len(head) >= 6 and head.endswith("о") and RU_ADJ_END.search(tail):
        return True  # compound adjectives: "социально-экономической"
    if lang == "en" and (head in EN_PREFIXES or head in EN_TENS or tail in EN_SECOND):
        return True  # "self-reliance", "forty-eight", "community-based"
    both_words = count(head, lang) and count(tail, lang)
    return bool(both_words) and (len(head) >= 3 and len(tail) >= 3)


def _lang(word: str, lang: str) -> str:
    """The block's language if the word is written in its script, else a guess from letters."""
    cyrillic = bool(_CYR.search(word))
    if lang in ("kk", "ru") and cyrillic or lang == "en" and not cyrillic:
        return lang
    if not cyrillic:
        return "en"
    return "kk" if re.search("[әғқңөұүһі]", word.lower()) else "ru"
