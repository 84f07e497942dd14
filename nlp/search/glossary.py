"""A kk/ru/en glossary of the field's terms, to meet passages in their own words.

"refugee status" shares no word with «статус беженца» or «босқын мәртебесі», and the
multilingual model matches a question more loosely across languages than within one.
``nlp/data/glossary.json`` lists the terms of migration policy and law with their usual
forms in each language (босқын / беженец / refugee, ықтиярхат / вид на жительство /
residence permit, ...). ``translate`` finds the entries a query mentions (every stemmed
word of a form present in the query) and gives, for each other language, the forms of
those entries; search embeds the query followed by them for that language's passages
(``nlp.search.engine.Index.query_vectors``).
"""

from __future__ import annotations

import json
from functools import lru_cache

from nlp.data import DATA
from nlp.text.language import LANGS
from nlp.text.terms import russian_lemma, terms, words

MAX_ENTRIES = 12  # a pasted passage mentions many terms: its translation would match all
MAX_WORDS = 30  # ... and a longer query is a pasted passage (as nlp.text.terms.LOOKUP_WORDS)


@lru_cache(maxsize=1)
def entries() -> list[dict[str, list[str]]]:
    """The glossary: one {lang: [forms]} per concept."""
    text = (DATA / "glossary.json").read_text(encoding="utf-8")
    return [e for e in json.loads(text) if all(e.get(lang) for lang in LANGS)]


KK_PREFIX_MIN = 4  # a Kazakh stem this long may match a longer word it opens
# English one-word forms that are everyday words in another sense ("It will be fine." is no
# penalty, "Act like a man." no law): they translate, but never match a query on their own
# (bitext en->ru acc@1 0.950 -> 0.943 when "fine" and "act" did)
NOT_ALONE = {"en": frozenset("""
    act fine order right term move moving change charge challenge work pay living return
    notice national individual item host capital manner motion statement sentence division
    study studies minor interview official duty benefit treatment supplement register request
    removal edition wording revision addition additions concept conception faith
    """.split())}


def keys(word: str, lang: str) -> set[str]:
    """The forms a word is matched by: its stem, and for Russian also its lemma's stem
    (Snowball stems "беженцев" to "беженц" but "беженец" to "беженец")."""
    out = {stem for stem in terms(word, lang)}
    if lang == "ru" and word.isalpha():
        out |= set(terms(russian_lemma(word), lang))
    return out


@lru_cache(maxsize=len(LANGS))
def _index(lang: str) -> tuple[list[tuple[tuple[frozenset[str], ...], int]], dict]:
    """(forms, by_key): (the keys of each word of a form, its entry) for every form in
    ``lang``, and for each key the forms that have it."""
    forms, by_key = [], {}
    alone = NOT_ALONE.get(lang, frozenset())
    for n, entry in enumerate(entries()):
        for form in entry.get(lang, ()):
            if form.lower() in alone:
                continue
            found = tuple(frozenset(keys(w, lang)) for w in words(form))
            if found and all(found):
                for key in set().union(*found):
                    by_key.setdefault(key, []).append(len(forms))
                forms.append((found, n))
    return forms, by_key


def mentioned(query: str, lang: str) -> list[int]:
    """The entries whose form in ``lang`` the query holds (every word of the form, in any
    inflection), longest form first; an entry whose words a longer form already took is
    left out ("refugee status" takes "refugee" and "status")."""
    forms, by_key = _index(lang)
    places: dict[str, set[int]] = {}  # key -> the query words it matches
    for i, word in enumerate(words(query)):
        found = keys(word, lang)
        if lang == "kk":  # Kazakh stems are not always consistent: "босқын" -> "босқ"
            found |= {word[:end] for end in range(KK_PREFIX_MIN, len(word))}
        for key in found:
            places.setdefault(key, set()).add(i)
    held = []  # (words in the form, entry, the query words it covers)
    for f in sorted({f for key in places for f in by_key.get(key, ())}):
        form, n = forms[f]
        where = [set().union(*(places.get(k, set()) for k in word_keys)) for word_keys in form]
        if all(where):
            held.append((len(form), n, set().union(*where)))
    taken: set[int] = set()
    out: list[int] = []
    for _, n, covered in sorted(held, key=lambda h: (-h[0], h[1])):
        if n not in out and not covered <= taken:
            out.append(n)
            taken |= covered
    return out


def translate(query: str, lang: str | None) -> dict[str, str]:
    """For each language other than the query's: the usual form (the first), in that
    language, of each glossary entry the query mentions (``mentioned``), joined by spaces
    (all forms were no better on the dev questions and made the query three times longer).
    Nothing for a query whose language is unknown, of over ``MAX_WORDS`` words or that
    mentions over ``MAX_ENTRIES`` entries."""
    if lang not in LANGS or len(query.split()) > MAX_WORDS:
        return {}
    found = mentioned(query, lang)
    if not found or len(found) > MAX_ENTRIES:
        return {}
    table = entries()
    return {other: " ".join(table[n][other][0] for n in found)
            for other in LANGS if other != lang}
