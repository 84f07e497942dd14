"""extract_entities / extract_batch: spaCy pipelines with the rule components on top."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest
from conftest import GOLD as GOLD_DIR
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.entities.pipeline import (
    LABELS,
    extract_batch,
    extract_entities,
    normalise_lang,
)
from nlp.errors import UserError
from scripts import eval_entities

LANGS_GOLD = ("kk", "ru", "en")
SOURCES_GOLD = ("corpus", "shared_text", "shared_pdf")

SENTENCES = {
    "en": "In 2022, the Ministry of Internal Affairs and IOM reported that 1,087,800 people "
          "(76.2%) arrived under the Law of the Republic of Kazakhstan No. 477-IV of "
          "22 July 2011 'On population migration'.",
    "ru": "В 2021 году Министерство труда и социальной защиты населения сообщило, что по "
          "Закону РК от 22 июля 2011 года № 477-IV «О миграции населения» прибыли 17 540 "
          "человек, или 76,2 %, а МВД РК выделило 100 млн долларов США.",
    "kk": "ҚР 2011 жылғы 22 шілдедегі № 477-IV «Халықтың көші-қоны туралы» Заңына сәйкес "
          "2022 жылы Еңбек және халықты әлеуметтік қорғау министрлігі 1 499 адамды, яғни "
          "15 пайызды қабылдады.",
}


def by_label(entities):
    return {(e.label, e.text) for e in entities}


def test_entities_rules_in_three_languages():
    en = extract_entities(SENTENCES["en"], "en")
    assert {("ORG", "Ministry of Internal Affairs"), ("ORG", "IOM"), ("DATE", "2022"),
            ("QUANTITY", "1,087,800 people"), ("PERCENT", "76.2%")} <= by_label(en)
    ru = extract_entities(SENTENCES["ru"], "ru")
    assert {("ORG", "Министерство труда и социальной защиты населения"), ("ORG", "МВД РК"),
            ("QUANTITY", "17 540 человек"), ("PERCENT", "76,2 %"),
            ("MONEY", "100 млн долларов США")} <= by_label(ru)
    # The model's wider DATE span ("В 2021 году", NEREL style) keeps the rule's ISO norm.
    assert [(e.text, e.norm) for e in ru if e.label == "DATE"] == [("В 2021 году", "2021")]
    kk = extract_entities(SENTENCES["kk"], "kk")
    assert {("ORG", "Еңбек және халықты әлеуметтік қорғау министрлігі"), ("DATE", "2022 жылы"),
            ("QUANTITY", "1 499 адамды"), ("PERCENT", "15 пайызды")} <= by_label(kk)


def test_entities_same_law_one_canonical_id_across_languages():
    ids = {lang: [e.canonical_id for e in extract_entities(text, lang) if e.label == "LAW"]
           for lang, text in SENTENCES.items()}
    assert ids == {lang: ["law:477-IV"] for lang in SENTENCES}


def test_entities_agencies_link_across_languages():
    found = extract_batch([(SENTENCES["en"], "en"), (SENTENCES["ru"], "ru"),
                           ("Ішкі істер министрлігінің деректері", "kk")])
    mia = [[e.text for e in ents if e.canonical_id == "kz.mia"] for ents in found]
    assert mia == [["Ministry of Internal Affairs"], ["МВД РК"], ["Ішкі істер министрлігінің"]]


def test_entities_extras_travel_to_the_record():
    (money,) = [e for e in extract_entities(SENTENCES["ru"], "ru") if e.label == "MONEY"]
    assert (money.value, money.unit, money.norm, money.source) == (
        1e8, "USD", "100000000 USD", "rule:figures")


def test_entities_english_model_finds_person_and_gpe():
    found = extract_entities("John Smith, a researcher from London, studied labour "
                             "migration in Kazakhstan and Russia.", "en")
    assert ("PERSON", "John Smith") in by_label(found)
    assert ("GPE", "Kazakhstan") in by_label(found)
    assert {e.source for e in found} == {"model:en_core_web_sm"}


def test_entities_trained_kazakh_and_russian_models_find_names():
    kk = extract_entities("Нұрсұлтан Назарбаев Астанада сөз сөйледі.", "kk")
    assert {("PERSON", "Нұрсұлтан Назарбаев"), ("GPE", "Астанада")} <= by_label(kk)
    ru = extract_entities("Владимир Путин прилетел в Москву.", "ru")
    assert ("GPE", "Москву") in by_label(ru)
    assert ("PERSON", "Владимир Путин") in by_label(ru)
    assert {e.source for e in kk} == {"model:ner_kk"}
    assert {e.source for e in ru} == {"model:natasha", "model:ner_ru"}  # persons by natasha


def test_entities_model_spans_get_iso_dates_and_values():
    # "five committees": no unit of ours, so the value comes from the model's CARDINAL span
    # ("five experts" would be a rule figure counting persons)
    found = extract_entities("In the summer of 2019, five committees met in Almaty.", "en")
    date, five = found[0], found[1]
    assert (date.text, date.norm, date.source) == ("the summer of 2019", "2019",
                                                   "model:en_core_web_sm")
    assert (five.text, five.label, five.value) == ("five", "CARDINAL", 5.0)


def test_entities_agency_nested_in_a_law_citation():
    text = "постановлением Правительства Республики Казахстан от 31 декабря 2013 года № 1577"
    law, org = extract_entities(text, "ru")
    assert (law.label, law.canonical_id) == ("LAW", "resolution:1577:2013-12-31")
    assert (org.text, org.canonical_id) == ("Правительства Республики Казахстан", "kz.government")
    assert law.start <= org.start and org.end <= law.end


def test_entities_model_numbers_the_rules_rejected_are_dropped():
    found = extract_entities("## 2. Data and approach\n\nArticle 97 applies since 2015.", "en")
    assert all(e.label in ("DATE", "LAW") or not any(c.isdigit() for c in e.text) for e in found)


def test_entities_rule_spans_win_over_model_spans():
    found = extract_entities("The Ministry of Internal Affairs counted 1.7 million people.", "en")
    assert by_label(found) == {("ORG", "Ministry of Internal Affairs"),
                               ("QUANTITY", "1.7 million people")}


def test_entities_batch_equals_single_calls():
    items = [(text, lang) for lang, text in SENTENCES.items()]
    items += [("Закон № 5", None), ("", "ru"), ("Astana, 2021", "en-US")]
    assert extract_batch(items) == [extract_entities(text, lang) for text, lang in items]


def test_entities_detects_language_when_none():
    assert extract_entities(SENTENCES["kk"]) == extract_entities(SENTENCES["kk"], "kk")


def test_entities_language_codes():
    assert [normalise_lang(c) for c in ("ru-RU", "KZ", "en", "de", "xx")] == [
        "ru", "kk", "en", "und", "und"]


def test_entities_too_long_text_is_a_user_error():
    with pytest.raises(UserError, match="Split it first"):
        extract_entities("а" * 1_000_001, "ru")


def test_entities_import_does_not_load_spacy():
    code = "import sys, nlp.entities.pipeline; assert 'spacy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


INSERTS = ["Закон РК от 22 июля 2011 года № 477-IV «О миграции населения»", "1,087,800 people",
           "76,2 %", "МВД РК", "ҚР ІІМ", "2022 жылғы 1 қаңтардан", "№ 477-IV", "$100 million"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=20), st.sampled_from(INSERTS)), max_size=8),
       st.sampled_from(["kk", "ru", "en", "und"]))
def test_entities_offsets_index_the_input_text(pieces, lang):
    text = " ".join(pieces)
    found = extract_entities(text, lang)
    for e in found:
        assert 0 <= e.start < e.end <= len(text)
        assert text[e.start:e.end] == e.text
        assert e.label in LABELS
    # Only an agency inside a law citation may overlap another entity.
    for a, b in zip(found, found[1:], strict=False):
        assert a.end <= b.start or (a.label == "LAW" and b.label == "ORG" and b.end <= a.end)
    assert found == sorted(found, key=lambda e: (e.start, -e.end))


GOLD = GOLD_DIR / "entities_gold.jsonl"
FIGURES = {"MONEY", "PERCENT", "QUANTITY", "CARDINAL"}


def gold_items():
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line]


gold_passage = eval_entities.read_passage  # the passage a gold item points at, None if absent


def test_entities_gold_set_is_well_formed():
    items = gold_items()
    assert len({i["id"] for i in items}) == len(items)
    assert {i["split"] for i in items} == {"dev", "heldout"}
    for item in items:
        assert item["lang"] in LANGS_GOLD and item["source"] in SOURCES_GOLD
        text = gold_passage(item)
        if text is not None:
            assert hashlib.sha256(text.encode()).hexdigest() == item["sha256"], item["id"]
        for e in item["entities"]:
            assert 0 <= e["start"] < e["end"] <= item["end"] - item["start"]
            assert e["label"] in LABELS
            if e["label"] in FIGURES:
                assert isinstance(e["value"], (int, float))
            else:
                assert e["canonical_id"] or e["label"] == "LAW"
            if item["source"] == "corpus":
                assert text[e["start"]:e["end"]] == e["text"]
            else:
                assert "text" not in e  # third-party text is never stored


FIGURE_SETS = {  # fresh figure held-out sets: file -> the sources its passages may come from
    "figures_heldout.jsonl": {"shared_text"},
    "figures_heldout2.jsonl": {"shared_text", "shared_jsonl", "shared_conll"},
    "figures_heldout3.jsonl": {"shared_text", "kaznerd_dev"},
    "figures_heldout4.jsonl": {"shared_text", "shared_jsonl", "shared_conll", "kaznerd_dev"},
    "figures_heldout5.jsonl": {"shared_text", "kaznerd_dev"},
}
UNITS = {None, "persons", "families", "percent", "pp", "USD", "KZT", "EUR", "RUB", "GBP", "MCI",
         "tonnes", "hectares", "km", "sq_m", "m"}


@pytest.mark.parametrize("name", sorted(FIGURE_SETS))
def test_entities_figure_heldout_set_is_well_formed(name):
    """Figures only, from shared data, stored as offsets: scored once by eval_entities."""
    path = GOLD_DIR / name
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len({i["id"] for i in items}) == len(items)
    assert sum(len(i["entities"]) for i in items) >= 60
    for item in items:
        assert (item["split"], item["scope"]) == ("heldout_figures", "figures")
        assert item["source"] in FIGURE_SETS[name]
        text = gold_passage(item)
        if text is not None:
            assert hashlib.sha256(text.encode()).hexdigest() == item["sha256"], item["id"]
        for e in item["entities"]:
            assert 0 <= e["start"] < e["end"] <= item["end"] - item["start"]
            assert e["label"] in FIGURES and e["unit"] in UNITS and "text" not in e
            assert isinstance(e["value"], float)


def test_entities_corpus_gold_dev_is_found():
    """The dev part of the gold over our own corpus: every law, agency and figure."""
    items = [i for i in gold_items() if i["source"] == "corpus" and i["split"] == "dev"]
    found = extract_batch([(gold_passage(i), i["lang"]) for i in items])
    for item, ents in zip(items, found, strict=True):
        for g in item["entities"]:
            near = [e for e in ents if e.start < g["end"] and g["start"] < e.end]
            if g["label"] in FIGURES:
                assert any((e.value, e.unit) == (g["value"], g["unit"]) for e in near), g
            else:
                assert any(e.canonical_id == g["canonical_id"] for e in near), g


def test_entities_natasha_persons_win_and_its_places_fill_gaps():
    """ru: natasha's persons replace the model's, its ORG/LOC spans only fill gaps."""
    import spacy

    from nlp.entities.models.natasha_ner import combine
    from nlp.entities.pipeline import get_pipeline

    get_pipeline("und")  # registers the Span extensions
    doc = spacy.blank("ru")("Иван Петров из Москвы работает в Газпроме и МВД")
    doc.ents = [doc.char_span(0, 4, "ORG"), doc.char_span(15, 21, "GPE")]
    found = [(0, 11, "PER"), (15, 21, "LOC"), (33, 41, "ORG"), (44, 47, "ORG")]
    out = [(e.text, e.label_, e._.source) for e in combine(doc, found).ents]
    assert out == [("Иван Петров", "PERSON", "model:natasha"), ("Москвы", "GPE", None),
                   ("Газпроме", "ORG", "model:natasha"), ("МВД", "ORG", "model:natasha")]
