"""Records that flow between the pipeline stages (plain dataclasses, no behaviour)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Block:
    """A text block of a page; ``bbox`` is (x0, y0, x1, y1) in PDF points."""

    text: str
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    lang: str = "und"
    kind: str = "body"  # body | heading | table | footnote | toc | note (of a legal act)
    size: float = 0.0  # dominant font size
    quality: float = 1.0  # text-layer quality, 0 (garbage) .. 1 (clean); see nlp.parse.quality
    flags: list[str] = field(default_factory=list)  # "broken" (kept out of chunks), "ocr"
    # (start, end, lang) offsets into ``text``, only when the block mixes languages
    segments: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class Page:
    number: int  # 1-based
    blocks: list[Block] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0
    method: str = "text"  # text | ocr | mixed (some blocks OCR'd) | none (nothing readable)
    quality: float = 1.0  # letter-weighted mean of the blocks' quality
    flags: list[str] = field(default_factory=list)  # needs_ocr, unreadable, image_too_large...

    @property
    def text(self) -> str:
        return PAGE_BLOCK_SEP.join(b.text for b in self.blocks)


# The document text is its pages' texts joined by PAGE_SEP; a page's text is its
# blocks joined by PAGE_BLOCK_SEP. Chunk and entity offsets index into these strings.
PAGE_SEP = "\f"
PAGE_BLOCK_SEP = "\n\n"


@dataclass
class Document:
    doc_id: str
    path: str
    sha256: str
    pages: list[Page] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return PAGE_SEP.join(p.text for p in self.pages)

    @property
    def title(self) -> str:
        return self.meta.get("title") or ""


@dataclass
class Entity:
    """A span of ``text[start:end]`` in the text it was extracted from."""

    start: int
    end: int
    label: str
    text: str
    norm: str = ""
    canonical_id: str | None = None
    value: float | None = None
    unit: str | None = None
    source: str = ""  # which component found it (rule name or model)


@dataclass
class Chunk:
    chunk_id: str  # "<doc_id>:c0007"
    doc_id: str
    seq: int
    text: str
    start: int  # offsets into Document.text
    end: int
    page_start: int
    page_end: int
    lang: str
    section: str
    sha256: str
    entities: list[Entity] = field(default_factory=list)
    article: str = ""  # of a legal act: the article's number ("37", "19-1"); see nlp.text.legal
    chapter: str = ""  # ... and its chapter's number


@dataclass
class Hit:
    rank: int
    score: float
    doc_id: str
    path: str
    title: str
    page_start: int
    page_end: int
    lang: str
    chunk_id: str
    text: str
    article: str = ""  # the article of a legal act the passage is in ("37")
    section: str = ""  # the heading it falls under ("Статья 37. Порядок ...")
    act: str = ""  # the act's key when the document is a known legal act ("law:216-IV")
    also_in: list[str] = field(default_factory=list)  # other texts of the act with the article
    citation: str = ""  # one line to cite it (``nlp.search.cite.citation``)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)
