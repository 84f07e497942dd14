"""Real multilingual-e5-small vectors for the ANN benchmark, and 1M synthetic ones like them.

Real part (``real_vectors``): 3,000 passages of about 40 words (1,000 per language) cut from
the shared data (Kazakh and Russian laws, Kazakh reading-comprehension passages, Russian
regional strategies and news, English policy texts, Wikipedia and news), embedded as
``passage:`` with the default embedder; queries are *other* texts (KazQAD questions, Tatoeba
sentences in kk/ru/en) embedded as ``query:``, so no query is a base text. Cached in
build/ann/ (never committed: it is derived from the shared data).

Synthetic part (``synthesise``): each point is a mix of a real passage vector and one of its
10 nearest real neighbours, ``(1 - t) a + t b`` with ``t ~ U(0, 0.5)``, plus Gaussian noise
drawn with the covariance of the real vectors (their PCA spectrum: real embeddings vary along
few directions), then L2-normalised. The noise scale is calibrated on the real set: a
synthetic sample as large as the real set has the same median nearest-neighbour cosine as the
real passages (``match="density"``, the default); ``match="anchor"`` instead makes a point's
median cosine to its own anchor equal that value, a noisier and harder stress test. Each
point keeps its anchor's language and document (for filtered search).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CACHE = Path(__file__).resolve().parents[1] / "build" / "ann"
WORDS = 40


def real_vectors(max_passages: int = 3000, max_queries: int = 600, seed: int = 0) -> dict:
    """{'base', 'base_lang', 'base_doc', 'queries', 'query_lang'} of real E5 vectors (cached)."""
    file = CACHE / f"e5_real_{max_passages}_{max_queries}_{seed}.npz"
    if file.exists():
        with np.load(file) as z:
            return {k: z[k] for k in z.files}
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is absent: run with --centres random, or get the shared data")
    rng = np.random.default_rng(seed)
    passages = _pick(_passages(), max_passages, rng)
    queries = _pick(_queries(), max_queries, rng)
    from nlp.embed.embedders import load_embedder

    emb = load_embedder()
    out = {"base": emb.embed_passages([p[2] for p in passages]),
           "base_lang": np.array([p[0] for p in passages]),
           "base_doc": np.array([p[1] for p in passages]),
           "queries": emb.embed_queries([q[2] for q in queries]),
           "query_lang": np.array([q[0] for q in queries])}
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(file, **out)
    return out


def _pick(items: list, n: int, rng) -> list:
    """``n`` items spread evenly over languages (as far as each has them), order seeded."""
    by_lang: dict[str, list] = {}
    for item in items:
        by_lang.setdefault(item[0], []).append(item)
    out: list = []
    langs = sorted(by_lang)
    for n_left, lang in zip(range(len(langs), 0, -1), langs, strict=True):
        pool = by_lang[lang]
        take = min(len(pool), (n - len(out)) // n_left)
        out += [pool[i] for i in sorted(rng.choice(len(pool), take, replace=False))]
    return out


def _passages() -> list[tuple[str, str, str]]:
    """(lang, doc, ~80-word passage) from the shared texts."""
    out = []
    for lang in ("kk", "ru", "en"):
        for f in sorted((DATA / "texts" / lang).glob("*")):
            out += [(lang, f.stem, p) for p in _cut(f.read_text(encoding="utf-8"))]
    for f in sorted((DATA / "rurebus" / "test_data" / "test_ner_only").glob("*.txt"))[:400]:
        out += [("ru", f"rurebus-{f.stem}", p) for p in _cut(f.read_text(encoding="utf-8"))]
    for f in sorted((DATA / "nerel" / "train").glob("*.txt"))[:400]:
        out += [("ru", f"nerel-{f.stem}", p) for p in _cut(f.read_text(encoding="utf-8"))]
    rc = DATA / "kazqad" / "data" / "reading-comprehension"
    seen = set()
    for f in sorted(rc.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["context"] not in seen:
                seen.add(row["context"])
                out += [("kk", f"kazqad-{row['title']}", p) for p in _cut(row["context"])]
    for pair in ("eng-kaz", "kaz-eng"):
        for lang, name in (("en", "newstest2019.eng"), ("kk", "newstest2019.kaz")):
            lines = _lines(DATA / "parallel" / "wmt19_newstest_kken" / pair / name)
            out += [(lang, f"wmt-{pair}-{lang}-{i // 40}", " ".join(lines[i:i + 4]))
                    for i in range(0, len(lines), 4)]
    en = DATA / "en_ner"
    for f in [en / "wikigold" / "CONLL-format" / "data" / "wikigold.conll.txt",
              *sorted((en / "re3d" / "CONLL-format").rglob("*.conll"))]:
        for n, doc in enumerate(_conll_docs(f)):
            out += [("en", f"{f.stem}-{n}", p) for p in _cut(doc)]
    return out


def _conll_docs(path: Path) -> list[str]:
    """Running text of each document of a CoNLL file (first column; -DOCSTART- splits)."""
    docs: list[list[str]] = [[]]
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        token = line.split()[0] if line.split() else ""
        if token == "-DOCSTART-":
            docs.append([])
        elif token:
            docs[-1].append(token)
    return [" ".join(d) for d in docs if d]


def _queries() -> list[tuple[str, str, str]]:
    """(lang, source, query) from texts that are not base passages."""
    out = []
    rc = DATA / "kazqad" / "data" / "reading-comprehension"
    for f in sorted(rc.glob("*.jsonl")):
        out += [("kk", "kazqad", json.loads(line)["question"])
                for line in f.read_text(encoding="utf-8").splitlines()]
    tat = DATA / "parallel" / "tatoeba_challenge" / "kaz-rus"
    out += [("ru", "tatoeba", s) for s in _lines(tat / "tatoeba-test-v2021-08-07.rus")]
    laser = DATA / "parallel" / "laser_tatoeba_v1"
    out += [("en", "tatoeba", s) for s in _lines(laser / "tatoeba.rus-eng.eng")]
    out += [("kk", "tatoeba", s) for s in _lines(laser / "tatoeba.kaz-eng.kaz")]
    return out


def _lines(path: Path) -> list[str]:
    return [s.strip() for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]


def _cut(text: str) -> list[str]:
    """~WORDS-word passages of ``text`` (markdown marks dropped; short tails dropped)."""
    words = re.sub(r"[#*|>_`]+", " ", text).split()
    return [" ".join(words[i:i + WORDS]) for i in range(0, len(words), WORDS)
            if len(words[i:i + WORDS]) >= 10]


def synthesise(real: np.ndarray, n: int, seed: int = 0,
               match: str = "density") -> tuple[np.ndarray, np.ndarray, dict]:
    """(n points like ``real``, each point's real anchor, calibration); see the module doc."""
    rng = np.random.default_rng(seed)
    sims = real @ real.T
    np.fill_diagonal(sims, -2)
    nbrs = np.argsort(-sims, axis=1)[:, :10]
    nn_cos = float(np.median(sims.max(axis=1)))
    centred = real - real.mean(axis=0)
    _, sing, vt = np.linalg.svd(centred, full_matrices=False)
    basis = (sing[:, None] / np.sqrt(len(real))) * vt  # noise with the real covariance
    measure = _nn_cos if match == "density" else _anchor_cos
    scale = _bisect(lambda sc: measure(real, basis, nbrs, sc), nn_cos)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    anchors = rng.integers(0, len(real), n)
    for start in range(0, n, 100_000):
        a = anchors[start:start + 100_000]
        out[start:start + len(a)] = _points(real, basis, nbrs, a, scale, rng)
    return out, anchors, {"match": match, "noise_scale": round(scale, 4),
                          "real_nn_cos": round(nn_cos, 4),
                          "synthetic_nn_cos_at_real_size": round(
                              _nn_cos(real, basis, nbrs, scale), 4)}


def _points(real, basis, nbrs, anchors, scale, rng) -> np.ndarray:
    partner = nbrs[anchors, rng.integers(0, nbrs.shape[1], len(anchors))]
    t = rng.uniform(0, 0.5, (len(anchors), 1)).astype(np.float32)
    x = (1 - t) * real[anchors] + t * real[partner]
    x += scale * (rng.standard_normal((len(anchors), len(basis)), dtype=np.float32) @ basis)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _nn_cos(real, basis, nbrs, scale: float) -> float:
    """Median nearest-neighbour cosine in a synthetic sample as large as ``real``."""
    rng = np.random.default_rng(1)
    pts = _points(real, basis, nbrs, rng.integers(0, len(real), len(real)), scale, rng)
    sims = pts @ pts.T
    np.fill_diagonal(sims, -2)
    return float(np.median(sims.max(axis=1)))


def _anchor_cos(real, basis, nbrs, scale: float) -> float:
    """Median cosine of synthetic points to their own anchors."""
    rng = np.random.default_rng(1)
    probe = rng.integers(0, len(real), 4000)
    pts = _points(real, basis, nbrs, probe, scale, rng)
    return float(np.median(np.sum(pts * real[probe], axis=1)))


def _bisect(measure, target: float) -> float:
    """The noise scale at which ``measure`` (falling with the scale) equals ``target``."""
    lo, hi = 0.0, 8.0
    for _ in range(25):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if measure(mid) > target else (lo, mid)
    return (lo + hi) / 2


if __name__ == "__main__":
    import sys

    got = real_vectors(*(int(a) for a in sys.argv[1:3]))
    print(json.dumps({k: list(v.shape) for k, v in got.items()}))
