"""Search every 50 ms while another process ingests the sample corpus; count failures.

The index starts with the first half of the files, whose contents are then rotated (each
gets the next one's bytes), so the child process that ingests the whole folder replaces
those documents (delete + insert in one transaction) and adds the rest. Meanwhile, every
50 ms, this process (a) opens the index afresh and searches, as `nlp search` does, and
(b) searches an Index it keeps open, as a notebook does. Each must answer from the last
committed state: no exception, hits only from stored chunks, and the number of documents
seen never going down. Once the child holds the lock, a second writer is started here and
must be refused with the child's PID. At the end the index must hold every document and
`nlp doctor` must find nothing wrong.

    python -m scripts.concurrent_search [PATH ...] [--model NAME] [--interval 0.05]

PATHs default to corpus/*.pdf; the model defaults to the project's default embedder
(``--model test/hash-64`` for the fast hashing one). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import glob
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["work permits for foreign workers", "квота для кандасов", "еңбек көші-қоны",
           "EAEU labour mobility", "образовательная миграция"]


def main() -> None:
    args = _args()
    from nlp.embed.embedders import DEFAULT_MODEL
    from scripts.chaos_ingest import register

    model = args.model or DEFAULT_MODEL
    register(model)
    with tempfile.TemporaryDirectory(prefix="concurrent-") as tmp:
        print(json.dumps(run(Path(tmp), [Path(p).resolve() for p in args.paths], model,
                             args.interval)), flush=True)


def run(tmp: Path, paths: list[Path], model: str, interval: float) -> dict:
    from nlp.ingestion.local import ingest
    from nlp.search.engine import open_index

    src, index = tmp / "src", tmp / "index"
    src.mkdir()
    for p in paths:
        shutil.copy(p, src / p.name)
    first = sorted(src.iterdir())[: max(2, len(paths) // 2)]
    ingest(first, index=index, model=model, progress=False)
    _rotate(first)
    long_lived = open_index(index)
    long_lived.search(QUERIES[0])  # loads the model before the clock starts
    child = subprocess.Popen([sys.executable, "-m", "scripts.chaos_ingest",
                              "--child", str(index), model, str(src)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    stats = _search_while(child, index, long_lived, interval)
    long_lived.close()
    out, err = child.communicate()
    stats.update(_final(index, len(paths), child.returncode, out, err))
    return {"model": model, "files": len(paths), "interval_ms": interval * 1000, **stats}


def _search_while(child: subprocess.Popen, index: Path, long_lived, interval: float) -> dict:
    from nlp.index.lock import record
    from nlp.search.engine import open_index

    fresh, kept, failures, seen, regressions = [], [], [], [], 0
    second_writer, start, tick = None, time.perf_counter(), 0
    while child.poll() is None:
        tick += 1
        query = QUERIES[tick % len(QUERIES)]
        try:
            clock = time.perf_counter()
            with open_index(index) as idx:
                hits, docs = idx.search(query, k=5), len(idx.documents())
            fresh.append(time.perf_counter() - clock)
            regressions += bool(seen and docs < seen[-1])
            seen.append(docs)
            clock = time.perf_counter()
            long_lived.search(query, k=5)
            kept.append(time.perf_counter() - clock)
            if hits and any(not h.text for h in hits):
                failures.append("a hit without text")
        except Exception as err:  # noqa: BLE001 - every failure is what we count
            failures.append(f"{type(err).__name__}: {err}"[:200])
        if second_writer is None and (record(index) or {}).get("pid") == child.pid:
            second_writer = _second_writer(index, child.pid)
        time.sleep(max(0.0, start + tick * interval - time.perf_counter()))
    elapsed = time.perf_counter() - start
    return {"searches": len(fresh) + len(kept), "failures": len(failures), "ticks": tick,
            "achieved_interval_ms": round(elapsed / max(tick, 1) * 1000, 1),
            "failure_examples": failures[:5], "ingest_s": round(elapsed, 1),
            "fresh_open_search_ms_p50": _ms(fresh, 50), "fresh_open_search_ms_p95": _ms(fresh, 95),
            "open_index_search_ms_p50": _ms(kept, 50), "open_index_search_ms_p95": _ms(kept, 95),
            "documents_seen": sorted(set(seen)), "visibility_regressions": regressions,
            "second_writer": second_writer or "ingest ended before it could be tried"}


def _rotate(files: list[Path]) -> None:
    """Give each file the next one's content: the ingest must replace them all."""
    data = [f.read_bytes() for f in files]
    for f, content in zip(files, data[1:] + data[:1], strict=True):
        f.write_bytes(content)


def _second_writer(index: Path, pid: int) -> str:
    from nlp.errors import IndexLocked
    from nlp.ingestion.local import ingest

    try:
        ingest([ROOT / "corpus"], index=index, progress=False)
    except IndexLocked as err:
        return "refused with the writer's PID" if f"PID {pid}" in str(err) else f"refused: {err}"
    return "NOT refused"


def _report(out: bytes) -> dict | None:
    lines = out.decode(errors="replace").strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def _final(index: Path, files: int, code: int, out: bytes, err: bytes) -> dict:
    from nlp.index.doctor import diagnose, worst
    from nlp.search.engine import open_index

    with open_index(index) as idx:
        docs, answers = len(idx.documents()), bool(idx.search(QUERIES[0]))
    return {"ingest_exit": code, "final_documents": docs, "all_documents": docs == files,
            "replaced": (_report(out) or {}).get("replaced"),
            "final_search_answers": answers, "doctor": worst(diagnose(index)),
            "ingest_stderr_tail": err.decode(errors="replace")[-300:] if code else ""}


def _ms(values: list[float], pct: int) -> float:
    if not values:
        return 0.0
    if pct == 50:
        return round(statistics.median(values) * 1000, 1)
    return round(sorted(values)[min(len(values) - 1, len(values) * pct // 100)] * 1000, 1)


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=sorted(glob.glob(str(ROOT / "corpus/*.pdf"))))
    parser.add_argument("--model", default=None)
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between searches")
    return parser.parse_args()


if __name__ == "__main__":
    main()
