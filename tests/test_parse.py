from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TEXTS, make_pdf

from nlp.errors import ParseError
from nlp.parse import parse_pdf


def test_parse_pdf_blocks_pages_and_languages(tmp_path: Path):
    path = make_pdf(tmp_path / "mixed.pdf", TEXTS["kk"] + TEXTS["ru"], title="Mixed", pages=2)
    doc = parse_pdf(path)
    assert [p.number for p in doc.pages] == [1, 2]
    assert doc.title == "Mixed"
    assert doc.meta["langs"] == ["kk", "ru"]
    first = doc.pages[0].blocks
    assert first[0].kind == "heading" and first[0].text == "Қандастарға арналған квота"
    assert {b.lang for b in first} == {"kk"}
    assert {b.lang for b in doc.pages[1].blocks} == {"ru"}
    assert all(b.bbox[2] > b.bbox[0] for p in doc.pages for b in p.blocks)
    assert "әлеуметтік" in doc.text  # Kazakh letters survive extraction


def test_parse_two_columns_read_left_column_first(tmp_path: Path):
    import pymupdf

    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_htmlbox(pymupdf.Rect(50, 40, 550, 80), "<h1>Full width title</h1>")
    page.insert_htmlbox(pymupdf.Rect(50, 100, 290, 700), "<p>Left one.</p><p>Left two.</p>")
    page.insert_htmlbox(pymupdf.Rect(310, 100, 550, 700), "<p>Right one.</p><p>Right two.</p>")
    pdf.save(tmp_path / "cols.pdf")
    texts = [b.text for b in parse_pdf(tmp_path / "cols.pdf").pages[0].blocks]
    assert texts == ["Full width title", "Left one.", "Left two.", "Right one.", "Right two."]


def test_parse_running_headers_removed_and_kept_in_meta(tmp_path: Path):
    import pymupdf

    pdf = pymupdf.open()
    for n in range(1, 4):
        page = pdf.new_page()
        page.insert_htmlbox(pymupdf.Rect(50, 20, 550, 45), "<p>Migration Review · 2023</p>")
        page.insert_htmlbox(pymupdf.Rect(50, 100, 550, 300), f"<p>Body text of page {n}.</p>")
        page.insert_htmlbox(pymupdf.Rect(280, 800, 320, 830), f"<p>{n}</p>")
    pdf.save(tmp_path / "run.pdf")
    doc = parse_pdf(tmp_path / "run.pdf")
    assert [b.text for p in doc.pages for b in p.blocks] == [
        f"Body text of page {n}." for n in (1, 2, 3)]
    assert "Migration Review · 2023" in doc.meta["running"]


def test_parse_text_and_markdown_are_one_page(tmp_path: Path):
    md = tmp_path / "note.md"
    md.write_text("# Кандас\n\nЭтникалық қазақтар елге оралуда.\n\nSecond paragraph here.\n")
    doc = parse_pdf(md)
    assert len(doc.pages) == 1
    assert doc.title == "Кандас"
    assert [b.kind for b in doc.pages[0].blocks] == ["heading", "body", "body"]
    assert [b.lang for b in doc.pages[0].blocks][1:] == ["kk", "en"]


@pytest.mark.parametrize("name,content,reason", [
    ("empty.pdf", b"", "empty file"),
    ("page.pdf", b"<html><body>not a pdf</body></html>", "not a PDF"),
    ("cut.pdf", b"%PDF-1.7\n1 0 obj\n<<", "cannot open PDF"),
    ("table.xlsx", b"PK\x03\x04", "unsupported file type"),
])
def test_parse_bad_files_raise_parse_error(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ParseError, match=reason):
        parse_pdf(path)


def test_parse_encrypted_pdf_needs_password(tmp_path: Path):
    import pymupdf

    pdf = pymupdf.open()
    pdf.new_page().insert_htmlbox(pymupdf.Rect(50, 50, 500, 200), "<p>secret</p>")
    pdf.save(tmp_path / "locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256,
             owner_pw="owner", user_pw="user")
    with pytest.raises(ParseError, match="encrypted"):
        parse_pdf(tmp_path / "locked.pdf")
