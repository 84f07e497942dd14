"""Per-language statistics of the chunk vectors, kept in the store beside the chunks.

Multilingual embedders give a question a higher cosine to any passage in its own language
than to a passage in another language of the same relevance ("language bias"): on a mixed
collection a loosely related passage in the query's language outranks the exact answer in
another. Search corrects for it with the centroid of each language's chunk vectors: a
passage's calibrated score is ``q·p - q·c(lang of p)``, its cosine minus the query's cosine
to an average passage of its language (``nlp.search.rank.offsets``, ``nlp.search.rank.calibrated``).

The centroids come from running sums (count and vector sum per language) in the ``meta``
table, updated in the same transaction as the chunks they count, so they are always those
of the committed chunks; a store from before them gets them on its first writable open.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

import numpy as np

META_KEY = "lang_stats"
BATCH = 5000


def read(db: sqlite3.Connection) -> dict[str, tuple[int, np.ndarray]] | None:
    """{lang: (chunk count, vector sum)} as stored; None for a store from before them."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    if row is None:
        return None
    stored = json.loads(row[0])
    return {lang: (int(n), np.asarray(total, dtype=np.float64))
            for lang, (n, total) in stored.items()}


def add(db: sqlite3.Connection, langs: Sequence[str], vectors: np.ndarray,
        sign: int = 1) -> None:
    """Count ``vectors`` (row i in language ``langs[i]``) in (sign 1) or out (-1)."""
    if not len(langs):
        return
    stats = read(db) or {}
    vectors = np.asarray(vectors, dtype=np.float64).reshape(len(langs), -1)
    for lang in set(langs):
        rows = vectors[[i for i, lg in enumerate(langs) if lg == lang]]
        n, total = stats.get(lang, (0, np.zeros(vectors.shape[1])))
        stats[lang] = (n + sign * len(rows), total + sign * rows.sum(axis=0))
    write(db, stats)


def write(db: sqlite3.Connection, stats: dict[str, tuple[int, np.ndarray]]) -> None:
    kept = {lang: [n, [round(float(x), 7) for x in total]]
            for lang, (n, total) in sorted(stats.items()) if n > 0}
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (META_KEY, json.dumps(kept)))


def compute(db: sqlite3.Connection) -> dict[str, tuple[int, np.ndarray]]:
    """The statistics counted afresh from every stored chunk vector."""
    stats: dict[str, tuple[int, np.ndarray]] = {}
    last = -1
    while rows := db.execute("SELECT id, lang, vector FROM chunks WHERE id > ? ORDER BY id "
                             "LIMIT ?", (last, BATCH)).fetchall():
        for _, lang, blob in rows:
            if not blob:
                continue
            vec = np.frombuffer(blob, dtype=np.float32).astype(np.float64)
            n, total = stats.get(lang, (0, np.zeros(len(vec))))
            stats[lang] = (n + 1, total + vec)
        last = rows[-1][0]
    return stats


def migrate(db: sqlite3.Connection) -> bool:
    """Count the statistics of a store from before them (a writer, on open); True if done."""
    if read(db) is not None:
        return False
    with db:
        write(db, compute(db))
    return True
