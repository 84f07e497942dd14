"""Parse a file into a ``Document``: PDF pages of text blocks in reading order, or text.

The PDF path runs the stages in ``nlp/parse/``: read pages (``extract``), keep ruled tables
as rows (``tables``), score the text layer and OCR what is unreadable (``quality``,
``ocr``), drop running headers/footers into ``meta["running"]`` (``running``), order the
blocks column-aware with footnotes last and mark headings (``layout``), tag languages,
join line-end hyphens from evidence (``hyphenation``) and read bibliographic metadata
(``meta``). Blocks whose text layer is garbage and could not be OCR'd carry the flag
``broken`` (chunking leaves them out by default); such pages carry ``needs_ocr``.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from nlp.errors import ParseError
from nlp.parse import hyphenation, layout, ocr, quality
from nlp.parse.boxes import Box, RawPage
from nlp.parse.encoding import decode
from nlp.parse.extract import EmptyFile, metadata, open_pdf, read_page
from nlp.parse.meta import document_meta
from nlp.parse.ocr import DPI, LANGUAGES
from nlp.parse.running import strip_running
from nlp.parse.tables import apply_tables
from nlp.records import Block, Document, Page
from nlp.text import legal
from nlp.text.language import UND, document_languages, segment_languages

TEXT_SUFFIXES = {".txt", ".md"}
SUFFIXES = {".pdf"} | TEXT_SUFFIXES


class UnsupportedFile(ParseError):
    kind = "unsupported"


class MissingFile(ParseError):
    kind = "missing"


@dataclass(frozen=True)
class ParseSettings:
    """How hard to try: OCR ("auto" where needed, "off", "force" every page) and limits."""

    ocr: str = "auto"
    ocr_languages: str = LANGUAGES
    ocr_dpi: int = DPI
    max_pages: int = 10_000  # pages after this are not read (meta["partial"] says so)
    deadline_s: float | None = None  # stop reading/OCR after this many seconds: partial result
    max_image_pixels: int = 400_000_000  # a page with a larger image is not OCR'd
    dehyphenate: bool = True


def parse_pdf(path: str | Path, doc_id: str | None = None, password: str | None = None,
              settings: ParseSettings | None = None) -> Document:
    """Parse a PDF, ``.txt`` or ``.md`` file; raise a ``ParseError`` if it cannot be read."""
    path = Path(path)
    data = _read(path)
    doc_id = doc_id or make_doc_id(path)
    sha = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() in TEXT_SUFFIXES:
        doc = _parse_text(path, data, doc_id, sha)
        _tag_languages(doc)
        legal.structure(doc)
        return doc
    return _parse_pdf_bytes(path, data, doc_id, sha, password, settings or ParseSettings())


def make_doc_id(path: Path) -> str:
    """A readable id from the file name: lower case, runs of other characters become '-'."""
    return re.sub(r"[^\w.]+", "-", path.stem.lower()).strip("-.") or "doc"


def body_text(doc: Document, keep_broken: bool = False) -> str:
    """The text chunking reads: pages joined by form feeds, broken blocks left out."""
    return "\f".join("\n\n".join(b.text for b in p.blocks
                                 if keep_broken or "broken" not in b.flags)
                     for p in doc.pages)


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise MissingFile(path, "a symbolic link that loops or points nowhere"
                          if path.is_symlink() else "no such file")
    if path.suffix.lower() not in SUFFIXES:
        raise UnsupportedFile(path, f"unsupported file type {path.suffix!r} (use .pdf, .txt, .md)")
    data = path.read_bytes()
    if not data.strip():
        raise EmptyFile(path, "empty file (0 bytes or only whitespace); download it again")
    return data


def _parse_text(path: Path, data: bytes, doc_id: str, sha: str) -> Document:
    text, encoding = decode(data, path)
    blocks = []
    for para in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\f", "\n\n")):
        para = para.strip()
        if not para:
            continue
        heading = path.suffix.lower() == ".md" and para.startswith("#") and "\n" not in para
        blocks.append(Block(para.lstrip("#").strip() if heading else para,
                            kind="heading" if heading else "body"))
    title = next((b.text for b in blocks if b.kind == "heading"), path.stem)
    meta = {"title": title, "format": path.suffix.lower().lstrip("."), "encoding": encoding}
    return Document(doc_id, str(path), sha, [Page(1, blocks)], meta)


def _parse_pdf_bytes(path: Path, data: bytes, doc_id: str, sha: str, password: str | None,
                     settings: ParseSettings) -> Document:
    clock = time.monotonic()
    deadline = clock + settings.deadline_s if settings.deadline_s else None
    with open_pdf(path, data, password) as pdf:
        total, pdf_meta = pdf.page_count, metadata(pdf)
        raws = _read_pages(pdf, min(total, settings.max_pages), deadline)
        cyrillic = quality.cyrillic_share(" ".join(b.text for r in raws for b in r.boxes)) > 0.5
        for raw in raws:
            _score(raw.boxes, cyrillic)
        _ocr(pdf, raws, settings, cyrillic, deadline)
    running = strip_running(raws)
    body = layout.body_size([b for r in raws for b in r.boxes])
    pages = [_page(raw, body) for raw in raws]
    pdf_meta = {("pdf_version" if k == "format" else k): v for k, v in pdf_meta.items()}
    meta = {**pdf_meta, "format": "pdf", "page_count": total, "running": running}
    doc = Document(doc_id, str(path), sha, pages, meta)
    _tag_languages(doc)
    if settings.dehyphenate:
        _dehyphenate(doc)
    legal.structure(doc)
    meta.update(document_meta(pdf_meta, pages, running))
    meta["title"] = meta.get("title") or path.stem
    meta.update(_summary(pages, total, settings, deadline))
    meta["seconds"] = round(time.monotonic() - clock, 3)
    return doc


def _read_pages(pdf, n: int, deadline: float | None) -> list[RawPage]:
    raws = []
    for i in range(n):
        if i and deadline and time.monotonic() > deadline:
            break
        raw = read_page(pdf, i)
        apply_tables(raw)
        raws.append(raw)
    return raws


def _score(boxes: list[Box], cyrillic: bool) -> None:
    for box in boxes:
        box.quality = quality.text_quality(box.text, cyrillic)


def _ocr(pdf, raws: list[RawPage], settings: ParseSettings, cyrillic: bool,
         deadline: float | None) -> None:
    """OCR image-only pages and broken text, or flag them ``needs_ocr``."""
    todo = [(raw, _ocr_need(raw, settings)) for raw in raws]
    todo = [(raw, need) for raw, need in todo if need]
    if not todo:
        return
    found = ocr.tessdata(settings.ocr_languages) if settings.ocr != "off" else None
    if found is None and settings.ocr != "off":
        ocr.warn_once("missing", f"pages need OCR but Tesseract was not found: "
                                 f"{ocr.INSTALL_HINT}; they are flagged needs_ocr")
    for raw, need in todo:
        if found is None or raw.image_pixels > settings.max_image_pixels or (
                deadline and time.monotonic() > deadline):
            raw.flags.append("image_too_large" if found and raw.image_pixels
                             > settings.max_image_pixels else "needs_ocr")
            continue
        try:
            _ocr_one(pdf, raw, need, found, settings, cyrillic)
        except Exception as err:  # OCR trouble costs the page, not the document
            raw.flags += ["ocr_failed", "needs_ocr"]
            ocr.warn_once("failed", f"OCR failed ({type(err).__name__}: {err}); "
                                    "such pages are flagged needs_ocr")


def _ocr_need(raw: RawPage, settings: ParseSettings) -> str:
    """"page" (OCR it all), "blocks" (only broken blocks) or "" (the text layer is fine)."""
    if "unreadable" in raw.flags and not raw.width:
        return ""
    if settings.ocr == "force":
        return "page"
    if raw.chars < 20 and (raw.image_cover > 0.15 or raw.drawings > 300):
        return "page"
    broken = [b for b in raw.boxes if quality.is_broken(b.quality)]
    if not broken:
        return ""
    letters = sum(len(b.text) for b in raw.boxes) or 1
    return "page" if sum(len(b.text) for b in broken) > 0.5 * letters else "blocks"


def _ocr_one(pdf, raw: RawPage, need: str, found, settings: ParseSettings,
             cyrillic: bool) -> None:
    index = raw.number - 1
    if need == "page":
        boxes = ocr.ocr_page(pdf, index, found, ocr.scan_dpi(settings.ocr_dpi, raw.image_dpi))
        _score(boxes, cyrillic)
        old = _mean_quality(raw.boxes) if raw.chars >= 20 else -1.0
        if boxes and _mean_quality(boxes) >= old:
            for b in boxes:
                b.flags.append("ocr")
            raw.boxes, raw.method = boxes, "ocr"
        return
    for i, box in enumerate(raw.boxes):
        if not quality.is_broken(box.quality):
            continue
        lines = [ln for b in ocr.ocr_clip(pdf, index, box.bbox, found, settings.ocr_dpi)
                 for ln in b.lines]
        new = Box(lines, kind=box.kind, flags=["ocr"])
        new.quality = quality.text_quality(new.text, cyrillic)
        if lines and new.quality > box.quality:
            raw.boxes[i], raw.method = new, "mixed"


def _mean_quality(boxes: list[Box]) -> float:
    weights = [max(len(b.text), 1) for b in boxes]
    return sum(b.quality * w for b, w in zip(boxes, weights, strict=True)) / (sum(weights) or 1)


def _page(raw: RawPage, body: float) -> Page:
    boxes = layout.order_page(raw.boxes, raw.height, body)
    layout.mark_headings(boxes, body)
    blocks = [_block(b) for b in boxes if b.text.strip()]
    page = Page(raw.number, blocks, raw.width, raw.height, raw.method,
                round(_mean_quality(boxes), 3) if boxes else 1.0, list(raw.flags))
    if "needs_ocr" not in page.flags and any("broken" in b.flags for b in blocks):
        page.flags.append("needs_ocr")
    if not blocks and set(page.flags) & {"needs_ocr", "unreadable"}:
        page.method = "none"
    return page


def _block(box: Box) -> Block:
    flags = list(box.flags) + (["broken"] if quality.is_broken(box.quality) else [])
    bbox = tuple(round(v, 2) for v in box.bbox)
    return Block(box.text, bbox, kind=box.kind, size=box.size, quality=box.quality,
                 flags=flags)


def _dehyphenate(doc: Document) -> None:
    """Join line-end hyphens inside blocks and across consecutive body blocks."""
    blocks = [b for p in doc.pages for b in p.blocks]
    counts = hyphenation.document_counts([b.text for b in blocks])
    for b in blocks:
        b.text = hyphenation.dehyphenate(b.text, counts, b.lang)
    body = [(p, b) for p in doc.pages for b in p.blocks if b.kind == "body"]
    for (_, a), (page_b, b) in zip(body, body[1:], strict=False):
        m = re.search(r"([^\W\d_]+)-$", a.text)
        n = re.match(r"([^\W\d_]+)[ \t]*\n?", b.text)
        if m and n and n.group(1)[0].islower():
            keep = hyphenation.keep_hyphen(m.group(1), n.group(1), counts, a.lang)
            a.text = a.text[:-1] + ("-" if keep else "") + n.group(1)
            b.text = b.text[n.end():].lstrip()
            if not b.text:
                page_b.blocks.remove(b)


def _summary(pages: list[Page], total: int, settings: ParseSettings,
             deadline: float | None) -> dict:
    out: dict = {"methods": dict(Counter(p.method for p in pages))}
    letters = [(p.quality, len(p.text)) for p in pages]
    out["quality"] = round(sum(q * n for q, n in letters) / (sum(n for _, n in letters) or 1), 3)
    needs = [p.number for p in pages if "needs_ocr" in p.flags]
    if needs:
        out["needs_ocr"] = needs
    if len(pages) < total:
        reason = "max_pages" if len(pages) >= settings.max_pages else "time"
        out["partial"] = {"reason": reason, "pages_read": len(pages), "page_count": total}
    elif deadline and time.monotonic() > deadline and needs:
        out["partial"] = {"reason": "time", "pages_read": len(pages), "page_count": total}
    return out


def _tag_languages(doc: Document) -> None:
    """Language of every block (split into segments when it mixes languages) and document."""
    pairs = []
    for block in (b for p in doc.pages for b in p.blocks):
        segs = segment_languages(block.text)
        parts = [(block.text[s.start:s.end], s.lang) for s in segs]
        mixed = len({s.lang for s in segs}) > 1
        block.lang = document_languages(parts)[0] if mixed else (segs[0].lang if segs else UND)
        block.segments = [(s.start, s.end, s.lang) for s in segs] if mixed else []
        pairs += parts
    doc.meta["lang"], doc.meta["langs"] = document_languages(pairs)
