"""``IndexWriter``: the one owner of an index directory's write path.

Ingest, shard merging, distributed shards and ``nlp doctor --repair`` all write through it:

1. take the writer lock (``nlp.index.lock``); a second writer gets "being written by PID ...";
2. remove the temporary files a killed writer left (safe: we hold the lock);
3. open the store (which applies ``nlp.index.migrations``) and read how the index is built,
   from the store first, then the manifest;
4. ``add`` a document as one SQLite transaction (the old version goes only if the new one
   lands); the manifest is written before the first document, so the index opens from then on;
5. ``save`` writes the FAISS file, then the manifest with both files' SHA-256, atomically.

The store is the truth; the FAISS file is brought in step with it when first needed
(``nlp.index.vectors.reconcile``), so a killed run loses nothing that was committed.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from nlp.errors import IndexCorrupt, IndexMismatch, UserError
from nlp.index import layout
from nlp.index.atomic import file_sha256, leftovers
from nlp.index.layout import MANIFEST, STORE, VECTORS, display_path
from nlp.index.lock import describe, writer_lock
from nlp.index.migrations import OLD_LEFTOVERS, upgrade_config
from nlp.index.store import Store
from nlp.index.vectors import VectorIndex, read_vectors, reconcile
from nlp.records import Chunk, Document, Entity


class IndexWriter:
    """Writes one index directory under its lock; use as a context manager.

        with IndexWriter(root) as writer:
            writer.configure(config)        # a new index: format, model, dim, chunking
            writer.add(doc, chunks, vectors, found)
            writer.save()
    """

    def __init__(self, root: str | Path, command: str = "nlp ingest") -> None:
        self.root, self.command = Path(root), command
        self.notes: list[str] = []  # what was found and fixed on the way, for people
        self.store: Store | None = None
        self.manifest: dict | None = None
        self.config: dict | None = None
        self.saved_at = time.monotonic()
        self._vectors: VectorIndex | None = None
        self._open = ExitStack()

    def __enter__(self) -> IndexWriter:
        if self.root.exists() and not self.root.is_dir():
            raise UserError(f"{display_path(self.root)} is a file, not an index folder; give "
                            f"--index a new or existing folder")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise UserError(f"Cannot create the index folder {display_path(self.root)}: "
                            f"{err.strerror or err}") from None
        with ExitStack() as stack:  # on a failure here, what was opened is closed again
            stale = stack.enter_context(writer_lock(self.root, self.command))
            if stale:
                self.notes.append(f"recovered the lock left by {describe(stale)}, which died")
            self._remove_leftovers()
            self.store = Store(self.root / STORE)
            stack.callback(self.store.close)
            self._read_config()
            self._open = stack.pop_all()
        return self

    def __exit__(self, *exc) -> None:
        self._open.__exit__(*exc)

    # --- reading how the index is built ---------------------------------------------------

    def _remove_leftovers(self) -> None:
        old = [f for pattern in OLD_LEFTOVERS for f in self.root.glob(pattern)]
        for tmp in [*leftovers(self.root), *old]:
            tmp.unlink(missing_ok=True)
            self.notes.append(f"removed {tmp.name}, left by an interrupted ingest")

    def _read_config(self) -> None:
        if (self.root / MANIFEST).exists():
            try:
                self.manifest = layout.read_manifest(self.root)
            except IndexCorrupt as err:
                self.notes.append(f"{err}: rewritten from the store")
        config = self.store.config() or layout.config_of(self.manifest)
        if not config:
            if self.store.counts()["chunks"]:
                raise IndexCorrupt(f"{self.root / STORE} holds chunks but no record of its "
                                   f"model. Rebuild: {layout.rebuild_command(self.root)}")
            return
        found = config.get("format_version", layout.FORMAT_VERSION)
        if found != layout.FORMAT_VERSION:
            raise IndexMismatch(layout.format_message(self.root, found))
        self.config = upgrade_config(config)

    def configure(self, config: dict) -> None:
        """How a new index is built (format_version, model, dim, chunking)."""
        if self.config is not None and self.config != config:
            raise IndexMismatch(f"Index {self.root} is built as {self.config}, not {config}")
        self.config = config

    # --- vectors ----------------------------------------------------------------------------

    @property
    def vectors(self) -> VectorIndex:
        """The FAISS index in step with the store (read on first use; a note if repaired)."""
        if self._vectors is None:
            self._vectors = self._load_vectors()
        return self._vectors

    def _load_vectors(self) -> VectorIndex:
        dim = self.config["dim"]
        sha = layout.file_sha(self.manifest, VECTORS) if self.manifest else None
        vectors, why = read_vectors(self.root / VECTORS, dim, sha)
        dropped, added = reconcile(vectors, self.store)
        if why != "ok" and added:
            self.notes.append(f"{VECTORS} not used ({why}): rebuilt from the store")
        elif dropped or added:
            self.notes.append(f"a previous ingest was interrupted: {added} vectors restored "
                              f"and {dropped} dropped from the store's record")
        return vectors

    # --- writing ----------------------------------------------------------------------------

    def add(self, doc: Document, chunks: list[Chunk], vectors: np.ndarray,
            found: list[tuple[Chunk, int, Entity]], ingested_at: str | None = None,
            replaces: str | None = None) -> list[int]:
        """Store one document (replacing the document ``replaces``) in one transaction and
        add its vectors; the FAISS ids of its chunks."""
        index = self.vectors
        if self.manifest is None:  # from now on the index opens
            self.manifest = layout.write_manifest(self.root, self.store, self.config, {}, None)
        with self.store.db:
            self._record_config()
            freed = self.store.delete_document(replaces) if replaces else []
            ids = self.store.add_document(doc, chunks, vectors, found,
                                          ingested_at or layout.now())
        index.remove(freed)
        index.add(ids, vectors)
        return ids

    def delete(self, doc_id: str) -> None:
        """Remove a document, its chunks, entities and vectors."""
        with self.store.db:
            freed = self.store.delete_document(doc_id)
        if self.config:
            self.vectors.remove(freed)

    def save(self) -> dict:
        """Write the FAISS file, then the manifest with both files' SHA-256 (atomically)."""
        with self.store.db:
            self._record_config()
        files = {VECTORS: _entry(self.vectors.save(self.root / VECTORS), self.root / VECTORS)}
        store_sha = self._store_sha()
        if store_sha:
            files[STORE] = _entry(store_sha, self.root / STORE)
        created = (self.manifest or {}).get("created")
        self.manifest = layout.write_manifest(self.root, self.store, self.config, files,
                                              created)
        self.saved_at = time.monotonic()
        return self.manifest

    def _record_config(self) -> None:
        """How the index is built, into the store (in the caller's transaction), once."""
        if not self.store.config():
            self.store.set_config(self.config)

    def _store_sha(self) -> str | None:
        """SHA-256 of the store once the WAL is folded in; None if readers kept it busy."""
        busy, _, _ = self.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return None if busy else file_sha256(self.store.path)


def _entry(sha: str, file: Path) -> dict:
    return {"sha256": sha, "bytes": file.stat().st_size}
