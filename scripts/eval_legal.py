"""Legal acts as documents: article segmentation and notes kept out of the body. ONE JSON line.

    python -m scripts.eval_legal [--entities]

Data: the real Kazakh and Russian laws of ../shared/data/texts and their article alignment
tables (texts/alignment/*.tsv: article number, the line of its heading in the ru and in the kk
file, its ru and kk title), third-party; skipped cleanly when absent.

- ``articles``: per language, the articles of the tables found in the body (not in a table of
  contents) by number; ``exact``: also at the table's line and with its title (whitespace and
  a final period aside); ``extra``: articles found that the table does not list.
- ``note_leaks``: chunks (``nlp ingest``'s chunking) holding an editors' note: a paragraph that
  opens with «Сноска.», «Ескерту.», "Footnote.", «Примечание ИЗПИ!», «...ескертпесі!», or an
  item an amendment removed («3) исключен Законом ...», «4) алып тасталды ...»). Defined here,
  not by the code under test. Target 0.
- ``--entities``: LAW entities in the chunks of each law (notes cite the amending acts).
- ``--mentions``: LAW entities over whole real texts (not laws: the guides in kk/ru/en, a
  presidential address, a seminar page) against ``tests/gold/law_mentions.jsonl`` (every
  mention of a named act, by number or by title, as file offsets and a hash; split dev/heldout
  by a hash of the id). Precision counts every LAW row extracted from those documents; a row
  matches a gold mention it overlaps; recall per split, and for acts cited by title apart.
  "mentions_in_laws" does the same over the bodies of six whole laws (refugees, and two
  amending acts, kk and ru) against ``tests/gold/law_mentions2.jsonl``; "recall_cited" leaves
  out the mentions that are a document's own title ("self").
- ``--orgs``: the same for ORG rows over the six texts of ``--mentions`` against
  ``tests/gold/org_mentions.jsonl`` (every named organisation; precision counts every ORG
  row, the registry's and the NER models' alike).
- ``--retrieval`` (a hit opening with its chapter's heading is judged by the text after it):
  the three aligned laws (citizenship, foreigners, refugees), kk and ru, are
  ingested whole with the default model; each article of one language (its text from the
  table's line to the next heading, notes dropped, cut to 1,000 characters as in
  ``scripts.eval_retrieval``'s laws part) is the query, searched in the other language; a hit
  is right when its text lies inside the aligned article of the other copy. acc@1, MRR@10.
  Asked twice: the article whole (its heading cites its number, which ranking uses:
  ``nlp.text.legal.cited_article``) and its body alone (" body": the words only).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT.parent / "shared" / "data" / "texts"
PAIRS = {  # alignment table -> the file stem of the law in texts/ru and texts/kk
    "citizenship": "law_on_citizenship", "foreigners": "law_on_legal_status_of_foreigners",
    "refugees": "law_on_refugees", "amnesty2014": "amendments_amnesty_oralman_legalization_2014",
    "amend2001": "amendments_migration_2001",
}
NOTE_LINE = re.compile(r"(?:^|\n)\s*(?:Сноска\s*\.|Ескерту\s*\.|Footnote\s*\.|Примечание\s+ИЗПИ"
                       r"|\S+-(?:ның|нің)\s+ескертпесі|\d+(?:-\d+)*\)\s*(?:исключен"
                       r"|алып\s+тасталды))", re.I)
ARTICLE_TEXT = {"ru": re.compile(r"(?:Статья|СТАТЬЯ)\s+(\d+(?:-\d+)*)"),
                "kk": re.compile(r"(\d+(?:-\d+)*)\s*-\s*бап")}


def parse(path: Path):
    try:
        from nlp.parse.document import parse_pdf
    except ImportError:  # an nlp from before the stage folders (a baseline checkout)
        from nlp.parse import parse_pdf
    return parse_pdf(path)


def chunks_of(doc):
    try:  # the old name first: an editable install would find the new one in this checkout
        from nlp.chunk import chunk_document
    except ImportError:
        from nlp.text.chunk import chunk_document
    return chunk_document(doc)


def table(name: str) -> list[dict]:
    with open(TEXTS / "alignment" / f"{name}_ru_kk_articles.tsv", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f, delimiter="\t") if r["article"]]


def block_lines(doc, path: Path) -> list[tuple[object, int]]:
    """(block, 1-based line of its first line in the file), blocks in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out, cursor = [], 0
    for block in (b for p in doc.pages for b in p.blocks):
        first = block.text.strip().splitlines()[0].strip() if block.text.strip() else ""
        at = next((i for i in range(cursor, len(lines))
                   if first and first in lines[i].lstrip("# ").strip()), None)
        if at is not None:
            cursor = at + 1
        out.append((block, (at + 1) if at is not None else 0))
    return out


