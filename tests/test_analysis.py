from __future__ import annotations

import pytest

from nlp.analysis import terms
from nlp.stem_kk import stem


@pytest.mark.parametrize("forms,expected", [
    ("қандас қандастар қандастарға қандастардың қандастарының", "қандас"),
    ("министрлік министрлігі министрлігінің министрлігіне", "министрлік"),
    ("заң заңы заңына заңымен заңның заңдар", "заң"),
    ("квота квотасы квотаға квоталар квотасын", "квота"),
    ("азамат азаматтары азаматтарының азаматтарға", "азамат"),
    ("көші-қон көші-қонның көші-қонға", "көші-қон"),
    ("кітап кітабы кітабын", "кітап"),
    ("адам адамның адамдар адамдарға", "адам"),
    ("Қазақстан Қазақстанның Қазақстанға Қазақстаннан", "қазақстан"),
    ("университет университеттерінде университеттің", "университет"),
])
def test_stem_kk_real_word_forms_share_a_stem(forms: str, expected: str):
    assert {stem(w.lower()) for w in forms.split()} == {expected}


@pytest.mark.parametrize("word", ["және", "бала", "ел", "ана", "үшін", "туралы"])
def test_stem_kk_leaves_short_and_function_words(word: str):
    assert stem(word) == word


def test_analysis_russian_and_english_snowball_with_folding():
    assert terms("Миграции миграция МИГРАЦИЕЙ", "ru") == ["миграц"] * 3
    assert terms("Ёлка елка") == ["елк", "елк"]
    assert terms("permits permit Permitted", "en")[:2] == ["permit", "permit"]


def test_analysis_keeps_numbers_and_law_numbers_whole():
    assert terms("Закон № 477-IV от 2011 года", "ru") == ["закон", "477-iv", "от", "2011", "год"]


def test_analysis_picks_kazakh_stemmer_by_letters_in_other_texts():
    assert terms("Еңбек министрлігіне", "und") == ["еңбек", "министрлік"]
