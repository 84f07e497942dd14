"""Text -> keyword terms for exact-term search: per-language stemming and folding.

Russian and English use the Snowball stemmers (``snowballstemmer``); Kazakh uses our
suffix stemmer (``nlp.stem_kk``). Case and ё/е are folded. Tokens with digits
(``477-IV``, ``2022``) are kept whole. The stemmer is picked per token from its script
and the text's language, so a Russian name in an English text still stems as Russian.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from nlp.stem_kk import stem as stem_kk

_TOKEN = re.compile(r"\w+(?:[-‐‑'’]\w+)*")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_KK_ONLY = re.compile(r"[әғқңөұүһі]")


def terms(text: str, lang: str = "und") -> list[str]:
    """Keyword terms of ``text`` in order (duplicates kept)."""
    return [_term(word, lang) for word in words(text)]


def words(text: str) -> list[str]:
    """The words ``terms`` stems, lower-cased and ё/е folded, in order."""
    return [m.group().lower().replace("ё", "е") for m in _TOKEN.finditer(text)]


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
def _snowball(language: str):
    import snowballstemmer

    return snowballstemmer.stemmer(language)
