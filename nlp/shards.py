"""Several index directories as one: merged into a new index, or searched together.

Shards come from ``nlp.distributed.ingest_distributed`` or from plain ``nlp ingest`` runs
built alike (same model, dimension and chunking). ``merge_indexes`` copies them through
``Store`` into one index: documents in path order (so shards of one ``nlp ingest`` file list
merge into exactly what that ingest would build), fresh chunk ids, vectors taken from the
shards' stores, the manifest written by ``save_index``. ``ShardedIndex`` searches every
shard and merges the hits: dense scores are cosines, so that ranking is exact.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from nlp.errors import IndexMismatch, UserError
from nlp.index import MANIFEST, STORE, Hits, Index, read_manifest
from nlp.records import Chunk, Document, Entity, Hit, Page
from nlp.store import Store

# --- merging shards into one index ------------------------------------------------------

@dataclass
class MergeReport:
    index: str
    documents: int = 0
    chunks: int = 0
    entities: int = 0
    renamed: dict[str, str] = field(default_factory=dict)  # "<shard>:<doc_id>" -> new id
    duplicates: list[str] = field(default_factory=list)  # paths in several shards: first kept


def merge_indexes(shard_dirs: list[str | Path], out: str | Path) -> MergeReport:
    """Copy shard indexes into a new index at ``out``: documents in path order, fresh ids."""
    from nlp.ingestion import save_index
    from nlp.lock import writer_lock
    from nlp.vectors import VectorIndex

    root = Path(out)
    if (root / MANIFEST).exists() or (root / STORE).exists():
        raise UserError(f"{root} already holds an index; merge into a new folder")
    sources = [(Path(d), read_manifest(Path(d))) for d in shard_dirs]
    config = _same_config(sources)
    root.mkdir(parents=True, exist_ok=True)
    report, stores = MergeReport(str(root)), [Store(d / STORE, readonly=True) for d, _ in sources]
    try:
        with writer_lock(root, "nlp.distributed merge"):
            store, vectors = Store(root / STORE), VectorIndex(config["dim"])
            try:
                for n, doc in _documents_in_path_order(stores, report):
                    _copy_document(stores[n], f"{sources[n][0]}", doc, store, vectors, config,
                                   report)
                save_index(root, store, vectors, config)
            finally:
                store.close()
    finally:
        for s in stores:
            s.close()
    return report


def _same_config(sources: list[tuple[Path, dict]]) -> dict:
    """The shards' common config (format, model, dim, chunking); refuses a mix."""
    if not sources:
        raise UserError("No shard indexes given")
    keys = ("format_version", "model", "dim", "chunking")
    first, config = sources[0][0], {k: sources[0][1].get(k) for k in keys}
    for path, manifest in sources[1:]:
        other = {k: manifest.get(k) for k in keys}
        if other != config:
            raise IndexMismatch(f"Shards {first} and {path} were built differently ({config} vs "
                                f"{other}); merge or search only shards built alike")
    return config


def _documents_in_path_order(stores: list[Store], report: MergeReport):
    """(shard number, document row) sorted by path; a path seen before is skipped."""
    docs = []
    for n, store in enumerate(stores):
        names, rows = store.query(
            "SELECT doc_id, path, sha256, pages, meta, ingested_at FROM documents")
        docs += [(Path(r[1]).parts, n, dict(zip(names, r, strict=True))) for r in rows]
    seen = set()
    for _, n, doc in sorted(docs, key=lambda d: (d[0], d[1])):
        if doc["path"] in seen:
            report.duplicates.append(doc["path"])
            continue
        seen.add(doc["path"])
        yield n, doc


def _copy_document(src: Store, shard: str, row: dict, store: Store, vectors, config: dict,
                   report: MergeReport) -> None:
    import numpy as np

    from nlp.store import CHUNK_COLUMNS, quote_columns

    old = row["doc_id"]
    doc_id = store.free_doc_id(old, row["path"])
    if doc_id != old:
        report.renamed[f"{shard}:{old}"] = doc_id
    doc = Document(doc_id, row["path"], row["sha256"],
                   [Page(n + 1) for n in range(row["pages"] or 0)], json.loads(row["meta"]))
    names, rows = src.query(f"SELECT id, {quote_columns(CHUNK_COLUMNS)} FROM chunks "
                            "WHERE doc_id = ? ORDER BY seq", [old])
    ids, chunks, by_old = [], [], {}
    for values in rows:
        c = dict(zip(names, values, strict=True))
        ids.append(c.pop("id"))
        chunk = Chunk(**(c | {"doc_id": doc_id, "chunk_id": doc_id + c["chunk_id"][len(old):]}))
        chunks.append(chunk)
        by_old[c["chunk_id"]] = chunk
    vecs = src.vectors_for(np.array(ids, dtype=np.int64), config["dim"])
    _, rows = src.query('SELECT chunk_id, page, start, "end", label, text, norm, canonical_id, '
                        "value, unit, source FROM entities WHERE doc_id = ? ORDER BY id", [old])
    found = [(by_old[r[0]], r[1], Entity(*r[2:])) for r in rows]
    with store.db:
        if not store.config():
            store.set_config(config)
        new_ids = store.add_document(doc, chunks, vecs, found, row["ingested_at"])
    vectors.add(new_ids, vecs)
    report.documents += 1
    report.chunks += len(chunks)
    report.entities += len(found)


