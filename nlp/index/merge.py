"""Several index directories merged into a new one (``python -m nlp.ingestion.distributed merge``).

Shards come from ``nlp.ingestion.distributed`` or from plain ``nlp ingest`` runs built alike
(same model, dimension and chunking). Their documents are copied through ``IndexWriter`` in
path order (so shards of one ``nlp ingest`` file list merge into exactly what that ingest
would build), with fresh chunk ids and the vectors taken from the shards' stores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nlp.errors import UserError
from nlp.index.layout import MANIFEST, STORE, read_manifest, same_config
from nlp.index.store import CHUNK_COLUMNS, Store, quote_columns
from nlp.index.writer import IndexWriter
from nlp.records import Chunk, Document, Entity, Page


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
    root = Path(out)
    if (root / MANIFEST).exists() or (root / STORE).exists():
        raise UserError(f"{root} already holds an index; merge into a new folder")
    sources = [(Path(d), read_manifest(Path(d))) for d in shard_dirs]
    config = same_config(sources)
    report, stores = MergeReport(str(root)), [Store(d / STORE, readonly=True) for d, _ in sources]
    try:
        with IndexWriter(root, "nlp.ingestion.distributed merge") as writer:
            writer.configure(config)
            for n, doc in _documents_in_path_order(stores, report):
                _copy_document(stores[n], str(sources[n][0]), doc, writer, report)
            writer.save()
    finally:
        for s in stores:
            s.close()
    return report


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


def _copy_document(src: Store, shard: str, row: dict, writer: IndexWriter,
                   report: MergeReport) -> None:
    old = row["doc_id"]
    doc_id = writer.store.free_doc_id(old, row["path"])
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
    vecs = src.vectors_for(np.array(ids, dtype=np.int64), writer.config["dim"])
    _, rows = src.query('SELECT chunk_id, page, start, "end", label, text, norm, canonical_id, '
                        "value, unit, source FROM entities WHERE doc_id = ? ORDER BY id", [old])
    found = [(by_old[r[0]], r[1], Entity(*r[2:])) for r in rows]
    writer.add(doc, chunks, vecs, found, ingested_at=row["ingested_at"])
    report.documents += 1
    report.chunks += len(chunks)
    report.entities += len(found)
