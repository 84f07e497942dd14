from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nlp.rank import best_sentence, collapse, rrf


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
