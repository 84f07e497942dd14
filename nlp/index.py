"""An index directory: ``manifest.json``, ``store.sqlite`` and ``vectors.faiss``.

``Index`` is the notebook API: search hits, and DataFrames of documents, chunks and
entities. The store is the truth; the FAISS file is a cache of its vectors, checked
against the SHA-256 in the manifest and brought in step with the store on open (vectors
of chunks the store no longer has are dropped, missing ones added from the store), so an
interrupted ingest or a damaged file costs time, never answers. Readers take no lock and
see the last committed state, also while an ingest is running.

Search has three modes: ``dense`` (FAISS over the chunk vectors), ``keyword`` (BM25 over the
analysed terms, ``nlp.keyword``) and ``hybrid`` (the two fused per language). Filters
(language, document, year, entities) become one SQL condition on the chunks; the allowed
ids go into the exact vector search and the condition into the keyword query, so a filter
never costs top-k recall.
"""

from __future__ import annotations

import json
import re
import unicodedata
import warnings
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from nlp.errors import IndexCorrupt, IndexMismatch, IndexNotFound, UserError
from nlp.language import LANGS, UND, detect_language
from nlp.rank import collapse as collapse_texts
from nlp.rank import hybrid
from nlp.records import Hit
from nlp.store import DOCUMENT_COLUMNS, ENTITY_COLUMNS, Store, chunk_filter, quote_columns
from nlp.vectors import VectorIndex

FORMAT_VERSION = 1
MANIFEST, STORE, VECTORS = "manifest.json", "store.sqlite", "vectors.faiss"
LABELS = ("ORG", "LAW", "PERSON", "GPE", "LOC", "DATE", "MONEY", "PERCENT", "CARDINAL",
          "QUANTITY")
