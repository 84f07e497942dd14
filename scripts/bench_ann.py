"""FAISS at scale: exact vs IVF-SQ8 (+ exact re-scoring) on 1M E5-like vectors. One JSON line.

Data (scripts/ann_data.py): real multilingual-e5-small vectors of 3,000 kk/ru/en passages
from ../shared/data, mixed and perturbed into ``--n`` points (default 1M) with the real
covariance; queries are 500+ real ``query:`` vectors of other texts (held out: never in the
base). Truth is exact top-10 (IndexFlatIP). The approximate index is nlp.index.vectors' own
(``train_ivf`` + add, the code path of ``VectorIndex.retune``), searched through
``VectorIndex.search``; re-scoring fetches float32 vectors by id from a SQLite store built
like the real one (nlp.index.store.Store.vectors_for), so its cost is in the latencies.
Reported: build (train/add) time, index bytes (serialised) and process RSS delta, recall@10
and p50/p95 latency per nprobe x re-rank depth at 1 and 2 threads, flat p50 at several sizes
(to choose the flat -> IVF threshold), and filtered recall (a language filter: large and
cross-lingual; a document filter: small, scored exactly).

    nice -n 10 python -m scripts.bench_ann                 # 1M, ~10 min on 2 shared cores
    python -m scripts.bench_ann --quick                    # 100k, ~2 min
    python -m scripts.bench_ann --match anchor             # noisier synthetic data (stress)
    python -m scripts.bench_ann --flat-sizes --nprobe 512  # skip flat timings, one setting
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from nlp.index import vectors as nv
from scripts import ann_data

BUILD_THREADS = [1]


def main() -> None:
    args = _args()
    import faiss

    load_start = os.getloadavg()
    real = _real(args)
    t = time.perf_counter()
    base, anchors, calib = ann_data.synthesise(real["base"], args.n, args.seed, args.match)
    ids = np.arange(1, args.n + 1, dtype=np.int64)
    queries = real["queries"][:args.queries]
    out = {"n": args.n, "dim": int(base.shape[1]), "queries": len(queries), "seed": args.seed,
           "real_passages": int(len(real["base"])), "synthetic": calib,
           "synth_s": round(time.perf_counter() - t, 1)}
    faiss.omp_set_num_threads(args.build_threads)
    truth = _exact(base, queries, None)
    out["flat"] = _flat_latency(base, queries, [s for s in args.flat_sizes if s <= args.n])
    out["flat_bytes"] = int(base.nbytes)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        store, fetch_s = _store(Path(tmp) / "store.sqlite", ids, base, real, anchors)
        out["store_build_s"] = round(fetch_s, 1)
        fetch = lambda i: store.vectors_for(i, base.shape[1])  # noqa: E731
        index, out["ivf"] = _build(base, ids, args.nlist)
        out["ivf"]["runs"] = _sweep(index, queries, truth, fetch, args)
        out["filtered"] = _filtered(index, base, ids, queries, truth, fetch, real, anchors,
                                    args.nprobe_filtered)
        store.close()
    if args.alt:
        out["alternatives"] = [_alt(f, base, queries, truth) for f in args.alt]
    out["load_avg_start_end"] = [round(x, 2) for x in (*load_start[:1], os.getloadavg()[0])]
    out["cpus"], out["build_threads"] = os.cpu_count(), args.build_threads
    print(json.dumps(out))


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100k vectors, fewer settings")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--nlist", type=int, default=None,
                        help="default: nlp.index.vectors.n_lists")
    parser.add_argument("--nprobe", type=int, nargs="*", default=None)
    parser.add_argument("--nprobe-filtered", type=int, default=None)
    parser.add_argument("--rerank", type=int, nargs="*", default=[0, 100])
    parser.add_argument("--flat-sizes", type=int, nargs="*",
                        default=[50_000, 100_000, 250_000, 500_000, 1_000_000])
    parser.add_argument("--alt", nargs="*", default=[],
                        help="faiss factories to compare without re-scoring, e.g. HNSW32,SQ8")
    parser.add_argument("--match", choices=["density", "anchor"], default="density",
                        help="noise calibration (scripts/ann_data.py): anchor = harder")
    parser.add_argument("--random-centres", action="store_true",
                        help="no shared data: random unit vectors instead of real E5 ones")
    parser.add_argument("--tmp", default=None, help="folder for the temporary store")
    parser.add_argument("--build-threads", type=int, default=1,
                        help="FAISS threads for training, adding and truth (latency: 1 and 2)")
    args = parser.parse_args()
    BUILD_THREADS[0] = args.build_threads
    if args.quick:
        args.n = min(args.n, 100_000)
        args.rerank = [0, 100]
    return args


def _real(args) -> dict:
    if not args.random_centres:
        return ann_data.real_vectors()
    rng = np.random.default_rng(args.seed)
    x = rng.standard_normal((5800, 384)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    langs = np.array(["kk", "ru", "en"])[rng.integers(0, 3, 5800)]
    return {"base": x[:5000], "base_lang": langs[:5000],
            "base_doc": (np.arange(5000) // 8).astype(str), "queries": x[5000:],
            "query_lang": langs[5000:]}


def _exact(base: np.ndarray, queries: np.ndarray, allowed: np.ndarray | None, k: int = 10):
    """Exact top-k ids (ids are row + 1) among ``allowed`` rows (all if None)."""
    import faiss

    flat = faiss.IndexFlatIP(base.shape[1])
    rows = np.arange(len(base)) if allowed is None else allowed - 1
    flat.add(base[rows])
    _, found = flat.search(queries, k)
    return np.where(found >= 0, rows[np.maximum(found, 0)] + 1, -1)


def _flat_latency(base: np.ndarray, queries: np.ndarray, sizes: list[int]) -> list[dict]:
    """p50/p95 of one query at a time on IndexFlatIP of the first ``size`` vectors."""
    import faiss

    rows = []
    for size in sizes:
        flat = faiss.IndexIDMap2(faiss.IndexFlatIP(base.shape[1]))
        flat.add_with_ids(base[:size], np.arange(1, size + 1, dtype=np.int64))
        index = nv.VectorIndex(base.shape[1], flat)
        row = {"n": size}
        for threads in (1, 2):
            faiss.omp_set_num_threads(threads)
            row[f"t{threads}"] = _latency(lambda q, ix=index: ix.search(q, 10), queries[:100])
        rows.append(row)
        del flat, index
    faiss.omp_set_num_threads(BUILD_THREADS[0])
    return rows


def _latency(search, queries: np.ndarray) -> dict:
    times = []
    for q in queries:
        t = time.perf_counter()
        search(q[None, :])
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2)}


def _store(path: Path, ids, base, real, anchors):
    """A Store holding every vector (as nlp ingest would) for re-scoring by id."""
    from nlp.index.store import Store

    t = time.perf_counter()
    store = Store(path)
    docs = real["base_doc"][anchors]
    langs = real["base_lang"][anchors]
    with store.db:
        store.db.executemany("INSERT INTO documents (doc_id, path, sha256) VALUES (?, ?, '')",
                             [(d, d) for d in np.unique(docs)])
        for s in range(0, len(ids), 50_000):
            store.db.executemany(
                "INSERT INTO chunks (id, chunk_id, doc_id, lang, vector) VALUES (?,?,?,?,?)",
                ((int(i), str(i), str(d), str(la), v.tobytes()) for i, d, la, v in
                 zip(ids[s:s + 50_000], docs[s:s + 50_000], langs[s:s + 50_000],
                     base[s:s + 50_000], strict=True)))
    return store, time.perf_counter() - t


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _build(base: np.ndarray, ids: np.ndarray, nlist: int | None):
    import faiss

    gc.collect()
    rss0 = _rss()
    nlist = nlist or nv.n_lists(len(base))
    t = time.perf_counter()
    ivf = nv.train_ivf(base, nlist)
    train_s = time.perf_counter() - t
    t = time.perf_counter()
    ivf.add_with_ids(base, ids)
    add_s = time.perf_counter() - t
    gc.collect()
    index = nv.VectorIndex(base.shape[1], ivf)
    info = {"kind": index.kind, "nlist": nlist, "default_nprobe": int(ivf.nprobe),
            "train_s": round(train_s, 1), "add_s": round(add_s, 1),
            "train_vectors": min(len(base), nlist * nv.TRAIN_PER_LIST),
            "bytes": int(faiss.serialize_index(ivf).size), "rss_delta_bytes": _rss() - rss0,
            "threads": BUILD_THREADS[0]}
    return index, info


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    hits = [len(set(f[f >= 0]) & set(t[t >= 0])) / max(1, (t >= 0).sum())
            for f, t in zip(found, truth, strict=True)]
    return round(float(np.mean(hits)), 4)


def _sweep(index, queries, truth, fetch, args) -> list[dict]:
    import faiss

    nlist = index.index.nlist
    nprobes = args.nprobe or sorted({max(1, nlist // d) for d in (16, 8, 4)})
    runs = []
    for nprobe in nprobes:
        index.index.nprobe = nprobe
        for rerank in args.rerank:
            nv.RERANK = rerank
            ex = fetch if rerank else None
            _, found = index.search(queries, 10, exact=ex)
            row = {"nprobe": nprobe, "rerank": rerank, "recall_at_10": _recall(found, truth)}
            for threads in (1, 2):
                faiss.omp_set_num_threads(threads)
                row[f"t{threads}"] = _latency(
                    lambda q, e=ex: index.search(q, 10, exact=e), queries[:300])
            faiss.omp_set_num_threads(BUILD_THREADS[0])
            runs.append(row)
    index.index.nprobe = nv.n_probe(nlist)
    nv.RERANK = 100
    return runs


def _filtered(index, base, ids, queries, truth, fetch, real, anchors, nprobe) -> list[dict]:
    """Recall against exact filtered search: a language filter and a document filter."""
    if nprobe:
        index.index.nprobe = nprobe
    langs, docs = real["base_lang"][anchors], real["base_doc"][anchors]
    out = []
    for lang in ("kk", "en"):  # large allowed sets, crossing languages for most queries
        allowed = ids[langs == lang]
        want = _exact(base, queries, allowed)
        _, found = index.search(queries, 10, allowed, exact=fetch)
        out.append({"filter": f"lang={lang}", "allowed": int(len(allowed)),
                    "recall_at_10": _recall(found, want),
                    "t1": _latency(lambda q, a=allowed: index.search(q, 10, a, exact=fetch),
                                   queries[:100])})
    # a small filter: the document of each query's true best hit
    rows, times = [], []
    for q, t in zip(queries[:200], truth[:200], strict=True):
        allowed = ids[docs == docs[t[0] - 1]]
        want = _exact(base, q[None, :], allowed)
        start = time.perf_counter()
        _, found = index.search(q[None, :], 10, allowed, exact=fetch)
        times.append((time.perf_counter() - start) * 1000)
        rows.append(_recall(found, want))
    out.append({"filter": "doc=<doc of the true top hit>", "queries": len(rows),
                "recall_at_10": round(float(np.mean(rows)), 4),
                "p50_ms": round(statistics.median(times), 2)})
    index.index.nprobe = nv.n_probe(index.index.nlist)
    return out


def _alt(factory: str, base: np.ndarray, queries: np.ndarray, truth: np.ndarray) -> dict:
    """Another faiss index (no re-scoring), e.g. HNSW32,SQ8, for comparison."""
    import faiss

    index = faiss.index_factory(base.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
    t = time.perf_counter()
    if not index.is_trained:
        index.train(base[np.random.default_rng(1).choice(len(base), min(len(base), 200_000),
                                                           replace=False)])
    index.add(base)
    row = {"factory": factory, "build_s": round(time.perf_counter() - t, 1),
           "bytes": int(faiss.serialize_index(index).size), "runs": []}
    name, values = ("efSearch", [64, 128, 256]) if "HNSW" in factory else ("nprobe", [32, 128])
    for value in values:
        faiss.ParameterSpace().set_index_parameter(index, name, value)
        _, found = index.search(queries, 10)
        found = np.where(found >= 0, found + 1, -1)
        faiss.omp_set_num_threads(1)
        row["runs"].append({name: value, "recall_at_10": _recall(found, truth),
                            "t1": _latency(lambda q: index.search(q, 10), queries[:200])})
        faiss.omp_set_num_threads(BUILD_THREADS[0])
    return row


if __name__ == "__main__":
    main()