# --- searching shards together ----------------------------------------------------------

class ShardedIndex:
    """Several index directories read as one: every shard searched, hits merged by score."""

    def __init__(self, shard_dirs: list[str | Path]) -> None:
        self.shards: list[Index] = []
        try:
            for d in shard_dirs:
                self.shards.append(Index(d))
            _same_config([(s.path, s.manifest) for s in self.shards])
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        for shard in self.shards:
            shard.close()

    def __enter__(self) -> ShardedIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def search(self, query: str, k: int = 10, **options) -> Hits:
        """The ``k`` best chunks over all shards (options as in ``Index.search``)."""
        return self.batch_search([query], k, **options)[0]

    def batch_search(self, queries: list[str], k: int = 10, *, mode: str | None = None,
                     collapse: bool = False, **filters) -> list[Hits]:
        """``Index.batch_search`` over every shard that can match (filters passed on).

        ``dense`` merges the shards' cosine lists: the ranking one index would give.
        ``keyword`` scores BM25 with each shard's own term statistics, so it may rank a
        little differently from one merged index; ``hybrid`` fuses the merged dense and
        keyword lists by reciprocal rank, as ``Index`` does. ``collapse`` is applied to the
        best ``4 k`` merged hits, so fewer than ``k`` may remain.
        """
        from nlp.index import DEFAULT_MODE, FUSION_DEPTH, query_language

        shards = [s for s in self.shards if not filters.get("doc")
                  or filters["doc"] in s.store.paths()]
        if not shards:
            raise UserError(f"No document {filters['doc']!r} in any shard. See: nlp info "
                            f"--index <shard>")
        mode = mode or (DEFAULT_MODE if all(s.store.has_keyword_index() for s in shards)
                        else "dense")
        n = 4 * k if collapse else k
        if str(mode).lower() != "hybrid":
            lists = _merged(shards, queries, n, mode=mode, **filters)
        else:
            depth = max(FUSION_DEPTH, 5 * n)
            neutral = _merged(shards, queries, depth, mode="neutral", **filters)
            lists = [_fuse(d, w, i, query_language(q), n) for q, d, w, i in zip(
                queries, _merged(shards, queries, depth, mode="dense", **filters),
                _merged(shards, queries, depth, mode="terms", **filters), neutral,
                strict=True)]
        return [_collapse(hits, k) if collapse else _renumbered(hits) for hits in lists]

    def documents(self):
        """DataFrame: one row per document of every shard."""
        return self._concat([s.documents() for s in self.shards], ["doc_id"])

    def chunks(self):
        """DataFrame: one row per chunk of every shard."""
        return self._concat([s.chunks() for s in self.shards], ["doc_id", "seq"])

    def entities(self, label: str | None = None, lang: str | None = None):
        """DataFrame: one row per entity of every shard, ordered like ``Index.entities``."""
        return self._concat([s.entities(label=label, lang=lang) for s in self.shards],
                            ["doc_id", "chunk_id", "start"])

    @staticmethod
    def _concat(frames: list, order: list[str]):
        import pandas as pd

        frame = pd.concat(frames, ignore_index=True)
        return frame.sort_values(order, kind="stable").reset_index(drop=True)


def merge_hits(per_shard: list[Hits], k: int) -> Hits:
    """The ``k`` best of several shards' hits by score (ties: earlier shard, better rank)."""
    return _renumbered(_merge_keyed(per_shard, k))


def _merge_keyed(per_shard: list[Hits], k: int) -> list[tuple[tuple[int, str], Hit]]:
    """((shard number, chunk id), hit) of the ``k`` best hits by score."""
    ranked = sorted(((-h.score, n, h.rank), (n, h.chunk_id), h)
                    for n, hits in enumerate(per_shard) for h in hits)
    return [(key, h) for _, key, h in ranked[:k]]


def _merged(shards: list[Index], queries: list[str], k: int, **options) -> list[list]:
    per_shard = [s.batch_search(queries, k, **options) for s in shards]
    return [_merge_keyed([hits[i] for hits in per_shard], k) for i in range(len(queries))]


def _fuse(dense: list, words: list, neutral: list, query_lang: str | None, k: int) -> list:
    """The hybrid ranking of merged lists, by the rule ``Index`` fuses its own with
    (``nlp.rank.hybrid``)."""
    from nlp.rank import hybrid

    hits = dict(neutral) | dict(words) | dict(dense)
    number = {key: i for i, key in enumerate(hits)}
    keys = list(hits)
    fused = hybrid([number[key] for key, _ in dense], [number[key] for key, _ in words],
                   [number[key] for key, _ in neutral],
                   {number[key]: h.lang for key, h in hits.items()}, query_lang)[:k]
    return [(keys[i], dataclasses.replace(hits[keys[i]], score=round(s, 6 if s < 0.1 else 4)))
            for i, s in fused]


def _collapse(keyed: list, k: int) -> Hits:
    from nlp.rank import collapse

    keep = collapse([h.text for _, h in keyed], [h.lang for _, h in keyed])
    return _renumbered([keyed[i] for i in keep[:k]])


def _renumbered(keyed: list) -> Hits:
    return Hits(dataclasses.replace(h, rank=r) for r, (_, h) in enumerate(keyed, 1))
