"""Kill `nlp ingest` with SIGKILL at random moments and check that nothing is lost.

Each run changes the file set a little (a file replaced by other content, deleted, or put
back; sometimes the index is started afresh), starts an ingest in a child process, kills it
with SIGKILL after a random delay, then checks the index as it was left:

- it opens (or, if the kill came before the first document, holds no documents);
- a search answers; the FAISS vectors equal the store's chunks; every stored document is
  complete (its chunks and entities are exactly those of an uninterrupted ingest of its
  content); no parser child outlived the kill;

and finally re-runs the ingest to the end and checks the index holds exactly the expected
documents, chunks and entities (compared with a reference ingest of each content) and that
`nlp doctor` finds no error. A run counts only if the kill landed while ingest was running.

    python -m scripts.chaos_ingest [--runs 20] [--seed 0] [--model test/hash-64] [PATH ...]

PATHs default to corpus/*.pdf plus ../shared/data/pdfs/{en,ru,kk}/*.pdf when present.
The default model is a deterministic hashing embedder (fast; the crash-safety logic does
not depend on the model). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "pdfs"
HASH_MODEL = "test/hash-64"
QUERY = "migration quota for work permits"


def register(model: str) -> None:
    if model == HASH_MODEL:
        from nlp.embed.embedders import HashEmbedder, register_embedder

        register_embedder(HASH_MODEL, HashEmbedder())


def child(index: str, model: str, folder: str) -> None:
    """The process that gets killed: ingest ``folder`` with --prune, print the report."""
    register(model)
    from nlp.ingestion.local import ingest

    report = ingest([folder], index=index, model=model, prune=True, progress=False)
    print(json.dumps({"added": len(report.added), "replaced": len(report.replaced),
                      "removed": len(report.removed), "failed": len(report.failed),
                      "notes": report.notes}))


def main() -> None:
    args = _args()
    if args.child:
        child(*args.child)
        return
    register(args.model)
    random.seed(args.seed)
    sources = [Path(p).resolve() for p in (args.paths or _default_paths())]
    with tempfile.TemporaryDirectory(prefix="chaos-") as tmp:
        print(json.dumps(run_chaos(Path(tmp), sources, args)), flush=True)


def run_chaos(tmp: Path, sources: list[Path], args) -> dict:
    ref, excluded = reference(tmp / "ref", sources, args.model)
    contents = {sha: p for p, sha in ((p, _sha(p)) for p in sources) if sha in ref}
    src, index = tmp / "src", tmp / "index"
    src.mkdir()
    for n, p in enumerate(contents.values()):
        shutil.copy(p, src / f"doc{n:02d}.pdf")
    full = _timed_full_run(index, src, args.model)
    shutil.rmtree(index)
    stats = {"runs": 0, "kills_landed": 0, "finished_before_kill": 0, "ok": 0, "failures": [],
             "docs_committed_at_kill": [], "stale_lock_recovered": 0, "orphan_parsers": 0}
    attempts = 0
    while stats["kills_landed"] < args.runs and attempts < 4 * args.runs:
        attempts += 1
        _mutate(src, index, list(contents.values()))
        problems = one_run(index, src, args.model, ref, random.uniform(0.3, full), stats)
        if problems is None:
            continue
        stats["runs"] += 1
        stats["ok"] += not problems
        stats["failures"] += [f"run {stats['runs']}: {p}" for p in problems]
    return {"runs": stats["runs"], "ok": stats["ok"], "goal": args.runs,
            "kills_landed": stats["kills_landed"],
            "finished_before_kill": stats["finished_before_kill"],
            "stale_lock_recovered": stats["stale_lock_recovered"],
            "orphan_parsers_after_kill": stats["orphan_parsers"],
            "docs_committed_at_kill": _histogram(stats["docs_committed_at_kill"]),
            "full_run_s": round(full, 2), "sources": len(contents), "excluded": excluded,
            "model": args.model, "seed": args.seed, "failures": stats["failures"][:20]}


def reference(folder: Path, sources: list[Path], model: str) -> tuple[dict, list[str]]:
    """Per content SHA-256: (chunks, entities, sorted chunk-text hashes) of a clean ingest."""
    from nlp.ingestion.local import ingest
    from nlp.search.engine import open_index

    report = ingest(sources, index=folder, model=model, progress=False)
    excluded = [Path(f.path).name for f in report.failed]
    with open_index(folder) as idx:
        return _state(idx, by="sha256"), excluded


def _state(idx, by: str) -> dict:
    """Per document (keyed by ``by``): chunk count, entity count, chunk-text hashes."""
    docs = idx.documents()
    chunks, ents = idx.chunks(), idx.entities()
    out = {}
    for row in docs.itertuples():
        texts = chunks[chunks.doc_id == row.doc_id]["text"]
        out[getattr(row, by)] = {
            "sha256": row.sha256, "chunks": len(texts),
            "entities": int((ents.doc_id == row.doc_id).sum()),
            "texts": sorted(hashlib.sha1(t.encode()).hexdigest() for t in texts)}
    return out


def one_run(index: Path, src: Path, model: str, ref: dict, delay: float,
            stats: dict) -> list[str] | None:
    """Start, kill, check, finish, check. None if the child finished before the kill."""
    proc = _spawn(index, src, model)
    time.sleep(delay)
    if proc.poll() is not None:
        stats["finished_before_kill"] += 1
        return None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stats["kills_landed"] += 1
    time.sleep(0.2)
    orphans = _orphans(proc.pid)
    stats["orphan_parsers"] += orphans
    problems = [f"{orphans} parser child(ren) outlived the kill"] if orphans else []
    problems += check_after_kill(index, ref, stats)
    finish = _spawn(index, src, model)
    out, _ = finish.communicate(timeout=600)
    if finish.returncode:
        return [*problems, f"re-run exited {finish.returncode}"]
    notes = json.loads(out.decode().strip().splitlines()[-1])["notes"]
    stats["stale_lock_recovered"] += any("recovered the lock" in n for n in notes)
    return problems + check_final(index, src, ref)


def check_after_kill(index: Path, ref: dict, stats: dict) -> list[str]:
    from nlp.errors import IndexNotFound
    from nlp.search.engine import open_index

    try:
        idx = open_index(index)
    except IndexNotFound:
        stats["docs_committed_at_kill"].append(0)
        return _no_documents_without_manifest(index)
    except Exception as err:  # noqa: BLE001 - any failure to open is what we count
        return [f"index does not open after kill: {type(err).__name__}: {err}"]
    with idx:
        stats["docs_committed_at_kill"].append(len(idx.documents()))
        return _consistent(idx, ref, "after kill")


def check_final(index: Path, src: Path, ref: dict) -> list[str]:
    from nlp.index.doctor import diagnose
    from nlp.search.engine import open_index

    with open_index(index) as idx:
        problems = _consistent(idx, ref, "after re-run")
        have = {(Path(p).name, s) for p, s in zip(idx.documents()["path"],
                                                   idx.documents()["sha256"], strict=True)}
    want = {(p.name, _sha(p)) for p in src.glob("*.pdf")}
    if have != want:
        problems.append(f"after re-run: documents {sorted(have ^ want)[:4]} differ")
    errors = [f"{f.check}: {f.message}" for f in diagnose(index) if f.level == "error"]
    return problems + [f"doctor after re-run: {e}" for e in errors]


def _consistent(idx, ref: dict, when: str) -> list[str]:
    problems = []
    try:
        hits = idx.search(QUERY, k=5)
    except Exception as err:  # noqa: BLE001
        return [f"{when}: search failed: {type(err).__name__}: {err}"]
    chunks = idx.chunks()
    if len(chunks) and not hits:
        problems.append(f"{when}: search found nothing in {len(chunks)} chunks")
    ids = np.sort(idx.vectors.ids())
    if not np.array_equal(ids, idx.store.vector_ids()):
        problems.append(f"{when}: {len(ids)} vectors for {len(chunks)} chunks")
    for doc_id, got in _state(idx, by="doc_id").items():
        want = ref.get(got["sha256"])
        if want is None:
            problems.append(f"{when}: {doc_id} has content no version ever had")
        elif (got["chunks"], got["entities"], got["texts"]) != (
                want["chunks"], want["entities"], want["texts"]):
            problems.append(f"{when}: {doc_id} incomplete: {got['chunks']}/{want['chunks']} "
                            f"chunks, {got['entities']}/{want['entities']} entities")
    return problems


def _no_documents_without_manifest(index: Path) -> list[str]:
    store = index / "store.sqlite"
    if not store.exists():
        return []
    import sqlite3

    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        n = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    finally:
        db.close()
    return [f"no manifest but {n} committed documents"] if n else []


def _mutate(src: Path, index: Path, contents: list[Path]) -> None:
    """Change the file set a little, so replace and prune paths get killed too."""
    files = sorted(src.glob("*.pdf"))
    roll = random.random()
    if roll < 0.2 and index.exists():
        shutil.rmtree(index)  # start afresh: kills during the first documents
    elif roll < 0.45 and files:
        shutil.copy(random.choice(contents), random.choice(files))  # replace content
    elif roll < 0.6 and len(files) > 2:
        random.choice(files).unlink()  # --prune removes it
    elif roll < 0.75:
        shutil.copy(random.choice(contents), src / f"extra{random.randrange(5)}.pdf")


def _spawn(index: Path, src: Path, model: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, __file__, "--child", str(index), model, str(src)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)


def _timed_full_run(index: Path, src: Path, model: str) -> float:
    start = time.perf_counter()
    proc = _spawn(index, src, model)
    proc.communicate(timeout=900)
    if proc.returncode:
        raise SystemExit(f"a clean ingest failed (exit {proc.returncode})")
    return time.perf_counter() - start


def _orphans(pid: int) -> int:
    """Parser children started by ``pid`` that are still alive."""
    count = 0
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            args = Path(cmdline).read_bytes().split(b"\0")
        except OSError:
            continue
        if b"nlp.ingestion.children" in args and str(pid).encode() in args:
            count += 1
    return count


def _histogram(values: list[int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in sorted(values):
        out[str(v)] = out.get(str(v), 0) + 1
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _default_paths() -> list[str]:
    paths = sorted(glob.glob(str(ROOT / "corpus" / "*.pdf")))
    for lang in ("en", "ru", "kk"):
        paths += sorted(glob.glob(str(SHARED / lang / "*.pdf")))
    return paths


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--runs", type=int, default=20, help="kills that must land")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default=HASH_MODEL)
    parser.add_argument("--child", nargs=3, metavar=("INDEX", "MODEL", "FOLDER"),
                        help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    main()
