from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.records import Block, Document, Page
from nlp.text.chunk import ChunkSettings, chunk_document

KK = "Қандастар квотасы 1 499 адамды құрады. Көші-қон саясатын министрлік жүзеге асырады."
RU = "Квота для кандасов составила 1 499 человек. Министерство реализует политику."


def _doc(pages: list[list[tuple[str, str, str]]]) -> Document:
    return Document("d", "d.pdf", "0", [
        Page(n, [Block(t, lang=lang, kind=kind) for t, lang, kind in blocks])
        for n, blocks in enumerate(pages, 1)])


def test_chunk_never_mixes_languages_and_keeps_sections():
    doc = _doc([[("Кіріспе", "kk", "heading"), (KK, "kk", "body"), (RU, "ru", "body")],
                [("Итоги", "ru", "heading"), (RU, "ru", "body")]])
    chunks = chunk_document(doc, ChunkSettings(min_chars=0))  # these runs are all small
    assert [(c.lang, c.section, c.page_start) for c in chunks] == [
        ("kk", "Кіріспе", 1), ("ru", "Кіріспе", 1), ("ru", "Итоги", 2)]
    assert chunks[0].text.startswith("Кіріспе\n\n")
    assert [c.chunk_id for c in chunks] == ["d:c0000", "d:c0001", "d:c0002"]


def test_chunk_overlap_and_size_limit():
    text = " ".join(f"Sentence number {i} talks about labour migration." for i in range(60))
    doc = _doc([[(text, "en", "body")]])
    chunks = chunk_document(doc, ChunkSettings(max_chars=300, overlap_chars=120))
    assert len(chunks) > 5
    assert all(len(c.text) <= 300 for c in chunks)
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert 0 < a.end - b.start <= 120  # the next chunk re-reads the end of this one


def test_chunk_hash_is_stable():
    doc = _doc([[(KK, "kk", "body")]])
    assert chunk_document(doc)[0].sha256 == chunk_document(doc)[0].sha256


words = st.text(alphabet="абвгәқңө xyzq.!?-", min_size=0, max_size=80)
blocks = st.lists(st.tuples(words, st.sampled_from(["kk", "ru", "en", "und"]),
                            st.sampled_from(["body", "body", "heading"])), max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.lists(blocks, min_size=1, max_size=4), st.integers(20, 200), st.integers(0, 60))
def test_chunk_property_chunks_cover_page_text_with_valid_offsets(pages, size, overlap):
    doc = _doc(pages)
    text = doc.text
    chunks = chunk_document(doc, ChunkSettings(max_chars=size, overlap_chars=overlap))
    covered = [False] * len(text)
    for c in chunks:
        assert 0 <= c.start < c.end <= len(text)
        assert text[c.start:c.end] == c.text
        assert 1 <= c.page_start <= c.page_end <= len(doc.pages)
        assert c.end - c.start <= size
        for i in range(c.start, c.end):
            covered[i] = True
    assert all(covered[i] for i, ch in enumerate(text) if not ch.isspace())


def test_chunk_splits_a_mixed_language_block_by_its_segments():
    from nlp.text.language import segment_languages

    text = ("This paper studies return migration to Kazakhstan. "
            "Бұл мақалада қандастардың көші-қоны зерттеледі. "
            "В статье изучается этническая репатриация.")
    block = Block(text, lang="en", segments=[(s.start, s.end, s.lang)
                                             for s in segment_languages(text)])
    doc = Document("m", "m.pdf", "0", [Page(1, [block])])
    chunks = chunk_document(doc)
    assert [c.lang for c in chunks] == ["en", "kk", "ru"]
    assert all(doc.text[c.start:c.end] == c.text for c in chunks)


RU_LONG = ("Министерство внутренних дел ведёт учёт иностранцев, прибывших на работу. "
           "Квота на привлечение иностранной рабочей силы утверждается ежегодно. ") * 2


def test_chunk_lone_headings_join_the_text_after_them():
    doc = _doc([[("Раздел III", "ru", "heading"), ("Президент", "ru", "heading"),
                 (RU_LONG, "ru", "body")]])
    (chunk,) = chunk_document(doc)
    assert chunk.text.startswith("Раздел III\n\nПрезидент\n\nМинистерство")
    assert (chunk.lang, chunk.section) == ("ru", "Раздел III")
    assert len(chunk_document(doc, ChunkSettings(min_chars=0))) == 2  # the old behaviour


def test_chunk_a_one_line_section_at_the_end_joins_the_previous_run():
    doc = _doc([[("Итоги", "ru", "heading"), (RU_LONG, "ru", "body"),
                 ("Вывод", "ru", "heading"), ("Квота выросла.", "ru", "body")]])
    (chunk,) = chunk_document(doc)
    assert chunk.text.endswith("Вывод\n\nКвота выросла.")


def test_chunk_a_short_foreign_fragment_joins_the_run_around_it():
    doc = _doc([[(RU_LONG, "ru", "body"), ("Commented [4]: NNG", "en", "body"),
                 (RU_LONG, "ru", "body")]])
    chunks = chunk_document(doc)
    assert {c.lang for c in chunks} == {"ru"}
    assert any("Commented [4]: NNG" in c.text for c in chunks)


def test_chunk_a_real_paragraph_in_another_language_keeps_its_own_chunk():
    doc = _doc([[(RU_LONG, "ru", "body"), (KK, "kk", "body"), (RU_LONG, "ru", "body")]])
    assert [c.lang for c in chunk_document(doc)] == ["ru", "kk", "ru"]  # KK: 84 characters


def test_chunk_a_small_run_never_joins_across_a_broken_block():
    broken = Block("Ãîñóäàðñòâåííàÿ ïðîãðàììà " * 4, lang="und", flags=["broken"])
    doc = Document("b", "b.pdf", "0", [Page(1, [Block(RU_LONG, lang="ru"), broken,
                                                Block("Квота выросла.", lang="ru")])])
    chunks = chunk_document(doc)
    assert [c.text for c in chunks][-1] == "Квота выросла."
    assert not any("Ã" in c.text for c in chunks)