MAX_QUERY_CHARS = 4000  # the model reads at most 512 tokens; the rest would be cut anyway
MODES = ("dense", "keyword", "hybrid")
DEFAULT_MODE = "hybrid"  # chosen on the domain query set (scripts/eval_retrieval.py)
# internal modes (for shards): hybrid's keyword lists, on all terms and on numbers and codes
HYBRID_KEYWORD_MODES = ("terms", "neutral")  # keyword.search parts of the same names
KEYWORD_MODES = ("keyword", *HYBRID_KEYWORD_MODES)  # modes answered by BM25 alone
FUSION_DEPTH = 50  # hybrid fuses the top max(FUSION_DEPTH, 5k) of each list
_YEARS = re.compile(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?")


def read_manifest(path: Path) -> dict:
    """The manifest of the index at ``path``; refuses unknown formats."""
    file = Path(path) / MANIFEST
    if not file.is_file():
        raise IndexNotFound(path)
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise IndexCorrupt(f"Unreadable manifest {file} ({err}). Rewrite it from the store: "
                           f"nlp doctor --index {path} --repair") from None
    if not isinstance(manifest, dict):
        raise IndexCorrupt(f"Unreadable manifest {file} (not a JSON object). Rewrite it from "
                           f"the store: nlp doctor --index {path} --repair")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatch(format_message(Path(path), manifest.get("format_version")))
    if not isinstance(manifest.get("model"), str) or not isinstance(manifest.get("dim"), int):
        raise IndexCorrupt(f"Manifest {file} lacks the model or dimension. Rewrite it from the "
                           f"store: nlp doctor --index {path} --repair")
    return manifest


def rebuild_command(path: Path, model: str | None = None, suffix: str = "-new") -> str:
    """The ``nlp ingest`` command that rebuilds the index from its documents' folders."""
    folders = "<your files>"
    try:
        store = Store(Path(path) / STORE, readonly=True)
        try:
            folders = " ".join(_quote(d) for d in _folders(store.paths().values())) or folders
        finally:
            store.close()
    except Exception:  # noqa: BLE001 - a damaged store only makes the hint vaguer
        pass
    target = f"{path}{suffix}"
    return f"nlp ingest {folders} --index {_quote(target)}" + (f" --model {model}" if model
                                                                  else "")


def format_message(path: Path, found) -> str:
    """Why an index of format ``found`` is refused, with the command that rebuilds it."""
    newer = isinstance(found, int) and found > FORMAT_VERSION
    why = "a newer nlp wrote it: upgrade nlp, or rebuild it" if newer else "rebuild it"
    return (f"Index {path} has format version {found}, this nlp reads {FORMAT_VERSION}; "
            f"{why}: {rebuild_command(path)}")


def _folders(paths) -> list[str]:
    """The fewest folders that hold all ``paths`` (their parents, nested ones dropped)."""
    parents = sorted({str(Path(p).parent) for p in paths})
    keep: list[str] = []
    for p in parents:
        if not any(Path(p).is_relative_to(k) for k in keep):
            keep.append(p)
    return keep


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def file_sha(manifest: dict, name: str) -> str | None:
    """The SHA-256 the manifest records for a file of the index, if any."""
    entry = (manifest.get("files") or {}).get(name) or {}
    return entry.get("sha256") if isinstance(entry, dict) else None


def load_vectors(path: Path, store: Store, dim: int, sha: str | None = None) -> VectorIndex:
    """The saved FAISS index if intact, brought in step with the store; else rebuilt."""
    index, _ = read_vectors(Path(path) / VECTORS, dim, sha)
    reconcile(index, store)
    return index


def read_vectors(file: Path, dim: int, sha: str | None = None) -> tuple[VectorIndex, str]:
    """(the saved index, 'ok') if intact; else (an empty index, why it was not used)."""
    try:
        index = VectorIndex.load(file, sha)
    except FileNotFoundError:
        return VectorIndex(dim), "missing"
    except (OSError, ValueError) as err:
        return VectorIndex(dim), str(err)
    if index.dim != dim:
        return VectorIndex(dim), f"holds {index.dim}-d vectors, the index is {dim}-d"
    if len(np.unique(index.ids())) != len(index):
        return VectorIndex(dim), "holds repeated ids"
    return index, "ok"


def reconcile(index: VectorIndex, store: Store) -> tuple[int, int]:
    """Drop vectors the store no longer has, add those it has; return (dropped, added)."""
    with store.snapshot():  # ids and vectors from the same commit, whatever a writer does
        want, have = store.vector_ids(), index.ids()
        stale, missing = np.setdiff1d(have, want), np.setdiff1d(want, have)
        vectors = store.vectors_for(missing, index.dim)
    index.remove(stale.tolist())
    index.add(missing, vectors)
    # an approximate index re-scores its candidates (and retrains) from the store's vectors
    index.exact = lambda ids: store.vectors_for(ids, index.dim, missing_ok=True)
    return len(stale), len(missing)


class Hits(list):
    """Search results: a list of ``Hit`` with a DataFrame view."""

    def to_frame(self):
        """One row per hit with the fields of ``Hit``."""
        import pandas as pd

        return pd.DataFrame([h.to_dict() for h in self], columns=list(Hit.__dataclass_fields__))


class Index:
    """A read view of an index directory (see ``open_index``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.manifest = read_manifest(self.path)
        self.store = Store(self.path / STORE, readonly=True)
        self._keyword = None  # (thread, its own connection) for hybrid's keyword lists
        try:
            self.vectors = load_vectors(self.path, self.store, self.manifest["dim"],
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

    def search(self, query: str, k: int = 10, lang: str | None = None, doc: str | None = None,
               *, mode: str | None = None, year=None, entity=None,
               collapse: bool = False) -> Hits:
        """The ``k`` best chunks for ``query``; see ``batch_search`` for the options."""
        return self.batch_search([query], k, lang, doc, mode=mode, year=year, entity=entity,
                                 collapse=collapse)[0]

    def batch_search(self, queries: list[str], k: int = 10, lang: str | None = None,
                     doc: str | None = None, *, mode: str | None = None, year=None,
                     entity=None, collapse: bool = False) -> list[Hits]:
        """The ``k`` best chunks per query.

        ``mode``: ``dense`` (score = cosine), ``keyword`` (score = -BM25 of the stemmed terms)
        or ``hybrid`` (``nlp.rank.fuse_by_language``: dense search decides how many places each
        language gets, and each language's places go to the reciprocal-rank fusion of its
        dense and keyword hits — in languages other than the query's, keyword hits on its
        numbers and codes only; score = that RRF score, comparable within one language);
        default ``DEFAULT_MODE`` (``dense`` with a warning on an index without keywords).
        Filters, all combined: ``lang``, ``doc`` (a doc_id), ``year`` (2021, "2019-2022" or
        (2019, 2022); the document's year from its metadata) and ``entity``
        ("LAW:law:477-IV" or a list of them, all mentioned by the chunk). ``collapse`` drops
        chunks that nearly repeat a better one and still returns ``k`` hits when there are.
        """
        queries = [clean_query(q) for q in queries]
        _check_search(queries, k, lang)
        mode = self._mode(mode)
        where, args = self._filter(lang, doc, year, entity)
        allowed = None if where == "1" or mode in KEYWORD_MODES \
            else self.store.ids_where(where, args)
        if allowed is not None and len(allowed) == 0:
            return [Hits() for _ in queries]
        if not collapse:
            return [self._hits(r) for r in self._ranked(queries, k, mode, where, args, allowed)]
        return self._collapsed(queries, k, mode, where, args, allowed)

    def _collapsed(self, queries: list[str], k: int, mode: str, where: str, args: list,
                   allowed: np.ndarray | None) -> list[Hits]:
        """Ranked lists deep enough that ``k`` hits remain after collapsing near-duplicates."""
        out: dict[int, Hits] = {}
        pending, depth = list(range(len(queries))), 2 * k
        while pending:
            ranked = self._ranked([queries[i] for i in pending], depth, mode, where, args,
                                  allowed)
            for i, pairs in zip(list(pending), ranked, strict=True):
                hits = self._hits(pairs)
                keep = collapse_texts([h.text for h in hits], [h.lang for h in hits])
                if len(keep) >= k or len(pairs) < depth:
                    out[i] = Hits(_renumber([hits[j] for j in keep[:k]]))
                    pending.remove(i)
            depth *= 4
        return [out[i] for i in range(len(queries))]

    def _ranked(self, queries: list[str], n: int, mode: str, where: str, args: list,
                allowed: np.ndarray | None) -> list[list[tuple[int, float]]]:
        """Top ``n`` (chunk id, score) per query in ``mode``."""
        if mode in KEYWORD_MODES:
            part = mode if mode in HYBRID_KEYWORD_MODES else "all"
            return [self.store.keyword_search(q, n, where, args, part) for q in queries]
        if mode == "dense":
            return self._dense(queries, n, allowed)
        depth = max(FUSION_DEPTH, 5 * n)
        keyword = self._keyword_lists(queries, depth, where, args)
        try:
            dense = self._dense(queries, depth, allowed)
            lists = [future.result() for future in keyword]
        finally:
            for future in keyword:
                future.cancel()
        fused = []
        for q, near, (same, neutral) in zip(queries, dense, lists, strict=True):
            near_ids = [i for i, _ in near]
            langs = self.store.langs_of({*near_ids, *same, *neutral})
            fused.append(hybrid(near_ids, same, neutral, langs, query_language(q))[:n])
        return fused

    def _keyword_lists(self, queries: list[str], depth: int, where: str,
                       args: list) -> list[Future]:
        """Futures of each query's keyword ids for hybrid (hits on all its terms, hits on
        its identifiers), found on a thread with a connection of its own: SQLite's BM25
        runs while the query is embedded (both let go of the GIL), on the other core."""
        if self._keyword is None:
            self._keyword = (ThreadPoolExecutor(1, thread_name_prefix="nlp-keyword"),
                             Store(self.path / STORE, readonly=True, any_thread=True))
        thread, store = self._keyword

        def lists(query: str) -> tuple[list[int], list[int]]:
            same = [i for i, _ in store.keyword_search(query, depth, where, args, "terms")]
            neutral = [i for i, _ in store.keyword_search(query, depth, where, args, "neutral")]
            return same, neutral

        return [thread.submit(lists, q) for q in queries]

    def _dense(self, queries: list[str], n: int,
               allowed: np.ndarray | None) -> list[list[tuple[int, float]]]:
        """Top ``n`` (chunk id, cosine) per query from the vector index."""
        from nlp.embed import load_embedder

        if len(self.vectors) == 0:
            return [[] for _ in queries]
        vecs = load_embedder(self.manifest["model"]).embed_queries(queries)
        if vecs.shape[1] != self.vectors.dim:
            raise IndexMismatch(
                f"Model {self.manifest['model']} now gives {vecs.shape[1]}-d vectors, the index "
                f"at {self.path} holds {self.vectors.dim}-d. Rebuild it: "
                f"{rebuild_command(self.path, self.manifest['model'])}")
        scores, ids = self.vectors.search(vecs, n, allowed)
        return [[(int(i), float(s)) for s, i in zip(row_s, row_i, strict=True) if i >= 0]
                for row_s, row_i in zip(scores, ids, strict=True)]

    def _mode(self, mode: str | None) -> str:
        """The search mode to use; refuses keyword modes on an index without keywords."""
        if mode is not None and (not isinstance(mode, str)
                                 or mode.lower() not in (*MODES, *HYBRID_KEYWORD_MODES)):
            raise UserError(f"Unknown mode {mode!r}; choose from {', '.join(MODES)}")
        wanted = mode.lower() if mode else DEFAULT_MODE
        if wanted == "dense" or self.store.has_keyword_index():
            return wanted
        fix = (f"add it with: nlp doctor --index {_quote(str(self.path))} --repair "
               f"(or any nlp ingest ... --index {_quote(str(self.path))})")
        if mode is None:
            warnings.warn(f"Index {self.path} has no keyword index (made by an older nlp), so "
                          f"this search is dense only; {fix}", stacklevel=3)
            return "dense"
        raise UserError(f"Index {self.path} has no keyword index for --mode {wanted} (made by "
                        f"an older nlp); {fix}")

    def _filter(self, lang: str | None, doc: str | None, year,
                entity) -> tuple[str, list]:
        """The SQL condition for the filters, after checking each one."""
        if doc is not None and (not isinstance(doc, str) or doc not in self.store.paths()):
            raise UserError(f"No document {doc!r} in {self.path}. See: nlp info --index "
                            f"{self.path}")
        entities = parse_entities(entity)
        for label, canonical in entities:
            if not self.store.has_entity(label, canonical):
                raise UserError(f"No chunk in {self.path} mentions {label}:{canonical}; list "
                                f"them: nlp entities --index {self.path} --label {label}")
        return chunk_filter(lang.lower() if lang else None, doc, parse_years(year), entities)

    def _hits(self, pairs: list[tuple[int, float]]) -> Hits:
        rows = self.store.chunk_rows(i for i, _ in pairs)
        return Hits(
            Hit(rank=n, score=round(s, 6 if s < 0.1 else 4), doc_id=r["doc_id"],
                path=r["path"], title=r["title"] or "", page_start=r["page_start"],
                page_end=r["page_end"], lang=r["lang"], chunk_id=r["chunk_id"], text=r["text"])
            for n, (s, r) in enumerate(((s, rows[i]) for i, s in pairs if i in rows), 1))

    def documents(self):
        """DataFrame: one row per document."""
        columns = quote_columns(DOCUMENT_COLUMNS)
        return self._frame(f"SELECT {columns} FROM documents ORDER BY doc_id")

    def chunks(self):
        """DataFrame: one row per chunk (without vectors)."""
        return self._frame(
            'SELECT chunk_id, doc_id, seq, lang, page_start, page_end, section, start, "end", '
            "sha256, text FROM chunks ORDER BY doc_id, seq")

    def entities(self, label: str | None = None, lang: str | None = None):
        """DataFrame: one row per entity, with doc_id, chunk_id, page and lang."""
        label, lang = (label.upper() if label else label), (lang.lower() if lang else lang)
        if label and label not in LABELS:
            raise UserError(f"Unknown label {label!r}; choose from {', '.join(LABELS)}")
        _check_lang(lang)
        sql, args = f"SELECT {quote_columns(ENTITY_COLUMNS)} FROM entities WHERE 1", []
        for col, val in (("label", label), ("lang", lang)):
            if val:
                sql, args = f"{sql} AND {col} = ?", [*args, val]
        return self._frame(sql + " ORDER BY doc_id, chunk_id, start", args)

    def info(self) -> dict:
        """Counts of documents, chunks, entities (per label and language) and the model."""
        one = lambda sql: self.store.db.execute(sql).fetchone()[0]  # noqa: E731
        per = lambda sql: dict(self.store.db.execute(sql).fetchall())  # noqa: E731
        return {
            "index": str(self.path), "model": self.manifest["model"],
            "dim": self.manifest["dim"], "documents": one("SELECT COUNT(*) FROM documents"),
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


def open_index(path: str | Path = "indexes/default") -> Index:
    """Open an index directory for searching and reading."""
    return Index(path)


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


def _renumber(hits: list[Hit]) -> list[Hit]:
    """The hits with ranks 1..n in their order."""
    for n, hit in enumerate(hits, 1):
        hit.rank = n
    return hits


def _check_lang(lang: str | None) -> None:
    if lang is not None and (not isinstance(lang, str) or lang.lower() not in (*LANGS, UND)):
        raise UserError(f"Unknown language {lang!r}; choose from {', '.join(LANGS)}, {UND}")


def _check_search(queries: list[str], k: int, lang: str | None) -> None:
    if any(not q for q in queries):
        raise UserError("Empty query: give some words to search for")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise UserError(f"k must be a whole number of at least 1, got {k!r}")
    _check_lang(lang)


