"""Running headers, footers and page numbers: found across pages, removed from the body.

Candidates are the first and last few lines of a page that sit in its top or bottom
margin zone. A candidate is running when
  - the same text recurs in the same zone on 3+ pages, or on 2 pages in the outer tenth of
    the page, set apart from the body;
  - the text recurs with its numbers changing like page numbers ("12/50", "Page 7", a
    journal line starting or ending with the page number): one number keeps a constant
    offset to the page index, or bare numbers grow with the page index (sampled files);
  - it is a lone page number on a one-page file ("7-45", "- 9 -"), isolated at the edge,
    and then text on the same baseline goes with it (a header "Title ... 9");
  - it is rotated text in the side margin (an arXiv id).
A line that only matches after masking its numbers and looks like a heading ("Article 7",
"Статья 18" at the top of pages) is never removed unless its numbers follow the pages.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from nlp.parse.boxes import Line, RawPage

ZONE = 0.14  # fraction of the page height at the top and bottom where running lines live
EDGE_LINES = 3
_ROMAN = re.compile(r"(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})")
_PAGE_NUMBER = re.compile(r"(?:(?:page|p\.|стр\.?|с\.|бет|бет\.)\s*)?-?\s*#\s*-?"
                          r"(?:\s*(?:/|of|из|из\s|-)\s*#)?(?:\s*(?:бет|page))?")


def strip_running(pages: list[RawPage]) -> list[str]:
    """Remove running lines from the pages' boxes; return one text per kind, first seen first
    (one page number stands for all; "Chapter 2 ..." and "Chapter 3 ..." are two kinds)."""
    cands = [c for page in pages for c in _candidates(page)]
    running: dict[int, Line] = {}
    for rule in (_repeated, _numbered, _page_numbers, _lone_page_number):
        for line in rule(cands, len(pages)):
            running[id(line)] = line
    numbers = [(page, ln) for page, ln, _ in cands
               if id(ln) in running and _PAGE_NUMBER.fullmatch(mask(ln.text))]
    for page, line, _ in cands:
        if id(line) not in running and _beside_page_number(line, page, numbers):
            running[id(line)] = line
    for page in pages:
        _keep_edge_stacks(page, running)
        for line in _side_margin(page):
            running[id(line)] = line
    removed = []
    for page in pages:
        for box in page.boxes:
            kept = [ln for ln in box.lines if id(ln) not in running]
            removed += [ln.text for ln in box.lines if id(ln) in running]
            box.lines = kept
        page.boxes = [b for b in page.boxes if b.lines]
    first: dict[str, str] = {}
    for text in removed:
        first.setdefault(mask(text), text)
    return list(first.values())


def mask(text: str) -> str:
    """Lower case, single spaces, numbers (arabic or roman) as ``#``."""
    text = re.sub(r"\s+", " ", text.strip().lower())
    text = re.sub(r"\d+", "#", text)
    return " ".join("#" if _is_roman(w) else w for w in text.split(" "))


def _is_roman(word: str) -> bool:
    return 0 < len(word) <= 6 and bool(_ROMAN.fullmatch(word))


def _numbers(text: str) -> list[int]:
    out = []
    for tok in re.findall(r"\d+|[ivxlcdm]+", text.lower()):
        if tok.isdigit():
            out.append(int(tok))
        elif _is_roman(tok):
            out.append(_roman_value(tok))
    return out


