from __future__ import annotations

import json

import pytest
from conftest import SHARED
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.text import language
from nlp.text.language import (
    LANGS,
    UND,
    LanguageIdentifier,
    detect_batch,
    detect_language,
    detect_with_confidence,
    document_languages,
    segment_languages,
)

SENTENCES = {
    "kk": "Қазақстан Республикасының Үкіметі көші-қон саясатын жүзеге асырады.",
    "ru": "Закон о миграции населения принят в 2011 году и регулирует эти отношения.",
    "en": "The regional quota for kandas was 941 people in 2021.",
}


@pytest.mark.parametrize("text,lang", [
    ("Қазақстан Республикасының Үкіметі көші-қон саясатын жүзеге асырады.", "kk"),
    ("Кандас мәртебесі 2021 жылы 17 540 этникалық қазаққа берілді.", "kk"),
    ("В 2021 году статус кандаса получили 17 540 этнических казахов.", "ru"),
    ("Министерство труда и социальной защиты населения", "ru"),
    ("The regional quota for kandas was 941 people in 2021.", "en"),
    ("Labour migration", "en"),
])
def test_language_ordinary_sentences(text: str, lang: str):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text,lang", [
    # Kazakh typed with Latin "i" for "і" (common in older legal texts)
    ("Бiлгiм келедi.", "kk"),
    ("Шетелдiктердiң құқықтық жағдайы туралы", "kk"),
    # Russian full of Kazakh names
    ("Президент Қасым-Жомарт Тоқаев подписал закон о миграции населения.", "ru"),
    ("Шыңғыс Қабдолла родился 17 марта 1974 года в Өскемен.", "ru"),
    # a quotation in another language does not make the sentence
    ("Закон Республики Казахстан «Халықтың көші-қоны туралы» принят в 2011 году.", "ru"),
    ("Бұл туралы «Закон о миграции населения» деп аталатын құжатта айтылған.", "kk"),
    ("The law «Халықтың көші-қоны туралы» was adopted in 2011 by the parliament.", "en"),
    # short titles and headings, in capitals too
    ("Көші-қон туралы заң", "kk"),
    ("НҰСҚАУЛЫҚ", "kk"),
    ("Аңдатпа", "kk"),
    ("Общие положения", "ru"),
    ("Abstract", "en"),
    # Kazakh in the 2021 and 2018 Latin alphabets
    ("Qazaqstan Respublikasynyñ Ükımetı köşı-qon saiasatyn jüzege asyrady.", "kk"),
    ("Ár oqýshynyń óz kompıýteri bar.", "kk"),
])
def test_language_hard_cases(text: str, lang: str):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", [
    "", "   ", "42", "12.5 %", "2021", "x = 2y + 3", "E = mc^2", "1) 2) 3)",
    "https://example.org/a/b?c=1", "info@example.kz", "www.gov.kz/memleket",
    "]üìÜüéê •ìê °ê£ë†£ûÜüéê",  # mojibake from a broken font encoding
])
def test_language_und_for_numbers_formulas_urls(text: str):
    assert detect_language(text) == UND
    assert detect_with_confidence(text) == (UND, 0.0)


def test_language_batch_matches_single():
    texts = ["Аңдатпа", "Аннотация", "Abstract", "42", *SENTENCES.values()]
    assert detect_batch(texts) == [detect_language(t) for t in texts]


def test_language_deterministic_across_calls():
    text = "Слушайте внимательно!"  # short: goes to the seeded n-gram model
    first = detect_with_confidence(text)
    detect_batch(["Ол келді.", "Где газета?", "Мен үйге бардым."])
    assert detect_with_confidence(text) == first
    fresh = LanguageIdentifier()
    assert (fresh.identify(text).lang, fresh.identify(text).p) == first


def test_language_confidence_is_calibrated_probability():
    for lang, text in SENTENCES.items():
        got, p = detect_with_confidence(text)
        assert got == lang and 0.95 < p <= 1.0
    short = detect_with_confidence("Ол")[1]
    long = detect_with_confidence(SENTENCES["kk"])[1]
    assert short < long  # two letters are weaker evidence than a sentence


def test_language_guess_says_which_rule_decided():
    ident = language.get_identifier()
    assert ident.identify(SENTENCES["kk"]).how == "kk-letters"
    assert ident.identify(SENTENCES["ru"]).how == "ru-words"
    assert ident.identify(SENTENCES["en"]).how == "en-words"
    assert ident.identify("Статья 98").how == "ngram"


