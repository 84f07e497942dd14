"""The web page's first result on a warm server: ONE JSON line.

    python -m scripts.bench_web [--n 100000] [--queries 60]

On the index of ``scripts.bench_search`` (``--n`` chunks of real kk/ru/en passages; built
once under build/bench_search, ~5 min at 100k), ``nlp serve``'s server runs in this process;
after a warm-up, each real query is asked once as the page (``GET /?q=...``: the search, the
best sentences, the facets and the HTML) and once as JSON (``GET /search?q=...``: the search
alone), side by side in the same run; p50/p95 in ms of the whole HTTP answer, and the ratio
page / JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import nlp  # noqa: F401 - first: it switches ONNX Runtime's telemetry off
from scripts import bench_search

ROOT = Path(__file__).resolve().parents[1]


def timed(url: str) -> float:
    clock = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as reply:
        reply.read()
        assert reply.status == 200
    return time.perf_counter() - clock


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(1000 * values[min(len(values) - 1, int(q * len(values)))], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--index-dir", type=Path, default=ROOT / "build" / "bench_search")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from nlp.app.serve import Searcher, make_server

    path = args.index_dir / f"n{args.n}"
    bench_search.build(path, args.n, args.seed)
    queries = bench_search.real_texts(args.seed)[1][:args.queries]
    searcher = Searcher(path)
    searcher.warm_up()
    server = make_server(searcher, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for q in queries[:5]:  # warm: the page's modules, the keyword thread, caches
            timed(f"{base}/?q={urllib.parse.quote(q)}")
        page, api = [], []
        for q in queries:
            quoted = urllib.parse.quote(q)
            page.append(timed(f"{base}/?q={quoted}"))
            api.append(timed(f"{base}/search?q={quoted}"))
    finally:
        server.shutdown()
        searcher.close()
    print(json.dumps({
        "script": "bench_web", "n": args.n, "queries": len(queries), "cpus": os.cpu_count(),
        "page_p50_ms": pct(page, 0.5), "page_p95_ms": pct(page, 0.95),
        "json_p50_ms": pct(api, 0.5), "json_p95_ms": pct(api, 0.95),
        "page_vs_json_p50": round(pct(page, 0.5) / pct(api, 0.5), 2)}))


if __name__ == "__main__":
    main()
