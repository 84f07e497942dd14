"""Split a document into sentence-aware, overlapping, single-language chunks.

A chunk is an exact slice of ``Document.text`` (``doc.text[c.start:c.end] == c.text``).
Chunks never cross a language change or a section heading; ``und`` blocks (tables of
numbers, formulas) join the run they sit in. Blocks the parser flagged ``broken`` (an
unreadable text layer that could not be OCR'd) are left out unless ``keep_broken``; a
chunk never spans one. Sizes are in characters: 1,000 characters is roughly 200-300 XLM-R
tokens in kk/ru/en, well inside E5's 512.

Tiny runs are the exception to the first rule. A lone heading or a section of a line or two
(under ``min_chars``) joins the next run of its language, or else the previous one; a
fragment in another language (under ``MAX_FOREIGN_CHARS``: a margin note, a table cell, a
label, or a language misread on a few words) joins the run beside it and takes its
language. On their own they made chunks of a few words that E5 ranks near the top for
unrelated queries.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from nlp.records import PAGE_BLOCK_SEP, PAGE_SEP, Chunk, Document
from nlp.text import legal

SKIPPED = ("toc", "note")  # a legal act's table of contents and editors' notes: metadata

_SENT_END = re.compile(r"(?<=[.!?…;])[\"»”)\]]*\s+(?=[\"«“(\[\-–—•\dA-ZА-ЯЁӘҒҚҢӨҰҮҺІ])")


@dataclass(frozen=True)
class ChunkSettings:
    max_chars: int = 1000
    overlap_chars: int = 150
    min_chars: int = 120  # a shorter run (a lone heading, a one-line section) joins a neighbour
    keep_broken: bool = False  # index blocks whose text layer is garbage (nlp ingest --keep-broken)


@dataclass
class _Piece:
    start: int  # offsets into the document text
    end: int
    page: int
    lang: str
    section: str
    opens_section: bool = False  # starts a new run: a heading, or text after a skipped block
    after_gap: bool = False  # a skipped (broken) block lies just before it: never join across
    article: str = ""  # of a legal act: its article and chapter numbers
    chapter: str = ""


MAX_FOREIGN_CHARS = 80  # a fragment in another language this short joins its neighbour


def chunk_document(doc: Document, settings: ChunkSettings = ChunkSettings()) -> list[Chunk]:
    """Chunks of ``doc`` in order, with ids ``<doc_id>:c0000``..."""
    text = doc.text
    chunks: list[Chunk] = []
    runs = _runs(_pieces(doc, settings.max_chars, settings.keep_broken))
    for run in _absorb_small(runs, settings.min_chars):
        for pieces in _pack(run, settings):
            first, last = pieces[0], pieces[-1]
            body = text[first.start:last.end]
            chunks.append(Chunk(
                chunk_id=f"{doc.doc_id}:c{len(chunks):04d}", doc_id=doc.doc_id,
                seq=len(chunks), text=body, start=first.start, end=last.end,
                page_start=first.page, page_end=last.page, lang=first.lang,
                section=first.section, sha256=hashlib.sha256(body.encode()).hexdigest(),
                **_act_part(pieces)))
    return chunks


def _act_part(pieces: list[_Piece]) -> dict[str, str]:
    """The article (and its chapter) of a chunk: its first piece's, or, when it opens with a
    chapter's heading, that of the article it goes on with."""
    piece = next((p for p in pieces if p.article), pieces[0])
    return {"article": piece.article, "chapter": piece.chapter}


def _pieces(doc: Document, max_chars: int, keep_broken: bool = False) -> list[_Piece]:
    """Sentences (or slices of over-long ones) of every block, with absolute offsets."""
    pieces, offset, section, gap = [], 0, "", False
    act = {"article": "", "chapter": ""} if "legal" in doc.meta else None
    for page in doc.pages:
        for i, block in enumerate(page.blocks):
            if i:
                offset += len(PAGE_BLOCK_SEP)
            if ("broken" in block.flags and not keep_broken) or block.kind in SKIPPED:
                offset += len(block.text)
                gap = True
                continue
            if block.kind == "heading":
                section = re.sub(r"\s+", " ", block.text).strip()
                if act is not None:
                    _enter(act, block.text)
            first = len(pieces)
            for s0, e0, lang in block.segments or [(0, len(block.text), block.lang)]:
                for s, e in _sentences(block.text[s0:e0], max_chars):
                    pieces.append(_Piece(offset + s0 + s, offset + s0 + e, page.number, lang,
                                         section, **(act or {})))
            if (block.kind == "heading" or gap) and len(pieces) > first:
                pieces[first].opens_section, pieces[first].after_gap = True, gap
                gap = False
            offset += len(block.text)
        offset += len(PAGE_SEP)
    return pieces


def _enter(act: dict[str, str], heading: str) -> None:
    """The article and chapter after a legal act's heading (a chapter starts afresh)."""
    found = legal.heading(heading)
    if found and found[0] == "chapter":
        act["chapter"], act["article"] = found[1], ""
    elif found:
        act["article"] = found[1]


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
    """Greedy packing of consecutive pieces into the pieces of each chunk; each chunk re-reads
    the last ~overlap chars."""
    i = 0
    while i < len(run):
        j = i + 1
        while j < len(run) and run[j].end - run[i].start <= settings.max_chars:
            j += 1
        yield run[i:j]
        if j == len(run):
            return
        back = j
        while back - 1 > i and run[j - 1].end - run[back - 1].start <= settings.overlap_chars:
            back -= 1
        i = back if back < j else j


def _absorb_small(runs: list[list[_Piece]], min_chars: int) -> list[list[_Piece]]:
    """Runs with the tiny ones joined to a neighbour (see the module docstring).

    A small run goes before the next run when it may (a heading belongs with what follows),
    else after the previous one, else it stays a run of its own. A foreign fragment joins
    only a run of at least ``min_chars`` (several short sentences in turn in kk, ru and en
    are a trilingual passage, not fragments) and takes its language. Never across a skipped
    block: the chunk would slice its garbage in.
    """
    out: list[list[_Piece]] = []
    carried: list[_Piece] | None = None
    for run in runs:
        if carried is not None:
            if not run[0].after_gap and _may_join(carried, run, min_chars):
                run = _relabel(carried, run[0].lang) + run
            else:
                _after_previous(out, carried, min_chars)
            carried = None
        if _size(run) < min_chars:
            carried = run
        else:
            out.append(run)
    if carried is not None:
        _after_previous(out, carried, min_chars)
    return out


def _after_previous(out: list[list[_Piece]], small: list[_Piece], min_chars: int) -> None:
    """``small`` joined to the last run of ``out`` where it may, else a run of its own."""
    if out and not small[0].after_gap and _may_join(small, out[-1], min_chars):
        out[-1].extend(_relabel(small, out[-1][0].lang))
    else:
        out.append(small)


def _size(run: list[_Piece]) -> int:
    return run[-1].end - run[0].start


def _may_join(small: list[_Piece], host: list[_Piece], min_chars: int) -> bool:
    """Same language, or a fragment short enough to be a label beside a run of some size;
    never across the articles of a legal act."""
    if small[0].article and host[0].article and small[0].article != host[0].article:
        return False  # a chapter's heading (no article yet) may go with its first article
    if small[0].lang == host[0].lang:  # a run is of one language
        return True
    return _size(small) < MAX_FOREIGN_CHARS and _size(host) >= min_chars


def _relabel(pieces: list[_Piece], lang: str) -> list[_Piece]:
    for piece in pieces:
        piece.lang = lang
    return pieces