def found_articles(doc, path: Path, lang: str) -> dict[str, tuple[int, str]]:
    """number -> (line, title) of the article headings of the body (a table of contents,
    block kind "toc", is not body)."""
    out = {}
    for block, line in block_lines(doc, path):
        if block.kind != "heading":
            continue
        text = " ".join(block.text.split())
        m = ARTICLE_TEXT[lang].match(text)
        if m and m[1] not in out:
            title = re.sub(r"^(?:Статья|СТАТЬЯ)?\s*\d+(?:-\d+)*\s*(?:-\s*бап)?\s*\.?\s*", "", text)
            out[m[1]] = (line, title)
    return out


def norm(title: str) -> str:
    return " ".join(title.split()).rstrip(".").strip().casefold()


def same_title(found: str, listed: str) -> bool:
    """Equal, or ``listed`` is the tables' cut of a long title (they keep 120 characters)."""
    found, listed = norm(found), norm(listed)
    return found == listed or (len(listed) >= 115 and found.startswith(listed))


def score_articles() -> dict:
    totals = {lang: {"articles": 0, "found": 0, "exact": 0, "extra": 0} for lang in ("ru", "kk")}
    misses = []
    for name, stem in PAIRS.items():
        rows = table(name)
        for lang in ("ru", "kk"):
            path = TEXTS / lang / f"{stem}_{lang}.md"
            found = found_articles(parse(path), path, lang)
            listed = {r["article"] for r in rows if r[f"{lang}_line"]}
            t = totals[lang]
            t["extra"] += len(set(found) - listed)
            for r in rows:
                if not r[f"{lang}_line"]:
                    continue
                t["articles"] += 1
                got = found.get(r["article"])
                t["found"] += got is not None
                ok = got is not None and got[0] == int(r[f"{lang}_line"]) and same_title(
                    got[1], r[f"{lang}_title"])
                t["exact"] += ok
                if not ok and len(misses) < 12:
                    misses.append(f"{lang} {name} {r['article']}: {got} vs line "
                                  f"{r[f'{lang}_line']} {r[f'{lang}_title'][:40]!r}")
    for t in totals.values():
        t["exact_share"] = round(t["exact"] / t["articles"], 4) if t["articles"] else None
    return {"articles": totals, "misses": misses}


def score_notes(entities: bool) -> dict:
    leaks, chunks, law = 0, 0, {}
    laws = sorted(p for lang in ("ru", "kk") for p in (TEXTS / lang).glob("*.md")
                  if p.stem.startswith(("law_", "amendments_")))
    texts = []
    for path in laws:
        found = chunks_of(parse(path))
        chunks += len(found)
        leaks += sum(1 for c in found if NOTE_LINE.search(c.text))
        texts.append((path, found))
    out = {"laws": len(laws), "chunks": chunks, "note_leaks": leaks}
    if entities:
        try:
            from nlp.entities.pipeline import extract_batch
        except ImportError:
            from nlp.entities import extract_batch
        for path, found in texts:
            ents = extract_batch([(c.text, c.lang) for c in found])
            law[path.stem] = sum(1 for es in ents for e in es if e.label == "LAW")
        out["law_entities"] = law
    return out


CHAPTER_LINE = re.compile(r"(?:(?:ГЛАВА|Глава|РАЗДЕЛ|Раздел|CHAPTER|Chapter)\s+\S+"
                          r"|\S+\s*-?\s*(?:тарау|ТАРАУ|бөл[іi]м|БӨЛ[ІI]М))[^\n]*\n\s*\n")


def opening(text: str) -> str:
    """The first 80 characters of a hit's own text, after a chapter heading it may open with
    (a chunk may begin with its chapter's heading; the article text follows)."""
    from scripts.eval_retrieval import normalise

    return normalise(CHAPTER_LINE.sub("", text.lstrip(), count=1))[:80]


