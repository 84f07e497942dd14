"""The SQLite store of an index: documents, chunks (with their vectors) and entities.

``chunks.id`` is the FAISS id of the chunk's vector; vectors are kept here too, so the
FAISS file is a cache that can always be rebuilt from the store. Chunk ids are never
reused (``meta.next_chunk_id``), so a set of ids names one set of vectors: a FAISS file
whose ids equal the store's holds exactly the store's vectors. The ``meta`` table also
records how the index was built (model, dimension, chunking), so the store describes
itself even if the manifest is lost. ``chunks_fts`` is the keyword index of the chunks
(see ``nlp.index.keyword``), written in the same transaction as the chunks.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import numpy as np

from nlp.errors import IndexCorrupt
from nlp.index import keyword, langstats, migrations
from nlp.index.layout import CONFIG_KEYS
from nlp.records import Chunk, Document, Entity

CHUNK_COLUMNS = ("chunk_id", "doc_id", "seq", "text", "start", "end", "page_start",
                 "page_end", "lang", "section", "sha256", "article", "chapter")
ACT = "json_extract(d.meta, '$.legal.act')"  # the key of the legal act a document is (d: documents)
ENTITY_COLUMNS = ("doc_id", "chunk_id", "page", "lang", "start", "end", "label", "text",
                  "norm", "canonical_id", "value", "unit", "source")
DOCUMENT_COLUMNS = ("doc_id", "path", "sha256", "title", "lang", "langs", "pages",
                    "ingested_at")


OUR_TRIGGERS = frozenset({"chunks_fts_delete"})  # nlp.index.keyword


def _check_schema(db: sqlite3.Connection, path: Path) -> None:
    """Refuse a store with views or foreign triggers: nlp makes none, and a view or a trigger
    named like our tables can make a plain query run forever (a recursive view)."""
    ours = ",".join("?" * len(OUR_TRIGGERS))
    odd = db.execute("SELECT type, name FROM sqlite_master WHERE type = 'view' OR "
                     f"(type = 'trigger' AND name NOT IN ({ours}))", sorted(OUR_TRIGGERS)
                     ).fetchall()
    if odd:
        kind, name = odd[0]
        raise IndexCorrupt(f"{path} holds a {kind} {name!r} that nlp never makes (a foreign or "
                           f"tampered file); it is not opened. Rebuild the index: nlp ingest "
                           f"<your files> --index <new folder>")


class Store:
    """A thin wrapper over one SQLite connection."""

    def __init__(self, path: str | Path, readonly: bool = False,
                 any_thread: bool = False) -> None:
        """``any_thread``: the connection may be used from another thread than this one (by
        one thread at a time)."""
        self.path = Path(path)
        if readonly and not self.path.is_file():
            raise IndexCorrupt(f"{self.path} is missing. Rebuild the index: nlp ingest "
                               f"<your files> --index {self.path.parent}")
        # a URI, percent-encoded: paths with spaces, '#', '?' or non-UTF-8 bytes stay intact
        uri = f"file:{quote(os.fsencode(self.path.resolve()))}{'?mode=ro' if readonly else ''}"
        try:
            self.db = sqlite3.connect(uri, uri=True, timeout=30,
                                      check_same_thread=not any_thread)
            self.db.execute("PRAGMA foreign_keys = ON")
            _check_schema(self.db, self.path)
            if not readonly:
                self.db.execute("PRAGMA journal_mode = WAL")
                migrations.migrate(self.db)  # tables, keyword index, language statistics
            self.db.execute("SELECT COUNT(*) FROM documents").fetchone()
        except sqlite3.DatabaseError as err:
            raise IndexCorrupt(f"{self.path} cannot be read ({err}). Check it: nlp doctor "
                               f"--index {self.path.parent}") from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Several reads from one committed state, while a writer goes on (WAL)."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    def config(self) -> dict:
        """How the index was built (format_version, model, dim, chunking); {} if unknown."""
        try:
            rows = dict(self.db.execute("SELECT key, value FROM meta"))
        except sqlite3.OperationalError:  # a store from before the meta table
            return {}
        return {k: json.loads(rows[k]) for k in CONFIG_KEYS if k in rows}

    def set_config(self, config: dict) -> None:
        """Record how the index is built (call inside the first document's transaction)."""
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                            [(k, json.dumps(config[k])) for k in CONFIG_KEYS if k in config])

    def document_by_path(self, path: str) -> sqlite3.Row | None:
        """(doc_id, sha256) of the document stored for ``path``, if any."""
        return self.db.execute(
            "SELECT doc_id, sha256 FROM documents WHERE path = ?", (path,)).fetchone()

    def free_doc_id(self, wanted: str, path: str) -> str:
        """``wanted`` unless another path already uses it; then ``wanted-2``, ``-3``..."""
        def taken(doc_id: str) -> bool:
            row = self.db.execute("SELECT path FROM documents WHERE doc_id = ?",
                                  (doc_id,)).fetchone()
            return row is not None and row[0] != path

        return free_id(wanted, taken)

    def delete_document(self, doc_id: str) -> list[int]:
        """Delete a document with its chunks and entities; return the freed vector ids."""
        rows = self.db.execute("SELECT id, lang, vector FROM chunks WHERE doc_id = ?",
                               (doc_id,)).fetchall()
        ids = [r[0] for r in rows]
        langstats.add(self.db, [r[1] for r in rows],
                      np.array([np.frombuffer(r[2], dtype=np.float32) for r in rows]), sign=-1)
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
        first = self._next_chunk_id()
        ids = list(range(first, first + len(chunks)))
        self.db.executemany(
            f"INSERT INTO chunks (id, {quote_columns(CHUNK_COLUMNS)}, vector) VALUES "
            f"({','.join('?' * (len(CHUNK_COLUMNS) + 2))})",
            [(i, *[getattr(chunk, c) for c in CHUNK_COLUMNS],
              np.asarray(vec, dtype=np.float32).tobytes())
             for i, chunk, vec in zip(ids, chunks, vectors, strict=True)])
        keyword.add(self.db, [(i, c.text, c.lang) for i, c in zip(ids, chunks, strict=True)])
        langstats.add(self.db, [c.lang for c in chunks], vectors)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('next_chunk_id', ?)",
                        (str(first + len(chunks)),))
        self.db.executemany(
            f"INSERT INTO entities ({quote_columns(ENTITY_COLUMNS)}) VALUES "
            f"({','.join('?' * len(ENTITY_COLUMNS))})",
            [(c.doc_id, c.chunk_id, page, c.lang, e.start, e.end, e.label, e.text, e.norm,
              e.canonical_id, e.value, e.unit, e.source) for c, page, e in entities])
        return ids

    def _next_chunk_id(self) -> int:
        """Past every id ever given out, so a deleted chunk's id never comes back."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'next_chunk_id'").fetchone()
        top = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM chunks").fetchone()[0]
        return max(int(row[0]) if row else 1, top + 1)

    def paths(self) -> dict[str, str]:
        """doc_id -> path of every stored document."""
        return dict(self.db.execute("SELECT doc_id, path FROM documents"))

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of all chunks, in id order."""
        rows = self.db.execute("SELECT id, vector FROM chunks ORDER BY id").fetchall()
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        return ids, np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])

    def vector_ids(self) -> np.ndarray:
        """Sorted ids of all committed chunk vectors."""
        rows = self.db.execute("SELECT id FROM chunks ORDER BY id").fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)

    def vectors_for(self, ids: np.ndarray, dim: int, missing_ok: bool = False) -> np.ndarray:
        """The stored vectors of ``ids`` (n, dim), in the order of ``ids``; with
        ``missing_ok`` a chunk deleted meanwhile gets a row of NaN instead of an error."""
        out = np.zeros((len(ids), dim), dtype=np.float32)
        for start in range(0, len(ids), 500):
            part = [int(i) for i in ids[start:start + 500]]
            rows = dict(self.db.execute(
                f"SELECT id, vector FROM chunks WHERE id IN ({','.join('?' * len(part))})",
                part))
            for n, i in enumerate(part, start):
                blob = rows.get(i)
                if blob is None and missing_ok:
                    out[n] = np.nan
                    continue
                if blob is None or len(blob) != 4 * dim:
                    raise IndexCorrupt(
                        f"Chunk {i} in {self.path} has no {dim}-d vector "
                        f"({'gone' if blob is None else f'{len(blob) // 4}-d'}). "
                        f"Check it: nlp doctor --index {self.path.parent}")
                out[n] = np.frombuffer(blob, dtype=np.float32)
        return out

    def counts(self) -> dict[str, int]:
        """Rows in documents, chunks and entities."""
        return {t: self.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("documents", "chunks", "entities")}

    def legal_columns(self, alias: str = "c.") -> str:
        """The chunks' ``article, chapter`` columns for a SELECT, "" for each in a store that
        a reader opened before its migration to them (``nlp.index.migrations``)."""
        if not hasattr(self, "_legal"):
            have = {row[1] for row in self.db.execute("PRAGMA table_info(chunks)")}
            self._legal = {"article", "chapter"} <= have
        return (f"{alias}article, {alias}chapter" if self._legal
                else "'' AS article, '' AS chapter")

    def chunk_rows(self, ids: Iterable[int]) -> dict[int, sqlite3.Row]:
        """Chunk rows joined with their document, keyed by vector id."""
        ids = list(ids)
        self.db.row_factory = sqlite3.Row
        try:
            rows = self.db.execute(
                "SELECT c.id, c.chunk_id, c.doc_id, c.text, c.lang, c.page_start, c.page_end, "
                f"c.section, {self.legal_columns()}, d.path, d.title, "
                "json_extract(d.meta, '$.authors') AS authors, "
                "json_extract(d.meta, '$.year') AS year, "
                "json_extract(d.meta, '$.journal') AS journal, "
                "json_extract(d.meta, '$.doi') AS doi, "
                f"{ACT} AS act FROM chunks c "
                f"JOIN documents d USING (doc_id) WHERE c.id IN ({','.join('?' * len(ids))})",
                ids).fetchall()
        finally:
            self.db.row_factory = None
        return {r["id"]: r for r in rows}

    def article_texts(self, acts: Iterable[str]) -> dict[tuple[str, str], list[str]]:
        """(act, article) -> the documents of those legal acts that have the article (an act's
        texts in other languages or editions), in one query for a page of hits."""
        acts = sorted(set(acts))
        if not acts or not self.legal_columns().startswith("c."):
            return {}
        out: dict[tuple[str, str], list[str]] = {}
        for act, article, doc_id in self.db.execute(
                f"SELECT DISTINCT {ACT}, c.article, d.doc_id FROM chunks c JOIN documents d "
                f"USING (doc_id) WHERE {ACT} IN ({','.join('?' * len(acts))}) AND c.article != '' "
                "ORDER BY d.doc_id", acts):
            out.setdefault((act, article), []).append(doc_id)
        return out

    def ids_where(self, where: str = "1", args: Iterable = ()) -> np.ndarray:
        """Sorted vector ids of chunks matching ``where`` (SQL on alias ``c``, see
        ``chunk_filter``)."""
        rows = self.db.execute(f"SELECT c.id FROM chunks c WHERE {where} ORDER BY c.id",
                               tuple(args))
        return np.array([r[0] for r in rows], dtype=np.int64)

    def ids_by_lang(self) -> dict[str, np.ndarray]:
        """Sorted vector ids of the chunks of each language."""
        out: dict[str, list[int]] = {}
        for i, lang in self.db.execute("SELECT id, lang FROM chunks ORDER BY id"):
            out.setdefault(lang, []).append(i)
        return {lang: np.array(ids, dtype=np.int64) for lang, ids in out.items()}

    def langs_of(self, ids: Iterable[int]) -> dict[int, str]:
        """Chunk language by vector id."""
        ids = list(ids)
        return dict(self.db.execute(
            f"SELECT id, lang FROM chunks WHERE id IN ({','.join('?' * len(ids))})", ids))

    def in_article(self, ids: Iterable[int], article: str) -> set[int]:
        """Those of ``ids`` whose chunk lies in article ``article`` of a legal act."""
        ids = list(ids)
        return {i for (i,) in self.db.execute(
            f"SELECT id FROM chunks WHERE article = ? AND id IN ({','.join('?' * len(ids))})",
            [article, *ids])}

    def lang_stats(self) -> dict[str, tuple[int, np.ndarray]]:
        """Chunk count and vector sum per language (``nlp.index.langstats``), counted afresh for a
        store from before they were kept."""
        stats = langstats.read(self.db)
        return langstats.compute(self.db) if stats is None else stats

    def has_keyword_index(self) -> bool:
        """True when the keyword index is there and built by this analysis version."""
        return keyword.is_current(self.db)

    def keyword_search(self, query: str, n: int, where: str = "1", args: Iterable = (),
                       part: str = "all") -> list[tuple[int, float]]:
        """Top ``n`` (id, -bm25) for ``part`` of ``query`` (``keyword.search``) among chunks
        matching ``where``."""
        return keyword.search(self.db, query, n, where, tuple(args), part)

    def has_entity(self, label: str, canonical_id: str) -> bool:
        """True when some chunk mentions the entity ``label``/``canonical_id`` (or, for a
        LAW, when a document is that act)."""
        if self.db.execute("SELECT 1 FROM entities WHERE label = ? AND canonical_id = ? "
                           "COLLATE NOCASE LIMIT 1", (label, canonical_id)).fetchone():
            return True
        return label == "LAW" and self.db.execute(
            f"SELECT 1 FROM documents d WHERE {ACT} = ? "
            "COLLATE NOCASE LIMIT 1", (canonical_id,)).fetchone() is not None

    def query(self, sql: str, args: Iterable = ()) -> tuple[list[str], list[tuple]]:
        """Run a read query (used by the DataFrame views)."""
        cur = self.db.execute(sql, tuple(args))
        names = [d[0] for d in cur.description]
        return names, cur.fetchall()


