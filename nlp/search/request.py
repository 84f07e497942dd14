"""One search request for every surface.

The Python API (``Index.search``), the CLI (``nlp search``), the HTTP server, ``nlp shell``
and sharded indexes all turn their options into a ``SearchRequest`` with ``make_request``
(one set of checks, one set of defaults) and rank its candidates with ``nlp.search.rank.order``
(one ranking), so a change of the ranking lands everywhere at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from nlp.entities.pipeline import LABELS
from nlp.errors import UserError
from nlp.text.language import LANGS, UND, detect_language

MODES = ("dense", "keyword", "hybrid")
DEFAULT_MODE = "hybrid"  # chosen on the domain and cross-language sets (scripts/eval_*.py)
MAX_QUERY_CHARS = 4000  # the model reads at most 512 tokens; the rest would be cut anyway
_YEARS = re.compile(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?")
_LANG_SPLIT = re.compile(r"[\s,;+]+")


@dataclass(frozen=True)
class SearchRequest:
    """A checked search: what to look for, how to rank it and which chunks may answer."""

    query: str
    k: int = 10
    mode: str | None = None  # dense, keyword or hybrid; None: the index's default
    langs: tuple[str, ...] = ()  # only chunks in these languages; () for all
    doc: str | None = None
    years: tuple[int, int] | None = None
    entities: tuple[tuple[str, str], ...] = ()  # (LABEL, canonical id), all mentioned
    article: str | None = None  # only chunks of this article of a legal act ("37", "19-1")
    collapse: bool = True  # fold chunks that nearly repeat a better hit
    by_lang: bool = False  # the best k in each language, grouped, instead of one list
    expand: bool = True  # search other languages with the query's glossary terms added

    @property
    def query_lang(self) -> str | None:
        """kk, ru or en when the query's language is clear, else None."""
        return query_language(self.query)


def make_request(query: str, k: int = 10, *, lang=None, doc: str | None = None,
                 mode: str | None = None, year=None, entity=None, collapse: bool = True,
                 by_lang: bool = False, expand: bool = True,
                 article: str | None = None) -> SearchRequest:
    """A ``SearchRequest`` from the options every surface takes; ``UserError`` if one is bad.

    ``lang``: "kk", "kk,ru" or a list; ``year``: 2021, "2019-2022" or (2019, 2022);
    ``entity``: "LAW:law:477-IV" or a list of such (all must be mentioned; a LAW entity also
    matches the act's own text); ``article``: "37" (with ``doc`` or a LAW ``entity``)."""
    query = clean_query(query)
    if not query:
        raise UserError("Empty query: give some words to search for")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise UserError(f"k must be a whole number of at least 1, got {k!r}")
    if mode is not None and (not isinstance(mode, str) or mode.lower() not in MODES):
        raise UserError(f"Unknown mode {mode!r}; choose from {', '.join(MODES)}")
    if doc is not None and (not isinstance(doc, str) or not doc):
        raise UserError(f"A document filter is a doc_id (see nlp info), got {doc!r}")
    return SearchRequest(query, int(k), mode.lower() if mode else None, parse_langs(lang),
                         doc, parse_years(year), tuple(parse_entities(entity)),
                         article=parse_article(article), collapse=bool(collapse),
                         by_lang=bool(by_lang), expand=bool(expand))


def parse_article(article) -> str | None:
    """"37" from 37, "37", "ст. 37", "37-бап" or "Art. 37"; None for None or ""."""
    if article is None or article == "":
        return None
    found = re.fullmatch(r"\s*(?:ст\.?|статья|art\.?|article)?\s*(\d+(?:-\d+)*)(?:\s*-?\s*бап)?\s*",
                         str(article), re.IGNORECASE)
    if isinstance(article, bool) or not found:
        raise UserError(f"An article is a number such as 37 or 19-1, got {article!r}")
    return found[1]


def query_language(query: str) -> str | None:
    """kk, ru or en when the query's language is clear, else None."""
    found = detect_language(query)
    return found if found in LANGS else None


def clean_query(query: str) -> str:
    """The query without control characters or lone surrogates, cut to MAX_QUERY_CHARS."""
    if not isinstance(query, str):
        raise UserError(f"A query is text, got {type(query).__name__}")
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c
                   for c in query[:MAX_QUERY_CHARS * 2])
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def parse_langs(lang) -> tuple[str, ...]:
    """("kk", "ru") from "kk,ru", "kk ru", ["kk", "ru"] or "kk"; () for None or ""."""
    if lang is None:
        return ()
    items = _LANG_SPLIT.split(lang) if isinstance(lang, str) else lang
    if not isinstance(items, Iterable):
        raise UserError(f"Unknown language {lang!r}; choose from {', '.join(LANGS)}, {UND}")
    out = []
    for item in items:
        if not isinstance(item, str) or item.strip().lower() not in (*LANGS, UND, ""):
            raise UserError(f"Unknown language {item!r}; choose from {', '.join(LANGS)}, "
                            f"{UND} (several: kk,ru)")
        out.append(item.strip().lower())
    return tuple(dict.fromkeys(lg for lg in out if lg))