def score_retrieval() -> dict:
    import tempfile

    from nlp import ingest, open_index
    from scripts.eval_retrieval import article_lines, normalise, split_articles, truncate

    laws = {k: PAIRS[k] for k in ("citizenship", "foreigners", "refugees")}
    articles = {}  # (law, lang) -> {article: text}
    for key, stem in laws.items():
        rows = [r for r in table(key) if r["ru_line"] and r["kk_line"]]
        for lang in ("ru", "kk"):
            lines = (TEXTS / lang / f"{stem}_{lang}.md").read_text(encoding="utf-8").splitlines()
            starts = {int(r[f"{lang}_line"]): r["article"] for r in rows}
            texts = split_articles(lines, article_lines(lines) | set(starts))
            articles[key, lang] = {a: "\n".join(x for x in texts[line].split("\n")
                                                if not NOTE_LINE.match("\n" + x))
                                   for line, a in starts.items()}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = [TEXTS / lang / f"{stem}_{lang}.md" for stem in laws.values()
                 for lang in ("ru", "kk")]
        ingest(paths, index=Path(tmp) / "idx", progress=False)
        with open_index(Path(tmp) / "idx") as idx:
            for part, query in (("", truncate), (" body", lambda t: truncate(body(t)))):
                for src, dst in (("ru", "kk"), ("kk", "ru")):
                    ranks = []
                    for key, stem in laws.items():
                        for number, text in articles[key, src].items():
                            want = normalise(articles[key, dst].get(number, ""))
                            hits = idx.search(query(text), k=10, lang=dst)
                            ranks.append(next((h.rank for h in hits
                                               if h.doc_id == f"{stem}_{dst}" and want
                                               and opening(h.text) in want), None))
                    out[f"{src}->{dst}{part}"] = {
                        "queries": len(ranks),
                        "acc@1": round(sum(r == 1 for r in ranks) / len(ranks), 4),
                        "mrr@10": round(sum(1 / r for r in ranks if r) / len(ranks), 4)}
    return {"retrieval": out}


def body(article: str) -> str:
    """An article's text without its heading line (so the query cites no article number);
    the heading itself when the article has nothing else."""
    head, _, rest = article.strip().partition("\n")
    return rest.strip() or head


GOLD = ROOT / "tests" / "gold" / "law_mentions.jsonl"


def split_of(item_id: str) -> str:
    """A third of the gold held out, chosen by a hash of the id."""
    import hashlib

    return "heldout" if int(hashlib.sha256(item_id.encode()).hexdigest(), 16) % 3 == 0 else "dev"


def file_offsets(doc, raw: str) -> list[tuple[int, int, int]]:
    """(doc.text start, file start, length) of each block: blocks are stripped slices of the
    file, in order."""
    out, cursor, offset = [], 0, 0
    for page in doc.pages:
        for i, block in enumerate(page.blocks):
            offset += 2 if i else 0  # PAGE_BLOCK_SEP
            at = raw.find(block.text, cursor)
            if at >= 0:
                out.append((offset, at, len(block.text)))
                cursor = at + len(block.text)
            offset += len(block.text)
        offset += 1  # PAGE_SEP
    return out


def to_file(spans: list[tuple[int, int, int]], start: int, end: int) -> tuple[int, int] | None:
    for d0, f0, n in spans:
        if d0 <= start and end <= d0 + n:
            return f0 + start - d0, f0 + end - d0
    return None


def predicted_laws(path: Path, label: str = "LAW") -> list[tuple[int, int]]:
    """File spans of the ``label`` entities ``nlp ingest`` stores for a file."""
    try:
        from nlp.ingestion.pipeline import analyse_document
    except ImportError:
        from nlp.worker import analyse_document
    try:
        from nlp.chunk import ChunkSettings
    except ImportError:
        from nlp.text.chunk import ChunkSettings
    doc = parse(path)
    raw = path.read_text(encoding="utf-8")
    spans = file_offsets(doc, raw)
    _, found = analyse_document(doc, ChunkSettings())
    out = []
    for chunk, _, e in found:
        if e.label == label and (at := to_file(spans, chunk.start + e.start, chunk.start + e.end)):
            out.append(at)
    return out


MENTION_FILES = ["texts/en/camgdp_kazakhstan_gender_research_guide_en.md",
                 "texts/en/camgdp_source_IOM_kazakhstan_en.md",
                 "texts/en/tokayev_state_of_nation_2019-09-02_en.md",
                 "texts/ru/b-idea_seminar_foreign_labour_rules_ru.txt",
                 "texts/ru/camgdp_kazakhstan_gender_research_guide_ru.md",
                 "texts/kk/camgdp_kazakhstan_gender_research_guide_kk.md"]


