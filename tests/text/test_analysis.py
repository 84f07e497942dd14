from __future__ import annotations

import pytest

from nlp.text.stem_kk import stem
from nlp.text.terms import terms


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


@pytest.mark.parametrize("query,text", [
    ("the Bolashak scholarship", "1993 жылы тағайындалған «Болашақ» халықаралық стипендиясы"),
    ("the Bolashak scholarship", "стипендиаты программы «Болашак» обязаны вернуться"),
    ("стипендиаты Болашака", "many Bolashak's graduates return"),
    ("Serpin programme", "«Серпінге» қатысушылар солтүстікке барады"),
    ("Нур-Султане", "Кездесу Нұр-Сұлтанда өтті"),
    ("Tokayev said", "по словам Токаева"),
    ("Kazakhstan", "барлық Қазақстанның азаматтары"),
    ("Kazakhstan", "граждане Казахстана"),
    ("Алматыда", "universities in Almaty"),
])
def test_analysis_names_meet_across_scripts_and_inflections(query: str, text: str):
    from nlp.text.terms import name_keys, name_prefixes

    keys = name_keys(text)
    assert any(k.startswith(p) for p in name_prefixes(query) for k in keys), (query, keys)


def test_analysis_names_are_capitalised_words_of_four_letters_or_more():
    from nlp.text.terms import name_keys, name_prefixes

    assert name_keys("квота для кандасов и ООН, Tom and Ali") == []  # lower case, too short
    assert name_keys("Қазақша сөйле. «Серпін» және Астана") == ["xnserpin", "xnastana"]
    assert name_prefixes("Болон процесі") != name_prefixes("Bologna Process")  # a translation
    assert not any(k.startswith(p) for p in name_prefixes("Uzbekistan")
                   for k in name_keys("Өзбекстан азаматтары"))  # another word, not a spelling
