"""Measure entity extraction; print ONE JSON line.

    python -m scripts.eval_entities            # NER, speed, domain gold (dev part)
    python -m scripts.eval_entities --heldout  # ... and the held-out gold and figure set
    python -m scripts.eval_entities --skip-ner # domain gold only (no NER sets)
    python -m scripts.eval_entities --limit 200  # quick: first 200 texts per NER set

NER: micro and per-label P/R/F1, exact span + label, of the model alone ("model") and of the
whole pipeline with rules ("pipeline") on our KazNERD dev split, NEREL dev, and English
wikigold / SEC-filings (test) / re3d (test), where PERSON, ORG and places (GPE and LOC
merged, as CoNLL's LOC) are compared. Russian also reports natasha's NER (PER/LOC/ORG).

English conventions, made explicit so the score measures the model, not the tokenisation:
the CoNLL tokens are joined as people write them, clitics included ("Howe's", "Iraq's",
"don't"); wikigold and SEC follow CoNLL, whose spans never start with "the", so a leading
"the " is cut from predicted spans there (OntoNotes, which en_core_web_sm learnt, includes
it: "the VI Corps"); re3d keeps "the" in its gold spans, so nothing is cut. spaCy's NORP,
FAC-as-LOC and all other labels stay as they are: a NORP is never a hit. Each English set
also reports "as_read": the scores before these two conventions were applied. re3d also
annotates pronouns and common-noun mentions ("she", "the hospital lab", countries as ORG);
"proper_names" scores it on gold spans with a capitalised word only (predictions that
overlap a dropped gold span are dropped too, so they count neither way).
Speed: tokens/s of each language pipeline (rules included) on those texts, one process.
Domain gold (tests/gold/entities_gold.jsonl, written for this project): law precision /
recall (overlapping span, same canonical id and norm), agency linking accuracy (gold
agency mention -> an overlapping entity with its canonical id), figure value+unit accuracy.
With --heldout also the three fresh figure held-out sets (tests/gold/figures_heldout*.jsonl),
figures only; their passages may be a PDF page, a slice of a text file, one field of a JSONL
record (KazQAD), one CoNLL sentence joined as the NER sets are (re3d) or one sentence of our
KazNERD dev split.
Sets under ../shared/data that are absent are skipped (reported as "skipped").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from collections import Counter
from functools import cache
from pathlib import Path

from scripts.train_ner import SHARED, detokenize, kaznerd_splits, nerel_splits

ROOT = Path(__file__).resolve().parents[1]


GOLD = ROOT / "tests" / "gold" / "entities_gold.jsonl"
FIGURES_GOLD = ROOT / "tests" / "gold" / "figures_heldout.jsonl"  # figures only, see its README
FIGURES_GOLD2 = ROOT / "tests" / "gold" / "figures_heldout2.jsonl"  # a second fresh one, ditto
FIGURES_GOLD3 = ROOT / "tests" / "gold" / "figures_heldout3.jsonl"  # and a third
FIGURES_GOLD4 = ROOT / "tests" / "gold" / "figures_heldout4.jsonl"  # and a fourth
FIGURES_GOLD5 = ROOT / "tests" / "gold" / "figures_heldout5.jsonl"  # and a fifth
EN_SETS = {
    "wikigold": "en_ner/wikigold/CONLL-format/data/wikigold.conll.txt",
    "sec": "en_ner/SEC-filings/CONLL-format/data/test/FIN3.txt",
    "re3d": "en_ner/re3d/CONLL-format/data/test/re3d-test.conll",
}
EN_LABELS = {"PER": "PERSON", "Person": "PERSON", "ORG": "ORG", "Organisation": "ORG",
             "LOC": "LOC", "Location": "LOC"}
PLACE = {"GPE": "LOC", "LOC": "LOC"}  # CoNLL LOC covers both
RU_LABELS = ("ORG", "LAW", "PERSON", "GPE", "LOC", "DATE", "MONEY", "PERCENT", "CARDINAL")
FIGURE_LABELS = ("MONEY", "PERCENT", "QUANTITY", "CARDINAL")

Span = tuple[int, int, str]


# -- NER sets --------------------------------------------------------------------------------

def read_conll(path: Path, clitics: bool = True) -> list[tuple[str, list[Span]]]:
    """Sentences of an IOB1/IOB2 CoNLL file as (text, spans) with our labels.

    ``clitics`` joins "Howe 's" / "Iraq ' s" / "do n't" as written ("Howe's").
    """
    sents, tokens, tags = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        parts = line.split()
        if parts and not parts[0].startswith("-DOCSTART-"):
            tokens.append(parts[0])
            tags.append(parts[-1])
        elif tokens:
            sents.append(_iob_spans(tokens, tags, clitics))
            tokens, tags = [], []
    return sents


CLITICS = {"'s", "'S", "’s", "n't", "N'T", "'re", "'ve", "'ll", "'d", "'m"}
APOSTROPHES = {"'", "’"}


def detokenize_en(tokens: list[str]) -> tuple[str, list[int]]:
    """English tokens joined as written: clitics and a split "' s" are glued to their word."""
    _, spaced_starts = detokenize(tokens)
    text, starts = "", []
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        # CoNLL English keeps "1,000" whole: "5 , 2001" is a date, not KazNERD's decimal
        spaced = i > 0 and (spaced_starts[i] > spaced_starts[i - 1] + len(prev) or prev == ",")
        glue = tok in CLITICS or (tok in APOSTROPHES and nxt.lower() in ("s", "t")) \
            or (prev in APOSTROPHES and tok.lower() in ("s", "t"))
        text += " " if spaced and not glue else ""
        starts.append(len(text))
        text += tok
    return text, starts


def _iob_spans(tokens: list[str], tags: list[str],
               clitics: bool = False) -> tuple[str, list[Span]]:
    text, starts = detokenize_en(tokens) if clitics else detokenize(tokens)
    spans, cur = [], None  # cur = (first token, type)
    for i, tag in enumerate(tags + ["O"]):
        kind = tag[2:] if tag[:2] in ("B-", "I-") else None
        if cur and (kind != cur[1] or tag.startswith("B-")):
            if cur[1] in EN_LABELS:
                spans.append((starts[cur[0]], starts[i - 1] + len(tokens[i - 1]),
                              EN_LABELS[cur[1]]))
            cur = None
        if kind and cur is None:
            cur = (i, kind)
    return text, spans


def prf(gold: list[set[Span]], pred: list[set[Span]], labels: tuple[str, ...]) -> dict:
    """Micro P/R/F1 and per-label F1 over exact (start, end, label) matches."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred, strict=True):
        g = {s for s in g if s[2] in labels}
        p = {s for s in p if s[2] in labels}
        for s in p:
            (tp if s in g else fp)[s[2]] += 1
        for s in g - p:
            fn[s[2]] += 1
    def f1(t, f_p, f_n):
        p, r = t / max(1, t + f_p), t / max(1, t + f_n)
        return round(p, 4), round(r, 4), round(2 * p * r / max(1e-9, p + r), 4)
    total = f1(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return {"p": total[0], "r": total[1], "f1": total[2],
            "per_label": {lab: {"f1": f1(tp[lab], fp[lab], fn[lab])[2], "n": tp[lab] + fn[lab]}
                          for lab in labels if tp[lab] + fn[lab]}}


def _outer(entities) -> set[Span]:
    """Entity spans minus those nested in another (agencies inside a law citation)."""
    spans = [(e.start, e.end, e.label) for e in entities]
    return {s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)}


