"""How readable a text layer is: a score from 0 (garbage) to 1 (clean) per block and page.

Broken text layers are common in Kazakh and Russian PDFs: fonts without a usable Unicode
map decode Cyrillic as Latin look-alikes or mojibake ("KazakcTranaarpl Kelli-KOH/IbI",
"Ìèãðàöèÿ"), as U+FFFD, private-use or control characters. The score counts, per letter,
  - replacement, private-use, control and unassigned characters;
  - words that mix Latin and Cyrillic letters (a Latin "i" in a Kazakh word is allowed);
  - words with a case pattern no language uses ("IbI", "KazakcTran");
  - words no language model finds plausible (letter trigrams of ``nlp.parse.lexicon``);
  - in a Cyrillic document, Latin words made only of Cyrillic look-alike letters ("KOH").
"""

from __future__ import annotations

import re
from functools import lru_cache

from nlp.parse.lexicon import best_plausibility

BROKEN = 0.5  # a block scoring below this is flagged "broken"
IMPLAUSIBLE = -1.8  # mean log10 letter probability (0.4 % of real words, ~90 % of garbage)
MIN_LETTERS = 8  # fewer letters than this: too little evidence to judge the words
PRIOR_LETTERS = 24  # clean letters assumed in every block, so two odd words are not "broken"
_GLUED = re.compile(r"[^\W\d_][^\w\s\-'’.,/&:()\[\]«»\"“”!?;+*@#%]+[^\W\d_]")
_BAD = re.compile("[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_CYR = re.compile(r"[\u0400-\u04FF]")
_LAT = re.compile(r"[A-Za-z\u00C0-\u024F]")
LOOKALIKES = frozenset("ABCEHKMOPTXYaceopxy")


def text_quality(text: str, cyrillic_context: bool = False) -> float:
    """Score ``text`` in [0, 1]; below ``BROKEN`` the text layer is unusable."""
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return 1.0
    bad = _bad_chars(text) / len(visible)
    weird, letters = 0.0, 0
    caps = _mostly_caps(text)
    for token in text.split():
        words = _WORD.findall(token)
        n = sum(len(w) for w in words)
        letters += n
        if _GLUED.search(token):
            weird += n  # letters glued by symbols: "°ê£ë†£ûÜüéê"
        else:
            weird += sum(_word_penalty(part, cyrillic_context, caps) for w in words
                         for part in re.split(r"['’\-]", w) if part)
    if letters < MIN_LETTERS:
        weird = 0.0
    return round(max(0.0, 1.0 - 4.0 * bad - 1.3 * weird / (letters + PRIOR_LETTERS)), 3)


def is_broken(score: float) -> bool:
    """True when a score means the text should not be indexed (OCR it instead)."""
    return score < BROKEN


def cyrillic_share(text: str) -> float:
    """Fraction of Cyrillic among Latin and Cyrillic letters."""
    cyr, lat = len(_CYR.findall(text)), len(_LAT.findall(text))
    return cyr / (cyr + lat) if cyr + lat else 0.0


def _bad_chars(text: str) -> float:
    """Replacement, private-use, control characters; a lone one (a bullet glyph) counts 1/5."""
    if not _BAD.search(text):
        return 0.0
    total = 0.0
    for token in text.split():
        bad = len(_BAD.findall(token))
        total += 0.2 * bad if bad == len(token) <= 3 else bad
    return total


def _mostly_caps(text: str) -> bool:
    """Most words in capitals: then capitals are not acronyms and are judged as words."""
    words = [w for w in _WORD.findall(text) if len(w) >= 2]
    return len(words) >= 4 and sum(w.isupper() for w in words) > 0.6 * len(words)


@lru_cache(maxsize=100_000)
def _word_penalty(word: str, cyrillic_context: bool, caps: bool = False) -> float:
    """Letters of ``word`` that look wrong (0 for a plausible word)."""
    n = len(word)
    if n < 2:
        return 0.0
    letters = word.replace("-", "").replace("'", "").replace("’", "")
    has_cyr = bool(_CYR.search(letters))
    if has_cyr and _LAT.search(letters.replace("i", "").replace("I", "")):
        return n  # mixed scripts
    if not all(_case_ok(part) for part in re.split(r"['’\-]", word) if part):
        return n
    if letters.isupper():
        if cyrillic_context and not has_cyr and n >= 3 and set(letters) <= LOOKALIKES:
            return 0.7 * n  # "KOH": Cyrillic decoded as Latin look-alikes
        if n <= 5 and not caps:
            return 0.0  # an acronym
    if n >= 4 and best_plausibility(letters) < IMPLAUSIBLE:
        return 0.8 * n
    return 0.0


def _case_ok(word: str) -> bool:
    """lower, UPPER, Title, NGOs, McLean, eGov: the case patterns real words use."""
    if word.islower() or word.isupper() or word.istitle() and word[1:].islower():
        return True
    if len(word) > 2 and word[:-1].isupper() and word[-1] == "s":
        return True
    for prefix in ("Mc", "Mac", "De", "Di", "La", "Le", "Van", "Von"):
        if word.startswith(prefix) and _case_ok(word[len(prefix):]) and word[len(prefix)].isupper():
            return True
    k = next((i for i, c in enumerate(word) if c.isupper()), 0)
    return word[0].islower() and 0 < k <= 3 and word[k:].istitle() and word[k + 1:].islower()
