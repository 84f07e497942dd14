"""Ingest throughput: one machine (``nlp.ingest``) against Ray Data (``nlp.ingestion.distributed``).

Prints ONE JSON line. Both runs start cold in this process's children (models loaded
inside the timed part), on the same files: corpus/*.pdf, copied ``--copies`` times into a
temporary folder so there is enough work to spread. Needs the dist extra (Ray).

    OMP_NUM_THREADS=1 python -m scripts.bench_distributed --cpus 2 --copies 5
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def single(files: list[str], index: str, model: str | None, queue) -> None:
    from nlp.ingestion.distributed import embedder_for
    from nlp.ingestion.local import ingest

    if model == "test/hash-64":  # the test embedder is known by name only there
        embedder_for(model)
    clock = time.perf_counter()
    report = ingest(files, index=index, model=model, progress=False)
    queue.put({"seconds": time.perf_counter() - clock, "pages": report.pages,
               "chunks": report.chunks})


def distributed(files: list[str], out: str, model: str | None, args, queue) -> None:
    import ray

    from nlp.index.merge import merge_indexes
    from nlp.ingestion.distributed import ingest_distributed

    clock = time.perf_counter()
    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
    started = time.perf_counter()
    report = ingest_distributed(files, out, shards=args.shards, model=model,
                                workers=args.workers, embedders=args.embedders)
    done = time.perf_counter()
    merge_indexes(report.shards, f"{out}/merged")
    queue.put({"init_s": started - clock, "seconds": done - started,
               "merge_s": time.perf_counter() - done, "pages": report.pages,
               "chunks": report.chunks})
    ray.shutdown()


def run(target, *args) -> dict:
    queue = multiprocessing.get_context("spawn").Queue()
    proc = multiprocessing.get_context("spawn").Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--cpus", type=int, default=2, help="Ray's logical CPUs")
    parser.add_argument("--workers", type=int, default=None, help="analyser actors")
    parser.add_argument("--embedders", type=int, default=1)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--model", default=None, help="default: the bundled e5-small")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for n in range(args.copies):
            for pdf in sorted((ROOT / "corpus").glob("*.pdf")):
                files.append(str(shutil.copy(pdf, Path(tmp) / f"{pdf.stem}-{n}.pdf")))
        one = run(single, files, f"{tmp}/single", args.model)
        many = run(distributed, files, f"{tmp}/dist", args.model, args)
        same = compare(f"{tmp}/single", f"{tmp}/dist/merged")
    print(json.dumps({
        "files": len(files), "pages": one["pages"], "chunks": one["chunks"],
        "model": args.model or "default", "ray_cpus": args.cpus, "shards": args.shards,
        "workers": args.workers or max(1, args.cpus - args.embedders),
        "embedders": args.embedders,
        "single_s": round(one["seconds"], 2), "ray_init_s": round(many["init_s"], 2),
        "distributed_s": round(many["seconds"], 2), "merge_s": round(many["merge_s"], 2),
        "single_pages_per_s": round(one["pages"] / one["seconds"], 2),
        "distributed_pages_per_s": round(many["pages"] / many["seconds"], 2),
        **same}))


def compare(a: str, b: str) -> dict:
    """Do two indexes hold the same chunks and entities, and how far apart are the vectors?"""
    import numpy as np

    from nlp.search.engine import open_index

    with open_index(a) as x, open_index(b) as y:
        chunks = x.chunks().equals(y.chunks())
        entities = x.entities().equals(y.entities())
        ids = x.store.vector_ids()
        diff = np.abs(x.store.vectors_for(ids, x.vectors.dim)
                      - y.store.vectors_for(y.store.vector_ids(), y.vectors.dim)).max()
    return {"same_chunks": chunks, "same_entities": entities,
            "max_vector_diff": float(diff)}


if __name__ == "__main__":
    main()
