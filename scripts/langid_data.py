"""Data for building and evaluating language ID, read from ../shared/data (never committed).

Training text for the Kazakh profile and evaluation sets are disjoint by source: the profile
learns from WMT19 newstest (kk side), the Kazakh law texts and KazQAD passages/questions;
evaluation uses the langid dev set (Tatoeba/LASER), KazNERD, NEREL, English NER sets and the
real PDFs. Every evaluation set is split in two halves by a hash of its normalised text:
``tune`` (thresholds, calibration) and ``report`` (the figures we publish).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SPLIT_SALT = "langid-split-v1"
_SENT_END = re.compile(r"(?<=[.!?…])[\"»”)\]]*\s+(?=[\"«“(\[\-–—\dA-ZА-ЯЁӘҒҚҢӨҰҮҺІ])")
_PUNCT_SPACE = re.compile(r"\s+([.,;:!?%)\]»”])")
_OPEN_SPACE = re.compile(r"([(\[«“$])\s+")


@dataclass(frozen=True)
class Sample:
    text: str
    lang: str  # gold label: kk, ru, en (kk_Latn kept apart)
    source: str


def norm_key(text: str) -> str:
    """Key for deduplication and splitting: case-folded letters and digits only."""
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def split_of(text: str) -> str:
    """``tune`` or ``report``: a stable half of any evaluation set, by content."""
    digest = hashlib.sha1(f"{SPLIT_SALT}:{norm_key(text)}".encode()).digest()
    return "tune" if digest[0] % 2 == 0 else "report"


def dedup(samples: list[Sample]) -> list[Sample]:
    """Drop repeats (same normalised text), keeping the first."""
    seen: set[str] = set()
    out = []
    for s in samples:
        key = norm_key(s.text)
        if key and key not in seen:
            seen.add(key)
            out.append(s)
    return out


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sentences(text: str) -> Iterator[str]:
    """Sentences of running text (lines first, then sentence ends)."""
    for start, end in sentence_spans(text):
        yield text[start:end]


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """Offsets of the stripped sentences of ``text``."""
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for cut in [*_SENT_END.finditer(line.group()), None]:
            end = line.start() + (cut.start() if cut else len(line.group()))
            piece = text[start:end]
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                yield start + lead, start + len(piece.rstrip())
            start = line.start() + cut.end() if cut else end


# --- training text for the Kazakh profile -------------------------------------------------

def kk_training_files(data: Path = SHARED) -> list[Path]:
    """Kazakh files the profile is built from (none of them is used for evaluation)."""
    wmt = sorted((data / "parallel" / "wmt19_newstest_kken").glob("*/newstest2019.kaz"))
    laws = sorted((data / "texts" / "kk").glob("*.md"))
    qad = [data / "kazqad/data/reading-comprehension/"
                  "kazqad-reading-comprehension-v1.0-kk-validation.jsonl"]
    topics = sorted((data / "kazqad/data/information-retrieval/topics").glob("*.tsv"))
    return wmt + laws + qad + topics


def kk_training_text(data: Path = SHARED) -> list[str]:
    """Deduplicated Kazakh lines/passages for the profile."""
    out: list[str] = []
    for path in kk_training_files(data):
        if path.suffix == ".jsonl":
            rows = [json.loads(line) for line in path.open(encoding="utf-8")]
            out += [r["context"] for r in rows] + [r["question"] for r in rows]
        elif path.suffix == ".tsv":
            out += [line.split("\t", 1)[1] for line in path.open(encoding="utf-8")
                    if "\t" in line]
        else:
            out += [line for line in path.read_text(encoding="utf-8").splitlines()]
    texts = [re.sub(r"[#*_|>`]+", " ", t).strip() for t in out]
    return [s.text for s in dedup([Sample(t, "kk", "train") for t in texts if t])]


def ru_training_files(data: Path = SHARED) -> list[Path]:
    """Russian files for the ru profile: NEREL train (news) and RuREBus train (policy)."""
    return (sorted((data / "nerel" / "train").glob("*.txt"))
            + sorted((data / "rurebus" / "train_data").rglob("*.txt"))
            + sorted((data / "texts" / "ru").glob("*.*")))


def en_training_files(data: Path = SHARED) -> list[Path]:
    """English files for the en profile: WikiANN en train and the English policy texts."""
    return [data / "en_ner" / "wikiann_en" / "train"] + sorted((data / "texts" / "en").glob("*"))


def training_text(lang: str, data: Path = SHARED, max_chars: int = 1_500_000) -> list[str]:
    """Deduplicated training lines for ``lang``, thinned evenly (by hash) to ``max_chars``."""
    if lang == "kk":
        texts = kk_training_text(data)
    else:
        files = ru_training_files(data) if lang == "ru" else en_training_files(data)
        texts = []
        for path in files:
            if path.parent.name == "wikiann_en":
                texts += [t.replace("en:", "") for t in _conll(path)]
            else:
                texts += path.read_text(encoding="utf-8").splitlines()
        texts = [s.text for s in dedup([Sample(t.strip(), lang, "train") for t in texts
                                         if t.strip()])]
    held_out = eval_keys(data)
    texts = [t for t in texts if norm_key(t) not in held_out]
    total = sum(map(len, texts))
    if total <= max_chars:
        return texts
    keep = max_chars / total
    return [t for t in texts
            if int(hashlib.sha1(t.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < keep]


def eval_keys(data: Path = SHARED) -> set[str]:
    """Normalised texts of every evaluation sentence: never trained on."""
    rows = langid_dev(data) + kaznerd(data) + nerel(data) + english_ner(data)
    return {norm_key(s.text) for s in rows}


# --- evaluation sets ----------------------------------------------------------------------

def langid_dev(data: Path = SHARED) -> list[Sample]:
    """The kk/ru/en dev sentences (Tatoeba, LASER), deduplicated; kk_Latn rows kept apart."""
    path = data / "langid" / "langid_kk_ru_en.dev.tsv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_MINIMAL))
    return dedup([Sample(r["text"], r["lang"], r["source"]) for r in rows])


def kaznerd(data: Path = SHARED) -> list[Sample]:
    """KazNERD sentences, detokenised and deduplicated."""
    return dedup([Sample(t, "kk", "kaznerd") for t in _conll(data / "kaznerd/IOB2_valid.txt")])


def nerel(data: Path = SHARED) -> list[Sample]:
    """Sentences cut from the NEREL (Russian news) dev documents."""
    out = []
    for path in sorted((data / "nerel" / "dev").glob("*.txt")):
        out += [Sample(s, "ru", "nerel") for s in sentences(path.read_text(encoding="utf-8"))]
    return dedup(out)


def english_ner(data: Path = SHARED) -> list[Sample]:
    """Sentences of the English NER sets (re3d, wikigold, SEC filings), detokenised."""
    base = data / "en_ner"
    files = {
        "re3d": sorted((base / "re3d/CONLL-format/data").glob("*/*.conll")),
        "wikigold": [base / "wikigold/CONLL-format/data/wikigold.conll.txt"],
        "sec": sorted((base / "SEC-filings/CONLL-format/data").glob("*/*.txt")),
    }
    out = []
    for name, paths in files.items():
        for path in paths:
            out += [Sample(t, "en", name) for t in _conll(path)]
    return dedup(out)


def _conll(path: Path) -> Iterator[str]:
    tokens: list[str] = []
    for line in path.open(encoding="utf-8"):
        parts = line.split("\t") if "\t" in line else line.split()
        parts = [p.strip() for p in parts if p.strip()]
        if not parts or parts[0] == "-DOCSTART-":
            if tokens:
                yield detokenize(tokens)
            tokens = []
        else:
            tokens.append(parts[0])
    if tokens:
        yield detokenize(tokens)


def detokenize(tokens: list[str]) -> str:
    """Join tokens with spaces, then glue punctuation back to its word."""
    text = _PUNCT_SPACE.sub(r"\1", " ".join(tokens))
    return _OPEN_SPACE.sub(r"\1", text).replace(" n't", "n't").replace(" 's", "'s")


def pdf_files(data: Path = SHARED) -> list[tuple[Path, str]]:
    """Text-layer PDFs with their document language (from pdfs/MANIFEST.tsv)."""
    out = []
    with (data / "pdfs" / "MANIFEST.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["lang"] in ("kk", "ru", "en") and not row["file"].startswith("scanned/"):
                out.append((data / "pdfs" / row["file"], row["lang"]))
    return out


def pdf_blocks(data: Path = SHARED) -> list[Sample]:
    """Every text block of the real PDFs, labelled with its document's language."""
    from nlp.parse.document import parse_pdf

    out = []
    for path, lang in pdf_files(data):
        doc = parse_pdf(path)
        out += [Sample(b.text, lang, path.name) for p in doc.pages for b in p.blocks]
    return out


