"""Build nlp/data/lexicon.json: word counts per language for de-hyphenation and plausibility.

Inputs (text we may use; none of it is committed, only word counts):
  scripts/corpus_src/*.md                         the project's own sample briefs (kk/ru/en)
  ../shared/data/texts/{kk,ru,en}/*               kz-laws (CC0), CAMGDP guide (CC BY-SA 4.0),
                                                  State of the Nation address, seminar page
  ../shared/data/kaznerd/IOB2_valid.txt           KazNERD valid tokens (CC BY 4.0), Kazakh
  ../shared/data/en_ner/wikigold/.../*.conll.txt  wikigold tokens (CC BY 4.0), English

The shared PDFs are NOT used: scripts/eval_parse.py builds its hyphenation cases from them.
Words are lower-cased; a Latin "i" inside a Cyrillic word becomes Kazakh "і" (kz-laws writes
it so). Hyphenated compounds ("көші-қон", "socio-economic") are kept as whole tokens.

    python -m scripts.build_lexicon            # writes nlp/data/lexicon.json, prints a summary
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "nlp" / "data" / "lexicon.json"
MAX_WORDS = {"kk": 14000, "ru": 14000, "en": 14000}
WORD = re.compile(r"[^\W\d_]+(?:[-‐‑][^\W\d_]+)*")
CYR = re.compile(r"[\u0400-\u04FF]")
LAT = re.compile(r"[A-Za-z]")


def sources() -> dict[str, list[Path]]:
    """The input files per language, in a fixed order."""
    src = {lang: sorted((ROOT / "scripts" / "corpus_src").glob(f"{lang}_*.md"))
           for lang in ("kk", "ru", "en")}
    for lang in src:
        src[lang] += sorted((SHARED / "texts" / lang).glob("*.*"))
    src["kk"].append(SHARED / "kaznerd" / "IOB2_valid.txt")
    src["en"] += sorted((SHARED / "en_ner" / "wikigold").rglob("*.conll.txt"))
    return src


def read_text(path: Path) -> str:
    """Plain text of a source; token-per-line files become space-separated tokens."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.name.endswith((".conll.txt", "IOB2_valid.txt")):
        return " ".join(line.split()[0] for line in text.splitlines() if line.split())
    return text


def normalise(word: str) -> str:
    """Lower case, unified hyphen, Latin i -> Kazakh і inside Cyrillic words."""
    word = word.lower().replace("‐", "-").replace("‑", "-")
    if CYR.search(word):
        word = word.replace("i", "і")
    return word


def count_words(paths: list[Path], lang: str) -> Counter:
    """Counts of words written in the language's script."""
    script = LAT if lang == "en" else CYR
    other = CYR if lang == "en" else LAT
    counts: Counter = Counter()
    for path in paths:
        for m in WORD.finditer(read_text(path)):
            word = normalise(m.group())
            if script.search(word) and not other.search(word.replace("i", "")):
                counts[word] += 1
    return counts


def main() -> None:
    src = sources()
    missing = [str(p) for paths in src.values() for p in paths if not p.is_file()]
    if missing:
        sys.exit(f"missing inputs (is ../shared/data there?): {missing[:3]}")
    out = {"meta": {"built_by": "python -m scripts.build_lexicon", "inputs": {}}}
    for lang, paths in src.items():
        counts = count_words(paths, lang)
        top = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: MAX_WORDS[lang]])
        out[lang] = top
        out["meta"]["inputs"][lang] = {
            str(p.relative_to(ROOT.parent)): hashlib.sha256(p.read_bytes()).hexdigest()[:16]
            for p in paths}
        hyph = sum("-" in w for w in top)
        print(f"{lang}: {len(counts)} distinct, kept {len(top)} ({hyph} hyphenated)")
    OUT.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
