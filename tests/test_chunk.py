from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.chunk import ChunkSettings, chunk_document
from nlp.records import Block, Document, Page

KK = "Қандастар квотасы 1 499 адамды құрады. Көші-қон саясатын министрлік жүзеге асырады."
RU = "Квота для кандасов составила 1 499 человек. Министерство реализует политику."


def _doc(pages: list[list[tuple[str, str, str]]]) -> Document:
    return Document("d", "d.pdf", "0", [
        Page(n, [Block(t, lang=lang, kind=kind) for t, lang, kind in blocks])
        for n, blocks in enumerate(pages, 1)])


def test_chunk_never_mixes_languages_and_keeps_sections():
    doc = _doc([[("Кіріспе", "kk", "heading"), (KK, "kk", "body"), (RU, "ru", "body")],
                [("Итоги", "ru", "heading"), (RU, "ru", "body")]])
    chunks = chunk_document(doc)
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
    from nlp.language import segment_languages

    text = ("This paper studies return migration to Kazakhstan. "
            "Бұл мақалада қандастардың көші-қоны зерттеледі. "
            "В статье изучается этническая репатриация.")
    block = Block(text, lang="en", segments=[(s.start, s.end, s.lang)
                                             for s in segment_languages(text)])
    doc = Document("m", "m.pdf", "0", [Page(1, [block])])
    chunks = chunk_document(doc)
    assert [c.lang for c in chunks] == ["en", "kk", "ru"]
    assert all(doc.text[c.start:c.end] == c.text for c in chunks)
