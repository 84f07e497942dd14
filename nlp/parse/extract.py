"""Open a PDF and read its pages into ``RawPage`` records (the PyMuPDF boundary).

Every way a file can fail to open is a typed ``ParseError`` whose message says what to do.
A page that fails to load becomes an empty page flagged ``unreadable``: a partial result.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from nlp.errors import ParseError
from nlp.parse.boxes import Box, Line, Piece, RawPage

TEXT_FLAGS = 2 | 64  # preserve whitespace, clip to the media box; ligatures are expanded
MIN_RULE = 5.0  # shorter strokes are not table rules


class EmptyFile(ParseError):
    kind = "empty"


class NotAPdf(ParseError):
    kind = "not_pdf"


class CorruptPdf(ParseError):
    kind = "corrupt"


class EncryptedPdf(ParseError):
    kind = "encrypted"


class WrongPassword(EncryptedPdf):
    kind = "wrong_password"


class NoPages(ParseError):
    kind = "no_pages"


def check_pdf_bytes(path: Path, data: bytes) -> None:
    """Raise a typed error for bytes that cannot be a PDF (HTML pages, other formats)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return
    sniff = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sniff.startswith((b"<!doctype html", b"<html", b"<head", b"<?xml")) or b"<html" in sniff:
        raise NotAPdf(path, "not a PDF but an HTML page saved with a .pdf name "
                            "(a download or login page?); fetch the PDF itself")
    raise NotAPdf(path, "not a PDF (no %PDF header); check the file or its extension")


@contextmanager
def open_pdf(path: Path, data: bytes, password: str | None = None):
    """Yield an open PyMuPDF document; typed ``ParseError`` for every way it cannot open."""
    import pymupdf

    check_pdf_bytes(path, data)
    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
    except Exception as err:  # PyMuPDF raises several types for broken files
        raise CorruptPdf(path, f"cannot open PDF ({err}); the file is damaged or "
                               "incomplete, download it again") from None
    try:
        _unlock(pdf, path, password)
        if pdf.page_count == 0:
            raise NoPages(path, "PDF has no pages (damaged, or an empty export)")
        yield pdf
    finally:
        pdf.close()


def _unlock(pdf, path: Path, password: str | None) -> None:
    if not pdf.needs_pass:
        return
    if password is None:
        raise EncryptedPdf(path, "PDF is encrypted and needs a password; "
                                 "give it with --password (nlp parse) or password=")
    if not pdf.authenticate(password):
        raise WrongPassword(path, "wrong password for this encrypted PDF")


def metadata(pdf) -> dict[str, str]:
    """The PDF's own metadata (title, author, subject, keywords, dates), empty values dropped."""
    try:
        return {k: v.strip() for k, v in (pdf.metadata or {}).items() if v and v.strip()}
    except Exception:
        return {}


def read_page(pdf, index: int) -> RawPage:
    """Text lines, ruling lines and image coverage of page ``index``; never raises."""
    try:
        page = pdf.load_page(index)
        rect = page.rect
        raw = RawPage(index + 1, rect.width, rect.height)
    except Exception:
        return RawPage(index + 1, 0.0, 0.0, flags=["unreadable"], method="none")
    try:
        data = page.get_text("dict", flags=TEXT_FLAGS)
        raw.boxes = boxes_from_dict(data)
    except Exception:
        raw.flags.append("unreadable")
    _read_graphics(page, raw)
    return raw


def boxes_from_dict(data: dict, dx: float = 0.0, dy: float = 0.0, scale: float = 1.0
                    ) -> list[Box]:
    """PyMuPDF ``get_text("dict")`` blocks as ``Box``es (optionally moved and scaled)."""
    boxes = []
    for block in data.get("blocks", []):
        if block.get("type") != 0:
            continue
        lines = [ln for ln in (_line(r, dx, dy, scale) for r in block.get("lines", [])) if ln]
        boxes += [Box(group) for group in split_side_by_side(lines)]
    return boxes


def split_side_by_side(lines: list[Line]) -> list[list[Line]]:
    """Split a block whose lines sit side by side with a gutter between (two captions or
    two columns that the PDF's text engine joined) into one group per column."""
    if len(lines) < 2 or not _side_by_side(lines):
        return [lines] if lines else []
    groups: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: ln.bbox[0]):
        if groups and ln.bbox[0] < max(x.bbox[2] for x in groups[-1]) + ln.size:
            groups[-1].append(ln)
        else:
            groups.append([ln])
    return [sorted(g, key=lambda ln: ln.yc) for g in groups]


def _side_by_side(lines: list[Line]) -> bool:
    for a in lines:
        for b in lines:
            same_row = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1]) > 0
            if a is not b and same_row and b.bbox[0] - a.bbox[2] > 2 * max(a.size, b.size, 1):
                return True
    return False