def free_id(wanted: str, taken) -> str:
    """``wanted``, or the first of ``wanted-2``, ``wanted-3``... that ``taken`` refuses not."""
    candidate, n = wanted, 1
    while taken(candidate):
        n += 1
        candidate = f"{wanted}-{n}"
    return candidate


def chunk_filter(langs: str | Iterable[str] | None = None, doc: str | None = None,
                 years: tuple[int, int] | None = None,
                 entities: Iterable[tuple[str, str]] = (),
                 article: str | None = None) -> tuple[str, list]:
    """(SQL condition on chunks aliased ``c``, args): languages (one or several), document,
    the document's year (``documents.meta``, inclusive range), entities (label, canonical
    id) that the chunk must all mention (a LAW entity: or the chunk is of that act itself,
    ``meta.legal.act``) and the article of a legal act. ``"1"`` when nothing is filtered."""
    parts: list[str] = []
    args: list = []
    langs = [langs] if isinstance(langs, str) else list(langs or ())
    if langs:
        parts.append(f"c.lang IN ({','.join('?' * len(langs))})")
        args += langs
    if doc:
        parts, args = [*parts, "c.doc_id = ?"], [*args, doc]
    if years:
        parts.append("c.doc_id IN (SELECT doc_id FROM documents WHERE "
                     "CAST(json_extract(meta, '$.year') AS INTEGER) BETWEEN ? AND ?)")
        args += list(years)
    for label, canonical in entities:
        mentions = ("c.chunk_id IN (SELECT chunk_id FROM entities WHERE label = ? AND "
                    "canonical_id = ? COLLATE NOCASE)")
        if label == "LAW":
            mentions = (f"({mentions} OR c.doc_id IN (SELECT doc_id FROM documents d WHERE "
                        f"{ACT} = ? COLLATE NOCASE))")
            args += [label, canonical, canonical]
        else:
            args += [label, canonical]
        parts.append(mentions)
    if article:
        parts, args = [*parts, "c.article = ?"], [*args, article]
    return " AND ".join(parts) or "1", args


def quote_columns(names: Iterable[str]) -> str:
    """'"a", "b"' for SQL ("end" is a keyword)."""
    return ", ".join(f'"{n}"' for n in names)
