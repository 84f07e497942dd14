"""Fuzz parse + ingest with mutated PDFs; the batch must finish and every failure be typed.

Mutants are made from real PDFs (corpus/*.pdf and ../shared/data/pdfs/{en,ru,kk} when
present) by byte flips, truncations, zeroed or repeated regions, inserted garbage, broken
cross-reference data and objects spliced in from another PDF (1-3 mutations each). With
``--zoo`` the full-scale PDF zoo of tests/pdf_zoo.py joins them (5,000 pages, an image
bomb, 100,000-deep nesting, encryption, HTML/PNG named .pdf, JavaScript and attachments).

All files go through ``nlp.ingestion.local.ingest`` (child-process parser under the per-file
budget), in
batches into one index. Counted: files added / failed by kind; ``untyped`` = the parser
raised something other than ParseError (kind "unexpected": a bug in nlp.parse.document);
``parser_crashes`` = the parser child died (contained, the batch went on); ``timeouts``;
``hangs_beyond_budget`` = files whose parse wait exceeded the budget plus the grace; and
whether the index then opens, answers a search and holds one vector per chunk.

    python -m scripts.fuzz_parse [--n 1000] [--seed 0] [--timeout 30] [--memory 2048] [--zoo]

Prints one JSON line (the first failures of each kind are listed by mutation, not by name).
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "pdfs"
OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b.*?endobj", re.S)
MUTATIONS = ("flip", "truncate", "zero", "repeat", "insert", "xref", "splice")


def mutate(data: bytes, donors: list[bytes], rng: random.Random) -> tuple[list[str], bytes]:
    """Apply 1-3 random mutations; return their names and the new bytes."""
    names = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        name = rng.choice(MUTATIONS)
        data = globals()[f"_{name}"](bytearray(data), donors, rng)
        names.append(name)
    return names, bytes(data)


def _flip(d: bytearray, donors, rng) -> bytes:
    for _ in range(rng.choice((1, 4, 16, 64, 256))):
        if d:
            d[rng.randrange(len(d))] ^= rng.randrange(1, 256)
    return bytes(d)


def _truncate(d: bytearray, donors, rng) -> bytes:
    return bytes(d[: rng.randrange(len(d) or 1)])


def _zero(d: bytearray, donors, rng) -> bytes:
    start = rng.randrange(len(d) or 1)
    end = min(len(d), start + rng.randrange(1, 4096))
    d[start:end] = bytes(end - start)
    return bytes(d)


def _repeat(d: bytearray, donors, rng) -> bytes:
    start = rng.randrange(len(d) or 1)
    part = d[start:start + rng.randrange(1, 65536)]
    return bytes(d[:start] + part * rng.randrange(2, 20) + d[start:])


def _insert(d: bytearray, donors, rng) -> bytes:
    at = rng.randrange(len(d) or 1)
    junk = rng.choice((bytes(rng.randrange(256) for _ in range(rng.randrange(1, 512))),
                       b"<<" * 500, b"[" * 5000, b"999999999 0 R ", b"/Length 99999999 ",
                       b"stream\n", b"endobj\n", b"%%EOF\n"))
    return bytes(d[:at] + junk + d[at:])


def _xref(d: bytearray, donors, rng) -> bytes:
    choice = rng.randrange(3)
    if choice == 0:
        return re.sub(rb"startxref\s+\d+", b"startxref\n%d" % rng.randrange(10**9), bytes(d))
    if choice == 1:
        return bytes(d).replace(b"xref", b"xfer")
    return re.sub(rb"\d{10} \d{5} [nf]", lambda m: b"%010d 00000 n" % rng.randrange(10**6),
                  bytes(d))


def _splice(d: bytearray, donors, rng) -> bytes:
    """Replace an object's body by another PDF's object (keeping or taking its number)."""
    target = list(OBJECT.finditer(bytes(d)))
    donor = OBJECT.findall(rng.choice(donors)) if donors else []
    if not target or not donor:
        return _insert(d, donors, rng)
    spot, graft = rng.choice(target), rng.choice(donor)
    if rng.random() < 0.5:  # keep the target's number: the xref now points into the graft
        head = re.match(rb"\d+\s+\d+\s+obj", spot.group())[0]
        graft = head + re.sub(rb"^\d+\s+\d+\s+obj", b"", graft)
    return bytes(d[:spot.start()] + graft + d[spot.end():])


def make_mutants(folder: Path, seeds: list[Path], n: int, rng: random.Random) -> dict:
    """Write ``n`` mutants into ``folder``; return name -> (seed name, mutations)."""
    donors = [p.read_bytes() for p in seeds]
    made = {}
    for i in range(n):
        k = rng.randrange(len(seeds))
        names, data = mutate(donors[k], donors, rng)
        name = f"m{i:04d}.pdf"
        (folder / name).write_bytes(data)
        made[name] = (seeds[k].name, names)
    return made


def main() -> None:
    args = _args()
    from scripts.chaos_ingest import HASH_MODEL, register

    register(HASH_MODEL)
    rng = random.Random(args.seed)
    seeds = [Path(p) for p in _seed_paths()]
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        made = make_mutants(folder, seeds, args.n, rng)
        zoo = _zoo(Path(tmp) / "zoo") if args.zoo else {}
        print(json.dumps(run(folder, made, zoo, Path(tmp) / "index", args, seeds)), flush=True)


def run(folder: Path, made: dict, zoo: dict, index: Path, args, seeds: list[Path]) -> dict:
    from nlp.ingestion.children import GRACE_S, Budget
    from nlp.ingestion.local import ingest

    budget = Budget(args.timeout, args.memory)
    files = sorted(folder.iterdir()) + list(zoo.values())
    start, reports = time.perf_counter(), []
    for i in range(0, len(files), args.batch):
        reports.append(ingest(files[i:i + args.batch], index=index, model="test/hash-64",
                              progress=False, budget=budget))
    wall = time.perf_counter() - start
    failed = [f for r in reports for f in r.failed]
    waits = sorted(s for r in reports for s in r.parse_seconds.values())
    kinds = Counter(f.kind for f in failed)
    out = {
        "files": len(files), "mutants": len(made), "zoo": len(zoo), "seeds": len(seeds),
        "mutations": dict(Counter(m for _, ms in made.values() for m in ms)),
        "budget_s": args.timeout, "budget_mb": args.memory, "ingest_completed": True,
        "added": sum(len(r.added) for r in reports), "failed": len(failed),
        "failure_kinds": dict(kinds.most_common()),
        "untyped": kinds["unexpected"], "parser_crashes": kinds["crash"],
        "out_of_memory": kinds["memory"], "timeouts": kinds["timeout"],
        "hangs_beyond_budget": sum(w > args.timeout + GRACE_S + 1 for w in waits),
        "max_parse_wait_s": round(waits[-1], 2) if waits else 0,
        "p50_parse_wait_s": round(waits[len(waits) // 2], 3) if waits else 0,
        "wall_s": round(wall, 1), **_index_checks(index),
        "examples": _examples(failed, made), "zoo_outcomes": _zoo_outcomes(zoo, reports),
    }
    return out


def _index_checks(index: Path) -> dict:
    from nlp.index.doctor import diagnose, worst
    from nlp.search.engine import open_index

    with open_index(index) as idx:
        info = idx.info()
        hits = idx.search("migration policy work permits", k=5)
        match = sorted(idx.vectors.ids().tolist()) == idx.store.vector_ids().tolist()
    return {"index_documents": info["documents"], "index_chunks": info["chunks"],
            "search_answers": bool(hits), "vectors_match_store": match,
            "doctor": worst(diagnose(index))}


def _examples(failed, made: dict) -> dict:
    out: dict[str, list] = {}
    for f in failed:
        name = Path(f.path).name
        seed, muts = made.get(name, (name, []))
        if f.kind in ("unexpected", "crash", "memory", "timeout") and len(out.get(f.kind, [])) < 5:
            out.setdefault(f.kind, []).append(f"{seed} {'+'.join(muts)}: {f.reason[:160]}")
    return out


def _zoo_outcomes(zoo: dict, reports) -> dict:
    failed = {Path(f.path).name: f"{f.kind}: {f.reason[:100]}" for r in reports for f in r.failed}
    waits = {Path(p).name: s for r in reports for p, s in r.parse_seconds.items()}
    return {name: {"outcome": failed.get(name, "added"), "wait_s": round(waits.get(name, 0), 2)}
            for name in zoo}


def _zoo(folder: Path) -> dict:
    from scripts import pdf_zoo

    return pdf_zoo.build(folder, pages=5000, image_side=30000)


def _seed_paths() -> list[str]:
    paths = sorted(glob.glob(str(ROOT / "corpus" / "*.pdf")))
    for lang in ("en", "ru", "kk"):  # not scanned/: OCR makes each mutant take seconds
        paths += sorted(glob.glob(str(SHARED / lang / "*.pdf")))
    return paths


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="mutated PDFs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=30.0, help="per-file budget, seconds")
    parser.add_argument("--memory", type=int, default=2048, help="per-file budget, MB")
    parser.add_argument("--batch", type=int, default=250, help="files per ingest call")
    parser.add_argument("--zoo", action="store_true", help="add the full-scale PDF zoo")
    return parser.parse_args()


if __name__ == "__main__":
    main()
