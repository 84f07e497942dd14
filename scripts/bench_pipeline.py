"""Benchmark the end-to-end pipeline on a folder (default: the sample corpus).

Prints one JSON line: files, pages, chunks, entities; ingest pages/s per stage;
search latency cold (a new `nlp search` process, model load included) and warm
(in-process p50/p95); peak memory (RSS) of the ingest process and of a cold search.

    python scripts/bench_pipeline.py [PATH ...] [--model NAME] [--queries 30]

PATHs default to the PDFs of corpus/. Model loading is timed apart from ingest.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = [
    "quota for ethnic Kazakh returnees", "work permits for foreign workers",
    "кандасы получившие статус в 2021 году", "еңбек көші-қоны рұқсат",
    "EAEU labour mobility without permits", "образовательная миграция студентов",
    "Ішкі істер министрлігі", "transfer of migration functions to the labour ministry",
]


def main() -> None:
    args = _args()
    from nlp.embed import load_embedder
    from nlp.index import open_index
    from nlp.ingestion import ingest

    start = time.perf_counter()
    load_embedder(args.model)
    load = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "bench"
        start = time.perf_counter()
        report = ingest(args.paths, index=index, model=args.model, progress=False)
        wall = time.perf_counter() - start
        ingest_rss = _peak_rss_mb()
        with open_index(index) as idx:
            warm = _warm_latencies(idx, args.queries)
        cold, cold_rss = _cold_search(index)
    pages = report.pages
    print(json.dumps({
        "paths": len(args.paths), "files": len(report.added), "failed": len(report.failed),
        "pages": pages, "chunks": report.chunks, "entities": report.entities,
        "model_load_s": round(load, 2), "ingest_seconds": round(wall, 2),
        "ingest_pages_per_s": round(pages / wall, 2),
        "stage_pages_per_s": {s: round(pages / t, 1) for s, t in report.seconds.items() if t},
        "stage_seconds": {s: round(t, 3) for s, t in report.seconds.items()},
        "search_warm_ms_p50": round(statistics.median(warm), 1),
        "search_warm_ms_p95": round(_p95(warm), 1), "search_cold_s": round(cold, 2),
        "peak_rss_mb_ingest": ingest_rss, "peak_rss_mb_cold_search": cold_rss,
        "cpus": os.cpu_count(),
    }))


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=sorted(glob.glob("corpus/*.pdf")))
    parser.add_argument("--model", default=None)
    parser.add_argument("--queries", type=int, default=30)
    return parser.parse_args()


def _warm_latencies(idx, n: int) -> list[float]:
    idx.search(QUERIES[0], k=10)  # loads the model: not a warm query
    out = []
    for i in range(n):
        start = time.perf_counter()
        idx.search(QUERIES[i % len(QUERIES)], k=10)
        out.append((time.perf_counter() - start) * 1000)
    return out


def _cold_search(index: Path) -> tuple[float, float]:
    """Wall time and peak RSS (VmHWM: ru_maxrss would inherit this process's) of `nlp search`."""
    code = ("import sys; from nlp.cli import main; sys.argv = ['nlp', 'search', "
            f"{QUERIES[1]!r}, '--index', {str(index)!r}, '--json']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "hwm = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
            "print(hwm, file=sys.stderr)")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return time.perf_counter() - start, round(int(out.stderr.split()[-1]) / 1024, 1)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


if __name__ == "__main__":
    main()
