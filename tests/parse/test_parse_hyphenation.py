"""Line-end hyphens: joined or kept from evidence (document, word lists, language)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from test_parse import NO_OCR, html_pdf

from nlp.parse.document import parse_pdf
from nlp.parse.hyphenation import dehyphenate, document_counts, keep_hyphen


@pytest.mark.parametrize("left,right,lang,expected", [
    ("exter", "nal", "en", "external"),
    ("миграци", "онной", "ru", "миграционной"),
    ("көші", "қон", "kk", "көші-қон"),
    ("socio", "economic", "en", "socio-economic"),
    ("Қазақ", "стан", "kk", "Қазақстан"),
    ("кто", "то", "ru", "кто-то"),
    ("Алматы", "Астана", "kk", "Алматы-Астана"),
    ("govern", "ment", "en", "government"),
    ("әлеуметтік", "экономикалық", "kk", "әлеуметтік-экономикалық"),
])
def test_parse_hyphenation_decisions(left: str, right: str, lang: str, expected: str):
    assert dehyphenate(f"a {left}-\n{right} b", Counter(), lang) == f"a {expected} b"


def test_parse_hyphenation_document_evidence_wins():
    """The same pair is joined or kept depending on how the rest of the document spells it."""
    joined = document_counts(["Мы изучаем трудоустройство мигрантов."])
    hyphen = document_counts(["Мы изучаем трудо-устройство мигрантов."])
    assert not keep_hyphen("трудо", "устройство", joined, "ru")
    assert keep_hyphen("трудо", "устройство", hyphen, "ru")


@pytest.mark.parametrize("text,expected", [
    ("в 2022—\n2026 годах", "в 2022—2026 годах"),
    ("in 2022-\n2026 the", "in 2022-2026 the"),
    ("the COVID-\n19 crisis", "the COVID-19 crisis"),
    ("migration —\nand more", "migration —\nand more"),
    ("soft\u00ad\nhyphen", "softhyphen"),
])
def test_parse_hyphenation_dashes_digits_and_soft_hyphens(text: str, expected: str):
    assert dehyphenate(text, Counter()) == expected


def test_parse_hyphenation_in_a_generated_pdf(tmp_path: Path):
    lines = ["Көші-қон туралы заң көші-", "қон саясатын және миграци-",
             "онной политики exter-", "nal factors in 2022—", "2026 жылдары."]
    path = html_pdf(tmp_path / "hy.pdf", [[((60, 60, 540, 400), "<p>" + "<br>".join(lines)
                                           + "</p>")]])
    text = parse_pdf(path, settings=NO_OCR).pages[0].blocks[0].text
    assert text == ("Көші-қон туралы заң көші-қон саясатын және миграционной политики "
                    "external factors in 2022—2026 жылдары.")


def test_parse_hyphenation_across_a_column_break(tmp_path: Path):
    path = html_pdf(tmp_path / "cols.pdf", [[
        ((40, 60, 290, 300), "<p>Трудовая миграция в Казахстане: иностранные работники и "
                             "государственное регули-</p>"),
        ((310, 60, 555, 300), "<p>рование рынка труда меняются.</p>")]])
    blocks = parse_pdf(path, settings=NO_OCR).pages[0].blocks
    assert " ".join(blocks[0].text.split()).endswith("государственное регулирование")
    assert blocks[1].text.startswith("рынка труда")
