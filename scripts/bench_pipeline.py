"""Benchmark the end-to-end pipeline on a folder (default: the sample corpus).

Prints one JSON line: files, pages, chunks, entities; ingest pages/s per stage;
search latency cold (a new `nlp search` process, model load included) and warm
(in-process p50/p95); peak memory (RSS) of the ingest process and of a cold search.

    python -m scripts.bench_pipeline [PATH ...] [--model NAME] [--queries 30]

PATHs default to the PDFs of corpus/. Model loading is timed apart from ingest.

    python -m scripts.bench_pipeline --stages [PATH ...] [--workers 2] [--repeat 3]

Ingest without embedding instead, on corpus/*.pdf and the text PDFs of
../shared/data/pdfs (when present): pages/s of raw PyMuPDF ``get_text("dict")``, of each
stage in this process (parse, which includes language; language alone; chunk; entities),
and of ``nlp.ingest`` with a null embedder, serial and with ``--workers`` processes, warm
(pipelines loaded) and cold (a fresh pool, model loading included); best of ``--repeat``.
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
    if args.stages:
        print(json.dumps(stage_figures(args.paths or _stage_paths(), args.workers, args.repeat)))
        return
    args.paths = args.paths or sorted(glob.glob("corpus/*.pdf"))
    from nlp.embed.embedders import load_embedder
    from nlp.ingestion.local import ingest
    from nlp.search.engine import open_index

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
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--model", default=None)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--stages", action="store_true",
                        help="ingest without embedding: pages/s per stage vs raw PyMuPDF")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


# --- ingest without embedding ------------------------------------------------------------

SHARED_PDFS = Path(__file__).resolve().parents[2] / "shared" / "data" / "pdfs"
NULL_MODEL = "bench/null-8"


class NullEmbedder:
    """Zero vectors: ingest with the embedding stage taken out."""

    model_id, dim = NULL_MODEL, 8

    def embed_passages(self, texts):
        import numpy as np

        return np.zeros((len(texts), self.dim), dtype=np.float32)

    embed_queries = embed_passages


def _stage_paths() -> list[str]:
    """corpus/*.pdf and the PDFs with a text layer under ../shared/data/pdfs (not scanned/)."""
    shared = sorted(str(p) for p in SHARED_PDFS.glob("*/*.pdf") if p.parent.name != "scanned")
    return sorted(glob.glob("corpus/*.pdf")) + shared


def stage_figures(paths: list[str], workers: int, repeat: int) -> dict:
    """Pages/s of raw extraction, of each stage, and of ingest without embedding."""
    from nlp.embed.embedders import register_embedder

    register_embedder(NULL_MODEL, NullEmbedder())
    raw = _best(repeat, lambda: _raw_pymupdf(paths))
    raw_cpu = _best_cpu(repeat, lambda: _raw_pymupdf(paths), [])
    ingests = {n: _ingest_times(paths, n, repeat) for n in dict.fromkeys((1, workers))}
    stages, counts = _stages(paths, repeat)  # after the ingests: they load models cold
    pages = counts["pages"]
    out = {"files": len(paths), **counts, "raw_pymupdf_pages_per_s": _rate(pages, raw),
           "raw_pymupdf_pages_per_cpu_s": _rate(pages, raw_cpu),
           "stage_pages_per_s": {k: _rate(pages, t) for k, t in stages.items()}}
    out["serial_sum_pages_per_s"] = _rate(pages, sum(
        t for k, t in stages.items() if k != "language"))  # parse already includes language
    for n, (cold, warm, cpu) in ingests.items():
        out[f"ingest_no_embed_workers{n}"] = {
            "cold_pages_per_s": _rate(pages, cold), "warm_pages_per_s": _rate(pages, warm),
            "cpu_s_per_process": cpu, "idle_2core_bound_pages_per_s": _rate(pages, _bound(cpu))}
    from nlp.ingestion.children import ParserProcess

    with ParserProcess() as parser:
        parser.parse(paths[0])  # started and warm, as the shared child of an ingest was
        previous = _best(repeat, lambda: _previous(parser, paths))
        cpu = _cpu_split(lambda: _previous(parser, paths), [parser._proc.pid])
    out["previous_layout"] = {"warm_pages_per_s": _rate(pages, previous),
                              "cpu_s_per_process": cpu,
                              "idle_2core_bound_pages_per_s": _rate(pages, _bound(cpu))}
    best = max(v["warm_pages_per_s"] for k, v in out.items() if k.startswith("ingest_no_embed"))
    out["ratio_to_raw_warm"] = round(best / out["raw_pymupdf_pages_per_s"], 3)
    bound = max(v["idle_2core_bound_pages_per_s"] for k, v in out.items()
                if k.startswith("ingest_no_embed"))
    out["ratio_to_raw_idle_2core_bound"] = round(bound / out["raw_pymupdf_pages_per_cpu_s"], 3)
    out.update(cpus=os.cpu_count(), load_avg_1m=round(os.getloadavg()[0], 2))
    return out


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_split(func, pids: list[int]) -> list[float]:
    """CPU seconds of this process, then of each of ``pids``, while ``func`` runs."""
    before = [time.process_time(), *map(_proc_cpu, pids)]
    func()
    after = [time.process_time(), *map(_proc_cpu, pids)]
    return [round(b - a, 2) for a, b in zip(before, after, strict=True)]


