"""Legal acts: articles, chapters, table of contents and editors' notes; chunks follow them."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.app.show import where
from nlp.errors import UserError
from nlp.parse.document import parse_pdf
from nlp.records import Hit
from nlp.search.request import make_request
from nlp.text import legal
from nlp.text.chunk import ChunkSettings, chunk_document

RU = """## Оглавление

ГЛАВА 1. Общие положения

Статья 1. Основные понятия

Статья 2. Сфера действия

Статья 19-1. Компетенция местных органов

# О беженцах

Настоящий Закон определяет правовое положение лиц, ищущих убежище.

## ГЛАВА 1 Общие положения

### Статья 1. Основные понятия

В настоящем Законе используются следующие основные понятия: беженец - иностранец, который \
не может пользоваться защитой своей страны.

3) исключен Законом РК от 13.05.2020 № 327-VI;

Сноска. Статья 1 с изменениями, внесенными законами РК от 29.01.2013 № 74-V.

### Статья 2. Сфера действия

Закон применяется ко всем лицам.

### Статья 19-1. Компетенция местных органов

Местные исполнительные органы выдают удостоверение беженца в течение пяти рабочих дней.
"""

KK = """1-бап. Негізгі ұғымдар

2-бап. Қолданылу аясы

3-бап. Заңнама

# Босқындар туралы

      РҚАО-ның ескертпесі!

      ҚР Заңының қолданысқа енгізілу тәртібін 21-баптан қараңыз.

## 1-бап. Негізгі ұғымдар

Осы Заңда мынадай негізгі ұғымдар пайдаланылады: босқын - шетелдік.

      Ескерту. 1-бапқа өзгерту енгізілді - ҚР 2010.12.29 N 372-IV Заңымен.

## 2-бап. Қолданылу аясы

Осы Заң барлық адамдарға қолданылады.

## 3-бап. Заңнама