def _line(raw: dict, dx: float, dy: float, scale: float) -> Line | None:
    spans = [s for s in raw.get("spans", []) if s.get("text")]
    if not spans or not "".join(s["text"] for s in spans).strip():
        return None
    pieces, sizes, bold_chars, text = [], {}, 0, ""
    for span in spans:
        x0, _, x1, _ = span["bbox"]
        if text and pieces and x0 - pieces[-1].x1 > 0.25 * span["size"] * scale \
                and not text.endswith(" ") and not span["text"].startswith(" "):
            text += " "
        text += span["text"]
        pieces.append(Piece(dx + x0 * scale, dx + x1 * scale, span["text"].strip()))
        n = len(span["text"].strip())
        sizes[round(span["size"] * scale, 1)] = sizes.get(round(span["size"] * scale, 1), 0) + n
        if span.get("flags", 0) & 16 or re.search(r"bold|black|heavy", span.get("font", ""), re.I):
            bold_chars += n
    x0, y0, x1, y1 = raw["bbox"]
    bbox = (dx + x0 * scale, dy + y0 * scale, dx + x1 * scale, dy + y1 * scale)
    size = max(sizes, key=sizes.get)
    chars = sum(sizes.values()) or 1
    direction = raw.get("dir", (1.0, 0.0))
    return Line(re.sub(r"\s+", " ", text).strip(), bbox, size, bold_chars / chars > 0.6,
                [p for p in pieces if p.text], abs(direction[0] - 1.0) < 0.02)


def _read_graphics(page, raw: RawPage) -> None:
    """Image coverage and horizontal/vertical strokes (table rules); failures are ignored."""
    area = max(raw.width * raw.height, 1.0)
    try:
        images = page.get_image_info()
        raw.image_cover = min(1.0, sum(_clipped_area(i["bbox"], raw) for i in images) / area)
        raw.image_pixels = max((i.get("width", 0) * i.get("height", 0) for i in images),
                               default=0)
        largest = max(images, key=lambda i: _clipped_area(i["bbox"], raw), default=None)
        if largest and largest["bbox"][2] > largest["bbox"][0]:
            raw.image_dpi = largest.get("width", 0) * 72 / (largest["bbox"][2] - largest["bbox"][0])
    except Exception:
        pass
    try:
        drawings = page.get_cdrawings()
    except Exception:
        return
    raw.drawings = len(drawings)
    for d in drawings:
        stroked = "s" in (d.get("type") or "")
        for item in d.get("items", []):
            _add_strokes(item, raw, stroked)


def _clipped_area(bbox, raw: RawPage) -> float:
    x0, y0 = max(bbox[0], 0.0), max(bbox[1], 0.0)
    x1, y1 = min(bbox[2], raw.width), min(bbox[3], raw.height)
    return max(0.0, x1 - x0) * max(0.0, y1 - y0)


def _add_strokes(item: tuple, raw: RawPage, stroked: bool) -> None:
    op = item[0]
    if op == "l":
        (ax, ay), (bx, by) = item[1], item[2]
        _segment(ax, ay, bx, by, raw)
    elif op in ("re", "qu"):
        r = item[1]
        if op == "qu":  # a quad: use its bounding rectangle
            xs, ys = [p[0] for p in r], [p[1] for p in r]
            r = (min(xs), min(ys), max(xs), max(ys))
        x0, y0, x1, y1 = r
        if y1 - y0 < 3:  # a thin filled rectangle is a rule
            _segment(x0, (y0 + y1) / 2, x1, (y0 + y1) / 2, raw)
        elif x1 - x0 < 3:
            _segment((x0 + x1) / 2, y0, (x0 + x1) / 2, y1, raw)
        elif stroked and (x1 - x0) * (y1 - y0) < 0.5 * raw.width * raw.height:
            for ax, ay, bx, by in ((x0, y0, x1, y0), (x0, y1, x1, y1),
                                   (x0, y0, x0, y1), (x1, y0, x1, y1)):
                _segment(ax, ay, bx, by, raw)


def _segment(ax: float, ay: float, bx: float, by: float, raw: RawPage) -> None:
    """Keep horizontal and vertical strokes on the page, clipped to it."""
    w, h = raw.width, raw.height
    if abs(ay - by) < 1.0 and 0 <= ay <= h:
        x0, x1 = max(min(ax, bx), 0.0), min(max(ax, bx), w)
        if x1 - x0 >= MIN_RULE:
            raw.hlines.append(((ay + by) / 2, x0, x1))
    elif abs(ax - bx) < 1.0 and 0 <= ax <= w:
        y0, y1 = max(min(ay, by), 0.0), min(max(ay, by), h)
        if y1 - y0 >= MIN_RULE:
            raw.vlines.append(((ax + bx) / 2, y0, y1))
