"""Text -> keyword terms for exact-term search: per-language stemming and folding.

Russian and English use the Snowball stemmers (``snowballstemmer``); Kazakh uses our
suffix stemmer (``nlp.text.stem_kk``). Case and ё/е are folded. Tokens with digits
(``477-IV``, ``2022``) are kept whole. The stemmer is picked per token from its script
and the text's language, so a Russian name in an English text still stems as Russian.

``name_keys`` gives each capitalised word (a name, mostly) a script-neutral key as well: the
word spelt in a reduced Latin alphabet, Kazakh letters read as their Russian neighbours
(қ = к, ұ = у, і = и), х and "kh" as к, vowel runs cut to their first vowel and double
letters made single. ``name_prefixes`` gives a query's names the same keys, made from their
stems and matched as prefixes, so "the Bolashak scholarship" finds "«Болашақ» стипендиясы"
and "программы «Болашак»", "Serpin" finds "Серпінге", "Tokayev" finds "Токаева", and
"Kazakhstan", "Казахстана" and "Қазақстан" meet.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache, lru_cache

from nlp.text.stem_kk import stem as stem_kk

_TOKEN = re.compile(r"\w+(?:[-‐‑'’]\w+)*")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_KK_ONLY = re.compile(r"[әғқңөұүһі]")
NAME_PREFIX = "xn"  # name keys share the keyword index with terms: "xn" + skeleton
NAME_MIN_LETTERS = 4  # shorter capitalised words ("Tom", "Ali", "ООН") match too much
_CYR_LATIN = str.maketrans({
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "э": "e", "ж": "zh", "з": "z", "и": "i", "і": "i", "й": "i", "ы": "i", "к": "k", "қ": "k",
    "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "k", "һ": "h", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "sh", "ъ": "", "ь": "", "ю": "iu", "я": "ia",
})
_LATIN = [("sh", "\x01"), ("ch", "\x02"), ("kh", "k"), ("ph", "f"), ("q", "k"), ("c", "k"),
          ("x", "ks"), ("w", "v"), ("y", "i"), ("j", "zh"), ("ş", "\x01"), ("ç", "\x02"),
          ("ı", "i"), ("\x01", "sh"), ("\x02", "ch")]
# what stands before a word that opens a sentence (looked for in the 12 characters before)
_SENTENCE_START = re.compile(r"(?:^|[.!?…]|\n\s*\n)[\s\"“(\[-]*$")
_VOWEL_RUN = re.compile(r"([aeiou])[aeiou]+")
_DOUBLE = re.compile(r"([a-z])\1+")


def terms(text: str, lang: str = "und") -> list[str]:
    """Keyword terms of ``text`` in order (duplicates kept)."""
    return [_term(word, lang) for word in words(text)]


def words(text: str) -> list[str]:
    """The words ``terms`` stems, lower-cased and ё/е folded, in order."""
    return [m.group().lower().replace("ё", "е") for m in _TOKEN.finditer(text)]


def name_keys(text: str) -> list[str]:
    """Keys of the capitalised words of ``text`` as written (see the module docstring):
    "Серпінге" -> xnserpinge, which a search for "Serpin" finds by prefix. A word opening a
    sentence is left out: its capital says nothing ("Қазақша сөйле." is no name)."""
    return [name_key(word.lower().replace("’", "'")) for word in _names(text, inner=True)]


def name_prefixes(text: str, langs: tuple[str, ...] = ("kk", "ru")) -> list[str]:
    """The keys of the stems of ``text``'s capitalised words under each analyser, to be
    matched as prefixes of ``name_keys``: "Нур-Султане" -> xnnur-sultan, "Tokayev" ->
    xntokav. Stems whose skeleton has under ``NAME_MIN_LETTERS`` letters are left out."""
    out: dict[str, None] = {}
    for word in _names(text):
        for lang in langs:
            key = name_key(_term(word.lower().replace("ё", "е"), lang))
            if sum(c.isalpha() for c in key) - len(NAME_PREFIX) >= NAME_MIN_LETTERS:
                out[key] = None
    return list(out)


def _names(text: str, inner: bool = False) -> list[str]:
    """Capitalised words of ``NAME_MIN_LETTERS`` letters or more, without digits; ``inner``:
    not those opening the text or a sentence (one in «» stays: "«Болашақ» бағдарламасы")."""
    return [m.group() for m in _TOKEN.finditer(text)
            if m.group()[0].isupper() and not any(c.isdigit() for c in m.group())
            and sum(c.isalpha() for c in m.group()) >= NAME_MIN_LETTERS
            and not (inner and _opens_sentence(text, m.start()))]


def _opens_sentence(text: str, start: int) -> bool:
    return bool(_SENTENCE_START.search(text, max(0, start - 12), start))


@lru_cache(maxsize=200_000)
def name_key(term: str) -> str:
    """``NAME_PREFIX`` + the skeleton of a lower-cased word or stem: "болашақ", "bolashak" ->
    xnbolashak."""
    key = term.replace("ё", "е").translate(_CYR_LATIN)
    for old, new in _LATIN:
        key = key.replace(old, new)
    key = "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))
    return NAME_PREFIX + _DOUBLE.sub(r"\1", _VOWEL_RUN.sub(r"\1", key)).replace("'", "")


@lru_cache(maxsize=200_000)
def _term(token: str, lang: str) -> str:
    token = token.replace("‐", "-").replace("‑", "-").replace("’", "'")
    if any(c.isdigit() for c in token):
        return token
    if _CYRILLIC.search(token):
        kazakh = lang == "kk" or _KK_ONLY.search(token)
        return stem_kk(token) if kazakh else _snowball("russian").stemWord(token)
    return _snowball("english").stemWord(token)


@cache
def morph():
    """One pymorphy3 analyzer per process, loaded on first use (~0.1 s)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=100_000)
def russian_lemma(word: str) -> str:
    """The dictionary form of a Russian word by its most likely reading ("беженцев" ->
    "беженец": Snowball gives "беженц" and "беженец", pymorphy3 one lemma)."""
    return morph().parse(word)[0].normal_form.replace("ё", "е")


def _snowball(language: str):
    """This thread's Snowball stemmer for ``language``: a stemmer keeps state while it works,
    so two threads (hybrid search stems on its keyword thread and the glossary on the
    caller's) must not share one."""
    stemmers = _LOCAL.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        import snowballstemmer

        stemmers[language] = snowballstemmer.stemmer(language)
    return stemmers[language]


_LOCAL = threading.local()


NEUTRAL_MAX = 3  # identifiers in a look-up query; more, or a long query, is a pasted passage
LOOKUP_WORDS = 12


def neutral_terms(query: str) -> str:
    """The identifiers of a look-up ``query`` that read the same in every language (477-IV,
    2011): words of 3 or more characters with a digit. "" for none, for more than
    ``NEUTRAL_MAX``, or for a query of over ``LOOKUP_WORDS`` words: in a pasted passage shared
    numbers match unrelated passages of the other language."""
    words = query.split()
    found = [w.strip(".,;:()[]«»\"'") for w in words]
    found = [w for w in found if len(w) >= 3 and any(c.isdigit() for c in w)]
    return " ".join(found) if len(found) <= NEUTRAL_MAX and len(words) <= LOOKUP_WORDS else ""
