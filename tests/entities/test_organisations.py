"""The gate on the NER models' ORG spans: names of organisations pass, the rest does not."""

from __future__ import annotations

import pytest

from nlp.entities.rules.organisations import looks_like_organisation, markup_end


@pytest.mark.parametrize("text", [
    "Ministry of Labour and Social Protection of the Population", "Al-Farabi Kazakh National "
    "University", "Central State Museum", "IOM", "МВД РК", "Национальный архив Республики "
    "Казахстан", "Казахского национального университета имени Аль-Фараби",
    "Көші-қон қызметі комитеті", "Еңбек министрлігі", "Eurasian Economic Commission",
    "the Presidential Administration",  # OntoNotes spans keep "the"
])
def test_organisations_pass(text):
    assert looks_like_organisation(text)


@pytest.mark.parametrize("text", [
    "Kazakh", "Islam", "Turkic", "Telegram", "Women's Rights", "the Russian Civil War",
    "Nasimova et al.", "Almaty", "правительство", "казахской интеллигенции", "ЛГБТКИА+",
    "JEL", "Kazakhstan’s Gender Data Research Guide", "Центральной Азии", "Social Protection",
    "РК", "I. MODERN EFFECTIVE STATE",  # a country's abbreviation; a heading in capitals
])
def test_non_organisations_fail(text):
    assert not looks_like_organisation(text)


def test_markdown_link_syntax_ends_a_span():
    text = "National Archive of the Republic of Kazakhstan](/sources/archive)"
    assert text[:markup_end(text)] == "National Archive of the Republic of Kazakhstan"
    assert markup_end("Plain name") == len("Plain name")
