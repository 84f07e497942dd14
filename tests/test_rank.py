from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nlp.rank import best_sentence, collapse, keyword_evidence, neutral_terms, rrf


def test_rank_rrf_rewards_agreement():
    fused = rrf([[1, 2, 3], [3, 1, 4]])
    assert [i for i, _ in fused][:2] == [1, 3]
    assert {i for i, _ in fused} == {1, 2, 3, 4}


@given(st.lists(st.lists(st.integers(0, 50), unique=True, max_size=20), max_size=4))
def test_rank_rrf_scores_are_sorted_and_ids_unique(rankings):
    fused = rrf(rankings)
    assert len({i for i, _ in fused}) == len(fused)
    assert [s for _, s in fused] == sorted((s for _, s in fused), reverse=True)


def test_rank_collapse_drops_near_duplicates_only():
    a = "Квота для кандасов составила 1 499 человек в 2022 году по всем регионам страны."
    b = "Квота для кандасов составила 1 499 человек в 2022 году по всем регионам страны!"
    c = "Разрешения на работу выдают местные исполнительные органы."
    assert collapse([a, b, c], ["ru"] * 3) == [0, 2]


def test_rank_best_sentence_matches_query_terms_across_inflections():
    text = ("Первое предложение о погоде. Разрешения выдаёт Министерство труда. "
            "Третье предложение.")
    start, end = best_sentence(text, "министерства труда разрешение", "ru")
    assert text[start:end] == "Разрешения выдаёт Министерство труда."
    assert best_sentence("Без совпадений.", "квота", "ru") == (0, len("Без совпадений."))


def test_rank_keyword_evidence_counts_other_languages_only_on_neutral_terms():
    langs = {1: "ru", 2: "kk", 3: "ru", 4: "kk", 5: "en"}
    same, neutral = [2, 1, 4, 3], [4, 1, 5]
    assert keyword_evidence(same, neutral, langs, "ru") == [1, 3, 4, 5]
    assert keyword_evidence(same, neutral, langs, "kk") == [2, 4, 1, 5]
    assert keyword_evidence(same, neutral, langs, None) == same


@given(st.lists(st.integers(0, 30), unique=True), st.lists(st.integers(0, 30), unique=True),
       st.sampled_from(["kk", "ru", "en"]))
def test_rank_keyword_evidence_property(same, neutral, query_lang):
    langs = {i: ("kk", "ru", "en")[i % 3] for i in range(31)}
    out = keyword_evidence(same, neutral, langs, query_lang)
    assert [i for i in out if langs[i] == query_lang] == [i for i in same
                                                          if langs[i] == query_lang]
    assert all(i in neutral for i in out if langs[i] != query_lang)


def test_rank_neutral_terms_keep_numbers_and_codes():
    assert neutral_terms("Закон № 477-IV от 22 июля 2011 года") == "477-IV 2011"
    assert neutral_terms("квота для кандасов") == ""
    assert neutral_terms("статьи 101, 102, 103 и 104 Кодекса") == ""  # a passage, not a code
    assert neutral_terms("Закон 477-IV " + "и так далее " * 6) == ""  # long: not a look-up
