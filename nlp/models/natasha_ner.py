"""natasha's offline Russian NER (slovnet news model, shipped in the natasha wheel).

On NEREL dev natasha finds persons better than our spaCy model, and organisations and
places worse (scripts/eval_entities.py), so the ru pipeline combines them: this component
runs after the spaCy NER, replaces its PERSON spans with natasha's PER spans and drops any
model span a natasha person overlaps. natasha is imported on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

SOURCE = "model:natasha"


class NatashaPersons:
    """Doc -> Doc: natasha's PER spans as the doc's PERSON entities (batched in ``pipe``)."""

    def __init__(self) -> None:
        from natasha import NewsEmbedding, NewsNERTagger

        self.tagger = NewsNERTagger(NewsEmbedding())  # slovnet's batches of 8 were fastest

    def __call__(self, doc: Any) -> Any:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Any], batch_size: int = 128) -> Iterator[Any]:
        """The docs, each with natasha's persons; texts go to natasha in batches."""
        for batch in _chunks(docs, batch_size):
            texts = [doc.text for doc in batch if doc.text.strip()]  # slovnet fails on ""
            markups = iter(self.tagger.map(texts))
            for doc in batch:
                spans = next(markups).spans if doc.text.strip() else []
                yield _with_persons(doc, [(s.start, s.stop) for s in spans if s.type == "PER"])


def _with_persons(doc: Any, offsets: list[tuple[int, int]]) -> Any:
    """``doc`` with these PERSON spans; model spans they overlap are dropped."""
    from spacy.util import filter_spans

    persons = [p for s, e in offsets
               if (p := doc.char_span(s, e, "PERSON", alignment_mode="expand")) is not None]
    for span in persons:
        span._.source = SOURCE
    others = [e for e in doc.ents if e.label_ != "PERSON"
              and not any(p.start < e.end and e.start < p.end for p in persons)]
    doc.ents = filter_spans(persons + others)
    return doc


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def available() -> bool:
    """True when natasha can be imported."""
    try:
        import natasha  # noqa: F401
    except ImportError:
        return False
    return True
