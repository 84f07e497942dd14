"""Split a document into sentence-aware, overlapping, single-language chunks.

A chunk is an exact slice of ``Document.text`` (``doc.text[c.start:c.end] == c.text``).
Chunks never cross a language change or a section heading; ``und`` blocks (tables of
numbers, formulas) join the run they sit in. Blocks the parser flagged ``broken`` (an
unreadable text layer that could not be OCR'd) are left out unless ``keep_broken``; a
chunk never spans one. Sizes are in characters: 1,000 characters
is roughly 200-300 XLM-R tokens in kk/ru/en, well inside E5's 512.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from nlp.records import PAGE_BLOCK_SEP, PAGE_SEP, Chunk, Document

_SENT_END = re.compile(r"(?<=[.!?…;])[\"»”)\]]*\s+(?=[\"«“(\[\-–—•\dA-ZА-ЯЁӘҒҚҢӨҰҮҺІ])")


@dataclass(frozen=True)
class ChunkSettings:
    max_chars: int = 1000
    overlap_chars: int = 150
    keep_broken: bool = False  # index blocks whose text layer is garbage (nlp ingest --keep-broken)


@dataclass
class _Piece:
    start: int  # offsets into the document text
    end: int
    page: int
    lang: str
    section: str
    opens_section: bool = False  # starts a new run: a heading, or text after a skipped block


def chunk_document(doc: Document, settings: ChunkSettings = ChunkSettings()) -> list[Chunk]:
    """Chunks of ``doc`` in order, with ids ``<doc_id>:c0000``..."""
    text = doc.text
    chunks: list[Chunk] = []
    for run in _runs(_pieces(doc, settings.max_chars, settings.keep_broken)):
        for start, end, first, last in _pack(run, settings):
            body = text[start:end]
            chunks.append(Chunk(
                chunk_id=f"{doc.doc_id}:c{len(chunks):04d}", doc_id=doc.doc_id,
                seq=len(chunks), text=body, start=start, end=end,
                page_start=first.page, page_end=last.page, lang=first.lang,
                section=first.section, sha256=hashlib.sha256(body.encode()).hexdigest()))
    return chunks


def _pieces(doc: Document, max_chars: int, keep_broken: bool = False) -> list[_Piece]:
    """Sentences (or slices of over-long ones) of every block, with absolute offsets."""
    pieces, offset, section, gap = [], 0, "", False
    for page in doc.pages:
        for i, block in enumerate(page.blocks):
            if i:
                offset += len(PAGE_BLOCK_SEP)
            if "broken" in block.flags and not keep_broken:
                offset += len(block.text)
                gap = True
                continue
            if block.kind == "heading":
                section = re.sub(r"\s+", " ", block.text).strip()
            first = len(pieces)
            for s0, e0, lang in block.segments or [(0, len(block.text), block.lang)]:
                for s, e in _sentences(block.text[s0:e0], max_chars):
                    pieces.append(_Piece(offset + s0 + s, offset + s0 + e, page.number, lang,
                                         section))
            if (block.kind == "heading" or gap) and len(pieces) > first:
                pieces[first].opens_section, gap = True, False
            offset += len(block.text)
        offset += len(PAGE_SEP)
    return pieces


def _sentences(text: str, max_chars: int) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        spans += _split_long(text, start, m.start(), max_chars)
        start = m.end()
    spans += _split_long(text, start, len(text), max_chars)
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut a sentence longer than ``max_chars`` at whitespace."""
    spans = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + max_chars // 2, start + max_chars)
        cut = cut if cut > start else start + max_chars
        spans.append((start, cut))
        start = cut
    return spans + [(start, end)]


def _runs(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Group pieces into runs of one language within one section."""
    runs: list[list[_Piece]] = []
    for piece in pieces:
        if runs and piece.lang == "und":
            piece.lang = runs[-1][-1].lang  # numbers and formulas belong to their run
        if not runs or piece.opens_section or piece.lang != runs[-1][-1].lang:
            runs.append([piece])
        else:
            runs[-1].append(piece)
    return runs


def _pack(run: list[_Piece], settings: ChunkSettings):
    """Greedy packing of consecutive pieces; each chunk re-reads the last ~overlap chars."""
    i = 0
    while i < len(run):
        j = i + 1
        while j < len(run) and run[j].end - run[i].start <= settings.max_chars:
            j += 1
        yield run[i].start, run[j - 1].end, run[i], run[j - 1]
        if j == len(run):
            return
        back = j
        while back - 1 > i and run[j - 1].end - run[back - 1].start <= settings.overlap_chars:
            back -= 1
        i = back if back < j else j
