"""Records of one page before it becomes ``Block``s: lines with geometry and font."""

from __future__ import annotations

from dataclasses import dataclass, field

Rect = tuple[float, float, float, float]


@dataclass
class Piece:
    """A run of text on a line (a PDF span), with its horizontal extent."""

    x0: float
    x1: float
    text: str


@dataclass
class Line:
    text: str
    bbox: Rect
    size: float = 0.0  # dominant font size
    bold: bool = False
    pieces: list[Piece] = field(default_factory=list)
    upright: bool = True  # False for rotated text (e.g. an arXiv id in the margin)

    @property
    def yc(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2


@dataclass
class Box:
    """A text block: lines read top to bottom; a table box carries its own row text."""

    lines: list[Line]
    kind: str = "body"  # body | heading | table | footnote
    text_override: str | None = None
    flags: list[str] = field(default_factory=list)
    quality: float = 1.0

    @property
    def bbox(self) -> Rect:
        return union([ln.bbox for ln in self.lines])

    @property
    def text(self) -> str:
        if self.text_override is not None:
            return self.text_override
        return "\n".join(ln.text for ln in self.lines)

    @property
    def size(self) -> float:
        weights: dict[float, int] = {}
        for ln in self.lines:
            weights[ln.size] = weights.get(ln.size, 0) + len(ln.text)
        return max(weights, key=weights.get) if weights else 0.0

    @property
    def bold(self) -> bool:
        return bool(self.lines) and all(ln.bold for ln in self.lines)


@dataclass
class RawPage:
    """What ``extract.read_page`` found on a page."""

    number: int  # 1-based
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    hlines: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1)
    vlines: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y0, y1)
    image_cover: float = 0.0  # fraction of the page covered by images
    image_pixels: int = 0  # pixels of the largest image
    image_dpi: float = 0.0  # resolution of the largest image as placed on the page
    drawings: int = 0
    method: str = "text"
    flags: list[str] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return sum(len(b.text.strip()) for b in self.boxes)


def union(rects: list[Rect]) -> Rect:
    """The bounding rectangle of ``rects`` (zeros if none)."""
    if not rects:
        return (0.0, 0.0, 0.0, 0.0)
    return (min(r[0] for r in rects), min(r[1] for r in rects),
            max(r[2] for r in rects), max(r[3] for r in rects))
