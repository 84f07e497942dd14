from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.search.rank import best_sentence, collapse, keyword_evidence, rrf
from nlp.text.terms import neutral_terms


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


def test_rank_offsets_draw_small_languages_to_the_common_mean():
    from nlp.search.rank import offsets

    # one chunk per language: each centroid is nearly the all-language mean
    one = offsets({"kk": (1, 0.9, 3, 1.8), "ru": (1, 0.3, 3, 1.8), "en": (1, 0.6, 3, 1.8)})
    assert max(one.values()) - min(one.values()) < 0.6 / 30
    big = offsets({"kk": (10_000, 0.9 * 10_000, 20_000, 12_000),
                   "ru": (10_000, 0.3 * 10_000, 20_000, 12_000)})
    assert big["kk"] == pytest.approx(0.9, abs=1e-3) and big["ru"] == pytest.approx(0.3, abs=1e-3)
    assert offsets({}) == {}


@given(st.lists(st.tuples(st.integers(0, 40), st.floats(-1, 1), st.sampled_from("abc")),
                unique_by=lambda t: t[0], max_size=20),
       st.dictionaries(st.sampled_from("abc"), st.floats(-1, 1)))
def test_rank_calibrated_orders_by_cosine_minus_language_offset(items, offset):
    from nlp.search.rank import calibrated

    dense = [(key, cos) for key, cos, _ in items]
    lang = {key: lg for key, _, lg in items}
    got = calibrated(dense, lang, offset)
    assert sorted(k for k, _ in got) == sorted(k for k, _ in dense)
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
    for key, score in got:
        assert score == pytest.approx(dict(dense)[key] - offset.get(lang[key], 0.0))


def test_rank_order_hybrid_scores_are_the_places_scores():
    from nlp.search.rank import Candidates, order

    found = Candidates(dense=[(1, 0.9), (2, 0.8), (3, 0.85)], lang={1: "en", 2: "en", 3: "kk"},
                       sums={"en": (1000, 800.0, 2000, 1500.0),
                             "kk": (1000, 700.0, 2000, 1500.0)},
                       same=[(2, -3.0)], neutral=[])
    dense = order(found, "dense", "en", 3)
    assert [k for k, _ in dense] == [3, 1, 2]  # kk's offset is lower: its cosine counts more
    hybrid = order(found, "hybrid", "en", 3)
    assert [h[1] for h in hybrid] == [s for _, s in dense]  # descending, as the places
    assert [found.lang[k] for k, _ in hybrid] == ["kk", "en", "en"]


def test_rank_order_hybrid_lifts_the_article_the_query_cites():
    from nlp.search.rank import Candidates, order

    found = Candidates(dense=[(1, 0.9), (2, 0.89), (3, 0.88)], lang={1: "kk", 2: "kk", 3: "kk"},
                       sums={"kk": (1000, 700.0, 2000, 1500.0)})
    assert [k for k, _ in order(found, "hybrid", "ru", 3)] == [1, 2, 3]
    found.article = {2}  # the chunk of the cited article
    assert [k for k, _ in order(found, "hybrid", "ru", 3)] == [2, 1, 3]
    assert [k for k, _ in order(found, "dense", "ru", 3)] == [1, 2, 3]  # dense stays plain
