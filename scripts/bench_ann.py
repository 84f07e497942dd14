"""FAISS at scale: recall@10 of approximate indexes against exact search, memory, latency.

Vectors are synthetic but shaped like ours: real E5 chunk vectors of an index (or random
unit vectors without one) as centres, each point a centre plus Gaussian noise, then
L2-normalised, so neighbourhoods are clustered like real embeddings. Prints one JSON line.

    python scripts/bench_ann.py --n 1000000 [--index indexes/default] [--factories ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

FACTORIES = ["HNSW32,Flat", "HNSW32,SQ8", "IVF4096,SQ8"]
SEARCH = {"HNSW": ("efSearch", [64, 128, 256]), "IVF": ("nprobe", [32, 64, 128])}


def main() -> None:
    args = _args()
    import faiss

    faiss.omp_set_num_threads(args.threads)
    base, queries = _data(args.n, args.queries, args.index, args.noise)
    exact = faiss.IndexFlatIP(base.shape[1])
    exact.add(base)
    start = time.perf_counter()
    _, truth = exact.search(queries, 10)
    exact_ms = (time.perf_counter() - start) * 1000 / len(queries)
    results = [_measure(f, base, queries, truth) for f in args.factories]
    print(json.dumps({"n": args.n, "dim": base.shape[1], "queries": len(queries),
                      "threads": args.threads, "exact_ms_per_query": round(exact_ms, 2),
                      "exact_bytes": base.nbytes, "indexes": results}))


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--index", default=None, help="take centres from this nlp index")
    parser.add_argument("--noise", type=float, default=0.35)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--factories", nargs="*", default=FACTORIES)
    return parser.parse_args()


def _data(n: int, nq: int, index: str | None, noise: float):
    rng = np.random.default_rng(0)
    centres = _centres(index, rng)
    def sample(m: int) -> np.ndarray:
        picks = centres[rng.integers(0, len(centres), m)]
        x = picks + noise * rng.standard_normal(picks.shape, dtype=np.float32) / np.sqrt(
            centres.shape[1])
        return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    return np.vstack([sample(min(100_000, n - i)) for i in range(0, n, 100_000)]), sample(nq)


def _centres(index: str | None, rng) -> np.ndarray:
    if index and (Path(index) / "store.sqlite").exists():
        from nlp.store import Store

        store = Store(Path(index) / "store.sqlite", readonly=True)
        _, vecs = store.vectors()
        store.close()
        if len(vecs):
            return vecs.astype(np.float32)
    x = rng.standard_normal((2000, 384), dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _measure(factory: str, base: np.ndarray, queries: np.ndarray, truth: np.ndarray) -> dict:
    import faiss

    index = faiss.index_factory(base.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
    start = time.perf_counter()
    if not index.is_trained:
        index.train(base[np.random.default_rng(1).choice(len(base), min(len(base), 200_000),
                                                           replace=False)])
    index.add(base)
    build = time.perf_counter() - start
    row = {"factory": factory, "build_s": round(build, 1), "bytes": _size(index), "runs": []}
    name, values = SEARCH["HNSW" if factory.startswith("HNSW") else "IVF"]
    for value in values:
        faiss.ParameterSpace().set_index_parameter(index, name, value)
        times, found = [], []
        for q in queries:
            t = time.perf_counter()
            _, ids = index.search(q[None, :], 10)
            times.append((time.perf_counter() - t) * 1000)
            found.append(ids[0])
        recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])
        row["runs"].append({name: value, "recall_at_10": round(float(recall), 4),
                            "p50_ms": round(statistics.median(times), 3),
                            "p95_ms": round(sorted(times)[int(0.95 * len(times)) - 1], 3)})
    return row


def _size(index) -> int:
    import faiss

    with tempfile.NamedTemporaryFile() as tmp:
        faiss.write_index(index, tmp.name)
        return os.path.getsize(tmp.name)


if __name__ == "__main__":
    main()
