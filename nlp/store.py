"""The SQLite store of an index: documents, chunks (with their vectors) and entities.

``chunks.id`` is the FAISS id of the chunk's vector; vectors are kept here too, so the
FAISS file is a cache that can always be rebuilt from the store.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from nlp.records import Chunk, Document, Entity

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, path TEXT NOT NULL UNIQUE, sha256 TEXT NOT NULL,
    title TEXT, lang TEXT, langs TEXT, pages INTEGER, meta TEXT, ingested_at TEXT
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    seq INTEGER, text TEXT, start INTEGER, "end" INTEGER, page_start INTEGER,
    page_end INTEGER, lang TEXT, section TEXT, sha256 TEXT, vector BLOB
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS entities (
    id INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL REFERENCES chunks(chunk_id) ON DELETE CASCADE,
    doc_id TEXT NOT NULL, page INTEGER, lang TEXT, start INTEGER, "end" INTEGER,
    label TEXT, text TEXT, norm TEXT, canonical_id TEXT, value REAL, unit TEXT, source TEXT
);
CREATE INDEX IF NOT EXISTS entities_chunk ON entities(chunk_id);
CREATE INDEX IF NOT EXISTS entities_label ON entities(label);
"""
CHUNK_COLUMNS = ("chunk_id", "doc_id", "seq", "text", "start", "end", "page_start",
                 "page_end", "lang", "section", "sha256")
ENTITY_COLUMNS = ("doc_id", "chunk_id", "page", "lang", "start", "end", "label", "text",
                  "norm", "canonical_id", "value", "unit", "source")
DOCUMENT_COLUMNS = ("doc_id", "path", "sha256", "title", "lang", "langs", "pages",
                    "ingested_at")


class Store:
    """A thin wrapper over one SQLite connection."""

    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        uri = f"file:{Path(path)}{'?mode=ro' if readonly else ''}"
        self.db = sqlite3.connect(uri, uri=True, timeout=30)
        self.db.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def document_by_path(self, path: str) -> sqlite3.Row | None:
        """(doc_id, sha256) of the document stored for ``path``, if any."""
        return self.db.execute(
            "SELECT doc_id, sha256 FROM documents WHERE path = ?", (path,)).fetchone()

    def free_doc_id(self, wanted: str, path: str) -> str:
        """``wanted`` unless another path already uses it; then ``wanted-2``, ``-3``..."""
        candidate, n = wanted, 1
        while (row := self.db.execute(
                "SELECT path FROM documents WHERE doc_id = ?", (candidate,)).fetchone()):
            if row[0] == path:
                return candidate
            n += 1
            candidate = f"{wanted}-{n}"
        return candidate

    def delete_document(self, doc_id: str) -> list[int]:
        """Delete a document with its chunks and entities; return the freed vector ids."""
        ids = [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))]
        self.db.execute("DELETE FROM entities WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return ids

    def add_document(self, doc: Document, chunks: list[Chunk], vectors: np.ndarray,
                     entities: Iterable[tuple[Chunk, int, Entity]], when: str) -> list[int]:
        """Insert a parsed document; return the new chunks' vector ids in chunk order."""
        m = doc.meta
        self.db.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
            (doc.doc_id, doc.path, doc.sha256, doc.title, m.get("lang"),
             json.dumps(m.get("langs", [])), len(doc.pages),
             json.dumps(m, ensure_ascii=False, default=str), when))
        ids = []
        for chunk, vec in zip(chunks, vectors, strict=True):
            cur = self.db.execute(
                f"INSERT INTO chunks ({_cols(CHUNK_COLUMNS)}, vector) VALUES "
                f"({','.join('?' * (len(CHUNK_COLUMNS) + 1))})",
                (*[getattr(chunk, c) for c in CHUNK_COLUMNS],
                 np.asarray(vec, dtype=np.float32).tobytes()))
            ids.append(cur.lastrowid)
        self.db.executemany(
            f"INSERT INTO entities ({_cols(ENTITY_COLUMNS)}) VALUES "
            f"({','.join('?' * len(ENTITY_COLUMNS))})",
            [(c.doc_id, c.chunk_id, page, c.lang, e.start, e.end, e.label, e.text, e.norm,
              e.canonical_id, e.value, e.unit, e.source) for c, page, e in entities])
        return ids

    def paths(self) -> dict[str, str]:
        """doc_id -> path of every stored document."""
        return dict(self.db.execute("SELECT doc_id, path FROM documents"))

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of all chunks, for rebuilding the FAISS index."""
        rows = self.db.execute("SELECT id, vector FROM chunks ORDER BY id").fetchall()
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        return ids, np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])

    def chunk_rows(self, ids: Iterable[int]) -> dict[int, sqlite3.Row]:
        """Chunk rows joined with their document, keyed by vector id."""
        ids = list(ids)
        self.db.row_factory = sqlite3.Row
        try:
            rows = self.db.execute(
                "SELECT c.id, c.chunk_id, c.doc_id, c.text, c.lang, c.page_start, "
                "c.page_end, c.section, d.path, d.title FROM chunks c JOIN documents d "
                f"USING (doc_id) WHERE c.id IN ({','.join('?' * len(ids))})", ids).fetchall()
        finally:
            self.db.row_factory = None
        return {r["id"]: r for r in rows}

    def ids_where(self, lang: str | None, doc: str | None) -> np.ndarray:
        """Vector ids of chunks matching the filters."""
        sql, args = "SELECT id FROM chunks WHERE 1", []
        if lang:
            sql, args = sql + " AND lang = ?", [*args, lang]
        if doc:
            sql, args = sql + " AND doc_id = ?", [*args, doc]
        return np.array([r[0] for r in self.db.execute(sql, args)], dtype=np.int64)

    def query(self, sql: str, args: Iterable = ()) -> tuple[list[str], list[tuple]]:
        """Run a read query (used by the DataFrame views)."""
        cur = self.db.execute(sql, tuple(args))
        names = [d[0] for d in cur.description]
        return names, cur.fetchall()


def _cols(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)
