"""Parse a file into a ``Document``: PDF pages of text blocks in reading order, or text.

PyMuPDF objects never leave this module. Reading order is column-aware: full-width
blocks split a page into bands, and inside a band the left column is read before the
right one. Lines repeated at the top or bottom of several pages (running headers,
footers, page numbers) are taken out of the body and kept in ``meta["running"]``.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections import Counter
from pathlib import Path

from nlp.errors import ParseError
from nlp.language import detect_batch
from nlp.records import Block, Document, Page

TEXT_SUFFIXES = {".txt", ".md"}
SUFFIXES = {".pdf"} | TEXT_SUFFIXES
HEADING_RATIO = 1.15  # a block this much larger than body text is a heading
MARGIN = 0.08  # fraction of page height where running headers/footers live


def parse_pdf(path: str | Path, doc_id: str | None = None) -> Document:
    """Parse a PDF, ``.txt`` or ``.md`` file; raise ``ParseError`` if it cannot be read."""
    path = Path(path)
    data = _read(path)
    doc_id = doc_id or make_doc_id(path)
    sha = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() in TEXT_SUFFIXES:
        doc = _parse_text(path, data, doc_id, sha)
    else:
        doc = _parse_pdf_bytes(path, data, doc_id, sha)
    _tag_languages(doc)
    return doc


def make_doc_id(path: Path) -> str:
    """A readable id from the file name: lower case, runs of other characters become '-'."""
    return re.sub(r"[^\w.]+", "-", path.stem.lower()).strip("-.") or "doc"


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise ParseError(path, "no such file")
    if path.suffix.lower() not in SUFFIXES:
        raise ParseError(path, f"unsupported file type {path.suffix!r} (use .pdf, .txt, .md)")
    data = path.read_bytes()
    if not data.strip():
        raise ParseError(path, "empty file")
    return data


def _parse_text(path: Path, data: bytes, doc_id: str, sha: str) -> Document:
    text = data.decode("utf-8", errors="replace")
    blocks = []
    for para in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\f", "\n\n")):
        para = para.strip()
        if not para:
            continue
        heading = path.suffix.lower() == ".md" and para.startswith("#") and "\n" not in para
        blocks.append(Block(para.lstrip("#").strip() if heading else para,
                            kind="heading" if heading else "body"))
    title = next((b.text for b in blocks if b.kind == "heading"), path.stem)
    meta = {"title": title, "format": path.suffix.lower().lstrip(".")}
    return Document(doc_id, str(path), sha, [Page(1, blocks)], meta)


def _parse_pdf_bytes(path: Path, data: bytes, doc_id: str, sha: str) -> Document:
    import pymupdf

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ParseError(path, "not a PDF (no %PDF header)")
    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
    except Exception as err:  # PyMuPDF raises several types for broken files
        raise ParseError(path, f"cannot open PDF ({err})") from None
    with pdf:
        if pdf.needs_pass:
            raise ParseError(path, "PDF is encrypted and needs a password")
        if pdf.page_count == 0:
            raise ParseError(path, "PDF has no pages")
        pages = [_read_page(pdf, i) for i in range(pdf.page_count)]
        meta = {k: v for k, v in (pdf.metadata or {}).items() if v}
    running = _strip_running_lines(pages)
    meta = {"format": "pdf", "page_count": len(pages), **meta, "running": running}
    _mark_headings(pages)
    meta["title"] = meta.get("title") or _title_from_layout(pages) or path.stem
    return Document(doc_id, str(path), sha, pages, meta)


def _read_page(pdf, index: int) -> Page:
    import pymupdf

    page = pdf[index]
    try:
        raw = page.get_text("dict", flags=pymupdf.TEXTFLAGS_TEXT)["blocks"]
    except Exception:  # a broken page yields an empty page, not a failed document
        raw = []
    blocks = [b for b in (_block(r) for r in raw if r.get("type") == 0) if b.text]
    rect = page.rect
    return Page(index + 1, _reading_order(blocks, rect.width), rect.width, rect.height)


def _block(raw: dict) -> Block:
    lines, sizes = [], Counter()
    for line in raw.get("lines", []):
        text = "".join(span["text"] for span in line["spans"])
        for span in line["spans"]:
            sizes[round(span["size"], 1)] += len(span["text"].strip())
        if text.strip():
            lines.append(re.sub(r"\s+", " ", text).strip())
    size = sizes.most_common(1)[0][0] if sizes else 0.0
    return Block("\n".join(lines), tuple(raw["bbox"]), size=size)


def _reading_order(blocks: list[Block], width: float) -> list[Block]:
    """Top-to-bottom bands split by full-width blocks; left column before right inside a band."""
    mid = width / 2
    ordered, band = [], []
    for block in sorted(blocks, key=lambda b: (b.bbox[1], b.bbox[0])):
        x0, _, x1, _ = block.bbox
        if x0 < mid - 10 and x1 > mid + 10:  # crosses the gutter: full width
            ordered += sorted(band, key=lambda b: (b.bbox[0] >= mid, b.bbox[1]))
            ordered.append(block)
            band = []
        else:
            band.append(block)
    return ordered + sorted(band, key=lambda b: (b.bbox[0] >= mid, b.bbox[1]))


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def _strip_running_lines(pages: list[Page]) -> list[str]:
    """Remove blocks in the page margins whose text (digits masked) recurs on 2+ pages."""
    if len(pages) < 2:
        return []
    def in_margin(b: Block, p: Page) -> bool:
        return b.bbox[3] < p.height * MARGIN or b.bbox[1] > p.height * (1 - MARGIN)
    seen = Counter(_running_key(b.text) for p in pages for b in p.blocks if in_margin(b, p))
    repeated = {k for k, n in seen.items() if n >= 2}
    bare_numbers = {"#", "- # -", "— # —", "page #", "# / #"}
    removed = []
    for page in pages:
        keep = []
        for b in page.blocks:
            key = _running_key(b.text)
            if in_margin(b, page) and (key in repeated or key in bare_numbers):
                removed.append(b.text)
            else:
                keep.append(b)
        page.blocks = keep
    return sorted(set(removed), key=removed.index)


def _mark_headings(pages: list[Page]) -> None:
    sizes = [b.size for p in pages for b in p.blocks for _ in range(len(b.text) // 40 + 1)]
    if not sizes:
        return
    body = statistics.median(sizes)
    for p in pages:
        for b in p.blocks:
            if b.size >= body * HEADING_RATIO and len(b.text) < 200:
                b.kind = "heading"


def _title_from_layout(pages: list[Page]) -> str:
    first = [b for b in pages[0].blocks if b.kind == "heading"] if pages else []
    if not first:
        return ""
    return re.sub(r"\s+", " ", max(first, key=lambda b: b.size).text)


def _tag_languages(doc: Document) -> None:
    blocks = [b for p in doc.pages for b in p.blocks]
    for block, lang in zip(blocks, detect_batch(b.text for b in blocks), strict=False):
        block.lang = lang
    counts = Counter()
    for b in blocks:
        counts[b.lang] += len(b.text)
    langs = [lang for lang, _ in counts.most_common() if lang != "und"]
    doc.meta["lang"] = langs[0] if langs else "und"
    doc.meta["langs"] = langs