def parse_years(year) -> tuple[int, int] | None:
    """(first, last) year from 2021, "2021", "2019-2022" or (2019, 2022); None for None."""
    if year is None:
        return None
    if isinstance(year, (tuple, list)) and len(year) == 2:
        first, last = year
    elif isinstance(year, (int, np.integer)) and not isinstance(year, bool):
        first = last = year
    elif isinstance(year, str) and (m := _YEARS.fullmatch(year)):
        first, last = int(m[1]), int(m[2] or m[1])
    else:
        first = last = None
    if not all(isinstance(y, (int, np.integer)) and not isinstance(y, bool) and
               1000 <= y <= 2999 for y in (first, last)) or first > last:
        raise UserError(f"Year must look like 2021 or 2019-2022 (first <= last), got {year!r}")
    return int(first), int(last)


def parse_entities(entity) -> list[tuple[str, str]]:
    """[(LABEL, canonical_id)] from "LAW:law:477-IV" or a list of such; [] for None."""
    if entity is None:
        return []
    items = [entity] if isinstance(entity, str) else entity
    if not isinstance(items, Iterable):
        raise UserError(f"An entity filter is text like LAW:law:477-IV, got {entity!r}")
    out = []
    for item in items:
        label, _, canonical = item.partition(":") if isinstance(item, str) else ("", "", "")
        label, canonical = label.strip().upper(), canonical.strip()
        if not canonical:
            raise UserError(f"An entity filter is LABEL:canonical_id, e.g. LAW:law:477-IV or "
                            f"ORG:kz.mlsp (see nlp entities), got {item!r}")
        if label not in LABELS:
            raise UserError(f"Unknown label {label!r} in entity filter {item!r}; choose from "
                            f"{', '.join(LABELS)}")
        out.append((label, canonical))
    return list(dict.fromkeys(out))


def run(source, requests: list[SearchRequest]) -> list:
    """The hits of each request from ``source`` (an ``Index`` or ``ShardedIndex``): its
    candidates ranked by ``nlp.search.rank.order``, near repeats folded, grouped by language when
    asked. Requests that differ only in their query are searched as one batch."""
    out: list = [None] * len(requests)
    batches: dict[SearchRequest, list[int]] = {}
    for i, request in enumerate(requests):
        batches.setdefault(replace(request, query=""), []).append(i)
    for options, members in batches.items():
        batch = [requests[i] for i in members]
        found = _by_lang(source, batch) if options.by_lang else _ranked(source, batch)
        for i, hits in zip(members, found, strict=True):
            out[i] = hits
    return out


def _ranked(source, requests: list[SearchRequest]) -> list:
    """One ranked list per request; with ``collapse``, deep enough that ``k`` hits remain
    after near repeats of better hits are folded away (when the index has them)."""
    from nlp.search.rank import collapse, order

    first = requests[0]
    mode = source.search_mode(first.mode)
    vecs: dict = {}  # the query vectors: made once, whatever the depth

    def query_vectors(rows: list[int]):
        """Those of ``rows``; embedded when first asked (after the keyword lists started)."""
        def get() -> dict:
            if not vecs:
                vecs.update(source.query_vectors([r.query for r in requests], first.langs,
                                                 first.expand))
            return {lang: v[rows] for lang, v in vecs.items()}
        return get

    out: dict[int, list] = {}
    pending, depth = list(range(len(requests))), (2 * first.k if first.collapse else first.k)
    while pending:
        found = source.candidates([requests[i] for i in pending], mode, depth,
                                  None if mode == "keyword" else query_vectors(list(pending)))
        for i, cands in zip(list(pending), found, strict=True):
            hits = source.hits(order(cands, mode, requests[i].query_lang, depth))
            keep = (collapse([h.text for h in hits], [h.lang for h in hits])
                    if first.collapse else range(len(hits)))
            if not first.collapse or len(keep) >= first.k or len(hits) < depth:
                out[i] = renumber(type(hits)(hits[j] for j in list(keep)[:first.k]))
                pending.remove(i)
        depth *= 4
    return [out[i] for i in range(len(requests))]


def _by_lang(source, requests: list[SearchRequest]) -> list:
    """The best ``k`` hits in each language, one group after another, groups ordered by
    their best hit; ranks count within a group."""
    langs = requests[0].langs or tuple(source.languages())
    if not langs:
        return [source.hits([]) for _ in requests]
    groups = [_ranked(source, [replace(r, langs=(lang,), by_lang=False) for r in requests])
              for lang in langs]
    out = []
    for i in range(len(requests)):
        lists = sorted((g[i] for g in groups if g[i]), key=lambda hits: -hits[0].score)
        out.append(type(groups[0][i])(h for hits in lists for h in hits))
    return out


def renumber(hits: list) -> list:
    """The hits with ranks 1..n in their order, as the container they came in."""
    for n, hit in enumerate(hits, 1):
        hit.rank = n
    return hits
