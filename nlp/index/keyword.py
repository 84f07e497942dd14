"""Keyword retrieval: an SQLite FTS5 table of analysed chunk terms, ranked by BM25.

``chunks_fts`` holds, under ``rowid = chunks.id``, the chunk's terms from
``nlp.text.terms.terms`` in the chunk's language (stemmed, case and ё/е folded, numbers such
as ``477-iv`` whole) joined by spaces. It is written with the chunk (``Store.add_document``)
and removed by a trigger when the chunk row goes, so it is always in step with the store.
``meta.keyword_index`` records the analysis version the table was built with; a writer
that opens a store without it (an index from an older nlp) fills the table in once.

Capitalised words are also stored as script-neutral name keys (``nlp.text.terms.name_keys``:
"Болашақ", "Болашак" and "Bolashak" share ``xnbolashak``), and a query's names are matched
against them by prefix, so keyword search finds a name in any script. Hybrid search leaves
them out: from other languages they outvoted the dense ranking in short texts that share a
name (bitext en->kk acc@1 0.987 -> 0.957 when they counted), in the query's own language
they repeat its stems, and on common names ("Kazakhstan") their long posting lists doubled
the keyword p95 at 100k chunks.

A query's language is unknown (searches are cross-lingual), so its terms under each
analyser are ORed; every term is quoted, so no user text is read as FTS5 syntax.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from nlp.text.terms import name_keys, name_prefixes, neutral_terms, terms, words

VERSION = 2  # bump when nlp.text.terms changes what terms a text gives: writers rebuild
NAMES_MAX = 8  # name prefixes a query adds (its first names; a pasted passage has many)
META_KEY = "keyword_index"
TOKENIZER = "unicode61 remove_diacritics 0 tokenchars '-'"
SCHEMA = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(terms, tokenize="{TOKENIZER}");
CREATE TRIGGER IF NOT EXISTS chunks_fts_delete AFTER DELETE ON chunks BEGIN
    DELETE FROM chunks_fts WHERE rowid = old.id;
END;
"""
STOPWORDS = frozenset("""
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне
было вот от меня еще нет о об из ему когда даже ли если уже или ни быть был него до вас вам
ведь там потом себя ей может они тут где есть надо ней для мы тебя их чем была сам без
кто этот того потому этого какой ним здесь этом почти мой чтобы нее сейчас были куда можно
при эти нас про всего них какая много эту свою этой перед им более всегда между также
the of and a an to in is are was were be been by for on at as with from that this these those
it its or not no but which who whom what when where how than then there their they them he
she his her we our you your i me my do does did has have had will would can could should may
might into about also such any all each other
және мен бен пен да де та те ма ме ба бе па пе бұл ол осы сол үшін туралы бойынша арқылы
бірақ немесе әр барлық оның олар біз сіз ал еді екен деп дейін кейін сияқты ретінде
""".split())  # function words of ru, en, kk (surface forms) kept out of keyword queries
BACKFILL_BATCH = 2000  # chunks analysed per step of a migration
QUERY_ANALYSERS = ("kk", "ru")  # "ru" and "en" analyse alike (the script picks the stemmer)


def chunk_terms(text: str, lang: str) -> str:
    """The text stored for a chunk: its terms, then its name keys, joined by spaces."""
    return " ".join(terms(text, lang or "und") + name_keys(text))


def match_expression(query: str, names: bool = True) -> str | None:
    """An FTS5 query ORing the query's distinct terms under every analyser; None if none.

    Function words are left out (unless the query has nothing else): they carry next to no
    BM25 weight, and their long posting lists would make every query slow on a big index.
    """
    found = [w for w in words(query) if any(c.isalnum() for c in w)]
    content = " ".join(w for w in found if w not in STOPWORDS) or " ".join(found)
    seen: dict[str, None] = {}
    for lang in QUERY_ANALYSERS:
        seen.update(dict.fromkeys(terms(content, lang)))
    keys = name_prefixes(_without_stopwords(query))[:NAMES_MAX] if names else []
    return " OR ".join([_quoted(t) for t in seen] + [_quoted(k) + "*" for k in keys]) or None


