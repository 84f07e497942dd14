"""Train the Kazakh (KazNERD), Russian (NEREL) and English spaCy NER pipelines in
nlp/entities/models/.

    python -m scripts.train_ner convert kk|ru|en  # data -> build/ner/<lang>/{train,tune,dev}.spacy
    python -m scripts.train_ner train kk|ru|en    # spaCy train, scripts/ner.cfg -> build/ner/<lang>
    python -m scripts.train_ner install kk|ru|en  # best checkpoint + record -> nlp/entities/models/

ru also gets static word vectors: navec's news embeddings (shipped in the natasha wheel),
pruned to the most frequent words plus the words of NEREL train and reduced by PCA, keyed by
the lower-cased NORM; ``train ru`` builds them into build/ner/ru/vectors first.

KazNERD: only its valid split exists here; sentences are deduplicated, then split with a
fixed seed into train 85% / tune 5% / dev 10%. NEREL: train minus 40 documents (tune) is
trained on; NEREL dev is only reported. spaCy picks its best checkpoint on "tune", never on
the reported dev split. Labels are mapped to ours (outer spans only for nested NEREL).
en (PERSON, ORG, LOC only): WikiANN en train plus the train splits of re3d and SEC-filings,
tuned on a seeded sample of WikiANN dev; the test splits (and wikigold, which has no split)
are only reported by scripts/eval_entities.py.
Data comes from ../shared/data (never committed).
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SHARED = ROOT.parent / "shared" / "data"
KAZNERD = SHARED / "kaznerd" / "IOB2_valid.txt"
NEREL = SHARED / "nerel"
BUILD = ROOT / "build" / "ner"
CONFIG = ROOT / "scripts" / "ner.cfg"
SEED = 13
KK_SPLIT = (0.85, 0.05)  # train, tune; the rest is dev
NEREL_TUNE_DOCS = 40
# Per-language overrides of scripts/ner.cfg: NEREL batches are longer, so its steps are
# slower; 4000 steps (~19 epochs) keep training under an hour on two shared cores.
OVERRIDES: dict[str, dict[str, object]] = {
    "kk": {},
    "ru": {"training.max_steps": 4000,
           "components.tok2vec.model.embed.include_static_vectors": True},
    "en": {"training.max_steps": 6000},
}
# navec vocabulary kept as spaCy vectors: its most frequent words and NEREL train's words,
# reduced to VECTOR_DIMS by PCA so the pipeline stays small (rows x dims x 4 bytes).
NAVEC_FILE = "data/emb/navec_news_v1_1B_250K_300d_100q.tar"
VECTOR_TOP_WORDS = 40_000
VECTOR_DIMS = 100

KAZNERD_LABELS = {
    "ORGANISATION": "ORG", "LAW": "LAW", "PERSON": "PERSON", "GPE": "GPE", "LOCATION": "LOC",
    "FACILITY": "LOC", "DATE": "DATE", "MONEY": "MONEY", "PERCENTAGE": "PERCENT",
    "CARDINAL": "CARDINAL", "QUANTITY": "QUANTITY",
}
NEREL_LABELS = {
    "ORGANIZATION": "ORG", "LAW": "LAW", "PERSON": "PERSON", "COUNTRY": "GPE", "CITY": "GPE",
    "STATE_OR_PROVINCE": "GPE", "DISTRICT": "GPE", "LOCATION": "LOC", "FACILITY": "LOC",
    "DATE": "DATE", "MONEY": "MONEY", "PERCENT": "PERCENT", "NUMBER": "CARDINAL",
}
NO_SPACE_BEFORE = set(".,;:!?)]»%”")
NO_SPACE_AFTER = set("([«“„")

Gold = tuple[str, list[tuple[int, int, str]]]  # text, [(start, end, label)]


# -- KazNERD ---------------------------------------------------------------------------------

def read_iob(path: Path) -> list[list[tuple[str, str]]]:
    """Sentences of (token, tag) from a CoNLL IOB2 file."""
    sents: list[list[tuple[str, str]]] = [[]]
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            sents[-1].append((parts[0], parts[-1]))
        elif sents[-1]:
            sents.append([])
    return [s for s in sents if s]


def detokenize(tokens: list[str]) -> tuple[str, list[int]]:
    """Text with spaces as people write them ("«Қара сөз»", "31,4"), and each token's start.

    KazNERD splits a decimal comma off ("31 , 4"); between two numbers it is glued back.
    """
    text, starts = "", []
    for i, tok in enumerate(tokens):
        glue = i == 0 or tok[0] in NO_SPACE_BEFORE or tokens[i - 1][-1] in NO_SPACE_AFTER
        glue = glue or (i > 1 and tokens[i - 1] == "," and tok.isdigit()
                        and tokens[i - 2].isdigit())
        text += "" if glue else " "
        starts.append(len(text))
        text += tok
    return text, starts


def iob_to_gold(sent: list[tuple[str, str]], labels: dict[str, str]) -> Gold:
    """Detokenized text and char spans of the mapped entities."""
    tokens = [t for t, _ in sent]
    text, starts = detokenize(tokens)
    spans, open_span = [], None
    for i, (_, tag) in enumerate(sent + [("", "O")]):
        inside = tag.startswith("I-") and open_span and open_span[1] == tag[2:]
        if open_span and not inside:
            first, label = open_span
            if label in labels:
                spans.append((starts[first], starts[i - 1] + len(tokens[i - 1]), labels[label]))
            open_span = None
        if tag.startswith("B-") or (tag.startswith("I-") and open_span is None):
            open_span = (i, tag[2:])
    return text, spans


def kaznerd_splits() -> dict[str, list[Gold]]:
    """Deduplicated KazNERD sentences in our seeded train/tune/dev split."""
    seen, unique = set(), []
    for sent in read_iob(KAZNERD):
        key = tuple(t for t, _ in sent)
        if key not in seen:
            seen.add(key)
            unique.append(sent)
    random.Random(SEED).shuffle(unique)
    n_train, n_tune = int(len(unique) * KK_SPLIT[0]), int(len(unique) * KK_SPLIT[1])
    golds = [iob_to_gold(s, KAZNERD_LABELS) for s in unique]
    return {"train": golds[:n_train], "tune": golds[n_train:n_train + n_tune],
            "dev": golds[n_train + n_tune:]}


# -- NEREL -----------------------------------------------------------------------------------

def read_brat(txt: Path, labels: dict[str, str]) -> Gold:
    """A brat document's text and its outermost entities of the mapped types."""
    text = txt.read_text(encoding="utf-8")
    spans = []
    for line in txt.with_suffix(".ann").read_text(encoding="utf-8").splitlines():
        if not line.startswith("T"):
            continue
        kind, offsets = line.split("\t")[1].split(" ", 1)
        if ";" in offsets or kind not in labels:
            continue  # discontinuous spans are rare; types we do not use are dropped
        start, end = (int(x) for x in offsets.split())
        spans.append((start, end, labels[kind]))
    return text, outermost(spans)


