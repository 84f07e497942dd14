"""Hostile input, end to end through the real CLI and server: ONE JSON line.

    python -m scripts.hostile [--clients 8] [--requests 400] [--texts DIR]

1. **Files.** The malformed-PDF zoo (``scripts.pdf_zoo``) and the cases of issue #20: text in
   cp1251, KZ-1048 and UTF-16, 200 KB of random bytes named .txt, 2,000 blank pages, escape
   sequences in a document and a newline in a file name, a symlink loop named on the command
   line; with a few real documents (``corpus/``, and ``../shared/data/texts`` when present, so
   a k=1000 search has work to do). ``nlp ingest`` runs under ``strace -f``
   (``scripts.netwatch``): files tried / added / failed by kind / reported without text;
   **silent junk** = a stored document that gave no chunk without a "no text" line, or a
   chunk whose text is binary or U+FFFD soup (the decoder's own rule) or keeps a terminal
   escape (target 0); **tracebacks** in any output (target 0); **network** = system calls
   that reach beyond the machine (target 0).
2. **Mistakes.** Commands a user gets wrong or a hostile index: every one must answer one line
   and exit 1 (``cli_errors``: cases, tracebacks, multi-line answers, wrong exit codes), and
   search output must carry no raw escape character.
3. **Server.** ``nlp serve`` (under strace too, for the network count): /health latency while a
   k=1000 search runs (target <= 0.2 s), then ``--clients`` threads send ``--requests`` requests,
   one in ten malformed: throughput, p50/p99 latency, 5xx answers (target 0).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import nlp  # noqa: F401 - first: it switches ONNX Runtime's telemetry off, and pymupdf loads it
from scripts import netwatch, pdf_zoo
from scripts.bench_serve import get

ROOT = Path(__file__).resolve().parents[1]
NLP = str(Path(sys.executable).with_name("nlp"))
RU = "Закон Республики Казахстан «О миграции населения» регулирует трудовую миграцию. "
KK = "Қазақстан Республикасының халықтың көші-қоны туралы Заңы еңбек көші-қонын реттейді. "
ESC = "\x1b[2J\x1b]0;owned\x07"


def build_cases(folder: Path, texts: Path | None) -> tuple[list[str], dict[str, str]]:
    """The files to ingest (paths for the command line) and what each is expected to do."""
    import pymupdf

    docs = folder / "docs"
    zoo = pdf_zoo.build(docs / "zoo", pages=300, image_side=20000, depth=100_000)
    expect = {name: "any" for name in zoo}  # the zoo: handled, either way, without a traceback
    (docs / "cp1251.txt").write_bytes((RU * 30).encode("cp1251"))
    (docs / "kz1048.txt").write_bytes((KK * 30).encode("kz1048"))
    (docs / "utf16.txt").write_bytes((RU * 30).encode("utf-16"))
    (docs / "random.txt").write_bytes(random.Random(0).randbytes(200_000))
    (docs / f"escapes{ESC}.md").write_text(f"# Title {ESC}\n\n{RU * 5}{ESC}\n", encoding="utf-8")
    (docs / "newline\nfailed: forged.txt").write_text(RU * 5, encoding="utf-8")
    blank = pymupdf.open()
    for _ in range(2000):
        blank.new_page()
    blank.save(docs / "blank_2000.pdf")
    expect |= {"cp1251.txt": "text", "kz1048.txt": "text", "utf16.txt": "text",
               "random.txt": "failed", "blank_2000.pdf": "no text",
               f"escapes{ESC}.md": "text", "newline\nfailed: forged.txt": "text"}
    for pdf in sorted((ROOT / "corpus").glob("*.pdf")):
        shutil.copy(pdf, docs / pdf.name)
        expect[pdf.name] = "text"
    if texts and texts.is_dir():
        for text in sorted(texts.rglob("*.md")):
            shutil.copy(text, docs / text.name)
            expect[text.name] = "text"
    loop = folder / "loop"
    loop.symlink_to(loop)
    expect["loop"] = "failed"
    return [str(docs), str(loop)], expect


def run(args: list[str], timeout: float = 600, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)


def has_traceback(text: str) -> bool:
    return "Traceback (most recent call last)" in text


def ingest(folder: Path, paths: list[str], expect: dict[str, str]) -> dict:
    index = folder / "idx"
    trace = folder / "ingest.trace"
    clock = time.perf_counter()
    if netwatch.available():
        proc = netwatch.traced([NLP, "ingest", *paths, "--index", str(index)], trace)
        network = len(netwatch.network_violations(trace.read_text(errors="replace")))
    else:
        proc, network = run([NLP, "ingest", *paths, "--index", str(index)]), None
    seconds = time.perf_counter() - clock
    out = proc.stdout + proc.stderr
    lines = out.splitlines()
    failed = [line for line in lines if line.startswith("  failed: ")]
    no_text = [line for line in lines if line.startswith("  no text: ")]
    sys.path.insert(0, str(ROOT))
    from nlp.parse.encoding import MAX_CONTROL_SHARE, MIN_CONTROLS, control_count, control_share
    from nlp.search.engine import open_index

    with open_index(index) as idx:
        docs = idx.documents()
        chunks = idx.chunks()
    empty = [p for p, n in zip(docs["path"], docs["chunks"], strict=True) if n == 0]
    unreported = [p for p in empty if not any(Path(p).name in line for line in no_text)]
    soup = sorted({d for d, t in zip(chunks["doc_id"], chunks["text"], strict=True)
                   if control_share(t) > MAX_CONTROL_SHARE and control_count(t) > MIN_CONTROLS
                   or "\x1b" in t})  # binary or U+FFFD soup, or a terminal escape kept
    by_kind = Counter(line.rsplit("(", 1)[0].split(": ")[-1][:60] for line in failed)
    wrong = [name for name, want in expect.items() if want == "failed"
             and not any(name.split("\n")[0] in line for line in failed)]
    return {"files": len(expect), "seconds": round(seconds, 1), "exit": proc.returncode,
            "added": int(lines[0].split(" added")[0]) if lines and " added" in lines[0] else None,
            "failed": len(failed), "failed_by_reason": dict(by_kind.most_common()),
            "no_text_reported": len(no_text), "silent_junk": len(unreported) + len(soup),
            "junk_docs": unreported + soup, "expected_failures_missed": wrong,
            "forged_summary_lines": sum(1 for line in lines if line.startswith("failed: ")),
            "tracebacks": int(has_traceback(out)), "network_calls": network}


def mistakes(folder: Path) -> dict:
    """Commands that must answer one line and exit 1."""
    index = str(folder / "idx")
    (folder / "afile").write_text("x")
    tampered = folder / "tampered"
    shutil.copytree(folder / "idx", tampered)
    import sqlite3

    with sqlite3.connect(tampered / "store.sqlite") as db:
        db.execute("CREATE VIEW spin AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL "
                   "SELECT x + 1 FROM r) SELECT x FROM r")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = str(busy.getsockname()[1])
    zoo = folder / "docs" / "zoo"
    cases = [
        ["search", "x", "--index", str(folder / "afile")],
        ["info", "--index", str(folder / "afile")],
        ["ingest", str(folder / "docs" / "cp1251.txt"), "--index", str(folder / "afile")],
        ["entities", "--index", index, "-o", str(folder)],
        ["documents", "--index", index, "-o", str(folder / "no" / "such" / "x.csv")],
        ["serve", "--index", index, "--port", port],
        ["parse", str(zoo / "html.pdf")], ["parse", str(zoo / "png.pdf")],
        ["parse", str(zoo / "encrypted.pdf")], ["parse", str(folder / "docs" / "random.txt")],
        ["search", "x", "--index", str(tampered)], ["info", "--index", str(tampered)],
        ["search", "", "--index", index], ["search", "x", "--index", index, "-k", "0"],
        ["search", "x", "--index", index, "--lang", "fr"],
        ["search", "x", "--index", index, "--year", "20x1"],
        ["search", "x", "--index", index, "--entity", "LAW"],
        ["search", "x", "--index", index, "--article", "first"],
        ["ingest", str(folder / "missing.pdf"), "--index", index],
        ["ingest", str(folder / "docs" / "cp1251.txt"), "--index", index, "--model", "no/such"],
    ]
    out = {"cases": len(cases), "tracebacks": 0, "multi_line": 0, "exit_not_1": 0, "bad": []}
    for case in cases:
        proc = run([NLP, *case], timeout=120)
        text = (proc.stdout + proc.stderr).strip()
        bad = [has_traceback(text), len(text.splitlines()) != 1, proc.returncode != 1]
        for key, flag in zip(("tracebacks", "multi_line", "exit_not_1"), bad, strict=True):
            out[key] += flag
        if any(bad):
            out["bad"].append([case[0], case[1][:40], proc.returncode, text[-200:]])
    busy.close()
    search = run([NLP, "search", "Title migration", "--index", index, "-k", "20"])
    out["raw_escapes_in_search"] = search.stdout.count("\x1b")
    return out


def serve(folder: Path, clients: int, requests: int) -> dict:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    trace = folder / "serve.trace"
    env = {k: v for k, v in os.environ.items() if k not in netwatch.MASKING_ENV}
    # in the same namespace as the clients (they reach it on loopback); strace still sees all
    args = [NLP, "serve", "--index", str(folder / "idx"), "--port", str(port)]
    if netwatch.available():
        args = ["strace", "-f", "-qq", "-e", "trace=network,close,execve", "-o", str(trace),
                *args]
    log = (folder / "serve.log").open("w")  # not a pipe: a full pipe would stall the server
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while get(f"{base}/health")[0] != 200:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("nlp serve did not start")
            time.sleep(0.5)
        get(f"{base}/search?q=warm+up&k=5")
        heavy: dict = {}
        thread = threading.Thread(target=lambda: heavy.update(r=get(
            f"{base}/search?q=work+permits+for+foreign+workers&k=1000")))
        thread.start()
        time.sleep(0.2)
        health = get(f"{base}/health")
        thread.join()
        queries = ["квота на иностранную рабочую силу", "work permits", "еңбек көші-қоны",
                   "refugee status", "кандасы", "deportation of foreigners"]
        malformed = ["/search?k=5", "/search?q=x&k=-3", "/search?q=x&lang=fr",
                     "/search?q=" + "a" * 20000, "/search?q=x&year=20x1", "/nowhere",
                     "/search?q=x&k=abc", "/search?q=%ff%fe&k=2"]
        rng = random.Random(1)
        jobs = [(rng.random() < 0.1, rng.choice(malformed),
                 f"/search?q={urllib.parse.quote(rng.choice(queries))}&k={rng.choice([5, 10, 50])}")
                for _ in range(requests)]
        results: list[tuple[bool, int, float]] = []
        lock = threading.Lock()

        def client(part: list) -> None:
            for bad, bad_path, good_path in part:
                status, spent = get(base + (bad_path if bad else good_path))
                with lock:
                    results.append((bad, status, spent))

        clock = time.perf_counter()
        threads = [threading.Thread(target=client, args=(jobs[i::clients],))
                   for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - clock
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    served = (folder / "serve.log").read_text(errors="replace")
    lat = sorted(s for _, _, s in results)
    network = (len(netwatch.network_violations(trace.read_text(errors="replace")))
               if trace.exists() else None)
    return {"health_during_k1000_s": round(health[1], 3), "health_status": health[0],
            "k1000_search_s": round(heavy["r"][1], 3), "clients": clients,
            "requests": len(results), "malformed": sum(b for b, _, _ in results),
            "throughput_rps": round(len(results) / wall, 1),
            "p50_s": round(lat[len(lat) // 2], 3), "p99_s": round(lat[int(len(lat) * 0.99)], 3),
            "status": dict(Counter(str(s) for _, s, _ in results)),
            "server_errors_5xx": sum(1 for _, s, _ in results if s >= 500 or s == 0),
            "good_not_200": sum(1 for b, s, _ in results if not b and s != 200),
            "tracebacks": int(has_traceback(served)), "network_calls": network}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--texts", type=Path, default=ROOT.parent / "shared" / "data" / "texts",
                        help="real documents to add (skipped when absent)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths, expect = build_cases(folder, args.texts)
        out = {"ingest": ingest(folder, paths, expect)}
        out["cli_errors"] = mistakes(folder)
        out["serve"] = serve(folder, args.clients, args.requests)
    out["strace"] = netwatch.available()
    print(json.dumps(out, ensure_ascii=True))


if __name__ == "__main__":
    main()