def _best_cpu(repeat: int, func, pids: list[int]) -> float:
    return min(sum(_cpu_split(func, pids)) for _ in range(max(1, repeat)))


def _bound(cpu: list[float], cores: int = 2) -> float:
    """Least wall time these CPU seconds need on ``cores`` idle cores: the busiest process,
    or the total spread evenly."""
    return max(max(cpu), sum(cpu) / cores) if cpu else 0.0


def _rate(pages: int, seconds: float) -> float:
    return round(pages / seconds, 1) if seconds else 0.0


def _best(repeat: int, func) -> float:
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def _raw_pymupdf(paths: list[str]) -> int:
    import pymupdf

    pages = 0
    for path in paths:
        with pymupdf.open(path) as doc:
            for page in doc:
                page.get_text("dict")
                pages += 1
    return pages


def _stages(paths: list[str], repeat: int) -> tuple[dict, dict]:
    """Seconds per stage in this process (best of ``repeat``) and the counts."""
    import copy

    from nlp.entities.pipeline import extract_batch
    from nlp.parse.document import _tag_languages, parse_pdf
    from nlp.text.chunk import chunk_document

    docs = [parse_pdf(p) for p in paths]
    chunks = [chunk_document(d) for d in docs]
    pairs = [[(c.text, c.lang) for c in cs] for cs in chunks]
    start = time.perf_counter()
    extract_batch([("warm up", lang) for lang in ("kk", "ru", "en", "und")])
    load = time.perf_counter() - start
    found = [extract_batch(p) for p in pairs]
    copies = [copy.deepcopy(d) for d in docs]
    seconds = {
        "parse": _best(repeat, lambda: [parse_pdf(p) for p in paths]),
        "language": _best(repeat, lambda: [_tag_languages(d) for d in copies]),
        "chunk": _best(repeat, lambda: [chunk_document(d) for d in docs]),
        "entities": _best(repeat, lambda: [extract_batch(p) for p in pairs]),
    }
    counts = {"pages": sum(len(d.pages) for d in docs), "chunks": sum(map(len, chunks)),
              "chars": sum(len(c.text) for cs in chunks for c in cs),
              "entities": sum(len(e) for f in found for e in f),
              "entity_load_s": round(load, 2),
              "ner_tokens_per_s": _tokens_per_s([p for ps in pairs for p in ps], repeat)}
    return seconds, counts


def _previous(parser, paths: list[str]) -> None:
    """The layout before the analyser pool: one parser child one file ahead, chunks and
    entities in this process (no embedding, no store): the baseline of the pool."""
    from nlp.ingestion.children import analyse_document
    from nlp.text.chunk import ChunkSettings

    parser.submit(paths[0])
    for n in range(len(paths)):
        doc = parser.result()
        if n + 1 < len(paths):
            parser.submit(paths[n + 1])
        analyse_document(doc, ChunkSettings())


def _tokens_per_s(pairs: list[tuple[str, str]], repeat: int) -> dict:
    """spaCy tokens per second of each language's whole entity pipeline (rules included)."""
    from nlp.entities.pipeline import BATCH_SIZE, get_pipeline, normalise_lang

    out = {}
    for lang in sorted({normalise_lang(lang) for _, lang in pairs}):
        pipeline = get_pipeline(lang)
        texts = [t for t, code in pairs if normalise_lang(code) == lang]
        tokens = sum(len(pipeline.make_doc(t)) for t in texts)
        spent = _best(repeat, lambda p=pipeline, t=texts: list(p.pipe(t, batch_size=BATCH_SIZE)))
        out[lang] = {"tokens": tokens, "tokens_per_s": round(tokens / spent),
                     "components": pipeline.pipe_names}
    return out


def _ingest_times(paths: list[str], workers: int, repeat: int):
    """(cold s, warm s, CPU s per process of a warm run) of ``nlp.ingest`` with the null
    embedder into new indexes; the CPU list is this process, then each analyser child."""
    import nlp.ingestion.pool
    from nlp.ingestion.local import ingest

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(max(2, repeat + 1)):
            start = time.perf_counter()
            ingest(paths, index=Path(tmp) / f"i{n}", model=NULL_MODEL, progress=False,
                   workers=workers)
            times.append(time.perf_counter() - start)
        pool = nlp.ingestion.pool._SHARED["pool"]
        pids = [c._proc.pid for c in pool._children if c._proc is not None]
        cpu = _cpu_split(lambda: ingest(paths, index=Path(tmp) / "cpu", model=NULL_MODEL,
                                        progress=False, workers=workers), pids)
    return times[0], min(times[1:]), cpu


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
    code = ("import sys; from nlp.app.cli import main; sys.argv = ['nlp', 'search', "
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