# --- hard cases, made from the report halves -------------------------------------------------

def _brat_entities(path: Path, types: set[str]) -> list[tuple[int, int, str]]:
    out = []
    for line in path.open(encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 3 and parts[0].startswith("T") and ";" not in parts[1]:
            label, start, end = parts[1].split()
            if label in types:
                out.append((int(start), int(end), label))
    return out


def kazakh_names(data: Path = SHARED) -> list[str]:
    """KazNERD PERSON/GPE names that contain a Kazakh-only letter."""
    names, current = [], []
    for line in (data / "kaznerd/IOB2_valid.txt").open(encoding="utf-8"):
        parts = line.split()
        tag = parts[1] if len(parts) == 2 else "O"
        if tag.startswith("I-") and current:
            current.append(parts[0])
            continue
        if current:
            names.append(" ".join(current))
        current = [parts[0]] if tag == "B-PERSON" else []
    kk = set("әғқңөұүһі")
    return sorted({n for n in names if kk & set(n.lower()) and not n.endswith(_KK_CASES)
                   and all(w[:1].isupper() and w[1:].islower() for w in n.split())})


_KK_CASES = tuple("ның нің дың дің тың тің ға ге қа ке да де та те нан нен дан ден тан тен "
                  "мен бен пен ны ні ды ді ты ті сы сі ға ғе ына іне на не".split())


def nerel_with_kazakh_names(data: Path = SHARED) -> list[Sample]:
    """NEREL sentences whose PERSON/CITY names are replaced by Kazakh ones (label ru)."""
    names = kazakh_names(data)
    out = []
    for path in sorted((data / "nerel" / "dev").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        ents = _brat_entities(path.with_suffix(".ann"), {"PERSON", "CITY"})
        for start, end in sentence_spans(text):
            inside = sorted(e for e in ents if start <= e[0] and e[1] <= end)
            named = sum(e - s for s, e, _ in inside)
            if not inside or end - start < 40 or named > 0.5 * (end - start):
                continue
            pieces, pos = [], start
            for s, e, _ in inside:
                if s < pos:
                    continue
                pick = int(hashlib.sha1(text[s:e].encode()).hexdigest(), 16) % len(names)
                pieces += [text[pos:s], names[pick]]
                pos = e
            out.append(Sample("".join(pieces) + text[pos:end], "ru", "nerel+kk-names"))
    return dedup(out)


def with_quotes(matrix: list[Sample], quotes: list[Sample], max_share: float = 0.4
                ) -> list[Sample]:
    """Each matrix sentence with a shorter «quotation» in another language inserted."""
    out = []
    pool = [q for q in quotes if q.lang != matrix[0].lang]
    for i, m in enumerate(matrix):
        q = re.sub(r"[«»\"“”]", "", pool[i % len(pool)].text).rstrip(".!?")
        words = q.split()[:6]
        quote = " ".join(words)
        if len(quote) > max_share * len(m.text) or len(words) < 2:
            continue
        cut = m.text.find(" ", len(m.text) // 2)
        if cut > 0:
            text = f"{m.text[:cut]} «{quote}»{m.text[cut:]}"
            out.append(Sample(text, m.lang, f"{m.source}+quote"))
    return out
