"""Ruled tables: find grids of ruling lines and keep their text as rows of cells.

Without this a table's cells come out as separate blocks that the column logic reads
column by column ("word soup"). A region counts as a table when its strokes form a grid
of at least 2 x 2 cells, or when three or more horizontal rules of the same width
stack up (the booktabs style). Each visual line of text inside becomes a row; cells are
separated by " | " at the vertical rules, or at wide gaps where there are none.
"""

from __future__ import annotations

from nlp.parse.boxes import Box, Line, Piece, RawPage, Rect, union

SNAP = 2.0  # points: strokes this close are the same rule
CELL_SEP = " | "


def apply_tables(page: RawPage) -> None:
    """Replace the boxes inside table regions with one ``table`` box per region."""
    for region, xs in find_tables(page):
        inside = [ln for b in page.boxes if b.kind != "table" for ln in b.lines
                  if _within(ln, region)]
        if len(inside) < 2:
            continue
        rows = table_rows(inside, xs)
        multi = sum(CELL_SEP in r for r in rows)
        if multi < 2 or multi < 0.3 * len(rows):
            continue  # a framed text box, not a table
        keep = []
        for box in page.boxes:
            if box.kind != "table":
                box.lines = [ln for ln in box.lines if not _within(ln, region)]
            if box.lines:
                keep.append(box)
        table = Box(inside, kind="table", text_override="\n".join(rows))
        page.boxes = keep + [table]


def find_tables(page: RawPage) -> list[tuple[Rect, list[float]]]:
    """Table regions and the x positions of their inner vertical rules."""
    hs, vs = _merge(page.hlines), _merge(page.vlines)
    found = []
    for comp_h, comp_v in _components(hs, vs):
        region = union([(h[1], h[0], h[2], h[0]) for h in comp_h]
                       + [(v[0], v[1], v[0], v[2]) for v in comp_v])
        ys = _distinct([h[0] for h in comp_h])
        tall = [v for v in comp_v if v[2] - v[1] >= 0.5 * (region[3] - region[1])]
        xs = _distinct([v[0] for v in comp_v])
        if (len(ys) >= 3 and len(tall) >= 3) or (len(ys) >= 4 and tall):
            found.append((region, [x for x in xs if region[0] + SNAP < x < region[2] - SNAP]))
    used = {h for comp_h, _ in _components(hs, vs) for h in comp_h if len(comp_h) > 1}
    found += [(r, []) for r in _booktabs([h for h in hs if h not in used])]
    return [(r, xs) for r, xs in found if r[2] - r[0] > 40 and r[3] - r[1] > 12]


def table_rows(lines: list[Line], xs: list[float]) -> list[str]:
    """Text rows: lines grouped by vertical overlap, cells split at rules or wide gaps."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: ln.yc):
        if rows and _overlaps(rows[-1], ln):
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [CELL_SEP.join(_cells(row, xs)) for row in rows]


def _cells(row: list[Line], xs: list[float]) -> list[str]:
    pieces = sorted((p for ln in row for p in (ln.pieces or [Piece(*ln.bbox[::2], ln.text)])),
                    key=lambda p: p.x0)
    size = max((ln.size for ln in row), default=10.0) or 10.0
    cells: list[list[Piece]] = []
    for p in pieces:
        if cells and _same_cell(cells[-1][-1], p, xs, size):
            cells[-1].append(p)
        else:
            cells.append([p])
    return [" ".join(p.text for p in c) for c in cells if any(p.text for p in c)]


def _same_cell(a: Piece, b: Piece, xs: list[float], size: float) -> bool:
    if xs:
        return not any(a.x1 - SNAP <= x <= b.x0 + SNAP for x in xs)
    return b.x0 - a.x1 < 1.2 * size


def _overlaps(row: list[Line], ln: Line) -> bool:
    top = min(r.bbox[1] for r in row)
    bottom = max(r.bbox[3] for r in row)
    height = max(ln.bbox[3] - ln.bbox[1], 1.0)
    return min(bottom, ln.bbox[3]) - max(top, ln.bbox[1]) > 0.5 * height


def _within(ln: Line, region: Rect) -> bool:
    x = (ln.bbox[0] + ln.bbox[2]) / 2
    inside_x = region[0] - SNAP <= x <= region[2] + SNAP
    return inside_x and region[1] - SNAP <= ln.yc <= region[3] + SNAP


def _merge(segs: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Join collinear, touching strokes: (pos, start, end)."""
    out: list[list[float]] = []
    for pos, a, b in sorted(segs, key=lambda s: (round(s[0] / SNAP), s[1])):
        last = out[-1] if out else None
        if last and abs(last[0] - pos) <= SNAP and a <= last[2] + SNAP:
            last[2] = max(last[2], b)
        else:
            out.append([pos, a, b])
    return [(p, a, b) for p, a, b in out]


def _components(hs, vs):
    """Groups of horizontal and vertical rules connected by crossings."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (y, hx0, hx1) in enumerate(hs):
        for j, (x, vy0, vy1) in enumerate(vs):
            if hx0 - SNAP <= x <= hx1 + SNAP and vy0 - SNAP <= y <= vy1 + SNAP:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list, list]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if g[0] and g[1]]


def _booktabs(hs) -> list[Rect]:
    """Three or more wide horizontal rules with the same extent, close together."""
    regions = []
    by_extent: dict[tuple[int, int], list[float]] = {}
    for y, x0, x1 in hs:
        if x1 - x0 >= 80:
            by_extent.setdefault((round(x0 / 4), round(x1 / 4)), []).append(y)
    for (a, b), ys in by_extent.items():
        ys = _distinct(ys)
        if len(ys) >= 3 and ys[-1] - ys[0] < 500:
            x0 = min(h[1] for h in hs if round(h[1] / 4) == a)
            x1 = max(h[2] for h in hs if round(h[2] / 4) == b)
            regions.append((x0, ys[0], x1, ys[-1]))
    return regions


def _distinct(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > SNAP:
            out.append(v)
    return out