# Organisations named in the six texts of the first set (``--orgs``): every ORG row counts.
GOLD_ORGS = ROOT / "tests" / "gold" / "org_mentions.jsonl"
# The second set: the bodies of whole laws (notes and the table of contents are not body).
GOLD_LAWS = ROOT / "tests" / "gold" / "law_mentions2.jsonl"
LAW_MENTION_FILES = [f"texts/{lang}/{stem}_{lang}.md" for lang in ("ru", "kk") for stem in
                     ("law_on_refugees", "amendments_citizenship_law", "amendments_migration_2001")]


def score_mentions(heldout: bool, gold_path: Path = GOLD, files: list[str] = MENTION_FILES,
                   name: str = "mentions", label: str = "LAW") -> dict:
    """Every LAW row of the documents goes to the split of the gold mention it overlaps (or,
    overlapping none, a wrong row, to a split by a hash of where it is)."""
    import hashlib

    gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines()
            if line]
    data = TEXTS.parent
    for g in gold:  # the anchors must still be the same text
        text = (data / g["file"]).read_text(encoding="utf-8")[g["start"]:g["end"]]
        if hashlib.sha256(text.encode()).hexdigest() != g["sha256"]:
            raise SystemExit(f"gold {g['id']} no longer matches {g['file']}")
    spans = {g["id"]: (g["file"], g["start"], g["end"]) for g in gold}
    rows = {"dev": [], "heldout": []}
    for f in files:
        for s, e in predicted_laws(data / f, label):
            hit = next((i for i, span in spans.items() if _overlap((f, s, e), span)), None)
            rows[split_of(hit or f"{f}:{s}")].append((hit, (f, s, e)))
    out = {}
    for split in ("dev", "heldout") if heldout else ("dev",):
        items = [g for g in gold if split_of(g["id"]) == split]
        found = {hit for hit, _ in rows[split] if hit}
        titled = [g for g in items if g.get("by_title")]
        cited = [g for g in items if not g.get("self")]  # not the act's own title
        out[split] = {"gold": len(items), "rows": len(rows[split]),
                      "precision": round(sum(1 for h, _ in rows[split] if h)
                                         / len(rows[split]), 4) if rows[split] else None,
                      "recall": round(len(found) / len(items), 4) if items else None,
                      "recall_by_title": round(sum(g["id"] in found for g in titled)
                                               / len(titled), 4) if titled else None,
                      "recall_cited": round(sum(g["id"] in found for g in cited)
                                            / len(cited), 4) if cited else None,
                      "wrong": len([1 for h, _ in rows[split] if not h])}
        if split == "dev":  # what to look at while building; never for the held-out part
            out[split]["wrong_rows"] = [list(r) for h, r in rows[split] if not h][:10]
            out[split]["missed"] = [g["id"] for g in items if g["id"] not in found][:20]
    return {name: out}


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", action="store_true", help="count LAW entities per law")
    parser.add_argument("--mentions", action="store_true",
                        help="LAW precision and recall against tests/gold/law_mentions.jsonl")
    parser.add_argument("--orgs", action="store_true",
                        help="ORG precision and recall against tests/gold/org_mentions.jsonl")
    parser.add_argument("--heldout", action="store_true",
                        help="with --mentions: score the held-out third too (at the end)")
    parser.add_argument("--retrieval", action="store_true",
                        help="article-level ru<->kk search over the whole laws (real model)")
    args = parser.parse_args()
    if not (TEXTS / "alignment").is_dir():
        print(json.dumps({"skipped": f"{TEXTS} is absent"}))
        return
    clock = time.perf_counter()
    out = score_articles() | score_notes(args.entities)
    if args.mentions and GOLD.is_file():
        out |= score_mentions(args.heldout)
    if args.mentions and GOLD_LAWS.is_file():
        out |= score_mentions(args.heldout, GOLD_LAWS, LAW_MENTION_FILES, "mentions_in_laws")
    if args.orgs and GOLD_ORGS.is_file():
        out |= score_mentions(args.heldout, GOLD_ORGS, MENTION_FILES, "org_mentions", "ORG")
    if args.retrieval:
        out |= score_retrieval()
    out["seconds"] = round(time.perf_counter() - clock, 1)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