def eval_ner(name: str, lang: str, data, labels, relabel=None, places_merged=False,
             trim_the=False, proper_names=False) -> dict:
    """Model-only and pipeline scores, and pipeline tokens/s.

    ``relabel`` maps predicted labels before scoring (GPE -> LOC for CoNLL sets);
    ``places_merged`` adds a view where GPE and LOC count as one class; ``trim_the`` cuts a
    leading "the " from predicted spans (CoNLL conventions); ``proper_names`` adds a view on
    gold spans with a capitalised word only.
    """
    from nlp.entities.pipeline import extract_batch, get_pipeline, model_batch

    texts, gold = [t for t, _ in data], [set(s) for _, s in data]
    relabel = relabel or {}
    fix = lambda spans, m=relabel: {(s, e, m.get(lab, lab)) for s, e, lab in spans}  # noqa: E731
    get_pipeline(lang)
    model = [fix((e.start, e.end, e.label) for e in ents) for ents in model_batch(texts, lang)]
    start = time.perf_counter()
    found = extract_batch([(t, lang) for t in texts])
    seconds = time.perf_counter() - start
    pipe = [fix(_outer(ents)) for ents in found]
    if trim_the:
        model, pipe = ([_trim_the(t, x) for t, x in zip(texts, xs, strict=True)]
                       for xs in (model, pipe))
    tokens = sum(len(d) for d in get_pipeline(lang).tokenizer.pipe(texts))
    out = {"set": name, "texts": len(texts), "model": prf(gold, model, labels),
           "pipeline": prf(gold, pipe, labels), "tokens": tokens,
           "tokens_per_s": round(tokens / seconds)}
    pipeline = get_pipeline(lang)
    if "natasha_persons" in pipeline.pipe_names:  # what natasha's persons cost
        with pipeline.select_pipes(disable=["natasha_persons"]):
            start = time.perf_counter()
            extract_batch([(t, lang) for t in texts])
            out["tokens_per_s_without_natasha"] = round(tokens / (time.perf_counter() - start))
    if places_merged:
        g2, m2, p2 = ([fix(x, PLACE) for x in xs] for xs in (gold, model, pipe))
        view = ("PERSON", "ORG", "LOC")
        out["places_merged"] = {"model": prf(g2, m2, view), "pipeline": prf(g2, p2, view)}
    if proper_names:
        kept = [_proper_view(t, g, m, p) for t, g, m, p in zip(texts, gold, model, pipe,
                                                             strict=True)]
        g3, m3, p3 = ([k[i] for k in kept] for i in range(3))
        out["proper_names"] = {"model": prf(g3, m3, labels), "pipeline": prf(g3, p3, labels)}
    return out