def test_language_restricted_languages():
    kk_ru = LanguageIdentifier(("kk", "ru"))
    assert kk_ru.identify(SENTENCES["en"]).lang == UND  # no Latin language to choose from
    assert kk_ru.identify(SENTENCES["kk"]).lang == "kk"
    ru_en = LanguageIdentifier(("ru", "en"))
    assert ru_en.identify(SENTENCES["kk"]).lang == "ru"  # the only Cyrillic choice
    with pytest.raises(ValueError, match="two languages"):
        LanguageIdentifier(("kk",))


def test_language_prior_shifts_close_calls():
    text = "Топаз"
    assert LanguageIdentifier(prior={"kk": 1e6}).identify(text).lang == "kk"
    assert LanguageIdentifier(prior={"ru": 1e6}).identify(text).lang == "ru"


def test_language_min_confidence_gives_und():
    strict = LanguageIdentifier(min_confidence=0.999999)
    assert strict.identify("Топаз").lang == UND
    assert strict.identify(SENTENCES["kk"] * 3).lang in (UND, "kk")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_language_any_text_gives_a_code_and_probability(text: str):
    lang, p = detect_with_confidence(text)
    assert lang in (*LANGS, UND)
    assert 0.0 <= p <= 1.0
    assert (p == 0.0) == (lang == UND)


def test_language_segments_split_a_mixed_block():
    parts = ["The law on migration was adopted in 2011. ",
             "Көші-қон туралы заң 2011 жылы қабылданды. Заң 2022 жылы өзгертілді. ",
             "Закон о миграции населения принят в 2011 году."]
    text = "".join(parts)
    segs = segment_languages(text)
    assert [s.lang for s in segs] == ["en", "kk", "ru"]
    assert [text[s.start:s.end] for s in segs] == parts


def test_language_segments_keep_one_language_whole():
    text = "Закон принят в 2011 году. Ст. 5. Он регулирует миграцию населения."
    segs = segment_languages(text)
    assert len(segs) == 1 and (segs[0].start, segs[0].end) == (0, len(text))
    assert segs[0].lang == detect_language(text) == "ru"
    assert segment_languages("")[0].lang == UND


_POOL = [*SENTENCES.values(), "Ол келді.", "42.", "Где газета?", "\n", " ", "Ст. 5.",
         "«Цитата» в тексте.", "See https://example.org.", "Біз\nжұмыс\nістейміз."]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_POOL), max_size=8), st.sampled_from(["", " ", "\n"]))
def test_language_segments_tile_the_text(parts: list[str], sep: str):
    text = sep.join(parts)
    segs = segment_languages(text)
    assert segs and segs[0].start == 0 and segs[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(segs, segs[1:], strict=False))
    assert all(a.lang != b.lang for a, b in zip(segs, segs[1:], strict=False))
    assert all(s.lang in (*LANGS, UND) and 0.0 <= s.p <= 1.0 for s in segs)


def test_language_document_main_and_present_languages():
    blocks = [(SENTENCES["ru"] * 10, "ru"), (SENTENCES["kk"] * 3, "kk"), ("Abstract", "en"),
              ("42", UND)]
    main, langs = document_languages(blocks)
    assert main == "ru"
    assert langs == ["ru", "kk"]  # one English word is not an English part
    assert document_languages([("12", UND)]) == (UND, [])
    assert document_languages(blocks, min_share=0.0, min_letters=1)[1] == ["ru", "kk", "en"]


def test_language_profiles_are_small_langdetect_profiles():
    for name in ("kk", "kk-Latn", "ru", "en"):
        path = language.DATA / f"{name}.json"
        profile = json.loads(path.read_text(encoding="utf-8"))
        assert profile["name"] == name and len(profile["n_words"]) == 3
        assert 1000 < len(profile["freq"]) < 20000
        assert path.stat().st_size < 300_000
    manifest = json.loads((language.DATA / "MANIFEST.json").read_text(encoding="utf-8"))
    # the command that built them: before scripts/ became a package, or after
    assert manifest["command"].startswith(("python scripts/build_langid.py",
                                           "python -m scripts.build_langid"))
    assert set(manifest["outputs"]) >= {"kk.json", "kk-Latn.json", "calibration.json"}


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "langid").is_dir(), reason="needs ../shared/data")
def test_language_held_out_dev_sentences():
    import csv

    with (SHARED / "langid" / "langid_kk_ru_en.dev.tsv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["lang"] in LANGS
                and len(r["text"]) >= 20]
    got = detect_batch(r["text"] for r in rows)
    for lang in LANGS:
        pairs = [(r, g) for r, g in zip(rows, got, strict=True) if r["lang"] == lang]
        assert sum(r["lang"] == g for r, g in pairs) / len(pairs) >= 0.99, lang
