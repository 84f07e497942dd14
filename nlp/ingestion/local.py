"""Ingest files into an index: parse -> language -> chunk -> entities -> embed -> store.

A run is a sequence of committed steps, so ``kill -9`` at any moment loses nothing that
was committed and the next run completes the rest without duplicates:

1. take the writer lock (``nlp.index.lock``): a second writer gets "being written by PID ...";
2. write the manifest before the first document lands (the index opens from then on);
3. each document is one SQLite transaction: the old version goes only if the new one lands;
4. the FAISS file and the manifest (with SHA-256 of the files) are written atomically at the
   end and every ``CHECKPOINT_S``; readers bring a stale FAISS file in step with the store.

Files are parsed, chunked and searched for entities in child processes under a time and
memory budget (``nlp.ingestion.children``), so a hostile PDF costs one file, not the batch; up to
``workers`` children (one per core, at most ``MAX_WORKERS``) run ahead of this process,
which embeds and stores the results one at a time in file order. Unchanged files (same
content hash) are skipped; changed ones are replaced, and their chunks whose text is
unchanged (same SHA-256) keep their stored vectors instead of being embedded again.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from nlp.errors import IndexMismatch, ParseError, UserError
from nlp.index.atomic import file_sha256
from nlp.index.layout import default_index, display_path, make_config, source_exists
from nlp.index.writer import IndexWriter
from nlp.ingestion.children import Budget, failure_kind
from nlp.ingestion.pipeline import Analysed, embed_distinct, embed_pairs, name_document
from nlp.ingestion.pool import shared_pool
from nlp.parse.document import SUFFIXES, make_doc_id
from nlp.records import Chunk
from nlp.text.chunk import ChunkSettings
from nlp.text.printable import printable

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
    no_text: list[tuple[str, str]] = field(default_factory=list)  # (path, why): stored, 0 chunks
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
        if self.no_text:
            text += f"; {len(self.no_text)} with no text to search"
        line = lambda text: printable(text, one_line=True)  # noqa: E731 - a name can hold "\n"
        return (line(text) + "".join(f"\n  failed: {line(f.path)}: {line(f.reason)}"
                                     for f in self.failed)
                + "".join(f"\n  no text: {line(path)}: {line(why)}" for path, why in self.no_text)
                + "".join(f"\n  note: {line(n)}" for n in self.notes))


@dataclass
class _Run:
    """What one ingest run works with."""

    writer: IndexWriter
    embedder: _LazyEmbedder
    settings: ChunkSettings
    report: IngestReport
    budget: Budget
    entities: bool = True

    @property
    def config(self) -> dict:
        return make_config(self.embedder.model_id, self.embedder.dim, self.settings)


class _Todo(NamedTuple):
    file: Path
    path: str  # as stored: the path as text, undecodable bytes shown as \xNN
    old: tuple[str, str] | None  # (doc_id, sha256) of the stored version


def collect_files(paths: list[str | Path]) -> list[Path]:
    """Supported files under the given files and directories, sorted, without repeats."""
    found: dict[Path, None] = {}
    for p in map(Path, paths):
        if not p.exists() and p.is_symlink():  # a loop or a broken link: its file fails alone
            found[p.absolute()] = None
            continue
        if not p.exists():
            raise UserError(f"No such file or directory: {display_path(p)}")
        files = [p]
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES)
        found.update((f.resolve(), None) for f in files if f.is_file())
    return list(found)


def ingest(paths: list[str | Path], index: str | Path | None = None, model: str | None = None,
           prune: bool = False, progress: bool = True, budget: Budget | None = None,
           keep_broken: bool = False, workers: int | None = None,
           entities: bool = True) -> IngestReport:
    """Ingest files and directories into the index at ``index`` (created if needed; None:
    ``$NLP_INDEX``, a config file's, else the bundled demo's folder).

    ``keep_broken`` indexes blocks whose text layer scored as garbage (left out by default).
    ``workers``: files parsed and analysed at once (default: one per core, at most 4).
    ``entities=False`` skips entity extraction for the files ingested now (a search-only
    index, much faster); they keep no entities until they change or are re-ingested.
    """
    files = collect_files(paths)
    with IndexWriter(index or default_index()) as writer:
        report = IngestReport(str(writer.root), notes=writer.notes)  # the writer's notes
        run = _start(writer, model, report, budget or Budget(), paths)
        run.settings = replace(run.settings, keep_broken=keep_broken)  # a per-run choice
        run.entities = entities
        _ingest_files(run, files, progress, workers or default_workers())
        if prune:
            _prune(run)
        _save(run)
    return report


def default_workers() -> int:
    """Analyser children when none is asked for: one per core, at most ``MAX_WORKERS``."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