NOT_NAMES = frozenset("the a an he she it we they i you me him us them this that these those "
                      "his her its their our my your".split())


def _trim_the(text: str, spans: set[Span]) -> set[Span]:
    """Spans with a leading "the " cut off (CoNLL spans never include the article)."""
    return {(s + 4, e, lab) if text[s:s + 4].lower() == "the " and e > s + 4 else (s, e, lab)
            for s, e, lab in spans}


def _is_proper(text: str) -> bool:
    return any(w[:1].isupper() and w.lower() not in NOT_NAMES for w in text.split())


def _proper_view(text: str, gold: set[Span], model: set[Span], pipe: set[Span]):
    """Gold spans naming something by a proper name; predictions on the others dropped."""
    dropped = [g for g in gold if not _is_proper(text[g[0]:g[1]])]
    keep = lambda spans: {s for s in spans  # noqa: E731
                          if not any(s[0] < d[1] and d[0] < s[1] for d in dropped)}
    return gold - set(dropped), keep(model), keep(pipe)


def eval_natasha(data) -> dict:
    """natasha's NewsNERTagger on NEREL dev: PER, ORG, and LOC against GPE+LOC."""
    try:
        from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter
    except ImportError:
        return {"skipped": "natasha is not installed"}
    seg, tagger = Segmenter(), NewsNERTagger(NewsEmbedding())
    names = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}
    gold, pred, start = [], [], time.perf_counter()
    for text, spans in data:
        doc = Doc(text)
        doc.segment(seg)
        doc.tag_ner(tagger)
        pred.append({(s.start, s.stop, names[s.type]) for s in doc.spans})
        gold.append({(s, e, PLACE.get(lab, lab)) for s, e, lab in spans})
    seconds = time.perf_counter() - start
    out = prf(gold, pred, ("PERSON", "ORG", "LOC"))
    out["texts_per_s"] = round(len(data) / seconds, 1)
    return out


def eval_english(name: str, path: Path, cut) -> dict:
    """An English CoNLL set with the conventions in the module docstring, and as read."""
    labels = ("PERSON", "ORG", "LOC")
    out = eval_ner(name, "en", cut(read_conll(path)), labels, PLACE, trim_the=name != "re3d",
                   proper_names=name == "re3d")
    raw = eval_ner(name, "en", cut(read_conll(path, clitics=False)), labels, PLACE)
    out["as_read"] = {"model": raw["model"], "pipeline": raw["pipeline"]}
    return out


