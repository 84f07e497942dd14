"""An index directory: ``manifest.json``, ``store.sqlite`` and ``vectors.faiss``.

``Index`` is the notebook API: search hits, and DataFrames of documents, chunks and
entities. The FAISS file is derived from the vectors in the store; when the two
disagree (an interrupted ingest), the vectors are rebuilt from the store on open.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nlp.errors import IndexMismatch, IndexNotFound, UserError
from nlp.language import LANGS, UND
from nlp.records import Hit
from nlp.store import DOCUMENT_COLUMNS, ENTITY_COLUMNS, Store
from nlp.vectors import VectorIndex

FORMAT_VERSION = 1
MANIFEST, STORE, VECTORS = "manifest.json", "store.sqlite", "vectors.faiss"
LABELS = ("ORG", "LAW", "PERSON", "GPE", "LOC", "DATE", "MONEY", "PERCENT", "CARDINAL",
          "QUANTITY")


def read_manifest(path: Path) -> dict:
    """The manifest of the index at ``path``; refuses unknown formats."""
    file = Path(path) / MANIFEST
    if not file.is_file():
        raise IndexNotFound(path)
    try:
        manifest = json.loads(file.read_text())
    except (OSError, ValueError) as err:
        raise IndexMismatch(f"Unreadable manifest {file}: {err}") from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatch(
            f"Index {path} has format version {manifest.get('format_version')}, this nlp "
            f"reads {FORMAT_VERSION}. Rebuild it: nlp ingest <your files> --index {path}-new")
    return manifest


def load_vectors(path: Path, store: Store, dim: int) -> VectorIndex:
    """The FAISS index, rebuilt from the store if missing or out of step with it."""
    ids, vecs = store.vectors()
    file = Path(path) / VECTORS
    if file.is_file():
        index = VectorIndex.load(file)
        if index.dim == dim and np.array_equal(np.sort(index.ids()), ids):
            return index
    index = VectorIndex(dim)
    index.add(ids, vecs)
    return index


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
        self.vectors = load_vectors(self.path, self.store, self.manifest["dim"])

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

        _check_search(queries, k, lang)
        allowed = None
        if lang or doc:
            if doc and doc not in self.store.paths():
                raise UserError(f"No document {doc!r} in {self.path}. See: nlp info --index "
                                f"{self.path}")
            allowed = self.store.ids_where(lang, doc)
        if len(self.vectors) == 0 or (allowed is not None and len(allowed) == 0):
            return [Hits() for _ in queries]
        vecs = load_embedder(self.manifest["model"]).embed_queries(queries)
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
        return self._frame(f"SELECT {_q(DOCUMENT_COLUMNS)} FROM documents ORDER BY doc_id")

    def chunks(self):
        """DataFrame: one row per chunk (without vectors)."""
        return self._frame(
            'SELECT chunk_id, doc_id, seq, lang, page_start, page_end, section, start, "end", '
            "sha256, text FROM chunks ORDER BY doc_id, seq")

    def entities(self, label: str | None = None, lang: str | None = None):
        """DataFrame: one row per entity, with doc_id, chunk_id, page and lang."""
        if label and label not in LABELS:
            raise UserError(f"Unknown label {label!r}; choose from {', '.join(LABELS)}")
        _check_lang(lang)
        sql, args = f"SELECT {_q(ENTITY_COLUMNS)} FROM entities WHERE 1", []
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


def _check_lang(lang: str | None) -> None:
    if lang is not None and lang not in (*LANGS, UND):
        raise UserError(f"Unknown language {lang!r}; choose from {', '.join(LANGS)}, {UND}")


def _check_search(queries: list[str], k: int, lang: str | None) -> None:
    if any(not q or not q.strip() for q in queries):
        raise UserError("Empty query: give some words to search for")
    if k < 1:
        raise UserError(f"k must be at least 1, got {k}")
    _check_lang(lang)


def _q(names) -> str:
    return ", ".join(f'"{n}"' for n in names)