def outermost(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Spans not inside (or crossing) an earlier, longer one."""
    kept: list[tuple[int, int, str]] = []
    for s in sorted(set(spans), key=lambda s: (s[0], s[0] - s[1])):
        if not kept or s[0] >= kept[-1][1]:
            kept.append(s)
    return kept


def paragraphs(gold: Gold) -> Iterator[Gold]:
    """A document cut at line breaks; an entity across a break is dropped (rare)."""
    text, spans = gold
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            yield line, [(s - start, e - start, lab) for s, e, lab in spans
                         if start <= s and e <= end]
        start = end + 1


def nerel_splits() -> dict[str, list[Gold]]:
    """NEREL paragraphs: train minus a seeded tune set of documents, and dev."""
    train_docs = sorted((NEREL / "train").glob("*.txt"))
    random.Random(SEED).shuffle(train_docs)
    tune, train = train_docs[:NEREL_TUNE_DOCS], train_docs[NEREL_TUNE_DOCS:]
    dev = sorted((NEREL / "dev").glob("*.txt"))
    return {name: [p for doc in docs for p in paragraphs(read_brat(doc, NEREL_LABELS))]
            for name, docs in (("train", train), ("tune", tune), ("dev", dev))}


def splits(lang: str) -> dict[str, list[Gold]]:
    """The gold splits of a language (kk: KazNERD, ru: NEREL)."""
    if lang == "kk":
        return kaznerd_splits()
    if lang == "ru":
        return nerel_splits()
    if lang == "en":
        return english_splits()
    raise SystemExit(f"No training data for {lang!r}: use kk, ru or en.")


# -- English ---------------------------------------------------------------------------------

EN_NER = SHARED / "en_ner"
EN_TRAIN = ("wikiann_en/train", "re3d/CONLL-format/data/train/re3d-train.conll",
            "SEC-filings/CONLL-format/data/train/FIN5.txt")
EN_TUNE = "wikiann_en/dev"
EN_DEV = "wikiann_en/test"
EN_SAMPLE = 2000  # tune and dev sentences drawn from WikiANN dev / test


def read_english(path: Path) -> list[Gold]:
    """A CoNLL file as eval_entities reads its English sets (WikiANN's "en:" prefix cut)."""
    from scripts.eval_entities import read_conll

    text = path.read_text(encoding="utf-8")
    if path.parent.name == "wikiann_en":
        text = "\n".join(line[3:] if line.startswith("en:") else line
                         for line in text.splitlines())
    tmp = BUILD / "en" / f"{path.parent.name}-{path.name}.conll"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(text, encoding="utf-8")
    return [(sent, [(s, e, "LOC" if lab in ("GPE", "LOC") else lab) for s, e, lab in spans])
            for sent, spans in read_conll(tmp)]


def english_splits() -> dict[str, list[Gold]]:
    """WikiANN train + re3d train + SEC train; seeded samples of WikiANN dev (tune) and test."""
    train = [g for rel in EN_TRAIN for g in read_english(EN_NER / rel)]
    random.Random(SEED).shuffle(train)
    tune, dev = (random.Random(SEED).sample(read_english(EN_NER / rel), EN_SAMPLE)
                 for rel in (EN_TUNE, EN_DEV))
    return {"train": train, "tune": tune, "dev": dev}


# -- spaCy -----------------------------------------------------------------------------------

def blank(lang: str):
    """The blank pipeline whose tokenizer the trained model uses."""
    import spacy

    from nlp.entities.models.kazakh import register

    register()
    return spacy.blank(lang)


def to_docbin(nlp, golds: list[Gold]):
    """DocBin of gold docs; entities are snapped outward to token bounds where needed."""
    from spacy.tokens import DocBin

    db, snapped = DocBin(store_user_data=False), 0
    for text, spans in golds:
        doc = nlp.make_doc(text)
        ents = []
        for s, e, label in spans:
            span = doc.char_span(s, e, label)
            if span is None:
                span, snapped = doc.char_span(s, e, label, alignment_mode="expand"), snapped + 1
            if span is not None and all(span.start >= x.end or span.end <= x.start
                                        for x in ents):
                ents.append(span)
        doc.ents = ents
        db.add(doc)
    return db, snapped


def convert(lang: str) -> dict[str, object]:
    """Write build/ner/<lang>/{train,tune,dev}.spacy and a manifest with data hashes."""
    out = BUILD / lang
    out.mkdir(parents=True, exist_ok=True)
    nlp = blank(lang)
    manifest: dict[str, object] = {"lang": lang, "seed": SEED, "data": data_hashes(lang)}
    for name, golds in splits(lang).items():
        db, snapped = to_docbin(nlp, golds)
        db.to_disk(out / f"{name}.spacy")
        manifest[name] = {"texts": len(golds), "entities": sum(len(s) for _, s in golds),
                          "snapped_to_tokens": snapped,
                          "sha256": sha256(out / f"{name}.spacy")}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    print(json.dumps(manifest))
    return manifest


def navec_path() -> Path:
    """The navec embeddings inside the natasha wheel."""
    try:
        import natasha
    except ImportError as exc:
        raise SystemExit("Russian vectors come from natasha's navec: pip install natasha") from exc
    return Path(natasha.__file__).parent / NAVEC_FILE


def words_of(golds: list[Gold]) -> set[str]:
    """Lower-cased word forms of the texts (what spaCy's NORM gives for Russian)."""
    import re

    return {w.lower() for text, _ in golds for w in re.findall(r"\w+(?:-\w+)*", text)}


def build_vectors(lang: str) -> dict[str, object]:
    """build/ner/<lang>/vectors: a blank pipeline holding the pruned, PCA-reduced navec."""
    import numpy as np
    from navec import Navec
    from spacy.vectors import Vectors

    source = navec_path()
    navec = Navec.load(source)
    words, counts = navec.vocab.words, navec.vocab.counts
    top = sorted(range(len(words)), key=lambda i: -counts[i])[:VECTOR_TOP_WORDS]
    train_words = words_of(splits(lang)["train"])
    keep = sorted(set(top) | {i for i, w in enumerate(words) if w in train_words}
                  - {navec.vocab.unk_id, navec.vocab.pad_id})
    matrix = np.stack([navec.pq[i] for i in keep]).astype(np.float32)
    matrix -= matrix.mean(axis=0)
    _, _, vt = np.linalg.svd(matrix[:: max(1, len(keep) // 20000)], full_matrices=False)
    reduced = matrix @ vt[:VECTOR_DIMS].T
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True).mean()
    nlp = blank(lang)
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=reduced,
                                keys=[nlp.vocab.strings.add(words[i]) for i in keep], attr="NORM")
    nlp.to_disk(BUILD / lang / "vectors")
    record = {"source": f"natasha wheel: {NAVEC_FILE}", "source_sha256": sha256(source),
              "top_words": VECTOR_TOP_WORDS, "train_words": "NEREL train (minus tune)",
              "rows": len(keep), "dims": VECTOR_DIMS, "key": "NORM (lower case)"}
    (BUILD / lang / "vectors.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    return record


def train(lang: str) -> None:
    """spaCy train on train.spacy, best checkpoint on tune.spacy, into build/ner/<lang>/model."""
    from spacy.cli.train import train as spacy_train

    blank(lang)  # registers the kk language before spaCy reads the config
    out = BUILD / lang
    overrides = {"paths.train": str(out / "train.spacy"), "paths.dev": str(out / "tune.spacy"),
                 "nlp.lang": lang, **OVERRIDES[lang]}
    if lang == "ru":
        build_vectors(lang)
        overrides["paths.vectors"] = str(out / "vectors")
    spacy_train(CONFIG, out / "model", overrides=overrides, use_gpu=-1)
    (out / "model" / "overrides.json").write_text(json.dumps(overrides), encoding="utf-8")


def install(lang: str) -> None:
    """Copy the best checkpoint into nlp/entities/models/ner_<lang> with its training record."""
    from nlp.entities.models import model_path

    out = BUILD / lang
    overrides = json.loads((out / "model" / "overrides.json").read_text(encoding="utf-8"))
    target = model_path(lang)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(out / "model" / "model-best", target)
    config = target / "config.cfg"  # training paths relative to the repository, not this machine
    config.write_text(config.read_text(encoding="utf-8").replace(f"{ROOT}/", ""), encoding="utf-8")
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    record |= {"command": " && ".join(f"OMP_NUM_THREADS=1 python -m scripts.train_ner {step} "
                                      f"{lang}" for step in ("convert", "train", "install")),
               "config": str(CONFIG.relative_to(ROOT)), "config_sha256": sha256(CONFIG),
               "overrides": {k: v for k, v in overrides.items() if not k.startswith("paths.")},
               "vectors": json.loads((out / "vectors.json").read_text(encoding="utf-8"))
               if "paths.vectors" in overrides else None,
               "tune_scores": json.loads((target / "meta.json").read_text())["performance"]}
    (target / "training.json").write_text(json.dumps(record, indent=1), encoding="utf-8")


def data_hashes(lang: str) -> dict[str, str]:
    """sha256 of the source data: the KazNERD file, or one hash over all NEREL files."""
    if lang == "kk":
        return {"kaznerd/IOB2_valid.txt": sha256(KAZNERD)}
    if lang == "en":
        return {f"en_ner/{rel}": sha256(EN_NER / rel) for rel in (*EN_TRAIN, EN_TUNE, EN_DEV)}
    digest = hashlib.sha256()
    for path in sorted(NEREL.glob("*/*_text.*")):
        digest.update(path.relative_to(NEREL).as_posix().encode() + b"\0" + path.read_bytes())
    return {"nerel/{train,dev}/*_text.{txt,ann}": digest.hexdigest()}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str]) -> None:
    steps = {"convert": convert, "train": train, "install": install}
    if len(argv) != 2 or argv[0] not in steps or argv[1] not in ("kk", "ru", "en"):
        raise SystemExit(__doc__)
    if not SHARED.is_dir():
        raise SystemExit(f"No shared data at {SHARED}: training needs KazNERD, NEREL, en_ner.")
    steps[argv[0]](argv[1])


if __name__ == "__main__":
    main(sys.argv[1:])