def ner_sets(limit: int | None, langs: tuple[str, ...] = ("kk", "ru", "en")) -> dict:
    """Every NER figure of ``langs``; sets whose data is absent are skipped."""
    out: dict = {}
    cut = (lambda xs: xs[:limit]) if limit else (lambda xs: xs)
    if (SHARED / "kaznerd").is_dir() and "kk" in langs:
        from nlp.entities.pipeline import LABELS
        out["kk_kaznerd_dev"] = eval_ner("kaznerd_dev", "kk", cut(kaznerd_splits()["dev"]), LABELS)
    if (SHARED / "nerel").is_dir() and "ru" in langs:
        dev = cut(nerel_splits()["dev"])
        out["ru_nerel_dev"] = eval_ner("nerel_dev", "ru", dev, RU_LABELS, places_merged=True)
        out["ru_natasha_alone_nerel_dev"] = eval_natasha(dev)
    for name, rel in EN_SETS.items():
        if (SHARED / rel).is_file() and "en" in langs:
            out[f"en_{name}"] = eval_english(name, SHARED / rel, cut)
    return out or {"skipped": f"no NER data under {SHARED}"}


# -- domain gold -----------------------------------------------------------------------------

def passage_text(item: dict) -> str | None:
    """The passage a gold item annotates, or None when its source is absent or changed."""
    text = read_passage(item)
    return text if text is not None and \
        hashlib.sha256(text.encode()).hexdigest() == item["sha256"] else None


def read_passage(item: dict) -> str | None:
    """The slice of its source a gold item points at (unchecked); None if the source is absent."""
    if item["source"] == "corpus":
        text = (ROOT / item["file"]).read_text(encoding="utf-8")
    elif not (SHARED / item["file"]).is_file():
        return None
    elif item["source"] == "shared_pdf":
        import pymupdf

        with pymupdf.open(SHARED / item["file"]) as pdf:
            text = pdf[item["page"] - 1].get_text()
    elif item["source"] == "shared_jsonl":  # one field of one record (line, 0-based)
        lines = (SHARED / item["file"]).read_text(encoding="utf-8").splitlines()
        text = json.loads(lines[item["record"]])[item["field"]]
    elif item["source"] == "shared_conll":  # one sentence (0-based), joined as the NER sets are
        text = read_conll(SHARED / item["file"])[item["sentence"]][0]
    elif item["source"] == "kaznerd_dev":  # one sentence (0-based) of our seeded KazNERD dev split
        text = _kaznerd_dev()[item["sentence"]][0]
    else:
        text = (SHARED / item["file"]).read_text(encoding="utf-8")
    return text[item["start"]:item["end"]]


@cache
def _kaznerd_dev() -> list:
    """KazNERD dev sentences as the NER scores read them (read once: the split is seeded)."""
    return kaznerd_splits()["dev"]


def _overlap(a, b) -> bool:
    return a["start"] < b.end and b.start < a["end"]


def score_passage(gold: list[dict], found: list, tally: Counter, scope: str = "all") -> None:
    """Add one passage's law / agency / figure counts to ``tally`` (``scope`` "figures": only
    figures were annotated in it)."""
    if scope != "figures":
        score_laws_agencies(gold, found, tally)
    score_figures(gold, found, tally)


def score_laws_agencies(gold: list[dict], found: list, tally: Counter) -> None:
    """Law precision/recall and agency linking counts of one passage."""
    laws = [e for e in found if e.label == "LAW"]
    used: set[int] = set()
    for g in (g for g in gold if g["label"] == "LAW"):
        tally["law_gold"] += 1
        for i, e in enumerate(laws):
            if i not in used and _overlap(g, e) and e.canonical_id == g.get("canonical_id") \
                    and ("norm" not in g or e.norm == g["norm"]):
                used.add(i)
                tally["law_matched"] += 1
                tally["law_exact_span"] += (e.start, e.end) == (g["start"], g["end"])
                break
    tally["law_pred"] += len(laws)
    agencies = [g for g in gold if g["label"] == "ORG" and g.get("canonical_id")]
    for g in agencies:
        tally["agency_gold"] += 1
        tally["agency_linked"] += any(_overlap(g, e) and e.canonical_id == g["canonical_id"]
                                      for e in found)
    linked = [e for e in found if e.label == "ORG" and e.canonical_id]
    tally["agency_pred"] += len(linked)
    tally["agency_false_links"] += sum(
        not any(_overlap(g, e) and g["canonical_id"] == e.canonical_id for g in agencies)
        for e in linked)


