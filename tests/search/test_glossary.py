"""The kk/ru/en glossary that meets passages of other languages in their own words."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.search.glossary import MAX_WORDS, entries, mentioned, translate


def test_glossary_entries_have_every_language():
    assert len(entries()) >= 300
    for entry in entries():
        assert all(entry[lang] and all(f.strip() for f in entry[lang])
                   for lang in ("kk", "ru", "en"))


def test_glossary_translate_finds_inflected_terms_in_the_query_language():
    en = translate("Who decides on refugee status applications?", "en")
    assert set(en) == {"kk", "ru"}
    assert en["ru"] == "статус беженца заявление" and en["kk"] == "босқын мәртебесі өтініш"
    ru = translate("сроки рассмотрения ходатайства беженцев", "ru")  # inflected: беженцев
    assert "refugee" in ru["en"]
    kk = translate("босқындардың құқықтары", "kk")
    assert "refugee" in kk["en"]


def test_glossary_translate_leaves_unknown_languages_and_pasted_passages_alone():
    assert translate("refugee status", None) == {}
    assert translate("refugee status " + "word " * MAX_WORDS, "en") == {}
    assert translate("the weather was sunny", "en") == {}


def test_glossary_mentioned_prefers_the_longest_form():
    found = mentioned("residence permit for a foreign worker", "en")
    forms = [entries()[n]["en"] for n in found]
    assert any("residence permit" in f for f in forms)
    assert found == list(dict.fromkeys(found))


@pytest.fixture
def en_ru_index(tmp_path, hash_embedder):
    """An index of one English and one Russian text (no Kazakh)."""
    from nlp.ingestion.local import ingest

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("Refugees get status within three months.")
    (tmp_path / "docs" / "b.txt").write_text("Статус беженца присваивается в течение трех "
                                             "месяцев.")
    ingest([tmp_path / "docs"], index=tmp_path / "idx", model=hash_embedder.model_id,
           progress=False, entities=False)
    return tmp_path / "idx"


def test_glossary_query_vectors_expand_only_other_languages(en_ru_index):
    from nlp.search.engine import open_index

    with open_index(en_ru_index) as idx:
        vecs = idx.query_vectors(["refugee status decision", "the weather"])
    assert set(vecs) == {"", "kk", "ru", "en"}
    assert np.array_equal(vecs["en"], vecs[""])  # the query's own language: as typed
    assert not np.array_equal(vecs["ru"][0], vecs[""][0])  # + статус беженца
    assert np.array_equal(vecs["ru"][1], vecs[""][1])  # nothing to translate
    assert np.array_equal(vecs["kk"], vecs[""])  # no Kazakh chunk: not expanded


def test_glossary_expansion_can_be_switched_off(en_ru_index):
    from nlp.search.engine import open_index

    with open_index(en_ru_index) as idx:
        plain = idx.query_vectors(["refugee status decision"], expand=False)
        assert all(np.array_equal(v, plain[""]) for v in plain.values())
        only_en = idx.query_vectors(["refugee status decision"], langs=("en",))
        assert np.array_equal(only_en["ru"], only_en[""])  # Russian is not searched
        hits = idx.search("refugee status decision", k=2, expand=False)
        assert len(hits) == 2


def test_glossary_everyday_english_words_do_not_match_alone():
    assert translate("It will be fine.", "en") == {}
    assert translate("Act like a man.", "en") == {}
    assert translate("штраф за просрочку", "ru")["en"] == "fine"  # still a translation
