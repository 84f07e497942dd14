"""Language of a text: ``kk``, ``ru``, ``en`` or ``und``.

langdetect has no Kazakh profile and calls every Kazakh sentence ru/uk/bg, so the
Cyrillic decision is ours: Kazakh-only letters and function words against Russian
function words and endings, with proper names (capitalised, not sentence-initial)
counting less, because Russian text is full of Kazakh names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

LANGS = ("kk", "ru", "en")
UND = "und"

# Latin "i" inside a Cyrillic word is a common stand-in for Kazakh "і".
KK_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_CYR = re.compile(r"[\u0400-\u04FF]")
_LAT = re.compile(r"[A-Za-z\u00C0-\u024F]")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")

KK_WORDS = frozenset(
    "және мен бен пен үшін бойынша туралы жылы жылғы бұл осы де та те ал бар жоқ еді "
    "болып болды болады оның олар сол біз мұнда сондай сияқты арқылы кейін дейін бері "
    "жөніндегі жөнінде тиіс керек емес ғана тек көп аз әр барлық бірақ себебі немесе "
    "яғни қазіргі бойы саны сан жаңа".split()
)
RU_WORDS = frozenset(
    "и в во на не что с со по для от из к ко о об как это а но при за до также который "
    "которые которых года году его ее её их был была были быть он она они мы же ли или "
    "так уже только между после более чем этом этого этой согласно том".split()
)
RU_ENDINGS = ("ого", "ому", "ый", "ий", "ая", "ое", "ых", "ими", "ать", "ить", "ция",
              "ции", "ние", "ния", "ется", "ются", "тся", "ость", "ости", "ств", "ство")
KK_ENDINGS = ("ның", "нің", "дың", "дің", "тың", "тің", "ға", "ге", "қа", "ке", "лар",
              "лер", "дар", "дер", "тар", "тер", "ды", "ді", "ты", "ті", "ында", "інде",
              "ған", "ген", "қан", "кен", "мыз", "міз", "сы", "сі")


def detect_language(text: str) -> str:
    """Return ``kk``, ``ru``, ``en`` or ``und`` for one text."""
    return detect_batch([text])[0]


def detect_batch(texts: Iterable[str]) -> list[str]:
    """Language codes for many texts."""
    return [_detect(t) for t in texts]


def _detect(text: str) -> str:
    text = _URL.sub(" ", text)
    cyr = len(_CYR.findall(text))
    lat = len(_LAT.findall(text))
    visible = sum(not c.isspace() for c in text)
    if cyr + lat < 3 or (cyr + lat) < 0.5 * visible:
        return UND  # numbers, formulas, URLs, or too short to tell
    if lat > cyr:
        return "en"  # the corpus prior: Latin script here is English
    kk, ru = _cyrillic_scores(text)
    return "kk" if kk > ru else "ru"


def _cyrillic_scores(text: str) -> tuple[float, float]:
    kk = ru = 0.0
    for i, m in enumerate(_WORD.finditer(text)):
        word = m.group()
        low = word.lower()
        sentence_start = i == 0 or text[: m.start()].rstrip()[-1:] in ".!?:"
        name_like = word[0].isupper() and not sentence_start
        if KK_LETTERS.intersection(word) or ("i" in low and _CYR.search(word)):
            kk += 0.3 if name_like else 1.0
        elif low in KK_WORDS:
            kk += 1.0
        elif low in RU_WORDS:
            ru += 1.0
        elif low.endswith(RU_ENDINGS):
            ru += 0.5
        elif low.endswith(KK_ENDINGS):
            kk += 0.5
    return kk, ru
