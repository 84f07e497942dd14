"""natasha's offline Russian NER (slovnet news model, shipped in the natasha wheel).

On NEREL dev natasha finds persons better than our spaCy model, and organisations and
places worse (scripts/eval_entities.py), so the ru pipeline combines them after the spaCy
NER: natasha's PER spans replace the model's PERSON spans (a model span a natasha person
overlaps is dropped), and natasha's ORG and LOC spans fill gaps, as ORG and GPE, where no
other span overlaps them. This rule was chosen on our tune split of NEREL train (40
documents), not on NEREL dev. natasha is imported on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

SOURCE = "model:natasha"
# natasha's types -> ours for the spans that fill gaps; most of NEREL's places are GPE.
GAP_LABELS = {"ORG": "ORG", "LOC": "GPE"}


class NatashaNER:
    """Doc -> Doc: natasha's persons win, its organisations and places fill gaps (batched)."""

    def __init__(self) -> None:
        from natasha import NewsEmbedding, NewsNERTagger

        self.tagger = NewsNERTagger(NewsEmbedding())  # slovnet's batches of 8 were fastest

    def __call__(self, doc: Any) -> Any:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Any], batch_size: int = 128) -> Iterator[Any]:
        """The docs combined with natasha's spans; texts go to natasha in batches."""
        for batch in _chunks(docs, batch_size):
            texts = [doc.text for doc in batch if doc.text.strip()]  # slovnet fails on ""
            markups = iter(self.tagger.map(texts))
            for doc in batch:
                spans = next(markups).spans if doc.text.strip() else []
                yield combine(doc, [(s.start, s.stop, s.type) for s in spans])


NatashaPersons = NatashaNER  # the name the ru pipeline's component was first built with


def combine(doc: Any, found: list[tuple[int, int, str]]) -> Any:
    """``doc`` with natasha's (start, end, type) spans merged into its entities."""
    from spacy.util import filter_spans

    persons = _spans(doc, [(s, e, "PERSON") for s, e, kind in found if kind == "PER"])
    kept = persons + [e for e in doc.ents if e.label_ != "PERSON"
                      and not any(p.start < e.end and e.start < p.end for p in persons)]
    gaps = _spans(doc, [(s, e, GAP_LABELS[kind]) for s, e, kind in found if kind in GAP_LABELS])
    gaps = [g for g in gaps if not any(k.start < g.end and g.start < k.end for k in kept)]
    for span in persons + gaps:  # extensions are keyed by offsets: mark only what is kept
        span._.source = SOURCE
    doc.ents = filter_spans(kept + gaps)
    return doc


def _spans(doc: Any, offsets: list[tuple[int, int, str]]) -> list[Any]:
    return [span for s, e, label in offsets
            if (span := doc.char_span(s, e, label, alignment_mode="expand")) is not None]


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
