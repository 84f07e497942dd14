"""Rebuild nlp/data/langid/: the Kazakh langdetect profiles and the confidence calibration.

    python -m scripts.build_langid [--data ../shared/data]

1. ``kk.json``, ``ru.json``, ``en.json``: langdetect profiles (1-3-gram counts, langdetect's
   own pruning) of about 1.2-1.5 M characters per language (scripts/langid_data.py: WMT19
   newstest kk, Kazakh law texts, KazQAD; NEREL train, RuREBus train, Russian law texts;
   WikiANN en train, English policy texts). Built alike, so no language wins a short text
   only because its profile holds rarer n-grams (langdetect's own ru/en are pruned harder).
2. ``kk-Latn.json``: the same text transliterated, alternately, into the 2018 (acute) and 2021
   Kazakh Latin alphabets, so Kazakh in Latin letters is not taken for English.
3. ``calibration.json``: the share of Kazakh words with no Kazakh-only letter (training text),
   and the accuracy of each
   decision path per length bin and langdetect probability bin on the ``tune`` halves of the
   evaluation sets (the ``report`` halves are never read here).
4. ``MANIFEST.json``: this command, per input group the file count and a SHA-256 over the
   sorted ``sha256  path`` lines of its files (``sha256sum`` format), and every output's SHA-256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

from nlp.text import language
from scripts import langid_data as data

ROOT = Path(__file__).resolve().parents[1]


OUT = ROOT / "nlp" / "data" / "langid"
LETTER_EDGES = [5, 10, 20, 40, 80, 160]
P_EDGES = [0.6, 0.9, 0.99, 0.9999]
SHRINK = 10.0  # pseudo-counts pulling a sparse cell towards its path's accuracy
P_MAX = 0.9999  # a few thousand held-out rows cannot show more than this
_CYRILLIC = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
LATIN_2018 = dict(zip(_CYRILLIC, [
    "a", "á", "b", "v", "g", "ǵ", "d", "e", "ıo", "j", "z", "ı", "ı", "k", "q", "l", "m", "n",
    "ń", "o", "ó", "p", "r", "s", "t", "ý", "u", "ú", "f", "h", "h", "ts", "ch", "sh", "shch",
    "", "y", "i", "", "e", "ıý", "ıa"], strict=True))
LATIN_2021 = dict(zip(_CYRILLIC, [
    "a", "ä", "b", "v", "g", "ğ", "d", "e", "io", "j", "z", "i", "i", "k", "q", "l", "m", "n",
    "ñ", "o", "ö", "p", "r", "s", "t", "u", "ū", "ü", "f", "h", "h", "ts", "ç", "ş", "şç", "",
    "y", "ı", "", "e", "iu", "ia"], strict=True))


def transliterate(text: str, table: dict[str, str]) -> str:
    """Kazakh Cyrillic to a Latin alphabet, keeping case."""
    out = []
    for ch in text:
        low = ch.lower()
        latin = table.get(low)
        if latin is None:
            out.append(ch)
        else:
            out.append(latin[:1].upper() + latin[1:] if ch != low and latin else latin)
    return "".join(out)


def build_profile(name: str, texts: list[str]) -> dict:
    """A langdetect profile: n-gram counts after langdetect's own pruning (freq > n1/1e5)."""
    from langdetect.utils.lang_profile import LangProfile

    profile = LangProfile(name=name)
    for text in texts:
        profile.update(text)
    profile.omit_less_freq()
    return {"freq": dict(sorted(profile.freq.items())), "n_words": profile.n_words,
            "name": name}


def kk_plain_word_rate(texts: list[str]) -> float:
    """Share of Kazakh words (function words aside) without a Kazakh-only letter."""
    words = [w for t in texts for w in re.findall(r"[\u0400-\u04ff]+", t.lower())
             if w not in language.KK_PLAIN_WORDS]
    return sum(not language.KK_LETTERS.intersection(w) for w in words) / max(1, len(words))


def tune_samples(root: Path) -> list[data.Sample]:
    """The ``tune`` halves of the labelled sentence sets (kk_Latn rows left out)."""
    sets = [data.langid_dev(root), data.kaznerd(root), data.nerel(root),
            data.english_ner(root)]
    return [s for rows in sets for s in rows
            if s.lang in language.LANGS and data.split_of(s.text) == "tune"]


