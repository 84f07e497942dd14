"""Evaluate language ID; print ONE JSON line.

    python -m scripts.eval_langid [--split report|tune] [--impl FILE.py|langdetect] [--errors N]

Sets (from ../shared/data; skipped cleanly when it is absent), each cut to one half by a
hash of the normalised text (scripts/langid_data.py): thresholds and calibration were fitted
on ``tune``; figures are published on ``report`` (the default).

- langid_dev: the kk/ru/en dev sentences, deduplicated (kk_Latn rows: ``kk_latn`` apart);
- kaznerd / nerel / en_ner: sentences cut from KazNERD, NEREL dev, re3d+wikigold+SEC;
- pdf_blocks: every block of the real text-layer PDFs (``nlp.parse.document.parse_pdf``), labelled
  with the document's language (so an English term list inside a Kazakh guide counts
  as an error: read the errors);
- hard cases: KazNERD with Latin "i" for "і", and in the 2018 and 2021 Latin alphabets;
  NEREL with Kazakh names put in for its PERSON/CITY names; sentences with a «quotation» in
  another language; headings (``kind == "heading"`` blocks).

Accuracy counts ``und`` as wrong. ``acc_20`` is on texts of 20+ characters. Throughput is
``detect_batch`` over all PDF blocks (both halves), repeated, on one process.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

from scripts import langid_data as data

ROOT = Path(__file__).resolve().parents[1]



class LangdetectAlone:
    """The baseline: langdetect with its 55 stock profiles, seeded (no Kazakh)."""

    @staticmethod
    def detect_batch(texts: list[str]) -> list[str]:
        from langdetect import DetectorFactory, detect
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = 0
        out = []
        for text in texts:
            try:
                out.append(detect(text))
            except LangDetectException:
                out.append("und")
        return out


def load_impl(path: str | None):
    """``nlp.text.language``, ``langdetect`` alone, or a module file with ``detect_batch``."""
    if not path:
        from nlp.text import language

        return language
    if path == "langdetect":
        return LangdetectAlone
    spec = importlib.util.spec_from_file_location("langid_impl", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scores(samples: list[data.Sample], predicted: list[str]) -> dict:
    """Per-language accuracy (all, and 20+ characters), counts, confusion matrix."""
    confusion: dict[str, Counter] = {}
    acc, acc20, n, n20 = {}, {}, Counter(), Counter()
    right, right20 = Counter(), Counter()
    for s, p in zip(samples, predicted, strict=True):
        confusion.setdefault(s.lang, Counter())[p] += 1
        n[s.lang] += 1
        right[s.lang] += p == s.lang
        if len(s.text.strip()) >= 20:
            n20[s.lang] += 1
            right20[s.lang] += p == s.lang
    for lang in n:
        acc[lang] = round(right[lang] / n[lang], 4)
        if n20[lang]:
            acc20[lang] = round(right20[lang] / n20[lang], 4)
    return {"n": dict(n), "acc": acc, "n_20": dict(n20), "acc_20": acc20,
            "confusion": {g: dict(c.most_common()) for g, c in confusion.items()}}


def calibration(samples: list[data.Sample], impl) -> dict:
    """Expected calibration error (10 bins) and Brier score of the confidences."""
    if not hasattr(impl, "detect_with_confidence"):
        return {}
    bins = [[0, 0.0, 0] for _ in range(10)]
    brier, n = 0.0, 0
    for s in samples:
        lang, p = impl.detect_with_confidence(s.text)
        if lang == "und":
            continue
        ok = lang == s.lang
        b = bins[min(9, int(p * 10))]
        b[0] += 1
        b[1] += p
        b[2] += ok
        brier += (p - ok) ** 2
        n += 1
    ece = sum(abs(b[1] - b[2]) for b in bins) / max(1, n)
    return {"n": n, "ece": round(ece, 5), "brier": round(brier / max(1, n), 5),
            "bins": [[i / 10, b[0], round(b[1] / b[0], 4), round(b[2] / b[0], 4)]
                     for i, b in enumerate(bins) if b[0]]}


def throughput(impl, texts: list[str], min_seconds: float = 3.0) -> dict:
    """Blocks per second of ``detect_batch`` on one process (after a warm-up call).

    ``blocks_per_s`` is wall-clock; ``blocks_per_cpu_s`` divides by this process's CPU time,
    which stays meaningful when other jobs share the machine (``load_avg`` says how busy).
    """
    impl.detect_batch(texts[:50])
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < min_seconds:
        impl.detect_batch(texts)
        done += len(texts)
    return _rates(done, texts, start, cpu)


def _rates(done: int, texts: list[str], start: float, cpu: float) -> dict:
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    return {"blocks": len(texts), "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
            "blocks_per_s": round(done / wall, 1), "blocks_per_cpu_s": round(done / used, 1),
            "cores_used": 1, "cpus": os.cpu_count(), "load_avg": round(os.getloadavg()[0], 2)}


def mixed_blocks(pools: dict[str, list[data.Sample]], n: int = 600, seed: int = 0
                 ) -> list[list[data.Sample]]:
    """Blocks of 2-3 sentences (20+ letters each); every other block mixes languages."""
    import random

    rng = random.Random(seed)
    langs = sorted(pools)
    pools = {k: [s for s in v if sum(c.isalpha() for c in s.text) >= 20] for k, v in pools.items()}
    blocks = []
    for i in range(n):
        if i % 2:
            picked = rng.sample(langs, rng.choice((2, 3)))
        else:
            picked = [rng.choice(langs)] * rng.choice((2, 3))
        blocks.append([rng.choice(pools[lang]) for lang in picked])
    return blocks


def segmentation(impl, blocks: list[list[data.Sample]]) -> dict:
    """Mixed blocks: runs found exactly, character accuracy; pure blocks: false splits."""
    if not hasattr(impl, "segment_languages"):
        return {}
    exact = chars_right = chars = n_mixed = false_splits = 0
    for sents in blocks:
        text, gold = "", []
        for s in sents:
            start = len(text)
            text += s.text.strip() + " "
            gold.append((start, len(text), s.lang))
        segs = impl.segment_languages(text)
        pure = len({lang for *_, lang in gold}) == 1
        runs = _gold_runs(gold)
        found = [(g.start, g.end, g.lang) for g in segs]
        if pure:
            false_splits += len(found) > 1
            continue
        n_mixed += 1
        exact += found == runs
        for g_start, g_end, lang in gold:
            for f_start, f_end, f_lang in found:
                overlap = max(0, min(g_end, f_end) - max(g_start, f_start))
                chars_right += overlap if f_lang == lang else 0
            chars += g_end - g_start
    n_pure = len(blocks) - n_mixed
    return {"mixed_blocks": n_mixed, "mixed_exact": round(exact / max(1, n_mixed), 4),
            "mixed_char_acc": round(chars_right / max(1, chars), 4),
            "pure_blocks": n_pure, "pure_split_rate": round(false_splits / max(1, n_pure), 4)}


def _gold_runs(gold: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    runs: list[tuple[int, int, str]] = []
    for start, end, lang in gold:
        if runs and runs[-1][2] == lang:
            runs[-1] = (runs[-1][0], end, lang)
        else:
            runs.append((start, end, lang))
    return runs


def segment_throughput(impl, texts: list[str], min_seconds: float = 3.0) -> dict:
    """Blocks per second of ``segment_languages`` (what parse would run per block)."""
    if not hasattr(impl, "segment_languages"):
        return {}
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < min_seconds:
        for t in texts:
            impl.segment_languages(t)
        done += len(texts)
    return _rates(done, texts, start, cpu)


def long_blocks(samples: list[data.Sample], size: int = 1000) -> list[str]:
    """Consecutive same-language sentences joined into blocks of about ``size`` characters."""
    blocks, current, lang = [], "", None
    for s in samples:
        if current and (len(current) >= size or s.lang != lang):
            blocks.append(current)
            current = ""
        current, lang = f"{current} {s.text}".strip(), s.lang
    return blocks + ([current] if current else [])


def evaluation_sets(root: Path, split: str) -> tuple[dict, list[str]]:
    """Named sample lists (one half), and every PDF block text for the speed test."""
    half = lambda rows: [s for s in rows if data.split_of(s.text) == split]  # noqa: E731
    dev = half(data.langid_dev(root))
    kaz, ner, eng = half(data.kaznerd(root)), half(data.nerel(root)), half(data.english_ner(root))
    blocks, headings = pdf_blocks(root)
    from scripts.build_langid import LATIN_2018, LATIN_2021, transliterate

    sets = {
        "langid_dev": [s for s in dev if s.lang != "kk_Latn"],
        "kaznerd": kaz, "nerel": ner, "en_ner": eng,
        "pdf_blocks": half(blocks), "pdf_headings": half(headings),
        "kk_latn": [data.Sample(s.text, "kk", s.source) for s in dev if s.lang == "kk_Latn"],
        "kk_latin_i": [data.Sample(s.text.replace("і", "i").replace("І", "I"), "kk", "latin-i")
                       for s in kaz if "і" in s.text.lower()],
        "kk_latin_2018": [data.Sample(transliterate(s.text, LATIN_2018), "kk", "2018")
                          for s in kaz],
        "kk_latin_2021": [data.Sample(transliterate(s.text, LATIN_2021), "kk", "2021")
                          for s in kaz],
        "ru_kk_names": half(data.nerel_with_kazakh_names(root)),
        "quotes": (data.with_quotes(ner, kaz) + data.with_quotes(kaz, ner + eng)
                   + data.with_quotes(eng, kaz)),
    }
    return sets, [s.text for s in blocks]


def pdf_blocks(root: Path) -> tuple[list[data.Sample], list[data.Sample]]:
    """All blocks, and the heading blocks, of the real PDFs."""
    from nlp.parse.document import parse_pdf

    blocks, headings = [], []
    for path, lang in data.pdf_files(root):
        doc = parse_pdf(path)
        for b in (b for p in doc.pages for b in p.blocks):
            blocks.append(data.Sample(b.text, lang, path.name))
            if b.kind == "heading":
                headings.append(blocks[-1])
    return blocks, headings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=data.SHARED)
    parser.add_argument("--split", choices=("report", "tune"), default="report")
    parser.add_argument("--impl", default=None,
                        help="'langdetect' (stock, 55 languages) or a module file with "
                             "detect_batch, e.g. an older nlp/text/language.py")
    parser.add_argument("--errors", type=int, default=0, help="print N errors per set (stderr)")
    args = parser.parse_args(argv)
    if not (args.data / "langid").is_dir():
        print(json.dumps({"skipped": f"no shared data at {args.data}"}))
        return
    impl = load_impl(args.impl)
    sets, all_blocks = evaluation_sets(args.data, args.split)
    result = {"split": args.split, "tuned_on": "tune", "impl": args.impl or "nlp.text.language"}
    for name, samples in sets.items():
        predicted = impl.detect_batch([s.text for s in samples])
        result[name] = scores(samples, predicted)
        wrong = [(s.lang, p, repr(s.text[:150])) for s, p in zip(samples, predicted, strict=True)
                 if p != s.lang]
        for row in wrong[:args.errors]:
            print(name, *row, sep="\t", file=sys.stderr)
    sentence_sets = [s for k in ("langid_dev", "kaznerd", "nerel", "en_ner") for s in sets[k]]
    result["sentences_all"] = scores(sentence_sets, impl.detect_batch(
        [s.text for s in sentence_sets]))
    result["calibration"] = calibration(sentence_sets + sets["pdf_blocks"], impl)
    pools = {"kk": sets["kaznerd"], "ru": sets["nerel"], "en": sets["en_ner"]}
    result["segments"] = segmentation(impl, mixed_blocks(pools))
    result["throughput_pdf_blocks"] = throughput(impl, all_blocks)
    result["throughput_segment_pdf_blocks"] = segment_throughput(impl, all_blocks)
    result["throughput_sentences"] = throughput(impl, [s.text for s in sentence_sets])
    result["throughput_1000_char_blocks"] = throughput(impl, long_blocks(sentence_sets))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
