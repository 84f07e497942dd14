"""Measure the PDF parser; print ONE JSON line.

    python -m scripts.eval_parse            # about a minute or two on 2 cores (OCR included)
    python -m scripts.eval_parse --no-ocr   # skip the OCR figures

Figures
- ocr_cer: character error rate of OCR against ground truth: the real scanned page that
  ships one (../shared/data/pdfs/scanned, docling) and pages we render from our own
  corpus sources (scripts/corpus_src) to images: clean (200 dpi), noisy (150 dpi) and
  skewed (120 dpi, heavy noise, rotated 1 degree), in kk, ru and en. Goal <= 5 %.
- reading_order: generated 2- and 3-column pages (full-width titles, a full-width
  caption between column runs, footnotes): fraction of ground-truth sentences found
  contiguous in the body text, and of consecutive sentence pairs kept in order; the real
  2-column FAA page and the arXiv page: paragraph-start anchors (hashes of their first six
  words, labelled by hand from the page images) found in order, and the sentence that
  runs from the left column into the right one found whole.
- running: header/footer/page-number lines leaked into the body on the shared PDFs
  (hashes of the running lines and the printed page numbers, labelled by hand from the
  pages' margins), and on generated journal-style files (odd/even headers, "n/N" footers),
  with real headings at page tops that were wrongly dropped.
- hyphenation: a list built from the shared PDFs' own words (not used to build the word
  lists): words split at a syllable boundary must be joined, hyphenated compounds split at
  their hyphen must keep it; right/wrong per language, with document evidence and with the
  word lists alone, plus the issue's hand-made examples.
- quality: blocks flagged broken on the shared text PDFs (a real broken font on IBM p. 3),
  and detection rate on generated kk/ru pages whose ToUnicode map we break.
- speed: text pages/s (shared text PDFs, OCR off) and OCR pages/s, wall and CPU.
Nothing here reads the network; the shared data are read, never copied.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import tempfile
import time
import unicodedata
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

from nlp.parse.document import ParseSettings, body_text, parse_pdf
from nlp.parse.hyphenation import dehyphenate, document_counts, keep_hyphen

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "pdfs"


OFF = ParseSettings(ocr="off")
# Reading order on real pages: "n:hash" of the first (up to) six words of each paragraph,
# in reading order; SPANNING: the six words around the left -> right column break.
ANCHORS = {
    "en/en_FAA_AMT_handbook_sample_2col.pdf": [
        "6:a833238e4e77", "6:338004984eea", "6:e9b8b158c9da", "6:aa40dca21486",
        "6:d4b29d094cc1", "6:464a8e509c53", "6:a081993b7e40", "6:75e5df662a10"],
    "en/en_arXiv_2305.03393v1_p9_2col.pdf": [
        "6:fbe144dc6d30", "5:3974e4adc242", "6:c477624d5cf4", "6:3e93941fdc6e",
        "4:bf0ea62cc56c", "6:bdda9171843d", "6:54340040acd9"],
}
SPANNING = {"en/en_FAA_AMT_handbook_sample_2col.pdf": "6:e5c237d350c9"}
# Running lines on the shared PDFs: hashes of the lines with numbers masked, and the
# printed page number of each page (None: no number printed).
RUNNING = {
    "en/en_Constitution_RK_akorda.pdf": ({"0d8dbf5e9383"}, {}),
    "en/en_FAA_AMT_handbook_sample_2col.pdf": ({"ff0bc7daf740"}, {}),
    "en/en_IBM_redp5110_sampled.pdf": (  # p. 5 prints "1" twice: footer and chapter numeral
        {"622a205e8d09", "f078d1373e0d", "b0e7f61b8115", "f895c84f8ae7", "91e2154cc2ca"},
        dict(zip([2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
                 "iii xi 2 4 10 11 15 19 20 27 28 77 124".split(), strict=True))),
    "en/en_arXiv_2305.03393v1_p9_2col.pdf": ({"d3347b1ae477"}, {1: "9"}),
    "kk/kk_KazNERD_Annotation_Guidelines.pdf": (
        {"291080ffab39"}, {n: str(n) for n in [3, 4, 5, 6, *range(8, 31)]}),
    "ru/ru_Constitution_RK_adilkhan1993.pdf": (set(), {}),
    "ru/ru_KFU_regulation_appendix9_contract.pdf": (set(), {n: str(n) for n in range(1, 5)}),
    "ru/ru_RuREBus_markup_instruction.pdf": (set(), {}),
}
HAND_HYPHENATION = [("exter", "nal", "en", False), ("миграци", "онной", "ru", False),
                    ("көші", "қон", "kk", True), ("socio", "economic", "en", True),
                    ("Қазақ", "стан", "kk", False), ("кто", "то", "ru", True),
                    ("govern", "ment", "en", False), ("әлеуметтік", "экономикалық", "kk", True),
                    ("трудо", "устройства", "ru", False), ("ақпарат", "тық", "kk", False)]
VOWELS = set("aeiouyаәеёиоөуұүыіэюя")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("--no-ocr", action="store_true", help="skip OCR figures")
    opts = args.parse_args()
    warnings.simplefilter("ignore")
    if not SHARED.is_dir():
        print(json.dumps({"skipped": f"{SHARED} not found"}))
        return
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        parse_pdf(SHARED / "en" / "en_arXiv_2305.03393v1_p9_2col.pdf", settings=OFF)  # warm
        out["speed_text"], docs = text_speed()
        out["running_shared"] = running_shared(docs)
        out["reading_order_real"] = reading_order_real(docs)
        out["quality_shared_broken_blocks"] = {k.split("/")[-1][:24]: n for k, doc in docs.items()
                                               if (n := _broken(doc))}
        out["reading_order_generated"] = reading_order_generated(tmp)
        out["running_generated"] = running_generated(tmp)
        out["hyphenation"] = hyphenation()
        out["quality_generated_broken"] = broken_layers(tmp)
        if not opts.no_ocr:
            out.update(ocr_figures(tmp))
    print(json.dumps(out, ensure_ascii=False))


# --- helpers -----------------------------------------------------------------------------

def _h(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower())


def _norm(text: str) -> str:
    return " ".join(text.split())


def _broken(doc) -> int:
    return sum("broken" in b.flags for p in doc.pages for b in p.blocks)


def cer(got: str, want: str) -> float:
    """Levenshtein distance / len(want), whitespace runs as one space."""
    a, b = _norm(got), _norm(want)
    if not b:
        return float(bool(a))
    prev = np.arange(len(b) + 1)
    target = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    idx = np.arange(len(b) + 1)
    for i, ch in enumerate(a, 1):
        sub = prev[:-1] + (target != ord(ch))
        row = np.empty_like(prev)
        row[0] = i
        row[1:] = np.minimum(sub, prev[1:] + 1)
        row = np.minimum.accumulate(row - idx) + idx  # insertions
        prev = row
    return round(float(prev[-1]) / len(b), 4)


def corpus_paragraphs(lang: str) -> list[str]:
    """Paragraphs of our own sample briefs (front matter and headings dropped)."""
    paras = []
    for path in sorted((ROOT / "scripts" / "corpus_src").glob(f"{lang}_*.md")):
        text = path.read_text(encoding="utf-8").split("---", 2)[-1]
        paras += [_norm(p) for p in re.split(r"\n\s*\n", text)
                  if p.strip() and not p.lstrip().startswith(("#", "|", "-", "*", ">"))]
    return [p for p in paras if len(p) > 80]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ«\"(0-9])", text) if s]


def new_pdf(pages: list[list[tuple[tuple, str]]], path: Path) -> Path:
    import pymupdf

    pdf = pymupdf.open()
    for boxes in pages:
        page = pdf.new_page()
        for rect, html in boxes:
            page.insert_htmlbox(pymupdf.Rect(*rect), html)
    pdf.save(path)
    return path


# --- speed and the shared text PDFs ------------------------------------------------------

def text_speed() -> tuple[dict, dict]:
    docs, pages = {}, 0
    wall, cpu = time.perf_counter(), time.process_time()
    for path in sorted(SHARED.glob("[ekr]*/*.pdf")):
        doc = parse_pdf(path, settings=OFF)
        docs[str(path.relative_to(SHARED))] = doc
        pages += len(doc.pages)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"pages": pages, "pages_per_s": round(pages / wall, 1),
            "pages_per_cpu_s": round(pages / cpu, 1)}, docs


def running_shared(docs: dict) -> dict:
    leaked, checked, detail = 0, 0, {}
    for name, (hashes, numbers) in RUNNING.items():
        doc, n = docs[name], 0
        for page in doc.pages:
            for line in body_text_page(page).split("\n"):
                key = re.sub(r"\d+", "#", _norm(line).lower())
                if _h(key) in hashes or _norm(line).lower() == numbers.get(page.number):
                    n += 1
        checked += len(doc.pages)
        leaked += n
        if n:
            detail[name.split("/")[-1][:24]] = n
    return {"files": len(RUNNING), "pages": checked, "lines_leaked": leaked, "by_file": detail}


def body_text_page(page) -> str:
    return "\n\n".join(b.text for b in page.blocks if "broken" not in b.flags)


def reading_order_real(docs: dict) -> dict:
    found = in_order = pairs = spans = spans_ok = 0
    total = 0
    for name, anchors in ANCHORS.items():
        words = _words(body_text(docs[name]))
        grams = {f"{n}:{_h(' '.join(words[i:i + n]))}": i
                 for n in range(1, 7) for i in range(len(words) - n + 1)}
        pos = [grams.get(a) for a in anchors]
        total += len(anchors)
        found += sum(p is not None for p in pos)
        pairs += len(pos) - 1
        in_order += sum(a is not None and b is not None and a < b
                        for a, b in zip(pos, pos[1:], strict=False))
        if name in SPANNING:
            spans += 1
            spans_ok += SPANNING[name] in grams
    return {"anchors": total, "found": found, "pairs_in_order": f"{in_order}/{pairs}",
            "column_break_sentence_whole": f"{spans_ok}/{spans}"}


# --- generated layouts -------------------------------------------------------------------

def _layout_pages(kind: str, paras: list[str], rng: random.Random):
    """(pages, ground-truth sentence order) for one generated multi-column page."""
    title = paras[0].split(".")[0][:80]
    note = "1 " + sentences(paras[-1])[0]
    cols = 3 if kind == "3col" else 2
    width = 515 / cols
    body = [p for p in paras[1:-1]]
    boxes = [((40, 40, 555, 90), f"<h1>{title}</h1>")]
    order = [title]
    if kind == "2col+figure":
        halves = [body[: len(body) // 2], body[len(body) // 2:]]
        caption = "Figure 1. " + sentences(paras[-1])[-1]
        bands = [(100, 390, halves[0]), (440, 720, halves[1])]
        for top, bottom, chunk in bands:
            per = _split(chunk, cols)
            for c, group in enumerate(per):
                x0 = 40 + c * width
                boxes.append(((x0, top, x0 + width - 14, bottom),
                              "".join(f"<p>{p}</p>" for p in group)))
                order += [s for p in group for s in sentences(p)]
            if top == 100:
                boxes.append(((40, 395, 555, 435), f"<p><i>{caption}</i></p>"))
                order.append(caption)
    else:
        for c, group in enumerate(_split(body, cols)):
            x0 = 40 + c * width
            boxes.append(((x0, 100 + rng.randint(0, 12), x0 + width - 14, 730),
                          "".join(f"<p>{p}</p>" for p in group)))
            order += [s for p in group for s in sentences(p)]
    boxes.append(((40, 760, 300, 800), f"<p style='font-size:8px'>{note}</p>"))
    order.append(note)
    return [boxes], order


def _split(items: list[str], n: int) -> list[list[str]]:
    k = -(-len(items) // n)
    return [items[i * k:(i + 1) * k] for i in range(n)]


def reading_order_generated(tmp: Path) -> dict:
    rng = random.Random(7)
    found = total = pairs_ok = pairs = 0
    per_kind: dict[str, list[float]] = {}
    for lang in ("kk", "ru", "en"):
        paras = corpus_paragraphs(lang)
        for kind in ("2col", "3col", "2col+figure"):
            rng.shuffle(paras)
            chosen = [p[:300].rsplit(" ", 1)[0] + "." for p in paras[:8]]
            pages, order = _layout_pages(kind, chosen, rng)
            doc = parse_pdf(new_pdf(pages, tmp / f"{lang}_{kind}.pdf"), settings=OFF)
            text = _norm(body_text(doc))
            pos = [text.find(_norm(s)) for s in order]
            ok = [p >= 0 for p in pos]
            found += sum(ok)
            total += len(order)
            good = sum(a >= 0 and b >= 0 and a < b for a, b in zip(pos, pos[1:], strict=False))
            pairs_ok += good
            pairs += len(pos) - 1
            per_kind.setdefault(kind, []).append(good / (len(pos) - 1))
    return {"pages": 9, "sentences": total, "contiguous": round(found / total, 3),
            "pairs_in_order": round(pairs_ok / pairs, 3),
            "pairs_in_order_by_layout": {k: round(sum(v) / len(v), 3)
                                         for k, v in per_kind.items()}}


def running_generated(tmp: Path) -> dict:
    leaked = dropped = files = 0
    for lang, journal, authors, head in (
            ("kk", "ҚазҰУ Хабаршысы. Экономика сериясы. №2 (2023)", "А. Нұрланова, Д. Смит",
             "бап"),
            ("ru", "Вестник КазНУ. Серия экономическая. №2 (2023)", "А. Нурланова, Д. Смит",
             "Статья"),
            ("en", "Central Asian Migration Review · Vol. 3, 2023", "A. Nurlanova, D. Smith",
             "Article")):
        paras = corpus_paragraphs(lang)
        pages = []
        for n in range(1, 9):
            header = journal if n % 2 else authors
            number_x = (500, 540) if n % 2 else (55, 95)
            heading = f"{head} {3 * n + 4}" if n % 3 == 0 else ""
            top = [((55, 90, 540, 110), f"<p><b>{heading}</b></p>")] if heading else []
            pages.append([((55, 25, 540, 45), f"<p style='font-size:9px'>{header}</p>"),
                          *top,
                          ((55, 120, 540, 700), f"<p>{paras[n % len(paras)]}</p>"),
                          ((number_x[0], 790, number_x[1], 810), f"<p>{n}</p>"),
                          ((250, 810, 350, 830), f"<p style='font-size:8px'>{n}/8</p>")])
        doc = parse_pdf(new_pdf(pages, tmp / f"journal_{lang}.pdf"), settings=OFF)
        files += 1
        for page in doc.pages:
            lines = [_norm(x) for x in body_text_page(page).split("\n")]
            leaked += sum(x in (journal, authors, str(page.number), f"{page.number}/8")
                          for x in lines)
            if page.number % 3 == 0:
                dropped += f"{head} {3 * page.number + 4}" not in lines
    return {"files": files, "pages": 8 * files, "lines_leaked": leaked,
            "headings_dropped": dropped, "headings": 2 * files}


# --- hyphenation -------------------------------------------------------------------------

HYPH_SOURCES = {"kk": ["kk/kk_KazNERD_Annotation_Guidelines.pdf"],
                "ru": ["ru/ru_Constitution_RK_adilkhan1993.pdf",
                       "ru/ru_RuREBus_markup_instruction.pdf",
                       "ru/ru_KFU_regulation_appendix9_contract.pdf"],
                "en": ["en/en_Constitution_RK_akorda.pdf", "en/en_IBM_redp5110_sampled.pdf"]}


def hyphenation() -> dict:
    import pymupdf

    rng = random.Random(11)  # a fresh sample: seed 3 was looked at while writing rules
    result: dict = {}
    for lang, names in HYPH_SOURCES.items():
        texts = []
        for name in names:
            with pymupdf.open(SHARED / name) as pdf:
                texts.append(re.sub(r"\S+-\n\S+", " ", "\n".join(p.get_text() for p in pdf)))
        text = "\n".join(texts)
        counts = document_counts([text])
        cases = _hyph_cases(text, rng)
        result[lang] = {mode: _score_cases(cases, lang, counts if mode == "with_document"
                                           else None) for mode in ("with_document",
                                                                   "lexicon_only")}
        result[lang]["cases"] = {"join": sum(not k for *_, k in cases),
                                 "keep": sum(k for *_, k in cases)}
    hand = sum(dehyphenate(f"{a}-\n{b}", Counter(), lang) == (f"{a}-{b}" if keep else a + b)
               for a, b, lang, keep in HAND_HYPHENATION)
    right = sum(v[m]["right"] for v in result.values() for m in ("with_document",))
    wrong = sum(v[m]["wrong"] for v in result.values() for m in ("with_document",))
    result["all_with_document"] = {"right": right, "wrong": wrong}
    result["issue_examples"] = f"{hand}/{len(HAND_HYPHENATION)}"
    return result


def _hyph_cases(text: str, rng: random.Random) -> list[tuple[str, str, bool]]:
    tokens = re.findall(r"(?<![\w-])[^\W\d_]+(?:-[^\W\d_]+)*(?![\w-])", text)
    plain = sorted({t for t in tokens if "-" not in t and len(t) >= 7 and t.islower()})
    compounds = sorted({t for t in tokens if t.count("-") == 1 and t[0].islower()
                        and min(map(len, t.split("-"))) >= 2})
    rng.shuffle(plain)
    rng.shuffle(compounds)
    cases = []
    for word in plain[:150]:
        cuts = [i for i in range(3, len(word) - 2) if word[i - 1].lower() in VOWELS
                or (word[i - 1].lower() not in VOWELS and word[i].lower() not in VOWELS)]
        if cuts:
            i = rng.choice(cuts)
            cases.append((word[:i], word[i:], False))
    cases += [(*c.split("-"), True) for c in compounds[:150]]
    return cases


def _score_cases(cases, lang: str, counts: Counter | None) -> dict:
    right = 0
    for left, rightpart, keep in cases:
        evidence = Counter()
        if counts is not None:
            evidence = Counter(counts)
            token = (f"{left}-{rightpart}" if keep else left + rightpart).lower()
            evidence[token] = max(0, evidence[token] - 1)  # the broken one is not evidence
        right += keep_hyphen(left, rightpart, evidence, lang) == keep
    return {"right": right, "wrong": len(cases) - right}


# --- quality -----------------------------------------------------------------------------

def _break_tounicode(path: Path) -> Path:
    import pymupdf

    pdf = pymupdf.open(path)
    for xref in range(1, pdf.xref_length()):
        m = re.search(r"/ToUnicode (\d+) 0 R", pdf.xref_object(xref))
        if m:
            cmap = pdf.xref_stream(int(m.group(1))).decode("latin-1")
            cmap = re.sub(r"<(0[45][0-9a-fA-F]{2})>",
                          lambda x: f"<{0xC0 + (int(x.group(1), 16) - 0x410) % 64:04x}>", cmap)
            pdf.update_stream(int(m.group(1)), cmap.encode("latin-1"))
    out = path.with_name(path.stem + "_broken.pdf")
    pdf.save(out)
    return out


def broken_layers(tmp: Path) -> dict:
    flagged = total = clean_flagged = clean_total = 0
    for lang in ("kk", "ru"):
        paras = corpus_paragraphs(lang)[:6]
        pages = [[((55, 60, 540, 780), "".join(f"<p>{p}</p>" for p in paras[i:i + 3]))]
                 for i in (0, 3)]
        clean = new_pdf(pages, tmp / f"q_{lang}.pdf")
        for path, is_broken in ((clean, False), (_break_tounicode(clean), True)):
            doc = parse_pdf(path, settings=OFF)
            blocks = [b for p in doc.pages for b in p.blocks]
            n = sum("broken" in b.flags for b in blocks)
            if is_broken:
                flagged, total = flagged + n, total + len(blocks)
            else:
                clean_flagged, clean_total = clean_flagged + n, clean_total + len(blocks)
    return {"broken_blocks_flagged": f"{flagged}/{total}",
            "clean_blocks_flagged": f"{clean_flagged}/{clean_total}"}


# --- OCR ---------------------------------------------------------------------------------

def _scan(src: Path, out: Path, dpi: int, noise: float, angle: float = 0.0) -> Path:
    """Render pages to grey images (optionally noisy and rotated by ``angle`` degrees)."""
    import pymupdf

    pdf, scan = pymupdf.open(src), pymupdf.open()
    for page in pdf:
        matrix = pymupdf.Matrix(dpi / 72, dpi / 72).prerotate(angle)
        pix = page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY)
        if noise:
            rng = np.random.default_rng(0)
            img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)
            img = np.clip(img + rng.normal(0, noise, img.shape), 0, 255).astype(np.uint8)
            pix = pymupdf.Pixmap(pymupdf.csGRAY, pix.width, pix.height, img.tobytes(), False)
        scan.new_page(width=page.rect.width, height=page.rect.height).insert_image(
            page.rect, pixmap=pix)
    scan.save(out)
    return out


def ocr_figures(tmp: Path) -> dict:
    from nlp.parse.ocr import tessdata

    if tessdata("kaz+rus+eng") is None:
        return {"ocr": "skipped: Tesseract with kaz/rus/eng data not found"}
    pages = 0
    wall, cpu = time.perf_counter(), time.process_time()
    real = SHARED / "scanned" / "scan_en_docling_ocr_test.pdf"
    truth = (real.parent / "scan_en_docling_ocr_test.groundtruth.md").read_text()
    doc = parse_pdf(real)
    pages += len(doc.pages)
    result = {"ocr_cer_real_docling_en": cer(doc.text, truth)}
    generated = {}
    for lang in ("kk", "ru", "en"):
        paras = corpus_paragraphs(lang)[:4]
        src = new_pdf([[((60, 60, 540, 780), "".join(f"<p>{p}</p>" for p in paras))]],
                      tmp / f"o_{lang}.pdf")
        truth = body_text(parse_pdf(src, settings=OFF))
        for label, dpi, noise, angle in (("clean200", 200, 0.0, 0.0),
                                         ("noisy150", 150, 25.0, 0.0),
                                         ("skewed120", 120, 40.0, 1.0)):
            got = parse_pdf(_scan(src, tmp / f"o_{lang}_{label}.pdf", dpi, noise, angle))
            pages += 1
            generated[f"{lang}_{label}"] = cer(body_text(got), truth)
    for other in ("scan_en_gutenberg_c02-22.pdf", "scan_zh_admin_decision_pdfplumber_issue203.pdf"):
        pages += len(parse_pdf(SHARED / "scanned" / other).pages)  # no ground truth: speed
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    result["ocr_cer_generated"] = generated
    result["ocr_cer_generated_mean"] = round(sum(generated.values()) / len(generated), 4)
    result["speed_ocr"] = {"pages": pages, "pages_per_s": round(pages / wall, 3),
                           "s_per_page": round(wall / pages, 2),
                           "cpu_s_per_page_python_process": round(cpu / pages, 2)}
    return result


if __name__ == "__main__":
    main()