def neutral_expression(query: str) -> str | None:
    """An FTS5 query for the numbers and codes of a look-up query
    (``nlp.text.terms.neutral_terms``):
    what it shares with passages in any language; None for none."""
    found = neutral_terms(query)
    return " OR ".join(_quoted(t) for t in dict.fromkeys(terms(found))) if found else None


def _without_stopwords(query: str) -> str:
    return " ".join(w for w in query.split()
                    if w.strip(".,;:!?()[]«»\"'").lower() not in STOPWORDS)


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def is_current(db: sqlite3.Connection) -> bool:
    """True when the store has a keyword index built with this analysis version."""
    try:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
        db.execute("SELECT 1 FROM chunks_fts LIMIT 0")
    except sqlite3.OperationalError:  # no meta table, or no chunks_fts
        return False
    return row is not None and row[0] == str(VERSION)


def add(db: sqlite3.Connection, rows: Sequence[tuple[int, str, str]]) -> None:
    """Index (id, text, lang) chunk rows (call inside the transaction that adds them)."""
    db.executemany("INSERT INTO chunks_fts (rowid, terms) VALUES (?, ?)",
                   [(i, chunk_terms(text, lang)) for i, text, lang in rows])


def in_step(db: sqlite3.Connection) -> tuple[int, int]:
    """(chunks in the keyword index, chunks in the store): equal when in step."""
    return db.execute("SELECT (SELECT COUNT(*) FROM chunks_fts), "
                      "(SELECT COUNT(*) FROM chunks)").fetchone()


def migrate(db: sqlite3.Connection, force: bool = False) -> int:
    """Fill the keyword index if it is stale or new (a writer, on open, after ``SCHEMA``), or
    anew if ``force``; return the number of chunks indexed. One transaction: a crash leaves
    the old state."""
    if is_current(db) and not force:
        return 0
    with db:
        db.execute("DELETE FROM chunks_fts")
        done, last = 0, -1
        while rows := db.execute("SELECT id, text, lang FROM chunks WHERE id > ? ORDER BY id "
                                 "LIMIT ?", (last, BACKFILL_BATCH)).fetchall():
            add(db, rows)
            done, last = done + len(rows), rows[-1][0]
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (META_KEY, str(VERSION)))
    return done


PARTS = ("all", "terms", "neutral")  # what of a query to match: see ``search``


def search(db: sqlite3.Connection, query: str, n: int, where: str = "1",
           args: Sequence = (), part: str = "all") -> list[tuple[int, float]]:
    """Top ``n`` (chunk id, score) by BM25 among chunks matching ``where`` (SQL on alias
    ``c`` = chunks, with ``args``); score = -bm25, higher is better. ``part``: "all" its
    terms and names, "terms" its terms only (hybrid), "neutral" its numbers and codes."""
    expression = (neutral_expression(query) if part == "neutral"
                  else match_expression(query, names=part == "all"))
    if expression is None:
        return []
    if where == "1":  # no join: looking up each matching chunk row tripled the time at 100k
        sql = ("SELECT rowid, bm25(chunks_fts) AS s FROM chunks_fts WHERE chunks_fts MATCH ? "
               "ORDER BY s LIMIT ?")
    else:
        sql = ("SELECT chunks_fts.rowid, bm25(chunks_fts) AS s FROM chunks_fts JOIN chunks c "
               f"ON c.id = chunks_fts.rowid WHERE chunks_fts MATCH ? AND ({where}) "
               "ORDER BY s LIMIT ?")
    rows = db.execute(sql, (expression, *args, n)).fetchall()
    return [(int(i), -float(s)) for i, s in rows]