def score_figures(gold: list[dict], found: list, tally: Counter) -> None:
    """Figure value+unit counts of one passage: a gold figure is right when an overlapping
    entity has its value and unit."""
    figures = [g for g in gold if g["label"] in FIGURE_LABELS]
    for g in figures:
        tally["figure_gold"] += 1
        tally["figure_correct"] += any(
            _overlap(g, e) and e.value is not None and e.unit == g.get("unit")
            and abs(e.value - g["value"]) <= 1e-6 * max(1.0, abs(g["value"])) for e in found)
    valued = [e for e in found if e.value is not None and any(c.isdigit() for c in e.text)]
    tally["figure_pred"] += len(valued)
    tally["figure_spurious"] += sum(not any(_overlap(g, e) for g in figures) for e in valued)


def eval_gold(split: str, path: Path = GOLD) -> dict:
    """Domain gold results of one split, per language and overall."""
    from nlp.entities.pipeline import extract_batch

    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    items = [i for i in items if i["split"] == split]
    texts = [(i, passage_text(i)) for i in items]
    ready = [(i, t) for i, t in texts if t is not None]
    found = extract_batch([(t, i["lang"]) for i, t in ready])
    tallies: dict[str, Counter] = {"all": Counter()}
    for (item, _), ents in zip(ready, found, strict=True):
        for key in ("all", item["lang"]):
            score_passage(item["entities"], ents, tallies.setdefault(key, Counter()),
                          item.get("scope", "all"))
    out = {key: _rates(t) for key, t in sorted(tallies.items())}
    out["passages"] = len(ready)
    out["skipped_passages"] = len(items) - len(ready)
    return out


def _rates(t: Counter) -> dict:
    ratio = lambda a, b: round(t[a] / t[b], 4) if t[b] else None  # noqa: E731
    return {
        "law_precision": round(1 - (t["law_pred"] - t["law_matched"]) / t["law_pred"], 4)
        if t["law_pred"] else None,
        "law_recall": ratio("law_matched", "law_gold"),
        "law_exact_span": ratio("law_exact_span", "law_matched"),
        "agency_linking_accuracy": ratio("agency_linked", "agency_gold"),
        "agency_false_links": t["agency_false_links"],
        "figure_value_unit_accuracy": ratio("figure_correct", "figure_gold"),
        "figure_spurious": t["figure_spurious"],
        "n": {"laws": t["law_gold"], "agencies": t["agency_gold"], "figures": t["figure_gold"]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--heldout", action="store_true", help="also score the held-out gold")
    parser.add_argument("--limit", type=int, default=None, help="texts per NER set")
    parser.add_argument("--skip-ner", action="store_true", help="domain gold only")
    parser.add_argument("--langs", default="kk,ru,en", help="NER sets of these languages")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    langs = tuple(args.langs.split(","))
    out = {"ner": "not run (--skip-ner)" if args.skip_ner else ner_sets(args.limit, langs),
           "gold_dev": eval_gold("dev")}
    out["gold_heldout"] = eval_gold("heldout") if args.heldout else "not run (--heldout)"
    out["figures_heldout"] = (eval_gold("heldout_figures", FIGURES_GOLD) if args.heldout
                              else "not run (--heldout)")
    out["figures_heldout2"] = (eval_gold("heldout_figures", FIGURES_GOLD2) if args.heldout
                               else "not run (--heldout)")
    out["figures_heldout3"] = (eval_gold("heldout_figures", FIGURES_GOLD3) if args.heldout
                               else "not run (--heldout)")
    out["figures_heldout4"] = (eval_gold("heldout_figures", FIGURES_GOLD4) if args.heldout
                               else "not run (--heldout)")
    out["figures_heldout5"] = (eval_gold("heldout_figures", FIGURES_GOLD5) if args.heldout
                               else "not run (--heldout)")
    # tokens/s share the machine with whatever else runs: the load average says how much
    out["machine"] = {"cpus": os.cpu_count(), "load_avg_1m_start": round(load, 2),
                      "load_avg_1m_end": round(os.getloadavg()[0], 2)}
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
