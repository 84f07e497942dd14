"""Cross-language question answering over real documents; print ONE JSON line.

The collection is every real text and PDF of ``../shared/data`` (``texts/{kk,ru,en}`` and
``pdfs/{kk,ru,en}``; the scanned pages are left out: OCR would take most of the run). It is
ingested once through the public API into ``--index-dir`` (unchanged files are skipped on a
second run). The questions are ``tests/gold/xlang_queries.jsonl``: researchers' questions in
kk, ru and en, many answered only in another language, each with every passage that answers
it in the collection marked by an anchor (a file and the offsets of a short phrase in it; the
phrase itself is read from ``../shared/data`` at run time, so no third-party text is kept
here). A hit is relevant when it comes from the anchor's file and its text contains the
anchor phrase (whitespace-normalised), so judgments survive re-chunking.

A question is ``cross`` when no passage in its own language answers it, else ``same``. For
each split (``dev``: used while building; ``heldout``: a third of each language's questions,
chosen by a hash of the id, scored at the end) and each mode: P@1, hit@5 and MRR@5 per group
(same, cross) and per language pair (query -> answer languages).

    python -m scripts.eval_xlang [--index-dir /tmp/xlang-index] [--split dev|heldout|all]
        [--modes hybrid,dense] [--k 5] [--data ../shared/data]
    python -m scripts.eval_xlang --freeze DRAFT.jsonl   # quotes -> anchors (offsets + sha256)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
GOLD = ROOT / "tests" / "gold" / "xlang_queries.jsonl"
LANGS = ("kk", "ru", "en")
FOLDERS = [f"texts/{lg}" for lg in LANGS] + [f"pdfs/{lg}" for lg in LANGS]
HELDOUT_SHARE = 3  # one question in three, per query language


def log(message: str) -> None:
    print(f"[xlang {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def collection(data: Path) -> list[Path]:
    """The real documents searched: texts and text-layer PDFs in kk, ru and en."""
    files = []
    for folder in FOLDERS:
        files += sorted(p for p in (data / folder).glob("*") if p.suffix in (".md", ".txt",
                                                                               ".pdf"))
    return files


# ---------------------------------------------------------------- anchors


def source_text(data: Path, file: str, page: int | None) -> str:
    """The text an anchor's offsets point into: the raw file, or one PDF page's text."""
    path = data / file
    if path.suffix != ".pdf":
        return path.read_text(encoding="utf-8")
    import pymupdf as fitz

    with fitz.open(path) as pdf:
        return pdf[page - 1].get_text()


def _normalised_map(text: str) -> tuple[str, list[int]]:
    """``text`` with whitespace runs as one space, and the offset in ``text`` of each char."""
    out, where, space = [], [], False
    for i, ch in enumerate(text):
        if ch.isspace():
            space = True
            continue
        if space and out:
            out.append(" ")
            where.append(i)
        space = False
        out.append(ch)
        where.append(i)
    return "".join(out), where


def locate(data: Path, file: str, quote: str) -> dict | None:
    """The anchor of ``quote`` in ``file``: {page, start, end, sha256} or None."""
    path = data / file
    if path.suffix == ".pdf":
        import pymupdf as fitz

        with fitz.open(path) as pdf:  # opened once, every page's text as source_text reads it
            pages = [(n, page.get_text()) for n, page in enumerate(pdf, 1)]
    else:
        pages = [(None, source_text(data, file, None))]
    wanted = " ".join(quote.split())
    for page, text in pages:
        flat, where = _normalised_map(text)
        at = flat.find(wanted)
        if at >= 0:
            start, end = where[at], where[at + len(wanted) - 1] + 1
            return {"page": page, "start": start, "end": end,
                    "sha256": hashlib.sha256(text[start:end].encode()).hexdigest()}
    return None


def freeze(draft: Path, out: Path, data: Path) -> None:
    """Write the gold file from a draft with quotes: each quote becomes an anchor."""
    lines, missing = [], []
    for line in draft.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        anchors = []
        for rel in q["relevant"]:
            found = locate(data, rel["file"], rel["quote"])
            if found is None:
                missing.append(f"{q['id']}: {rel['file']}: {rel['quote']!r}")
                continue
            anchors.append({"file": rel["file"], "lang": rel["lang"], **found})
        record = {"id": q["id"], "lang": q["lang"], "query": q["query"],
                  "answer_langs": sorted({a["lang"] for a in anchors}), "relevant": anchors}
        lines.append(json.dumps(record, ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"wrote {len(lines)} questions to {out}; {len(missing)} quotes not found")
    for m in missing:
        log(f"  not found: {m}")


def split_of(qid: str, ids_of_lang: list[str]) -> str:
    """heldout for the third of a language's ids that hash first, else dev."""
    key = lambda i: hashlib.sha256(f"xlang-split:{i}".encode()).hexdigest()  # noqa: E731
    ordered = sorted(ids_of_lang, key=key)
    return "heldout" if ordered.index(qid) < round(len(ordered) / HELDOUT_SHARE) else "dev"


