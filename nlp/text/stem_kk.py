"""A light Kazakh suffix stemmer: case, possessive and plural endings.

Kazakh stacks endings in a fixed order (stem + plural + possessive + case), so we peel
them from the outside in: a case ending (or a possessive+case compound such as
``-ының``), then a possessive, then a plural. A stem keeps at least two letters and a
vowel. When a vowel-initial ending goes, the voicing it caused is undone
(``министрлігі`` -> ``министрлік``, ``кітабы`` -> ``кітап``).
"""

from __future__ import annotations

from nlp.lang import kk
from nlp.lang.kk import PLURAL, UNVOICE, VOICELESS, VOWELS

COMPOUND = frozenset(p + c for p in kk.POSSESSIVE_3
                     for c in kk.CASE_AFTER_POSSESSIVE_3)  # possessive + case
# The dative "на"/"не" only after a possessive: in the compounds.
CASE = sorted({*kk.CASES, *kk.EQUATIVE, *kk.RELATIVE, *COMPOUND}, key=len, reverse=True)
# Bare "м" / "ң" (1st/2nd person after a vowel) are left alone: too many stems end in them.
POSSESSIVE = sorted(set(kk.POSSESSIVE), key=len, reverse=True)
MIN_STEM = 2
# Function words and -стан names whose last letters only look like endings.
INVARIANT = frozenset("және мен бен пен немесе бірақ үшін туралы бойынша дейін кейін арқылы "
                      "сияқты ғана тек әрі не де да та те ал".split())


def stem(word: str) -> str:
    """The stem of one lower-case Kazakh word."""
    if word in INVARIANT or word.endswith("стан"):
        return word
    word, ending = _strip(word, CASE)
    if ending not in COMPOUND:  # a compound ending took the possessive already
        word, _ = _strip(word, POSSESSIVE)
    return _strip(word, PLURAL)[0]


def _strip(word: str, endings) -> tuple[str, str]:
    """(word without the longest ending that leaves a real stem, that ending or "")."""
    for ending in endings:
        if word.endswith(ending):
            rest = word[: -len(ending)]
            if len(rest) >= MIN_STEM and VOWELS.intersection(rest) and _fits(rest, ending):
                if ending[0] in VOWELS and rest[-1] in UNVOICE:
                    rest = rest[:-1] + UNVOICE[rest[-1]]
                return rest, ending
    return word, ""


def _fits(rest: str, ending: str) -> bool:
    """Endings change their first consonant with the sound before them (-та after a voiceless
    consonant, -да after a vowel or voiced one): an ending that does not fit is no ending
    (``квота`` is not ``кво`` + ``-та``)."""
    voiceless = rest[-1] in VOICELESS
    if ending[0] in "тқк":
        return voiceless
    if ending[0] in "дгғл":
        return not voiceless
    return True
