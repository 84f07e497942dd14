"""A kk/ru/en glossary of the field's terms, to meet passages in their own words.

"refugee status" shares no word with «статус беженца» or «босқын мәртебесі», and the
multilingual model matches a question more loosely across languages than within one.
``nlp/data/glossary.json`` lists the terms of migration policy and law with their usual
forms in each language (босқын / беженец / refugee, ықтиярхат / вид на жительство /
residence permit, ...). ``translate`` finds the entries a query mentions (every stemmed
word of a form present in the query) and gives, for each other language, the forms of
those entries; search embeds the query followed by them for that language's passages
(``nlp.index.Index.query_vectors``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from nlp.analysis import russian_lemma, terms, words
from nlp.language import LANGS

MAX_ENTRIES = 12  # a pasted passage mentions many terms: its translation would match all
MAX_WORDS = 30  # ... and a longer query is a pasted passage (as nlp.rank.LOOKUP_WORDS)


@lru_cache(maxsize=1)
def entries() -> list[dict[str, list[str]]]:
    """The glossary: one {lang: [forms]} per concept."""
    text = resources.files("nlp").joinpath("data/glossary.json").read_text(encoding="utf-8")
    return [e for e in json.loads(text) if all(e.get(lang) for lang in LANGS)]


KK_PREFIX_MIN = 4  # a Kazakh stem this long may match a longer word it opens


def keys(word: str, lang: str) -> set[str]:
    """The forms a word is matched by: its stem, and for Russian also its lemma's stem
    (Snowball stems "беженцев" to "беженц" but "беженец" to "беженец")."""
    out = {stem for stem in terms(word, lang)}
    if lang == "ru" and word.isalpha():
        out |= set(terms(russian_lemma(word), lang))
    return out


@lru_cache(maxsize=len(LANGS))
def _index(lang: str) -> list[tuple[tuple[frozenset[str], ...], int]]:
    """(The keys of each word of a form, its entry) for every form in ``lang``."""
    out = []
    for n, entry in enumerate(entries()):
        for form in entry.get(lang, ()):
            found = tuple(frozenset(keys(w, lang)) for w in words(form))
            if found and all(found):
                out.append((found, n))
    return out


def mentioned(query: str, lang: str) -> list[int]:
    """The entries whose form in ``lang`` the query holds (every word of the form, in any
    inflection), most specific (longest form) first, each once."""
    said = words(query)
    have = set().union(*(keys(w, lang) for w in said)) if said else set()

    def holds(word_keys: frozenset[str]) -> bool:
        if word_keys & have:
            return True  # Kazakh stems are not always consistent: "босқын" -> "босқ"
        return lang == "kk" and any(len(k) >= KK_PREFIX_MIN and w.startswith(k)
                                    for k in word_keys for w in said)

    found = sorted(((len(form), n) for form, n in _index(lang)
                    if all(holds(word_keys) for word_keys in form)), reverse=True)
    return list(dict.fromkeys(n for _, n in found))


def translate(query: str, lang: str | None) -> dict[str, str]:
    """For each language other than the query's: the forms, in that language, of the
    glossary entries the query mentions, as one keyword query ("" entries: left out).
    Nothing for a query whose language is unknown, of over ``MAX_WORDS`` words or that
    mentions over ``MAX_ENTRIES`` entries."""
    if lang not in LANGS or len(query.split()) > MAX_WORDS:
        return {}
    found = mentioned(query, lang)
    if not found or len(found) > MAX_ENTRIES:
        return {}
    table = entries()
    return {other: " ".join(form for n in found for form in table[n][other])
            for other in LANGS if other != lang}