def fit_calibration(samples: list[data.Sample], rate: float) -> dict:
    """Per path and (length, probability) cell: shrunk held-out accuracy."""
    language._load_calibration.cache_clear()
    ident = language.LanguageIdentifier()
    ident.calibration = {"kk_plain_word_rate": rate}
    cells: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for s in samples:
        guess = ident.identify(s.text)
        if guess.lang == language.UND:
            continue
        letters = language.evidence(language.normalize(s.text)).letters
        key = f"{language.bin_of(LETTER_EDGES, letters)},{language.bin_of(P_EDGES, guess.raw)}"
        cells[guess.how][key][0] += guess.lang == s.lang
        cells[guess.how][key][1] += 1
    paths = {}
    for how, by_cell in sorted(cells.items()):
        right = sum(c for c, _ in by_cell.values())
        total = sum(n for _, n in by_cell.values())
        p_path = min(P_MAX, (right + 1) / (total + 2))
        paths[how] = {"p": round(p_path, 5), "n": total, "cells": {
            key: min(P_MAX, round((c + SHRINK * p_path) / (n + SHRINK), 5))
            for key, (c, n) in sorted(by_cell.items())}}
    return {"kk_plain_word_rate": round(rate, 5), "letter_edges": LETTER_EDGES,
            "p_edges": P_EDGES, "shrink": SHRINK, "paths": paths}


def write_json(path: Path, obj: dict) -> str:
    path.write_text(json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=0) + "\n",
                    encoding="utf-8")
    return data.sha256_file(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=data.SHARED)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        raise SystemExit(f"No shared data at {args.data}; pass --data DIR")
    OUT.mkdir(parents=True, exist_ok=True)
    corpus = {lang: [language.normalize(t) for t in data.training_text(lang, args.data)]
              for lang in language.LANGS}
    texts = corpus["kk"]
    corpus["kk-Latn"] = [transliterate(t, LATIN_2021 if i % 2 else LATIN_2018)
                         for i, t in enumerate(texts)]
    outputs = {f"{name}.json": write_json(OUT / f"{name}.json", build_profile(name, lines))
               for name, lines in corpus.items()}
    rate = kk_plain_word_rate(texts)
    calibration = fit_calibration(tune_samples(args.data), rate)
    outputs["calibration.json"] = write_json(OUT / "calibration.json", calibration)
    inputs = {"train_kk": data.kk_training_files(args.data),
              "train_ru": data.ru_training_files(args.data),
              "train_en": data.en_training_files(args.data),
              "tune_halves_of": eval_files(args.data)}
    manifest = {
        "command": "python -m scripts.build_langid --data ../shared/data",
        "langdetect": _version("langdetect"),
        "training_texts": {k: len(v) for k, v in corpus.items()},
        "training_chars": {k: sum(map(len, v)) for k, v in corpus.items()},
        "calibration_samples": sum(p["n"] for p in calibration["paths"].values()),
        "split": f"sha1('{data.SPLIT_SALT}:' + norm_key(text))[0] % 2 == 0 -> tune",
        "inputs": {name: digest(paths, args.data) for name, paths in inputs.items()},
        "outputs": outputs,
    }
    write_json(OUT / "MANIFEST.json", manifest)
    print(json.dumps({"outputs": outputs, "kk_plain_word_rate": rate,
                      "paths": {k: [v["p"], v["n"]] for k, v in calibration["paths"].items()}}))


def digest(paths: list[Path], root: Path) -> dict:
    """File count and one SHA-256 over the sorted 'sha256  relative/path' lines."""
    lines = sorted(f"{data.sha256_file(p)}  {p.relative_to(root)}" for p in paths)
    folders = sorted({str(p.relative_to(root).parent) for p in paths})
    return {"files": len(lines), "folders": folders,
            "sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest()}


def eval_files(root: Path) -> list[Path]:
    """Files whose tune halves fit the calibration."""
    return ([root / "langid" / "langid_kk_ru_en.dev.tsv", root / "kaznerd" / "IOB2_valid.txt"]
            + sorted((root / "nerel" / "dev").glob("*.txt"))
            + sorted((root / "en_ner").glob("re3d/CONLL-format/data/*/*.conll"))
            + [root / "en_ner/wikigold/CONLL-format/data/wikigold.conll.txt"]
            + sorted((root / "en_ner").glob("SEC-filings/CONLL-format/data/*/*.txt")))


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    main()