def _roman_value(tok: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    total = 0
    for a, b in zip(tok, tok[1:] + " ", strict=True):
        total += -values[a] if values.get(b, 0) > values[a] else values[a]
    return total


def _candidates(page: RawPage):
    lines = sorted((ln for b in page.boxes if b.kind != "table" for ln in b.lines if ln.upright),
                   key=lambda ln: ln.yc)
    if not lines or not page.height:
        return []
    chosen = {id(ln): ln for ln in lines[:EDGE_LINES] + lines[-EDGE_LINES:]}
    out = []
    for ln in chosen.values():
        zone = "top" if ln.yc < page.height * ZONE else (
            "bottom" if ln.yc > page.height * (1 - ZONE) else None)
        if zone and len(ln.text) <= 200:
            out.append((page, ln, zone))
    return out


def _keep_edge_stacks(page: RawPage, running: dict[int, Line]) -> None:
    """Running lines sit between the text and the page edge: a match further in is text."""
    lines = sorted((ln for b in page.boxes for ln in b.lines if ln.upright), key=lambda ln: ln.yc)
    top = [ln for ln in lines if ln.yc < page.height / 2]
    for ordered in (top, lines[len(top):][::-1]):
        inside = False
        for i, ln in enumerate(ordered):
            baseline = i and abs(ordered[i - 1].yc - ln.yc) < 3 and id(ordered[i - 1]) in running
            if id(ln) not in running and not baseline:
                inside = True
            elif inside:
                running.pop(id(ln), None)


def _outer(line: Line, page: RawPage) -> bool:
    """In the outer tenth of the page height."""
    return min(line.yc, page.height - line.yc) < 0.10 * page.height


def _isolated(line: Line, page: RawPage) -> bool:
    """A blank line's worth of space between this line and the rest of the page."""
    height = max(line.bbox[3] - line.bbox[1], 4.0)
    for box in page.boxes:
        for other in box.lines:
            if other is line or abs(other.yc - line.yc) < height / 2:
                continue  # itself, or on the same baseline
            gap = max(other.bbox[1] - line.bbox[3], line.bbox[1] - other.bbox[3])
            if gap < 0.8 * height:
                return False
    return True


def _repeated(cands, n_pages: int):
    groups = defaultdict(list)
    for page, ln, zone in cands:
        groups[(zone, re.sub(r"\s+", " ", ln.text.strip().lower()))].append((page, ln))
    for items in groups.values():
        pages = {p.number for p, _ in items}
        if len(pages) >= 3 or (len(pages) == 2 and all(_outer(ln, p) and _isolated(ln, p)
                                                       for p, ln in items)):
            yield from (ln for _, ln in items)


def _numbered(cands, n_pages: int):
    groups = defaultdict(list)
    for page, ln, zone in cands:
        key = mask(ln.text)
        edge_number = re.match(r"#(?:\s|$)", key) or re.search(r"\s#$", key)
        wordy = sum(c.isalpha() for c in key) >= 3 and edge_number
        if "#" in key and key != "#" and (wordy or _PAGE_NUMBER.fullmatch(key)):
            groups[(zone, key)].append((page, ln))
    for items in groups.values():
        if len({p.number for p, _ in items}) < 2:
            continue
        follows = _follows_pages(items)
        yield from (ln for p, ln in items if p.number in follows)


def _follows_pages(items) -> set[int]:
    """Pages whose line has a number slot at a constant offset from the page number."""
    by_slot = defaultdict(Counter)
    for page, ln in items:
        for k, value in enumerate(_numbers(ln.text)):
            by_slot[k][value - page.number] += 1
    best: set[int] = set()
    for k, offsets in by_slot.items():
        offset, count = offsets.most_common(1)[0]
        if count >= 2 and count >= len(items) / 2:
            pages = {p.number for p, ln in items
                     if len(_numbers(ln.text)) > k and _numbers(ln.text)[k] - p.number == offset}
            best |= pages
    return best


def _page_numbers(cands, n_pages: int):
    """Bare numbers at one page edge growing with the page index (longest run kept)."""
    for zone in ("top", "bottom"):
        per_page: dict[int, tuple] = {}
        for p, ln, z in cands:
            if z == zone and mask(ln.text) == "#":
                outer = per_page.get(p.number)
                if outer is None or (ln.yc < outer[1].yc) == (zone == "top"):
                    per_page[p.number] = (p, ln)
        bare = [per_page[k] for k in sorted(per_page)]
        chain = _longest_increasing([(p.number, _numbers(ln.text)[0], ln) for p, ln in bare])
        if len(chain) >= 2 and len(chain) >= len(bare) / 2:
            ids = {id(ln) for ln in chain}
            chosen = {p.number: ln for p, ln in bare if id(ln) in ids}
            yield from (ln for p, ln, z in cands if z == zone and p.number in chosen
                        and ln.text == chosen[p.number].text)  # with duplicates of it


def _longest_increasing(items: list[tuple[int, int, Line]]) -> list[Line]:
    """Lines of the longest run of values strictly increasing with the page (O(n log n))."""
    tails: list[int] = []  # tails[k]: index of the smallest last value of a run of length k+1
    prev: list[int] = []
    for i, (_, value, _) in enumerate(items):
        k = _bisect_tails(items, tails, value)
        prev.append(tails[k - 1] if k else -1)
        if k == len(tails):
            tails.append(i)
        else:
            tails[k] = i
    out, i = [], tails[-1] if tails else -1
    while i >= 0:
        out.append(items[i][2])
        i = prev[i]
    return out[::-1]


def _bisect_tails(items, tails: list[int], value: int) -> int:
    lo, hi = 0, len(tails)
    while lo < hi:
        mid = (lo + hi) // 2
        if items[tails[mid]][1] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _lone_page_number(cands, n_pages: int):
    """A page number pattern alone at the very edge, away from the text (one-page files)."""
    for page, ln, _ in cands:
        key = mask(ln.text)
        edge = min(ln.bbox[1], page.height - ln.bbox[3]) < page.height * 0.12
        if (edge and _PAGE_NUMBER.fullmatch(key) and all(n < 1000 for n in _numbers(ln.text))
                and _isolated(ln, page)):
            yield ln


def _beside_page_number(line: Line, page: RawPage, numbers) -> bool:
    """On the baseline of a page number removed from the same page (a header "Title  9")."""
    height = max(line.bbox[3] - line.bbox[1], 4.0)
    return any(p is page and abs(other.yc - line.yc) < height / 2 for p, other in numbers) \
        and _isolated(line, page)


def _side_margin(page: RawPage):
    """Rotated lines in the left or right margin."""
    for box in page.boxes:
        for ln in box.lines:
            x = (ln.bbox[0] + ln.bbox[2]) / 2
            if not ln.upright and (x < page.width * 0.12 or x > page.width * 0.88):
                yield ln
