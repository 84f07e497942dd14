"""``nlp doctor``: check an index directory and repair what can be rebuilt from the store.

The store (SQLite) is the truth; the FAISS file and the manifest are derived from it, so
they can always be rebuilt. Checks: the writer lock, files left by a killed writer, the
manifest, the store's integrity, foreign keys and vectors, the FAISS file against the
manifest's SHA-256 and the store's ids, the counts, and whether the source files are still
there. ``repair`` takes the writer lock, removes leftovers and orphans, drops documents
whose vectors are damaged (the next ingest adds them again), rebuilds the FAISS file and
rewrites the manifest. A damaged store cannot be repaired here: the message gives the
command that rebuilds the index from its files.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from nlp.errors import IndexCorrupt, IndexMismatch, IndexNotFound
from nlp.index import keyword
from nlp.index.atomic import file_sha256, leftovers
from nlp.index.layout import (
    MANIFEST,
    STORE,
    VECTORS,
    file_sha,
    read_manifest,
    rebuild_command,
    source_exists,
)
from nlp.index.lock import describe, holder, stale_record
from nlp.index.store import Store
from nlp.index.vectors import read_vectors, reconcile

LEVELS = ("ok", "warn", "error")


@dataclass
class Finding:
    check: str
    level: str  # ok | warn | error
    message: str
    fix: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def diagnose(index: str | Path) -> list[Finding]:
    """Check the index at ``index``; change nothing."""
    root = _existing(index)
    out = _lock_findings(root) + _leftover_findings(root)
    manifest, found = _manifest_finding(root)
    out.append(found)
    if not (root / STORE).is_file():
        return [*out, Finding("store", "error", f"{root / STORE} is missing",
                              f"Rebuild the index: {rebuild_command(root)}")]
    try:
        store = Store(root / STORE, readonly=True)
    except IndexCorrupt as err:
        return [*out, Finding("store", "error", str(err), f"Rebuild: {rebuild_command(root)}")]
    try:
        out += _store_findings(root, store, manifest)
        if manifest:
            out += _vector_findings(root, store, manifest)
            out.append(_count_finding(store, manifest))
        out.append(_source_finding(root, store))
    finally:
        store.close()
    return out


def repair(index: str | Path) -> list[Finding]:
    """Repair what can be rebuilt from the store (under the writer lock); then diagnose."""
    from nlp.index.writer import IndexWriter

    root = _existing(index)
    with IndexWriter(root, command="nlp doctor --repair") as writer:
        done = list(writer.notes)  # the lock recovered, leftovers removed
        store = writer.store  # IndexCorrupt on open if the store itself is damaged
        _check_integrity(root, store)
        if writer.config is None:
            raise IndexCorrupt(f"Neither {MANIFEST} nor the store says which model built "
                               f"{root}. Rebuild: {rebuild_command(root)}")
        done += _drop_orphans(store) + _drop_bad_vectors(root, store, writer.config["dim"])
        done += _rebuild_keywords(store)
        n = len(writer.vectors)  # read and brought in step with the store
        writer.save()
        done.append(f"saved {VECTORS} ({n} vectors) and {MANIFEST}")
    return [Finding("repair", "ok", d) for d in done] + diagnose(root)


def worst(findings: list[Finding]) -> str:
    """The most serious level among ``findings``."""
    return max((f.level for f in findings), key=LEVELS.index, default="ok")


def _existing(index: str | Path) -> Path:
    root = Path(index)
    if not root.is_dir() or not ((root / MANIFEST).exists() or (root / STORE).exists()):
        raise IndexNotFound(root)
    return root


def _lock_findings(root: Path) -> list[Finding]:
    live = holder(root)
    if live:
        return [Finding("lock", "warn", f"being written now by {describe(live)}; what follows "
                        "may change under it")]
    stale = stale_record(root)
    if stale:
        return [Finding("lock", "warn", f"left by {describe(stale)}, which died; the next "
                        "writer takes it over", f"nlp doctor --index {root} --repair")]
    return [Finding("lock", "ok", "no writer")]


def _leftover_findings(root: Path) -> list[Finding]:
    tmp = leftovers(root)
    if not tmp:
        return []
    return [Finding("leftovers", "warn", f"{len(tmp)} temporary file(s) of an interrupted "
                    f"write: {', '.join(t.name for t in tmp[:3])}",
                    f"nlp doctor --index {root} --repair")]


def _manifest_finding(root: Path) -> tuple[dict | None, Finding]:
    try:
        manifest = read_manifest(root)
    except IndexNotFound:
        return None, Finding("manifest", "error", f"{root / MANIFEST} is missing",
                             f"nlp doctor --index {root} --repair")
    except IndexCorrupt as err:
        return None, Finding("manifest", "error", str(err), f"nlp doctor --index {root} --repair")
    except IndexMismatch as err:
        return None, Finding("manifest", "error", str(err))
    return manifest, Finding("manifest", "ok", f"format {manifest['format_version']}, model "
                             f"{manifest['model']} ({manifest['dim']}-d)")


def _store_findings(root: Path, store: Store, manifest: dict | None) -> list[Finding]:
    problems = _integrity(store)
    if problems:
        return [Finding("store", "error", f"SQLite integrity check failed: {problems[0]}",
                        f"Rebuild: {rebuild_command(root)}")]
    out = [Finding("store", "ok", "integrity check passed")]
    sha = file_sha(manifest or {}, STORE)
    if sha and sha != file_sha256(root / STORE) and not holder(root):
        out.append(Finding("store", "warn", "changed since the manifest was written (an "
                           "ingest was interrupted; its committed documents are kept)",
                           f"nlp ingest <same files> --index {root}, or nlp doctor --repair"))
    config = store.config()
    if manifest and config and (config.get("model"), config.get("dim")) != (
            manifest["model"], manifest["dim"]):
        out.append(Finding("store", "error", f"store was built with {config.get('model')} "
                           f"({config.get('dim')}-d), the manifest says {manifest['model']}",
                           f"nlp doctor --index {root} --repair (the store wins)"))
    dim = config.get("dim") or (manifest or {}).get("dim")
    return out + _row_findings(root, store, dim) + [_keyword_finding(root, store)]


def _keyword_finding(root: Path, store: Store) -> Finding:
    fix = f"nlp doctor --index {root} --repair"
    if not store.has_keyword_index():
        return Finding("keywords", "warn", "no keyword index for this nlp (the index was made "
                       "by an older one): searches are dense only", fix)
    indexed, chunks = keyword.in_step(store.db)
    if indexed != chunks:
        return Finding("keywords", "error", f"the keyword index holds {indexed} chunks, the "
                       f"store {chunks}: keyword and hybrid results are incomplete", fix)
    return Finding("keywords", "ok", f"{indexed} chunks in the keyword index")


def _row_findings(root: Path, store: Store, dim: int | None) -> list[Finding]:
    out = []
    orphans = len(store.db.execute("PRAGMA foreign_key_check").fetchall())
    if orphans:
        out.append(Finding("store", "error", f"{orphans} rows point to missing documents or "
                           "chunks", f"nlp doctor --index {root} --repair"))
    if dim:
        bad = _bad_vector_docs(store, dim)
        if bad:
            out.append(Finding("store", "error", f"{len(bad)} document(s) have damaged "
                               f"vectors: {', '.join(bad[:5])}",
                               f"nlp doctor --index {root} --repair, then nlp ingest again"))
    return out


def _vector_findings(root: Path, store: Store, manifest: dict) -> list[Finding]:
    vectors, why = read_vectors(root / VECTORS, manifest["dim"], file_sha(manifest, VECTORS))
    fix = f"nlp doctor --index {root} --repair (searches rebuild it in memory meanwhile)"
    if why == "missing":
        return [Finding("vectors", "warn", f"{VECTORS} is missing", fix)]
    if why != "ok":
        return [Finding("vectors", "error", f"{VECTORS} is damaged or was replaced ({why})",
                        fix)]
    dropped, added = reconcile(vectors, store)
    if dropped or added:
        return [Finding("vectors", "warn", f"{VECTORS} is out of step with the store ({added} "
                        f"missing, {dropped} extra): an ingest was interrupted", fix)]
    return [Finding("vectors", "ok", f"{len(vectors)} vectors match the manifest and store")]


def _count_finding(store: Store, manifest: dict) -> Finding:
    counts = store.counts()
    said = {k: manifest.get(k) for k in counts}
    text = ", ".join(f"{v} {k}" for k, v in counts.items())
    if said != counts:
        return Finding("counts", "warn", f"store has {text}; the manifest says "
                       f"{', '.join(f'{v} {k}' for k, v in said.items())} (an interrupted "
                       "ingest)", "nlp doctor --repair, or the next nlp ingest")
    return Finding("counts", "ok", text)


def _source_finding(root: Path, store: Store) -> Finding:
    gone = [p for p in store.paths().values() if not source_exists(p)]
    if gone:
        return Finding("sources", "warn", f"{len(gone)} document file(s) are gone, e.g. "
                       f"{gone[0]}", f"nlp ingest <your folders> --index {root} --prune")
    return Finding("sources", "ok", "every document's file is still there")


def _integrity(store: Store) -> list[str]:
    try:
        rows = [r[0] for r in store.db.execute("PRAGMA integrity_check").fetchall()]
    except Exception as err:  # noqa: BLE001 - a damaged file can fail in many ways
        return [str(err)]
    return [] if rows == ["ok"] else rows


def _check_integrity(root: Path, store: Store) -> None:
    problems = _integrity(store)
    if problems:
        raise IndexCorrupt(f"{root / STORE} is damaged ({problems[0]}); it cannot be repaired "
                           f"in place. Rebuild: {rebuild_command(root)}")


def _rebuild_keywords(store: Store) -> list[str]:
    """Rebuild the keyword index if it is out of step with the chunks (opening the store
    for writing has already built a missing or stale one)."""
    indexed, chunks = keyword.in_step(store.db)
    if indexed == chunks:
        return []
    keyword.migrate(store.db, force=True)
    return [f"rebuilt the keyword index ({chunks} chunks; it held {indexed})"]


def _drop_orphans(store: Store) -> list[str]:
    with store.db:
        entities = store.db.execute(
            "DELETE FROM entities WHERE chunk_id NOT IN (SELECT chunk_id FROM chunks)").rowcount
        chunks = store.db.execute(
            "DELETE FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents)").rowcount
    return [f"deleted {chunks} orphan chunks and {entities} orphan entities"] \
        if chunks or entities else []


def _drop_bad_vectors(root: Path, store: Store, dim: int) -> list[str]:
    bad = _bad_vector_docs(store, dim)
    paths = store.paths()
    with store.db:
        for doc_id in bad:
            store.delete_document(doc_id)
    if not bad:
        return []
    return [f"deleted {len(bad)} document(s) with damaged vectors; add them again: nlp ingest "
            f"{' '.join(paths[d] for d in bad[:5])} --index {root}"]


def _bad_vector_docs(store: Store, dim: int) -> list[str]:
    return [r[0] for r in store.db.execute(
        "SELECT DISTINCT doc_id FROM chunks WHERE vector IS NULL OR length(vector) != ?",
        (4 * dim,))]


