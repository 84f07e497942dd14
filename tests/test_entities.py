"""extract_entities / extract_batch: spaCy pipelines with the rule components on top."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.entities import (
    LABELS,
    extract_batch,
    extract_entities,
    normalise_lang,
)
from nlp.errors import UserError

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
            ("DATE", "2021 году"), ("QUANTITY", "17 540 человек"), ("PERCENT", "76,2 %"),
            ("MONEY", "100 млн долларов США")} <= by_label(ru)
    kk = extract_entities(SENTENCES["kk"], "kk")
    assert {("ORG", "Еңбек және халықты әлеуметтік қорғау министрлігі"), ("DATE", "2022 жылы"),
            ("QUANTITY", "1 499 адамды"), ("PERCENT", "15 пайызды")} <= by_label(kk)


def test_entities_same_law_one_canonical_id_across_languages():
    ids = {lang: [e.canonical_id for e in extract_entities(text, lang) if e.label == "LAW"]
           for lang, text in SENTENCES.items()}
    assert ids == {lang: ["law:477-IV:2011-07-22"] for lang in SENTENCES}


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
    code = "import sys, nlp.entities; assert 'spacy' not in sys.modules"
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
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
