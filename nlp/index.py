"""An index directory: ``manifest.json``, ``store.sqlite`` and ``vectors.faiss``.

``Index`` is the notebook API: search hits, and DataFrames of documents, chunks and
entities. The store is the truth; the FAISS file is a cache of its vectors, checked
against the SHA-256 in the manifest and brought in step with the store on open (vectors
of chunks the store no longer has are dropped, missing ones added from the store), so an
interrupted ingest or a damaged file costs time, never answers. Readers take no lock and
see the last committed state, also while an ingest is running.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np

from nlp.errors import IndexCorrupt, IndexMismatch, IndexNotFound, UserError
from nlp.language import LANGS, UND
from nlp.records import Hit
from nlp.store import DOCUMENT_COLUMNS, ENTITY_COLUMNS, Store, quote_columns
from nlp.vectors import VectorIndex

FORMAT_VERSION = 1
MANIFEST, STORE, VECTORS = "manifest.json", "store.sqlite", "vectors.faiss"
LABELS = ("ORG", "LAW", "PERSON", "GPE", "LOC", "DATE", "MONEY", "PERCENT", "CARDINAL",
          "QUANTITY")
MAX_QUERY_CHARS = 4000  # the model reads at most 512 tokens; the rest would be cut anyway


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
        try:
            self.vectors = load_vectors(self.path, self.store, self.manifest["dim"],
                                        file_sha(self.manifest, VECTORS))
        except BaseException:
            self.store.close()
            raise

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def search(self, query: str, k: int = 10, lang: str | None = None,
               doc: str | None = None) -> Hits:
        """The ``k`` chunks nearest to ``query``, optionally only in ``lang`` / ``doc``."""
        return self.batch_search([query], k, lang, doc)[0]

    def batch_search(self, queries: list[str], k: int = 10, lang: str | None = None,
                     doc: str | None = None) -> list[Hits]:
        """``search`` for many queries at once."""
        from nlp.embed import load_embedder

        queries = [clean_query(q) for q in queries]
        _check_search(queries, k, lang)
        lang = lang.lower() if lang else lang
        allowed = None
        if lang or doc:
            if doc and doc not in self.store.paths():
                raise UserError(f"No document {doc!r} in {self.path}. See: nlp info --index "
                                f"{self.path}")
            allowed = self.store.ids_where(lang, doc)
        if len(self.vectors) == 0 or (allowed is not None and len(allowed) == 0):
            return [Hits() for _ in queries]
        vecs = load_embedder(self.manifest["model"]).embed_queries(queries)
        if vecs.shape[1] != self.vectors.dim:
            raise IndexMismatch(
                f"Model {self.manifest['model']} now gives {vecs.shape[1]}-d vectors, the index "
                f"at {self.path} holds {self.vectors.dim}-d. Rebuild it: "
                f"{rebuild_command(self.path, self.manifest['model'])}")
        scores, ids = self.vectors.search(vecs, k, allowed)
        return [self._hits(s, i) for s, i in zip(scores, ids, strict=False)]

    def _hits(self, scores: np.ndarray, ids: np.ndarray) -> Hits:
        keep = [(float(s), int(i)) for s, i in zip(scores, ids, strict=False) if i >= 0]
        rows = self.store.chunk_rows(i for _, i in keep)
        return Hits(
            Hit(rank=n, score=round(s, 4), doc_id=r["doc_id"], path=r["path"],
                title=r["title"] or "", page_start=r["page_start"], page_end=r["page_end"],
                lang=r["lang"], chunk_id=r["chunk_id"], text=r["text"])
            for n, (s, r) in enumerate(((s, rows[i]) for s, i in keep if i in rows), 1))

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


def clean_query(query: str) -> str:
    """The query without control characters or lone surrogates, cut to MAX_QUERY_CHARS."""
    if not isinstance(query, str):
        raise UserError(f"A query is text, got {type(query).__name__}")
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c
                   for c in query[:MAX_QUERY_CHARS * 2])
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def _check_lang(lang: str | None) -> None:
    if lang is not None and (not isinstance(lang, str) or lang.lower() not in (*LANGS, UND)):
        raise UserError(f"Unknown language {lang!r}; choose from {', '.join(LANGS)}, {UND}")


def _check_search(queries: list[str], k: int, lang: str | None) -> None:
    if any(not q for q in queries):
        raise UserError("Empty query: give some words to search for")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise UserError(f"k must be a whole number of at least 1, got {k!r}")
    _check_lang(lang)