class _LazyEmbedder:
    """Loads the model on first use: re-ingesting unchanged files costs no model load."""

    def __init__(self, model_id: str, dim: int | None = None) -> None:
        self.model_id, self._dim, self._loaded = model_id, dim, None

    @property
    def dim(self) -> int:
        return self._dim or self.get().dim

    def get(self):
        from nlp.embed.embedders import load_embedder

        if self._loaded is None:
            loaded = load_embedder(self.model_id)
            if self._dim and loaded.dim != self._dim:
                raise IndexMismatch(f"Index holds {self._dim}-d vectors, {self.model_id} gives "
                                    f"{loaded.dim}-d. Use a new --index DIR.")
            self._loaded = loaded
        return self._loaded

    def embed_passages(self, texts: list[str]):
        return self.get().embed_passages(texts)


def _start(writer: IndexWriter, model: str | None, report: IngestReport, budget: Budget,
           paths: list) -> _Run:
    """The embedder and chunking of the index (its own, if it has any documents)."""
    from nlp.embed.embedders import DEFAULT_MODEL

    config = writer.config
    if config:
        _check_model(writer.root, config["model"], model, paths)
        embedder = _LazyEmbedder(config["model"], config["dim"])
        settings = ChunkSettings(**config["chunking"])  # keep the index's own chunking
    else:
        embedder, settings = _LazyEmbedder(model or DEFAULT_MODEL), ChunkSettings()
    return _Run(writer, embedder, settings, report, budget)


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


def _progress(todo: list[_Todo], enabled: bool):
    """(a bar on a terminal, in bytes: files differ 100x in size, so counting files misled
    the estimate; whether to log one line per file instead: output is not a terminal)."""
    from tqdm import tqdm

    tty = sys.stderr.isatty()
    total = sum(_size(t.file) for t in todo)
    bar = tqdm(total=total, desc="ingest", unit="B", unit_scale=True,
               disable=not (enabled and tty))
    return bar, enabled and not tty


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0


def _log_file(n: int, total: int, item: _Todo, report: IngestReport, before: tuple,
              seconds: float) -> None:
    """One line per file when output is not a terminal: a long batch shows life."""
    pages, chunks, entities, failed = (report.pages - before[0], report.chunks - before[1],
                                       report.entities - before[2], len(report.failed) > before[3])
    what = ("failed: " + report.failed[-1].reason if failed
            else f"{pages} pages, {chunks} chunks, {entities} entities")
    sys.stderr.write(printable(f"ingest {n}/{total} {item.path}: {what} ({seconds:.1f} s)",
                               one_line=True) + "\n")
    sys.stderr.flush()


