"""Changes to the index format, as one numbered list applied in order (as ``llm`` keeps its
``migrations.py``).

A writer (``Store(readonly=False)``) brings the store up to date on open: every migration
after the number recorded in ``meta.schema_version`` runs, and the number is recorded. A
store from before this list records none, so all run; each is safe on a store that already
has what it adds. Migrations are small functions of the SQLite connection; add a change at
the end, never edit one that has shipped.

Derived data is checked after the migrations, on every writable open (``REFRESH``): the
keyword index is rebuilt when ``nlp.index.keyword.VERSION`` (the analysis that gives its
terms) changes or when it is missing, the language statistics are counted if missing.

The configuration an older index recorded is upgraded by ``upgrade_config`` when it is read,
and the temporary files of an older writer are in ``OLD_LEFTOVERS``. Readers open the store
read-only and cannot migrate: they search what an older store has (dense only without a
keyword index, centroids counted on the fly) until the next writer migrates it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from nlp.index import keyword, langstats

META_KEY = "schema_version"
OLD_LEFTOVERS = (".vectors-*.tmp", "manifest.json.tmp")  # an older writer's temporary files

TABLES = """
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
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


def m001_tables(db: sqlite3.Connection) -> None:
    """Documents, chunks (with their vectors), entities and the meta table."""
    db.executescript(TABLES)


def m002_keyword_index(db: sqlite3.Connection) -> None:
    """The FTS5 keyword index of the chunks, filled from the chunks already stored."""
    refresh_keyword_index(db)


def m003_language_stats(db: sqlite3.Connection) -> None:
    """Per-language chunk counts and vector sums (the centroids of ``nlp.search.rank``)."""
    refresh_language_stats(db)


def m004_legal_parts(db: sqlite3.Connection) -> None:
    """The article and chapter of a legal act a chunk is in (``nlp.text.legal``)."""
    have = {row[1] for row in db.execute("PRAGMA table_info(chunks)")}
    for column in ("article", "chapter"):
        if column not in have:
            db.execute(f"ALTER TABLE chunks ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_tables,
    m002_keyword_index,
    m003_language_stats,
    m004_legal_parts,
]


def version(db: sqlite3.Connection) -> int:
    """The number of the last migration applied to the store (0: none recorded)."""
    try:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    except sqlite3.OperationalError:  # no meta table yet
        return 0
    return int(row[0]) if row else 0


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply the migrations the store lacks, then refresh derived data; the names applied."""
    done = []
    for number, step in enumerate(MIGRATIONS, 1):
        if number <= version(db):
            continue
        step(db)
        with db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (META_KEY, str(number)))
        done.append(step.__name__)
    for refresh in REFRESH:
        refresh(db)
    return done


def refresh_keyword_index(db: sqlite3.Connection) -> None:
    """Rebuild the keyword index when the analysis behind its terms has changed, or when it
    is missing for any other reason (a table dropped by another tool)."""
    db.executescript(keyword.SCHEMA)
    keyword.migrate(db)


def refresh_language_stats(db: sqlite3.Connection) -> None:
    """Count the language statistics again if they are missing."""
    langstats.migrate(db)


REFRESH = [refresh_keyword_index, refresh_language_stats]  # derived data, checked on every open


def upgrade_config(config: dict) -> dict:
    """An older index's recorded configuration in today's terms."""
    if "chunking" in config:  # an index from before min_chars never joined short runs
        config = {**config, "chunking": {"min_chars": 0, **config["chunking"]}}
    return config
