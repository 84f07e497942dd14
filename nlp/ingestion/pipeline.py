"""The ingest pipeline as plain functions over records (``nlp.records``):

    path -parse-> Document            (nlp.parse.document.parse_pdf; each block's language)
         -chunk-> [Chunk]             (nlp.text.chunk.chunk_document; each chunk's language)
         -entities-> [(Chunk, page, Entity)]   (nlp.entities.pipeline.extract_batch)
         -embed-> float32 (n, dim)    (the index's embedder; unchanged texts keep their vectors)
         -write-> the index           (nlp.index.writer.IndexWriter.add)

``analyse_document`` runs chunk and entities; ``nlp.ingestion.children`` runs parse and it in a
budgeted child process, ``nlp.ingestion.local`` (one machine) and ``nlp.ingestion.distributed``
(Ray) then call ``name_document``, ``embed_distinct`` and the writer. The child processes
and Ray are transport around these functions, not part of them.
"""

from __future__ import annotations

import time
from typing import NamedTuple

from nlp.records import Chunk, Document, Entity

STAGES = ("parse", "chunk", "entities", "embed", "store")


class Analysed(NamedTuple):
    """A parsed document with its chunks and (chunk, page, entity) triples."""

    doc: Document
    chunks: list[Chunk]
    found: list[tuple[Chunk, int, Entity]]
    seconds: dict[str, float]  # time per stage


def analyse_document(doc: Document, settings, seconds: dict | None = None,
                     entities: bool = True):
    """(chunks, (chunk, page, entity) triples) of a parsed document, as ``nlp ingest`` keeps;
    no entities when ``entities`` is False."""
    from nlp.entities.pipeline import extract_batch
    from nlp.text.chunk import chunk_document

    seconds = {} if seconds is None else seconds
    clock = time.perf_counter()
    chunks = chunk_document(doc, settings)
    seconds["chunk"] = time.perf_counter() - clock
    found = dedupe_entities(doc, chunks, extract_batch([(c.text, c.lang) for c in chunks])
                            if entities else [[] for _ in chunks])
    if entities:
        taken = {(id(c), e.start, e.end, e.label) for c, _, e in found}
        found += [f for f in identify_act(doc, chunks)
                  if (id(f[0]), f[2].start, f[2].end, f[2].label) not in taken]
    seconds["entities"] = time.perf_counter() - clock - seconds["chunk"]
    return chunks, found


def identify_act(doc: Document, chunks: list[Chunk]) -> list[tuple[Chunk, int, Entity]]:
    """A legal act names itself. Its key comes from its header («Закон Республики Казахстан
    от 22 июля 2011 года № 477-IV», "... № 477-IV Заңы") or else from its title in the acts
    registry; it goes into ``doc.meta["legal"]`` ("act", and "norm": type, number, date) and,
    found by title, becomes a LAW entity on the title, so that an entity filter finds the act
    as well as the texts citing it, and its kk/ru/en texts share it."""
    from nlp.entities.rules.acts import act_of_title

    legal, title = doc.meta.get("legal"), doc.meta.get("title") or ""
    if legal is None:
        return []
    header = _header_citation(doc)
    if header is not None:  # the header's own LAW entity is found in its chunk already
        legal["act"], legal["norm"] = header.canonical_id, header.norm
        return []
    act = act_of_title(title) if title else None
    if act is None:
        return []
    legal["act"], legal["norm"] = act["id"], f'{act["type"]}:{act["number"]}:{act["date"]}'
    for chunk in chunks:
        at = chunk.text.find(title)
        if at >= 0:
            entity = Entity(at, at + len(title), "LAW", title, act["id"], act["id"],
                            source="rule:act-title")
            return [(chunk, chunk.page_start, entity)]
    return []


HEADER_BLOCKS = 6  # blocks before the first chapter or article that may hold the act's header


def _header_citation(doc: Document) -> Entity | None:
    """The LAW citation a legal act opens with (its own type, date and number), if any."""
    from nlp.entities.rules.laws import find_laws
    from nlp.text.legal import heading

    blocks = [b for p in doc.pages for b in p.blocks if b.kind in ("body", "heading")]
    for block in blocks[:HEADER_BLOCKS]:
        if heading(block.text):
            break
        for e in find_laws(block.text, block.lang):
            if e.start <= 3 and e.canonical_id:
                return e
    return None


def dedupe_entities(doc: Document, chunks: list[Chunk], per_chunk: list[list[Entity]]):
    """(chunk, page, entity) triples; an entity seen in an overlap is kept once."""
    page_starts, offset = [], 0
    for page in doc.pages:
        page_starts.append(offset)
        offset += len(page.text) + 1
    seen, out = set(), []
    for chunk, entities in zip(chunks, per_chunk, strict=True):
        for e in entities:
            key = (chunk.start + e.start, chunk.start + e.end, e.label)
            if key not in seen:
                seen.add(key)
                page = sum(1 for s in page_starts if s <= key[0])
                out.append((chunk, page, e))
    return out


def name_document(doc: Document, chunks: list[Chunk], doc_id: str, path: str) -> None:
    """Give the document its id in this index; its chunk ids follow."""
    old, doc.doc_id, doc.path = doc.doc_id, doc_id, path
    for chunk in chunks:
        chunk.doc_id = doc_id
        chunk.chunk_id = doc_id + chunk.chunk_id[len(old):]


def embed_input(text: str, section: str = "", article: str = "") -> str:
    """What the model reads for a chunk: its text, headed by its article's heading when it is a
    later part of a legal article ("Статья 13. Лишение статуса беженца" + the paragraphs), so
    that every part of an article carries what the article is about."""
    if article and section and not text.startswith(section[:20]):
        return f"{section}\n{text}"
    return text


def embed_pairs(chunks) -> list[tuple[str, str]]:
    """(key, model input) of each chunk (a ``Chunk`` or its dict) for ``embed_distinct``: the
    key is the text's SHA-256, or the input's when a heading is added to it."""
    import hashlib

    out = []
    for c in chunks:
        get = c.get if isinstance(c, dict) else lambda name, c=c: getattr(c, name)
        text = embed_input(get("text"), get("section") or "", get("article") or "")
        key = get("sha256") if text == get("text") else hashlib.sha256(text.encode()).hexdigest()
        out.append((key, text))
    return out


def embed_distinct(embedder, pairs: list[tuple[str, str]], known: dict | None = None):
    """Vectors (n, dim) of (sha256, text) pairs, in order: each distinct text that ``known``
    (sha256 -> vector) lacks is embedded once, all in one call."""
    import numpy as np

    known = dict(known or {})
    todo = list(dict.fromkeys(sha for sha, _ in pairs if sha not in known))
    if todo:
        text = dict(pairs)
        fresh = embedder.embed_passages([text[sha] for sha in todo])
        known.update(zip(todo, np.asarray(fresh, dtype=np.float32), strict=True))
    if not pairs:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.vstack([known[sha] for sha, _ in pairs]).astype(np.float32, copy=False)