Босқындар туралы заңнама Конституцияға негізделеді.
"""


def law(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_pdf(path)


def test_legal_heading_reads_articles_and_chapters_in_three_languages():
    assert legal.heading("Статья 19-1. Компетенция местных органов") == (
        "article", "19-1", "Компетенция местных органов")
    assert legal.heading("37-бап. Тіркеу") == ("article", "37", "Тіркеу")
    assert legal.heading("Article 5. Scope") == ("article", "5", "Scope")
    assert legal.heading("ГЛАВА 2 Приобретение гражданства") == (
        "chapter", "2", "Приобретение гражданства")
    assert legal.heading("3-тарау Азаматтықты тоқтату")[:2] == ("chapter", "3")
    assert legal.heading("II бөлiм. Негiзгi құқықтар")[:2] == ("chapter", "II")  # Latin i
    assert legal.heading("Статья 5 Закона устанавливает порядок " + "x" * 400) is None


@pytest.mark.parametrize("query, article", [
    ("Статья 12. Гражданство ребенка при различном гражданстве родителей При различном "
     "гражданстве родителей, один из которых к моменту рождения ребенка состоял", "12"),
    ("19-1-бап. Босқын куәлігі", "19-1"),
    ("статья 37 закона о миграции", "37"), ("ст. 37", "37"), ("37-бабы бойынша", "37"),
    ("Art. 5 work permits", "5"), ("what does article 19-1 say", "19-1"),
    ("work permits in 2021", None), ("статьи 5 и 7 Закона", None),
    ("в 2015 году принято 12 законов", None),
    ("Трудовые мигранты, в соответствии со статьей 5 настоящего Закона, имеют право на "
     "получение разрешения и на продление его срока в порядке, установленном", None),
])
def test_legal_cited_article_of_a_query(query, article):
    """A pasted article or a short question naming one; not a passage that refers in passing."""
    assert legal.cited_article(query) == article


def test_legal_structure_keeps_contents_and_notes_out_of_the_body(tmp_path: Path):
    doc = law(tmp_path, "law_ru.md", RU)
    kinds = [(b.kind, b.text[:12]) for p in doc.pages for b in p.blocks]
    assert [k for k, _ in kinds[:5]] == ["toc"] * 5  # the title «Оглавление» too
    act = doc.meta["legal"]
    assert [(a["number"], a["title"], a["chapter"]) for a in act["articles"]] == [
        ("1", "Основные понятия", "1"), ("2", "Сфера действия", "1"),
        ("19-1", "Компетенция местных органов", "1")]
    assert [(n["article"], n["acts"]) for n in act["notes"]] == [("1", ["327-VI"]),
                                                                   ("1", ["74-V"])]
    assert doc.meta["title"] == "О беженцах"  # not «Оглавление»


def test_legal_structure_reads_a_kazakh_act_with_an_editors_note(tmp_path: Path):
    doc = law(tmp_path, "law_kk.md", KK)
    act = doc.meta["legal"]
    assert [a["number"] for a in act["articles"]] == ["1", "2", "3"]
    assert len(act["notes"]) == 3 and act["notes"][2]["acts"] == ["372-IV"]
    notes = [b.text.strip() for p in doc.pages for b in p.blocks if b.kind == "note"]
    assert notes[1].startswith("ҚР Заңының")  # the text of the editors' note


def test_legal_chunks_follow_articles_and_leave_notes_out(tmp_path: Path):
    for name, text in (("law_ru.md", RU), ("law_kk.md", KK)):
        doc = law(tmp_path, name, text)
        chunks = chunk_document(doc, ChunkSettings())
        assert not any("Сноска" in c.text or "Ескерту" in c.text or "исключен" in c.text
                       or "ескертпесі" in c.text for c in chunks)
        numbers = [a["number"] for a in doc.meta["legal"]["articles"]]
        assert [c.article for c in chunks if c.article] == numbers  # one chunk per short one
        for chunk in chunks:  # a chunk holds at most one article heading (a chapter's may go
            # with its first article)
            heads = [legal.heading(line) for line in chunk.text.split("\n\n")]
            assert sum(1 for h in heads if h and h[0] == "article") <= 1


def test_legal_structure_leaves_other_documents_alone(tmp_path: Path):
    doc = law(tmp_path, "paper.md", "# A paper\n\nArticle 5 of the law is discussed here.\n\n"
                                    "Сноска. Not a law.")
    assert "legal" not in doc.meta
    assert all(b.kind in ("body", "heading") for p in doc.pages for b in p.blocks)


def test_legal_hits_cite_the_article():
    hit = Hit(1, 0.5, "law_ru", "/x.md", "О беженцах", 1, 1, "ru", "law_ru:c0001", "...", "37")
    assert where(hit) == "ст. 37"
    assert where(Hit(1, 0.5, "d", "/x", "", 4, 5, "en", "d:c1", "...")) == "p.4-5"
    kk = Hit(1, 0.5, "law_kk", "/x.md", "", 1, 1, "kk", "law_kk:c0001", "...", "19-1")
    assert where(kk) == "19-1-бап"


def test_legal_search_by_article_and_by_the_act_itself(tmp_path: Path):
    from nlp.ingestion.local import ingest
    from nlp.search.engine import open_index

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "refugees_ru.md").write_text(RU, encoding="utf-8")
    (docs / "refugees_kk.md").write_text(KK, encoding="utf-8")
    (docs / "paper_en.md").write_text("# A paper\n\nThe Law on Refugees (No. 216-IV) protects "
                                      "asylum seekers.\n", encoding="utf-8")
    ingest([docs], index=tmp_path / "idx", model="test/hash-64", progress=False)
    with open_index(tmp_path / "idx") as idx:
        hits = idx.search("удостоверение", k=10, article="ст. 19-1", mode="keyword")
        assert hits and {(h.doc_id, h.article) for h in hits} == {("refugees_ru", "19-1")}
        act = idx.search("refugees", k=50, entity="LAW:law:216-IV", mode="dense")
        assert {h.doc_id for h in act} == {"refugees_ru", "refugees_kk", "paper_en"}
        both = idx.search("ұғымдар", k=50, entity="LAW:law:216-IV", article=1, mode="dense")
        assert {(h.doc_id, h.article) for h in both} == {("refugees_ru", "1"), ("refugees_kk", "1")}
        assert {(h.doc_id, h.act, tuple(h.also_in)) for h in both} == {
            ("refugees_ru", "law:216-IV", ("refugees_kk",)),
            ("refugees_kk", "law:216-IV", ("refugees_ru",))}  # the act's other text
        meta = idx.documents().set_index("doc_id")
        assert set(meta.index) == {"refugees_ru", "refugees_kk", "paper_en"}
    with pytest.raises(UserError, match="An article is a number"):
        make_request("x", article="first")


@pytest.mark.parametrize("name, text, title", [
    ("hdr_ru.md", "# ЗАКОН\n\nЗакон Республики Казахстан от 22 июля 2011 года № 477-IV\n\n"
                  "О миграции населения\n\n## Статья 1. Понятия\n\nТекст.\n\n## Статья 2. Сфера\n\n"
                  "Текст.", "О миграции населения"),
    ("hdr_kk.md", "Қазақстан Республикасының 2011 жылғы 22 шілдедегі № 477-IV Заңы\n\n"
                  "Халықтың көші-қоны туралы\n\n## 1-бап. Ұғымдар\n\nМәтін.\n\n## 2-бап. Аясы\n\n"
                  "Мәтін.", "Халықтың көші-қоны туралы"),
])
def test_legal_act_knows_itself_from_its_header(tmp_path: Path, name, text, title):
    from nlp.ingestion.pipeline import analyse_document

    doc = law(tmp_path, name, text)
    analyse_document(doc, ChunkSettings())
    assert (doc.meta["legal"]["act"], doc.meta["legal"]["norm"], doc.meta["title"]) == (
        "law:477-IV", "law:477-IV:2011-07-22", title)


def test_legal_notes_and_act_groups_in_the_notebook_api(tmp_path: Path):
    from nlp.ingestion.local import ingest
    from nlp.search.engine import open_index

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "refugees_ru.md").write_text(RU, encoding="utf-8")
    (docs / "refugees_kk.md").write_text(KK, encoding="utf-8")
    ingest([docs], index=tmp_path / "idx", model="test/hash-64", progress=False)
    with open_index(tmp_path / "idx") as idx:
        documents = idx.documents()
        assert dict(zip(documents["doc_id"], documents["act"], strict=True)) == {
            "refugees_kk": "law:216-IV", "refugees_ru": "law:216-IV"}
        notes = idx.notes(doc="refugees_ru", article="ст. 1")
        assert list(notes["acts"]) == [["327-VI"], ["74-V"]]
        assert len(idx.notes()) == 5 and idx.notes(article=2).empty


def test_legal_later_parts_of_an_article_are_embedded_under_its_heading(tmp_path: Path):
    import numpy as np
    from conftest import HashEmbedder

    from nlp.ingestion.local import ingest
    from nlp.ingestion.pipeline import embed_input, embed_pairs
    from nlp.search.engine import open_index

    assert embed_input("2. Текст.", "Статья 5. Права", "5") == "Статья 5. Права\n2. Текст."
    assert embed_input("Статья 5. Права 1. Текст.", "Статья 5. Права", "5").startswith("Статья 5.")
    assert embed_input("Plain text.", "Introduction", "") == "Plain text."
    long = RU.replace("Закон применяется ко всем лицам.",
                      "\n\n".join(f"{i}. Закон применяется к лицам группы {i}." * 8
                                  for i in range(1, 6)))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "law.md").write_text(long, encoding="utf-8")
    report = ingest([tmp_path / "docs"], index=tmp_path / "idx", model="test/hash-64",
                    progress=False)
    with open_index(tmp_path / "idx") as idx:
        chunks = idx.chunks()
        later = chunks[(chunks["article"] == "2") & ~chunks["text"].str.startswith("Статья 2")]
        assert len(later)  # the long article took several chunks
        row = later.iloc[0]
        stored = idx.store.vectors_for(np.array(idx.store.ids_where(
            "c.chunk_id = ?", [row["chunk_id"]])), 64)[0]
        want = HashEmbedder().embed_passages([row["section"] + "\n" + row["text"]])[0]
        assert np.allclose(stored, want)
        key, text = embed_pairs([row.to_dict()])[0]
        assert text.startswith("Статья 2.") and key != row["sha256"]
    again = ingest([tmp_path / "docs"], index=tmp_path / "idx", model="test/hash-64",
                   progress=False)
    assert again.skipped == report.added