def load_gold(data: Path, path: Path = GOLD) -> tuple[list[dict], list[str]]:
    """(questions with their anchor phrases and split, anchors whose source changed)."""
    questions = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    by_lang = {lg: [q["id"] for q in questions if q["lang"] == lg] for lg in LANGS}
    texts: dict[tuple, str] = {}
    stale = []
    for q in questions:
        q["split"] = split_of(q["id"], by_lang[q["lang"]])
        kept = []
        for a in q["relevant"]:
            key = (a["file"], a["page"])
            if key not in texts:
                texts[key] = source_text(data, a["file"], a["page"])
            phrase = texts[key][a["start"]:a["end"]]
            if hashlib.sha256(phrase.encode()).hexdigest() != a["sha256"]:
                stale.append(f"{q['id']}:{a['file']}")
                continue
            kept.append({**a, "phrase": normalise(phrase), "name": Path(a["file"]).name})
        q["relevant"] = kept
        q["group"] = "same" if q["lang"] in {a["lang"] for a in kept} else "cross"
    return [q for q in questions if q["relevant"]], stale


# ---------------------------------------------------------------- scoring


def relevant_at(hits: list[tuple[str, str]], question: dict) -> list[bool]:
    """For each hit (file name, text): does it hold an anchor of ``question``?"""
    return [any(a["name"] == name and a["phrase"] in normalise(text)
                for a in question["relevant"]) for name, text in hits]


def record(flags: list[bool], k: int) -> dict:
    first = next((i for i, f in enumerate(flags[:k], 1) if f), None)
    return {"p1": float(bool(flags[:1] and flags[0])), "hit": float(first is not None),
            "rr": 1.0 / first if first else 0.0}


def summary(records: list[dict], k: int) -> dict:
    n = len(records)
    mean = lambda key: round(sum(r[key] for r in records) / n, 4) if n else None  # noqa: E731
    return {"n": n, "P@1": mean("p1"), f"hit@{k}": mean("hit"), f"MRR@{k}": mean("rr")}


def grouped(questions: list[dict], records: list[dict], k: int) -> dict:
    """``summary`` per group (same, cross) and per language pair (query -> answer langs)."""
    out = {}
    for group in ("same", "cross"):
        out[group] = summary([r for q, r in zip(questions, records, strict=True)
                              if q["group"] == group], k)
    pairs: dict[str, list] = {}
    for q, r in zip(questions, records, strict=True):
        pairs.setdefault(f"{q['lang']}->{'+'.join(q['answer_langs'])}", []).append(r)
    out["pairs"] = {p: summary(rs, k) for p, rs in sorted(pairs.items())}
    return out


def build_index(data: Path, index_dir: Path, model: str | None) -> dict:
    """Ingest the collection into ``index_dir`` (unchanged files are skipped)."""
    from nlp.ingestion.local import ingest

    files = collection(data)
    log(f"ingest {len(files)} documents into {index_dir}")
    report = ingest(files, index=index_dir, model=model, progress=False)
    return {"documents": len(files), "failed": [Path(p).name for p, _ in report.failed]}


def unmatched(idx, questions: list[dict]) -> list[str]:
    """Anchors found in no chunk of their file (the parser reads the page differently)."""
    docs = idx.documents()
    names = {d: Path(p).name for d, p in zip(docs["doc_id"], docs["path"], strict=True)}
    chunks: dict[str, list[str]] = {}
    frame = idx.chunks()
    for doc_id, text in zip(frame["doc_id"], frame["text"], strict=True):
        chunks.setdefault(names[doc_id], []).append(normalise(text))
    return [f"{q['id']}:{a['name']}" for q in questions for a in q["relevant"]
            if not any(a["phrase"] in c for c in chunks.get(a["name"], []))]


def evaluate(idx, questions: list[dict], mode: str, k: int) -> tuple[dict, list[dict]]:
    """Metrics of ``mode`` and, per question, the rank of its first relevant hit."""
    hits = idx.batch_search([q["query"] for q in questions], k=k, mode=mode, collapse=True)
    records, ranks = [], []
    for q, hs in zip(questions, hits, strict=True):
        flags = relevant_at([(Path(h.path).name, h.text) for h in hs], q)
        records.append(record(flags, k))
        ranks.append({"id": q["id"], "group": q["group"],
                      "first": next((i for i, f in enumerate(flags, 1) if f), None),
                      "langs": "".join(h.lang[0] for h in hs)})
    return grouped(questions, records, k), ranks


def main() -> None:
    args = _args()
    if args.freeze:
        freeze(args.freeze, args.gold, args.data)
        return
    if not (args.data / "texts").is_dir() or not args.gold.is_file():
        print(json.dumps({"skipped": f"no {args.data} or {args.gold}"}))
        return
    from nlp.search.engine import open_index

    questions, stale = load_gold(args.data, args.gold)
    if args.split != "all":
        questions = [q for q in questions if q["split"] == args.split]
    built = build_index(args.data, args.index_dir, args.model)
    out = {"split": args.split, "questions": len(questions), **built, "stale_anchors": stale,
           "groups": {g: sum(q["group"] == g for q in questions) for g in ("same", "cross")}}
    with open_index(args.index_dir) as idx:
        out["chunks"] = idx.info()["chunks"]
        out["unmatched_anchors"] = unmatched(idx, questions)
        for mode in args.modes.split(","):
            out[mode], ranks = evaluate(idx, questions, mode, args.k)
            if args.ranks:
                for r in ranks:
                    log(f"{mode} {r['id']} {r['group']} first={r['first']} langs={r['langs']}")
    print(json.dumps(out, ensure_ascii=False))


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--index-dir", type=Path, default=Path("/tmp/xlang-index"))
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="dev")
    parser.add_argument("--modes", default="hybrid,dense")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--model", default=None)
    parser.add_argument("--ranks", action="store_true", help="log each question's first hit")
    parser.add_argument("--freeze", type=Path, default=None, help="draft with quotes")
    return parser.parse_args()


if __name__ == "__main__":
    main()
