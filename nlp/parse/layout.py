"""Reading order (one, two or three columns), footnotes last, and headings by font.

Reading order is a recursive XY cut that prefers columns: a set of boxes is split at
vertical gutters first (each column read top to bottom); where a full-width box blocks
every gutter, the set is cut into horizontal bands, and consecutive bands that still
share a gutter are read together as one multi-column run. So a full-width title, then
two columns, then a full-width figure, then two more columns read as people read them.
A "column" of list numbers or bullets ("1.", "•", "a)") is not a column: it stays with the
text beside it.
"""

from __future__ import annotations

import re
import statistics

from nlp.parse.boxes import Box

MIN_GUTTER = 4.0  # points
HEADING_RATIO = 1.15  # a box this much larger than body text is a heading
FOOTNOTE_RATIO = 0.9  # footnotes are set smaller than body text
_NOTE_MARK = re.compile(r"^\s*(?:\d{1,3}|[*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+)(?:\s|\.|\)|[^\W\d_])")
_CAPTION = re.compile(r"^\s*(?:fig\.|figure|table|рис\.?|рисунок|таблица|сурет|кесте)\b", re.I)


def order_page(boxes: list[Box], height: float, body_size: float) -> list[Box]:
    """Boxes in reading order: body (column-aware), then footnotes top to bottom."""
    notes = footnotes(boxes, height, body_size)
    body = [b for b in boxes if all(b is not n for n in notes)]
    return defer_floats(xy_order(body)) + sorted(notes, key=lambda b: b.bbox[1])


def defer_floats(boxes: list[Box]) -> list[Box]:
    """A paragraph cut off mid-sentence by a figure's labels and caption (at the foot of a
    column) continues in the next box that starts in lower case: move the floats after it."""
    out = list(boxes)
    for i in range(len(out) - 1):
        if not _open_sentence(out[i]):
            continue
        for j in range(i + 1, min(len(out), i + 12)):
            if _continues(out[j]):
                if j > i + 1:
                    out[i + 1:j + 1] = [out[j], *out[i + 1:j]]
                break
            if not _float(out[j]):
                break
    return out


def _open_sentence(box: Box) -> bool:
    text = box.text.rstrip()
    return box.kind == "body" and len(text) > 40 and text[-1:].isalpha()


def _continues(box: Box) -> bool:
    return box.kind == "body" and box.text[:1].islower()


def _float(box: Box) -> bool:
    return len(box.text) < 100 or bool(_CAPTION.match(box.text))


def xy_order(boxes: list[Box]) -> list[Box]:
    """Recursive XY cut, columns first (see the module docstring)."""
    if len(boxes) <= 1:
        return list(boxes)
    columns = _columns(boxes)
    if columns:
        return [b for col in columns for b in xy_order(col)]
    bands = _bands(boxes)
    if len(bands) > 1:
        groups = _merge_bands(bands)
        if len(groups) > 1:
            return [b for g in groups for b in xy_order(g)]
    return sorted(boxes, key=lambda b: (b.bbox[1], b.bbox[0]))


def _columns(boxes: list[Box]) -> list[list[Box]] | None:
    """Split at vertical gutters into columns at least ``MIN_COLUMN`` wide, or None."""
    spans = sorted(boxes, key=lambda b: b.bbox[0])
    groups, right = [[spans[0]]], spans[0].bbox[2]
    for b in spans[1:]:
        if b.bbox[0] - right >= MIN_GUTTER:
            groups.append([b])
        else:
            groups[-1].append(b)
        right = max(right, b.bbox[2])
    if len(groups) < 2:
        return None
    merged: list[list[Box]] = []
    for g in groups:
        if merged and (_markers(g) or _markers(merged[-1])):
            merged[-1] += g
        else:
            merged.append(list(g))
    return merged if len(merged) > 1 else None


def _markers(group: list[Box]) -> bool:
    """Only list numbers, letters or bullets: a margin of markers, not a column."""
    return all(len(b.text.strip()) <= 4 for b in group)


def _bands(boxes: list[Box]) -> list[list[Box]]:
    """Cut at horizontal gaps: groups of boxes whose vertical extents chain together."""
    spans = sorted(boxes, key=lambda b: b.bbox[1])
    bands, bottom = [[spans[0]]], spans[0].bbox[3]
    for b in spans[1:]:
        if b.bbox[1] >= bottom - 1.0:
            bands.append([b])
        else:
            bands[-1].append(b)
        bottom = max(bottom, b.bbox[3])
    return bands


def _merge_bands(bands: list[list[Box]]) -> list[list[Box]]:
    """Join consecutive bands while together they still split into columns."""
    groups = [list(bands[0])]
    for band in bands[1:]:
        if _columns(groups[-1] + band):
            groups[-1] += band
        else:
            groups.append(list(band))
    return groups


def footnotes(boxes: list[Box], height: float, body_size: float) -> list[Box]:
    """Small-print boxes at the foot of the page, the first starting with a note mark."""
    notes: list[Box] = []
    for b in sorted(boxes, key=lambda b: -b.bbox[1]):
        small = 0 < b.size <= FOOTNOTE_RATIO * body_size
        if b.kind != "body" or not small or b.bbox[1] < 0.55 * height or _CAPTION.match(b.text):
            break
        notes.append(b)
    while notes and not _NOTE_MARK.match(notes[-1].text):
        notes.pop()  # the topmost must open with a note mark
    if len(notes) == len(boxes):
        return []
    for b in notes:
        b.kind = "footnote"
    return notes


def body_size(boxes: list[Box]) -> float:
    """The font size most text is set in (median weighted by characters)."""
    sizes = [b.size for b in boxes if b.kind == "body" for _ in range(len(b.text) // 40 + 1)]
    return statistics.median(sizes) if sizes else 0.0


def mark_headings(boxes: list[Box], body: float) -> None:
    """Large or bold short boxes are headings."""
    for b in boxes:
        if b.kind != "body":
            continue
        text = b.text.strip()
        large = body and b.size >= body * HEADING_RATIO and len(text) < 200
        bold = (b.bold and len(b.lines) <= 2 and len(text) <= 120 and text[-1:] not in ".,;:"
                and sum(c.isalpha() for c in text) >= 2)
        if large or bold:
            b.kind = "heading"
