from __future__ import annotations

import pytest

from nlp.language import detect_batch, detect_language


@pytest.mark.parametrize("text,lang", [
    ("Қазақстан Республикасының Үкіметі көші-қон саясатын жүзеге асырады.", "kk"),
    ("Кандас мәртебесі 2021 жылы 17 540 этникалық қазаққа берілді.", "kk"),
    ("Бiлгiм келедi.", "kk"),  # Latin i standing in for Kazakh і
    ("В 2021 году статус кандаса получили 17 540 этнических казахов.", "ru"),
    ("Президент Қасым-Жомарт Тоқаев подписал закон о миграции населения.", "ru"),
    ("Министерство труда и социальной защиты населения", "ru"),
    ("The regional quota for kandas was 941 people in 2021.", "en"),
    ("Labour migration", "en"),
    ("12.5 %", "und"),
    ("https://example.org/a/b?c=1", "und"),
    ("", "und"),
])
def test_language_ordinary_sentences(text: str, lang: str):
    assert detect_language(text) == lang


def test_language_batch_matches_single():
    texts = ["Аңдатпа", "Аннотация", "Abstract", "42"]
    assert detect_batch(texts) == [detect_language(t) for t in texts]
