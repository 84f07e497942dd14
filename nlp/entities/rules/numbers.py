"""Numbers written in words, in Kazakh, Russian and English: "екі мың", "сорок пять", "two million".

``WORDS_RE`` finds a run of number words; ``words_value`` reads it ("жүз он төрт" -> 114,
"бір жарым миллион" -> 1.5e6). Only the last word of a Kazakh or Russian run may carry a
case ending ("екі мыңға", "двадцати пяти"), Russian collective numerals are numbers ("двое",
"троих"), and forms that are ordinary words ("бірақ",
"үшін", "оның") are not numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal

from nlp.lang import kk

_KK = kk.LETTERS
# word (or stem) -> (value, kind); kind: "n" adds, "h" multiplies the current group by 100,
# "s" closes a group with its scale, "half" adds one half.
_KK_WORDS = {
    "бір": (1, "n"), "екі": (2, "n"), "үш": (3, "n"), "төрт": (4, "n"), "бес": (5, "n"),
    "алты": (6, "n"), "жеті": (7, "n"), "сегіз": (8, "n"), "тоғыз": (9, "n"), "он": (10, "n"),
    "жиырма": (20, "n"), "отыз": (30, "n"), "қырық": (40, "n"), "елу": (50, "n"),
    "алпыс": (60, "n"), "жетпіс": (70, "n"), "сексен": (80, "n"), "тоқсан": (90, "n"),
    "жүз": (100, "h"), "мың": (10**3, "s"), "миллион": (10**6, "s"), "миллиард": (10**9, "s"),
    "триллион": (10**12, "s"), "жарты": (Decimal("0.5"), "n"), "жарым": (Decimal("0.5"), "half"),
}
# a case (also after a possessive: "а", "е", "н"), possessive or approximative ending, after
# the collective "-еу" or not: "екі мыңға", "бесеуі", "жүздей"
_KK_ENDING = (kk.alternation(kk.COLLECTIVE) + "?" + kk.alternation(
    kk.CASES + kk.DATIVE_AFTER_POSSESSIVE + ("а", "е", "н", "ы", "і") + kk.APPROXIMATIVE) + "?")
_KK_NOT = frozenset("бірақ бірге біреу бірі бірін біріне бірінде бірінен бірінің бірде бірдей "
                    "бірден үшін оны оның онда онан оған жүзеге жүзде жүзі бесік алтын".split())
_RU_WORDS: list[tuple[str, int, str]] = [  # (regex of all case forms, value, kind)
    (r"од(?:ин|на|но|ного|ной|ному|ним|ном|ну)", 1, "n"), (r"дв(?:а|е|ух|ум|умя)", 2, "n"),
    (r"тр(?:и|[её]х|[её]м|емя)", 3, "n"), (r"четыр(?:е|[её]х|[её]м|ьмя)", 4, "n"),
    (r"пят(?:ь|и|ью)", 5, "n"), (r"шест(?:ь|и|ью)", 6, "n"), (r"сем(?:ь|и|ью)", 7, "n"),
    (r"восем(?:ь|и|ью)|восьм(?:и|ью)", 8, "n"), (r"девят(?:ь|и|ью)", 9, "n"),
    (r"десят(?:ь|и|ью)", 10, "n"), (r"одиннадцат[ьи]", 11, "n"), (r"двенадцат[ьи]", 12, "n"),
    (r"тринадцат[ьи]", 13, "n"), (r"четырнадцат[ьи]", 14, "n"), (r"пятнадцат[ьи]", 15, "n"),
    (r"шестнадцат[ьи]", 16, "n"), (r"семнадцат[ьи]", 17, "n"), (r"восемнадцат[ьи]", 18, "n"),
    (r"девятнадцат[ьи]", 19, "n"), (r"двадцат(?:ь|и|ью)", 20, "n"),
    (r"тридцат(?:ь|и|ью)", 30, "n"), (r"сорок(?:а)?", 40, "n"),
    (r"пят(?:ьдесят|идесяти)", 50, "n"), (r"шест(?:ьдесят|идесяти)", 60, "n"),
    (r"сем(?:ьдесят|идесяти)", 70, "n"), (r"восем(?:ьдесят|идесяти)", 80, "n"),
    (r"девяност(?:о|а)", 90, "n"), (r"ст(?:о|а)", 100, "n"), (r"двест(?:и)|двухсот", 200, "n"),
    (r"трист(?:а)|т[её]хсот", 300, "n"), (r"четырест(?:а)|четыр[её]хсот", 400, "n"),
    (r"пятьсот|пятисот", 500, "n"), (r"шестьсот|шестисот", 600, "n"),
    (r"семьсот|семисот", 700, "n"), (r"восемьсот|восьмисот", 800, "n"),
    (r"девятьсот|девятисот", 900, "n"), (r"тысяч[аиуейм]?|тысячами|тысячах", 10**3, "s"),
    (r"миллион(?:а|ов|у|ом|е|ы|ами|ах)?", 10**6, "s"),
    (r"миллиард(?:а|ов|у|ом|е|ы|ами|ах)?", 10**9, "s"), (r"полтора|полутора", 1, "half"),
    # collective numerals count people and paired things: "двое раненых", "троих детей"
    (r"дво(?:е|их|им|ими)", 2, "n"), (r"тро(?:е|их|им|ими)", 3, "n"),
    (r"четвер(?:о|ых|ым|ыми)", 4, "n"), (r"пятер(?:о|ых|ым|ыми)", 5, "n"),
    (r"шестер(?:о|ых|ым|ыми)", 6, "n"), (r"семер(?:о|ых|ым|ыми)", 7, "n"),
    (r"восьмер(?:о|ых|ым|ыми)", 8, "n"), (r"девятер(?:о|ых|ым|ыми)", 9, "n"),
    (r"десятер(?:о|ых|ым|ыми)", 10, "n"),
]
_EN_UNITS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
             "fifteen sixteen seventeen eighteen nineteen").split()
_EN_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_WORDS = ({w: (i, "n") for i, w in enumerate(_EN_UNITS, 1)}
             | {w: (20 + 10 * i, "n") for i, w in enumerate(_EN_TENS)}
             | {"hundred": (100, "h"), "thousand": (10**3, "s"), "million": (10**6, "s"),
                "billion": (10**9, "s"), "trillion": (10**12, "s"), "half": (Decimal("0.5"), "n"),
                "a": (1, "a")})
_SEP = r"(?:\s+(?:and\s+)?|-)"


def _kk_alt() -> str:
    stems = sorted(_KK_WORDS, key=len, reverse=True)
    word = "|".join(stems)
    return rf"(?:{word})(?:\s+(?:{word}))*{_KK_ENDING}"


def _ru_alt() -> str:
    word = "|".join(p for p, _, _ in _RU_WORDS)
    return rf"(?:{word})(?:\s+(?:{word}))*"


def _en_alt() -> str:
    word = "|".join(sorted((w for w in _EN_WORDS if w != "a"), key=len, reverse=True))
    return rf"(?:a\s+(?=hundred|thousand|million|billion))?(?:{word})(?:{_SEP}(?:{word}))*"


WORDS_RE = {
    "kk": re.compile(rf"(?<![\w-])(?:{_kk_alt()})(?![\w-])", re.IGNORECASE),
    "ru": re.compile(rf"(?<![\w-])(?:{_ru_alt()})(?![\w-])", re.IGNORECASE),
    "en": re.compile(rf"(?<![\w-])(?:{_en_alt()})(?![\w-])", re.IGNORECASE),
}
_RU_RE = [(re.compile(p + "$"), Decimal(v), kind) for p, v, kind in _RU_WORDS]


def word_value(word: str, lang: str) -> tuple[Decimal, str] | None:
    """(value, kind) of one number word in any case form, or None."""
    w = word.lower()
    if lang == "ru":
        return next(((v, k) for rx, v, k in _RU_RE if rx.match(w)), None)
    if lang == "en":
        hit = _EN_WORDS.get(w)
        return (Decimal(hit[0]), hit[1]) if hit else None
    if w in _KK_NOT:
        return None
    for stem in sorted(_KK_WORDS, key=len, reverse=True):
        if w.startswith(stem) and re.fullmatch(_KK_ENDING, w[len(stem):]):
            value, kind = _KK_WORDS[stem]
            return Decimal(value), kind
    return None


def words_value(text: str, lang: str) -> Decimal | None:
    """Value of a run of number words ("жүз он төрт" -> 114); None if a word is not one."""
    total, group = Decimal(0), Decimal(0)
    for word in re.split(r"[\s-]+", text.strip()):
        if lang == "en" and word.lower() == "and":
            continue
        hit = word_value(word, lang)
        if hit is None:
            return None
        value, kind = hit
        if kind == "h":
            group = (group or 1) * value
        elif kind == "s":
            total, group = total + (group or 1) * value, Decimal(0)
        elif kind == "half":  # "бір жарым" = 1.5, "полтора" = 1.5
            group += value if lang == "kk" else Decimal("1.5")
        elif kind != "a":
            group += value
    return total + group


def is_number_words(text: str, lang: str) -> bool:
    """True for a run that stands as a number on its own: several words or a scale word."""
    words = re.split(r"[\s-]+", text.strip())
    hits = [word_value(w, lang) for w in words if w.lower() != "and"]
    return all(hits) and (len(hits) > 1 or any(h and h[1] == "s" for h in hits))