def _plan(run: _Run, files: list[Path]) -> list[_Todo]:
    """Files to parse: new or changed ones; unchanged are skipped, unreadable reported."""
    todo = []
    for file in files:
        path = display_path(file)
        old = run.writer.store.document_by_path(path)
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
    bar, log = _progress(todo, progress)
    report = run.report
    with bar, shared_pool(run.budget, workers) as pool:
        results = pool.imap([t.file for t in todo], run.settings, workers, run.entities)
        for n, item in enumerate(todo, 1):
            report.status = lambda stage, name=item.file.name: bar.set_postfix_str(
                f"{name}: {stage}")
            before, clock = (report.pages, report.chunks, report.entities,
                             len(report.failed)), time.perf_counter()
            analysed = _collect(results, item, report)
            if analysed is not None:
                _add(run, item, analysed)
            bar.update(_size(item.file))
            if log:
                _log_file(n, len(todo), item, report, before, time.perf_counter() - clock)
            if time.monotonic() - run.writer.saved_at > CHECKPOINT_S:
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
    writer, report = run.writer, run.report
    doc, chunks, found = analysed.doc, analysed.chunks, analysed.found
    name_document(doc, chunks, writer.store.free_doc_id(make_doc_id(item.file), item.path),
                  item.path)
    with _timed(report, "embed"):
        vecs = _vectors(run, item, chunks)
    if writer.config is None:  # a new index: its model and dimension are known now
        writer.configure(run.config)
    with _timed(report, "store"):
        writer.add(doc, chunks, vecs, found, replaces=item.old[0] if item.old else None)
    (report.replaced if item.old else report.added).append(doc.doc_id)
    if not chunks:
        report.no_text.append((item.path, why_no_text(doc)))
    report.pages += len(doc.pages)
    report.chunks += len(chunks)
    report.entities += len(found)


def why_no_text(doc) -> str:
    """Why a parsed document gave no chunk, from its pages' flags, for the ingest summary."""
    pages = doc.pages
    flags = Counter(f for p in pages for f in set(p.flags))
    broken = sum(1 for p in pages for b in p.blocks if "broken" in b.flags)
    if flags["image_too_large"]:
        why = f"{flags['image_too_large']} page(s) hold an image too large to OCR"
    elif flags["needs_ocr"]:
        why = (f"{flags['needs_ocr']} of {len(pages)} page(s) have no text layer and OCR "
               f"gave no readable text")
    elif broken:
        why = (f"{broken} block(s) of garbled text left out (ingest --keep-broken keeps "
               f"them)")
    elif flags["unreadable"]:
        why = f"{flags['unreadable']} page(s) could not be read"
    else:
        why = f"{len(pages)} page(s), all blank"
    return why + "; the file is recorded, so an unchanged re-run skips it"


def _vectors(run: _Run, item: _Todo, chunks: list[Chunk]):
    """Vectors of the chunks: stored ones for unchanged chunk texts, the rest embedded."""
    known = _stored_vectors(run, item.old[0]) if item.old else {}
    pairs = embed_pairs(chunks)  # a headed part of a legal article is keyed by its input
    run.report.reused_vectors += sum(1 for key, _ in pairs if key in known)
    return embed_distinct(run.embedder, pairs, known)


def _stored_vectors(run: _Run, doc_id: str) -> dict:
    """key -> vector of the stored chunks of ``doc_id`` (all made by the index's model), keyed
    as ``embed_pairs`` keys a chunk: by what the model read."""
    import numpy as np

    dim = run.embedder.dim
    names, rows = run.writer.store.query(
        f"SELECT sha256, text, section, {run.writer.store.legal_columns('')}, vector FROM chunks "
        "WHERE doc_id = ?", (doc_id,))
    stored = [dict(zip(names, row, strict=True)) for row in rows]
    return {key: np.frombuffer(c["vector"], dtype=np.float32)
            for c, (key, _) in zip(stored, embed_pairs(stored), strict=True)
            if c["sha256"] and c["vector"] is not None and len(c["vector"]) == 4 * dim}


@contextmanager
def _timed(report: IngestReport, stage: str):
    report.status(stage)
    clock = time.perf_counter()
    yield
    report.seconds[stage] += time.perf_counter() - clock


def _prune(run: _Run) -> None:
    for doc_id, path in run.writer.store.paths().items():
        if not source_exists(path):
            run.writer.delete(doc_id)
            run.report.removed.append(doc_id)


def _save(run: _Run) -> None:
    if run.writer.config is None:  # a new index where no file could be added
        run.writer.configure(run.config)
    run.writer.save()
