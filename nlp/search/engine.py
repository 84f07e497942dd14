"""An index directory: ``manifest.json``, ``store.sqlite`` and ``vectors.faiss``.

``Index`` is the notebook API: search hits, and DataFrames of documents, chunks and
entities. The store is the truth; the FAISS file is a cache of its vectors, checked
against the SHA-256 in the manifest and brought in step with the store on open (vectors
of chunks the store no longer has are dropped, missing ones added from the store), so an
interrupted ingest or a damaged file costs time, never answers. Readers take no lock and
see the last committed state, also while an ingest is running.

Search has three modes: ``dense`` (FAISS over the chunk vectors, each language searched on
its own and the candidates merged by calibrated cosine, ``nlp.search.rank.calibrated``),
``keyword`` (BM25 over the analysed terms, ``nlp.index.keyword``) and ``hybrid`` (the two fused
per language). ``Index`` is the source of candidates for ``nlp.search.request.run``, which ranks
them (``nlp.search.rank.order``). Filters (languages, document, year, entities) become one SQL
condition on the chunks; the allowed ids go into the exact vector search and the condition
into the keyword query, so a filter never costs top-k recall.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from nlp.errors import IndexMismatch, UserError
from nlp.index.layout import (
    STORE,
    VECTORS,
    default_index,
    file_sha,
    quote,
    read_manifest,
    rebuild_command,
)
from nlp.index.store import (
    ACT,
    DOCUMENT_COLUMNS,
    ENTITY_COLUMNS,
    Store,
    chunk_filter,
    quote_columns,
)
from nlp.index.vectors import load_vectors
from nlp.records import Hit
from nlp.search.cite import citation
from nlp.search.glossary import translate
from nlp.search.rank import Candidates
from nlp.search.request import (
    DEFAULT_MODE,
    LABELS,
    SearchRequest,
    make_request,
    parse_article,
    parse_langs,
    query_language,
)
from nlp.search.request import run as run_requests
from nlp.text.language import LANGS, UND
from nlp.text.legal import cited_article

# the query vectors of a search (Index.query_vectors), or a function that makes them
QueryVectors = dict[str, np.ndarray] | Callable[[], dict[str, np.ndarray]] | None
FUSION_DEPTH = 50  # hybrid fuses the top max(FUSION_DEPTH, depth) of each list


class Hits(list):
    """Search results: a list of ``Hit`` with a DataFrame view (a table in Jupyter)."""

    query: str = ""  # what was asked (set by ``Index.run``): the best sentence is found for it

    def to_frame(self):
        """One row per hit with the fields of ``Hit`` and ``best_sentence`` (the sentence of
        the passage that best matches the query)."""
        import pandas as pd

        from nlp.search.rank import best_sentence

        rows = []
        for hit in self:
            start, end = best_sentence(hit.text, self.query, hit.lang) if self.query else (0, 0)
            rows.append({**hit.to_dict(), "best_sentence": " ".join(hit.text[start:end].split())})
        return pd.DataFrame(rows, columns=[*Hit.__dataclass_fields__, "best_sentence"])

    def _repr_html_(self) -> str:
        """Rank, score, language, citation and the best sentence (escaped) for notebooks."""
        if not self:
            return "<p>No hits.</p>"
        view = self.to_frame()[["rank", "score", "lang", "citation", "best_sentence"]]
        return view.to_html(index=False, escape=True)


class Index:
    """A read view of an index directory (see ``open_index``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.manifest = read_manifest(self.path)
        self.store = Store(self.path / STORE, readonly=True)
        self._keyword = None  # (thread, its own connection) for hybrid's keyword lists
        self._by_lang = None  # sorted chunk ids per language, read on the first search
        self._sums = None  # chunk count and vector sum per language (nlp.index.langstats)
        try:
            self.vectors = load_vectors(self.path / VECTORS, self.store, self.manifest["dim"],
                                        file_sha(self.manifest, VECTORS))
            if hasattr(self.vectors, "exact"):  # an approximate index re-scores from the store
                self.vectors.exact = self._exact_vectors
        except BaseException:
            self.store.close()
            raise

    def close(self) -> None:
        if self._keyword is not None:
            thread, store = self._keyword
            thread.shutdown(cancel_futures=True)
            store.close()
            self._keyword = None
        self.store.close()

    def _exact_vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored float32 vectors of ``ids``; NaN rows for chunks deleted since."""
        return self.store.vectors_for(ids, self.vectors.dim, missing_ok=True)

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def search(self, query: str, k: int = 10, lang=None, doc: str | None = None, *,
               mode: str | None = None, year=None, entity=None, collapse: bool = True,
               by_lang: bool = False, expand: bool = True, article=None) -> Hits:
        """The ``k`` best chunks for ``query``; see ``batch_search`` for the options."""
        return self.batch_search([query], k, lang, doc, mode=mode, year=year, entity=entity,
                                 collapse=collapse, by_lang=by_lang, expand=expand,
                                 article=article)[0]

    def batch_search(self, queries: list[str], k: int = 10, lang=None,
                     doc: str | None = None, *, mode: str | None = None, year=None,
                     entity=None, collapse: bool = True, by_lang: bool = False,
                     expand: bool = True, article=None) -> list[Hits]:
        """The ``k`` best chunks per query.

        ``mode``: ``dense`` (score = the calibrated cosine, ``nlp.search.rank.calibrated``: the
        cosine minus the query's cosine to the centroid of the chunk's language, so that no
        language is favoured), ``keyword`` (score = -BM25 of the stemmed terms) or
        ``hybrid`` (``nlp.search.rank.order``: the calibrated dense ranking decides each language's
        places, each language's places go to the reciprocal-rank fusion of its dense and
        keyword hits; score = the calibrated score of the place); default ``DEFAULT_MODE``.
        Filters, all combined: ``lang`` ("kk", "kk,ru" or a list), ``doc`` (a doc_id),
        ``year`` (2021, "2019-2022" or (2019, 2022); the document's year from its metadata)
        ``entity`` ("LAW:law:477-IV" or a list, all mentioned by the chunk; a LAW also matches
        the act's own text) and ``article`` (37, "19-1": that article of a legal act).
        ``collapse`` (default) drops chunks that nearly repeat a better one and still
        returns ``k`` hits when there are; ``by_lang`` gives the best ``k`` in each language.
        ``expand`` (default) searches the other languages with the glossary terms of the
        query added (``query_vectors``); off, a search costs one pass of the model.
        """
        return self.run([make_request(q, k, lang=lang, doc=doc, mode=mode, year=year,
                                      entity=entity, collapse=collapse, by_lang=by_lang,
                                      expand=expand, article=article) for q in queries])

    def run(self, requests: list[SearchRequest]) -> list[Hits]:
        """The hits of each ``SearchRequest`` (``nlp.search.request.run``)."""
        found = run_requests(self, requests)
        for hits, request in zip(found, requests, strict=True):
            if isinstance(hits, Hits):
                hits.query = request.query
        return found

    # --- the source interface of nlp.search.request.run -------------------------------------------

    def candidates(self, requests: list[SearchRequest], mode: str, depth: int,
                   vecs: QueryVectors = None) -> list[Candidates]:
        """What the vectors and the keyword index find for each request (same options);
        ``vecs``: the ``query_vectors`` or a function that gives them (called once the
        keyword lists are under way), when the caller has them."""
        first = requests[0]
        where, args = self._filter(first)
        queries = [r.query for r in requests]
        if mode == "keyword":
            return [Candidates(keyword=self.store.keyword_search(q, depth, where, args, "all"))
                    for q in queries]
        allowed = self._allowed_by_lang(first.langs, where, args)
        if not allowed:
            return [Candidates() for _ in queries]
        if vecs is None:
            def vecs():
                return self.query_vectors(queries, first.langs, first.expand)
        if mode == "dense":
            return self._dense(queries, depth, allowed, vecs)
        depth = max(FUSION_DEPTH, depth)
        keyword = self._keyword_lists(queries, depth, where, args)
        try:  # BM25 on the keyword thread while the queries are embedded
            found = self._dense(queries, depth, allowed, vecs)
            lists = [future.result() for future in keyword]
        finally:
            for future in keyword:
                future.cancel()
        for cands, (same, neutral), query in zip(found, lists, queries, strict=True):
            cands.same, cands.neutral = same, neutral
            cands.lang |= self.store.langs_of({i for i, _ in [*same, *neutral]}
                                              - cands.lang.keys())
            if (article := cited_article(query)) is not None:
                cands.article = self.store.in_article(cands.lang, article)
        return found

    def search_mode(self, mode: str | None) -> str:
        """The mode to search in; refuses keyword modes on an index without keywords."""
        wanted = mode or DEFAULT_MODE
        if wanted == "dense" or self.store.has_keyword_index():
            return wanted
        fix = (f"add it with: nlp doctor --index {quote(str(self.path))} --repair "
               f"(or any nlp ingest ... --index {quote(str(self.path))})")
        if mode is None:
            warnings.warn(f"Index {self.path} has no keyword index (made by an older nlp), so "
                          f"this search is dense only; {fix}", stacklevel=5)
            return "dense"
        raise UserError(f"Index {self.path} has no keyword index for --mode {wanted} (made by "
                        f"an older nlp); {fix}")

    def languages(self) -> list[str]:
        """The languages of the chunks, most chunks first."""
        counts = self.lang_counts()
        return sorted(counts, key=lambda lang: -counts[lang])

    def lang_counts(self) -> dict[str, int]:
        """Chunks per language (as this open index sees them)."""
        return {lang: len(ids) for lang, ids in self._lang_ids().items()}

    def hits(self, pairs: list[tuple[int, float]]) -> Hits:
        """``Hit`` records of (chunk id, score) pairs, in their order."""
        rows = self.store.chunk_rows(i for i, _ in pairs)
        texts = self.store.article_texts(r["act"] for r in rows.values() if r["act"])
        return Hits(
            Hit(rank=n, score=round(s, 6 if abs(s) < 0.1 else 4), doc_id=r["doc_id"],
                path=r["path"], title=r["title"] or "", page_start=r["page_start"],
                page_end=r["page_end"], lang=r["lang"], chunk_id=r["chunk_id"], text=r["text"],
                article=r["article"], section=r["section"] or "", act=r["act"] or "",
                also_in=[d for d in texts.get((r["act"], r["article"]), []) if d != r["doc_id"]],
                citation=citation(title=r["title"] or r["doc_id"], lang=r["lang"],
                                  act=r["act"] or "", article=r["article"],
                                  page_start=r["page_start"], page_end=r["page_end"],
                                  authors=r["authors"], year=r["year"],
                                  journal=r["journal"] or "", doi=r["doi"] or ""))
            for n, (s, r) in enumerate(((s, rows[i]) for i, s in pairs if i in rows), 1))

    def entity_counts(self, chunk_ids, labels) -> list[tuple]:
        """(label, key, a text of it, mentions, canonical id or None) of the entities of
        ``labels`` in those chunks, most mentioned first; the key is the canonical id, else
        the normal form."""
        chunk_ids, labels = list(dict.fromkeys(chunk_ids)), list(labels)
        if not chunk_ids:
            return []
        rows = self.store.db.execute(
            "SELECT label, COALESCE(canonical_id, norm, text) AS key, MIN(text), COUNT(*) AS n, "
            "MAX(canonical_id) "
            f"FROM entities WHERE chunk_id IN ({','.join('?' * len(chunk_ids))}) "
            f"AND label IN ({','.join('?' * len(labels))}) GROUP BY label, key "
            "ORDER BY n DESC, key", [*chunk_ids, *labels]).fetchall()
        return [tuple(r) for r in rows]

    def document_titles(self, limit: int) -> list[tuple[str, str]] | None:
        """(doc_id, title) of every document, None when there are more than ``limit``."""
        rows = self.store.db.execute("SELECT doc_id, COALESCE(title, doc_id) FROM documents "
                                     "ORDER BY doc_id LIMIT ?", (limit + 1,)).fetchall()
        return None if len(rows) > limit else [tuple(r) for r in rows]

    def document_meta(self, doc_ids) -> dict[str, dict]:
        """doc_id -> the metadata the parser found (title, authors, year, DOI, journal...)."""
        doc_ids = list(dict.fromkeys(doc_ids))
        if not doc_ids:
            return {}
        rows = self.store.db.execute(
            f"SELECT doc_id, path, title, meta, {ACT} AS act FROM documents d "
            f"WHERE doc_id IN ({','.join('?' * len(doc_ids))})", doc_ids).fetchall()
        return {d: {**json.loads(meta or "{}"), "title": title, "path": path, "act": act}
                for d, path, title, meta, act in rows}

    # --- candidates ----------------------------------------------------------------------

    def _allowed_by_lang(self, langs: tuple[str, ...], where: str,
                         args: list) -> dict[str, np.ndarray | None]:
        """The ids each language's dense search may return (None: any); languages with no
        such chunk are left out. Each language is searched on its own, so that every one
        brings its best candidates to the calibrated merge."""
        by_lang = self._lang_ids()
        wanted = [lg for lg in (langs or by_lang) if lg in by_lang]
        if where == "1" and len(wanted) == len(by_lang) == 1:
            return {wanted[0]: None}
        filtered = None if where == "1" else self.store.ids_where(where, args)
        out = {}
        for lang in wanted:
            ids = by_lang[lang] if filtered is None else np.intersect1d(
                filtered, by_lang[lang], assume_unique=True)
            if len(ids):
                out[lang] = ids
        return out

    def _lang_ids(self) -> dict[str, np.ndarray]:
        """Sorted chunk ids per language, read once per open index."""
        if self._by_lang is None:
            self._by_lang = self.store.ids_by_lang()
        return self._by_lang

    def _lang_sums(self) -> dict[str, tuple[int, np.ndarray]]:
        """Chunk count and vector sum per language (``nlp.index.langstats``), read once."""
        if self._sums is None:
            self._sums = self.store.lang_stats()
        return self._sums

    def _keyword_lists(self, queries: list[str], depth: int, where: str,
                       args: list) -> list[Future]:
        """Futures of each query's keyword ids for hybrid (hits on all its terms, hits on
        its identifiers), found on a thread with a connection of its own: SQLite's BM25
        runs while the query is embedded (both let go of the GIL), on the other core."""
        if self._keyword is None:
            self._keyword = (ThreadPoolExecutor(1, thread_name_prefix="nlp-keyword"),
                             Store(self.path / STORE, readonly=True, any_thread=True))
        thread, store = self._keyword

        def lists(query: str) -> tuple[list, list]:
            return (store.keyword_search(query, depth, where, args, "terms"),
                    store.keyword_search(query, depth, where, args, "neutral"))

        return [thread.submit(lists, q) for q in queries]

    def embed_queries(self, queries: list[str]) -> np.ndarray:
        """The query vectors, checked against the index's dimension."""
        from nlp.embed.embedders import load_embedder

        vecs = load_embedder(self.manifest["model"]).embed_queries(queries)
        if vecs.shape[1] != self.vectors.dim:
            raise IndexMismatch(
                f"Model {self.manifest['model']} now gives {vecs.shape[1]}-d vectors, the index "
                f"at {self.path} holds {self.vectors.dim}-d. Rebuild it: "
                f"{rebuild_command(self.path, self.manifest['model'])}")
        return vecs

    def query_vectors(self, queries: list[str], langs: tuple[str, ...] = (),
                      expand: bool = True) -> dict[str, np.ndarray]:
        """{"": the queries' vectors, lang: the vectors each language is searched with}.

        A language other than the query's is searched with the query followed by the
        glossary forms, in that language, of the field's terms it mentions
        (``nlp.search.glossary.translate``): the model then meets the passage's own words, and
        the query stays the same for the languages it says nothing about. Only the
        languages searched (``langs``, or all the index holds) are expanded, each one more
        pass of the model (``expand=False``: none). One batch."""
        searched = set(langs or self._lang_ids()) if expand else set()
        texts, rows = list(queries), {lang: list(range(len(queries))) for lang in LANGS}
        for i, query in enumerate(queries if searched else ()):
            for lang, words in translate(query, query_language(query)).items():
                if lang in searched and words:
                    rows[lang][i] = len(texts)
                    texts.append(f"{query} {words}")
        vecs = self.embed_queries(texts)
        return {"": vecs[:len(queries)], **{lang: vecs[r] for lang, r in rows.items()}}

    def _dense(self, queries: list[str], n: int, allowed: dict[str, np.ndarray | None],
               vecs: QueryVectors) -> list[Candidates]:
        """Per query: the top ``n`` (chunk id, cosine) of each language, each language
        searched with its own query vector (``query_vectors``), and the language sums for
        calibration."""
        out = [Candidates() for _ in queries]
        if len(self.vectors) == 0:
            return out
        vecs = vecs() if callable(vecs) else vecs
        jobs = [(vecs.get(lang, vecs[""]), n, ids) for lang, ids in allowed.items()]
        for lang, (scores, found) in zip(allowed, self.vectors.search_each(jobs), strict=True):
            for cands, row_s, row_i in zip(out, scores, found, strict=True):
                pairs = [(int(i), float(s)) for s, i in zip(row_s, row_i, strict=True) if i >= 0]
                cands.dense += pairs
                cands.lang |= dict.fromkeys((i for i, _ in pairs), lang)
        for cands, sums in zip(out, self.lang_sums(vecs), strict=True):
            cands.sums = sums
        return out

    def lang_sums(self, vecs: dict[str, np.ndarray]) -> list[dict[str, tuple]]:
        """Per query: {lang: (its chunks, v · their vector sum, all chunks, v · the sum of
        all vectors)} for every language of the index, ``v`` the vector it is searched with
        (``nlp.search.rank.offsets`` makes the calibration of them; sums add up across shards)."""
        sums = self._lang_sums()
        if not sums:
            return [{} for _ in vecs[""]]
        n_all = sum(n for n, _ in sums.values())
        total = np.sum([t for _, t in sums.values()], axis=0).astype(np.float32)
        out: list[dict[str, tuple]] = [{} for _ in vecs[""]]
        for lang in dict.fromkeys([*LANGS, UND, *sums]):  # all, so shards' parts add up
            n_lang, lang_total = sums.get(lang, (0, np.zeros_like(total)))
            v = vecs.get(lang, vecs[""])
            dots, alls = v @ lang_total.astype(np.float32), v @ total
            for row, found in enumerate(out):
                found[lang] = (n_lang, float(dots[row]), n_all, float(alls[row]))
        return out

    def _filter(self, request: SearchRequest) -> tuple[str, list]:
        """The SQL condition for the request's filters, after checking them on this index."""
        doc = request.doc
        if doc is not None and doc not in self.store.paths():
            raise UserError(f"No document {doc!r} in {self.path}. See: nlp info --index "
                            f"{self.path}")
        for label, canonical in request.entities:
            if not self.store.has_entity(label, canonical):
                raise UserError(f"No chunk in {self.path} mentions {label}:{canonical}; list "
                                f"them: nlp entities --index {self.path} --label {label}")
        return chunk_filter(request.langs, doc, request.years, request.entities,
                            request.article)

    def documents(self):
        """DataFrame: one row per document; ``act``: the key of a legal act it is the text of
        (its kk, ru and en texts share it), else None; ``chunks``: its searchable chunks (0:
        it gave no text, see the ingest summary); ``year``, ``authors`` (a JSON list),
        ``journal``, ``doi``: what the parser found, else None."""
        columns = quote_columns(DOCUMENT_COLUMNS)
        return self._frame(
            f"SELECT {columns}, {ACT} AS act, (SELECT COUNT(*) FROM chunks c "
            "WHERE c.doc_id = d.doc_id) AS chunks, json_extract(d.meta, '$.year') AS year, "
            "json_extract(d.meta, '$.authors') AS authors, "
            "json_extract(d.meta, '$.journal') AS journal, json_extract(d.meta, '$.doi') AS doi "
            "FROM documents d ORDER BY doc_id")

    def notes(self, doc: str | None = None, article=None):
        """DataFrame: the editors' notes of the legal acts (amendment history), one row per
        note, with the article it annotates and the acts it cites; never search passages."""
        import pandas as pd

        article = parse_article(article)
        rows = []
        for doc_id, meta in self.store.db.execute(
                "SELECT doc_id, meta FROM documents WHERE json_extract(meta, '$.legal') "
                "IS NOT NULL ORDER BY doc_id"):
            for note in json.loads(meta)["legal"].get("notes", []):
                if (doc is None or doc_id == doc) and article in (None, note["article"]):
                    rows.append({"doc_id": doc_id, **note})
        return pd.DataFrame(rows, columns=["doc_id", "article", "text", "acts"])

    def chunks(self):
        """DataFrame: one row per chunk (without vectors)."""
        return self._frame(
            'SELECT chunk_id, doc_id, seq, lang, page_start, page_end, section, '
            f'{self.store.legal_columns("")}, start, "end", sha256, text FROM chunks '
            "ORDER BY doc_id, seq")

    def entities(self, label: str | None = None, lang: str | None = None,
                 doc: str | None = None):
        """DataFrame: one row per entity, with doc_id, chunk_id, page and lang; ``doc``: of
        that document only."""
        label = label.upper() if label else label
        if label and label not in LABELS:
            raise UserError(f"Unknown label {label!r}; choose from {', '.join(LABELS)}")
        langs = parse_langs(lang)
        sql, args = f"SELECT {quote_columns(ENTITY_COLUMNS)} FROM entities WHERE 1", []
        if label:
            sql, args = f"{sql} AND label = ?", [*args, label]
        if doc:
            sql, args = f"{sql} AND doc_id = ?", [*args, doc]
        if langs:
            sql, args = f"{sql} AND lang IN ({', '.join('?' * len(langs))})", [*args, *langs]
        return self._frame(sql + " ORDER BY doc_id, chunk_id, start", args)

    def info(self) -> dict:
        """Counts of documents, chunks, entities (per label and language) and the model."""
        one = lambda sql: self.store.db.execute(sql).fetchone()[0]  # noqa: E731
        per = lambda sql: dict(self.store.db.execute(sql).fetchall())  # noqa: E731
        return {
            "index": str(self.path), "model": self.manifest["model"],
            "dim": self.manifest["dim"], "documents": one("SELECT COUNT(*) FROM documents"),
            "documents_without_text": one("SELECT COUNT(*) FROM documents d WHERE NOT EXISTS "
                                          "(SELECT 1 FROM chunks c WHERE c.doc_id = d.doc_id)"),
            "pages": one("SELECT COALESCE(SUM(pages), 0) FROM documents"),
            "chunks": one("SELECT COUNT(*) FROM chunks"),
            "chunks_per_lang": per("SELECT lang, COUNT(*) FROM chunks GROUP BY lang"),
            "entities": one("SELECT COUNT(*) FROM entities"),
            "entities_per_label": per("SELECT label, COUNT(*) FROM entities GROUP BY label"),
            "entities_per_lang": per("SELECT lang, COUNT(*) FROM entities GROUP BY lang"),
            "chunking": self.manifest.get("chunking"), "updated": self.manifest.get("updated"),
        }

    def _frame(self, sql: str, args: list | tuple = ()):
        import pandas as pd

        names, rows = self.store.query(sql, args)
        return pd.DataFrame(rows, columns=names)


def open_index(path: str | Path | None = None) -> Index:
    """Open an index directory for searching and reading (None: ``$NLP_INDEX``, a config
    file's, else the bundled demo; ``nlp.index.layout.default_index``)."""
    return Index(path or default_index())

