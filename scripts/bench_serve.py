"""``nlp serve`` under a heavy request: how long /health and a small search wait while a k=1000
search runs, and how long that search takes. ONE JSON line.

    python -m scripts.bench_serve --index /tmp/xlang-index   # any index with 1,000+ chunks

The server runs in this process (``nlp.app.serve.make_server``) on a free port; requests go
over HTTP from threads, as clients would send them.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.request
from pathlib import Path


def get(url: str) -> tuple[int, float]:
    """(status, seconds) of one GET; status 0 when no answer came."""
    clock = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=600) as reply:
            reply.read()
            status = reply.status
    except urllib.error.HTTPError as err:
        status = err.code
    except OSError:  # refused, reset, timed out: no answer
        status = 0
    return status, time.perf_counter() - clock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--k", type=int, default=1000)
    args = parser.parse_args()
    try:  # the old layout first: an editable install would find the new one in this checkout
        from nlp.serve import Searcher, make_server
    except ImportError:
        from nlp.app.serve import Searcher, make_server

    searcher = Searcher(args.index)
    searcher.warm_up()
    server = make_server(searcher, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        alone = get(f"{base}/search?q=work+permits+for+foreign+workers&k={args.k}")
        heavy: dict = {}
        thread = threading.Thread(target=lambda: heavy.update(r=get(
            f"{base}/search?q=refugee+status+and+asylum&k={args.k}")))
        thread.start()
        time.sleep(0.2)  # the heavy search is under way
        health = get(f"{base}/health")
        small = get(f"{base}/search?q=quota&k=5")
        thread.join()
    finally:
        server.shutdown()
        searcher.close()
    print(json.dumps({"index": str(args.index), "k": args.k,
                      "search_k_alone_s": round(alone[1], 3),
                      "health_during_s": round(health[1], 3), "health_status": health[0],
                      "small_search_during_s": round(small[1], 3),
                      "heavy_search_s": round(heavy["r"][1], 3)}))


if __name__ == "__main__":
    main()
