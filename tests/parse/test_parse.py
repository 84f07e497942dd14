from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import TEXTS, make_pdf

from nlp.errors import ParseError
from nlp.parse.document import ParseSettings, body_text, parse_pdf

NO_OCR = ParseSettings(ocr="off")


def html_pdf(path: Path, pages: list[list[tuple[tuple, str]]], metadata: dict | None = None,
             size: tuple[float, float] = (595, 842)) -> Path:
    """A PDF whose pages hold HTML boxes: ``pages[i] = [((x0, y0, x1, y1), html), ...]``."""
    import pymupdf

    pdf = pymupdf.open()
    for boxes in pages:
        page = pdf.new_page(width=size[0], height=size[1])
        for rect, html in boxes:
            page.insert_htmlbox(pymupdf.Rect(*rect), html)
    if metadata:
        pdf.set_metadata(metadata)
    pdf.save(path)
    pdf.close()
    return path


def break_tounicode(path: Path) -> Path:
    """Rewrite the fonts' ToUnicode maps so Cyrillic decodes as Latin-1 mojibake.

    The glyphs still show Cyrillic (what OCR reads); the text layer says "Ìèãðàöèÿ".
    """
    import pymupdf

    pdf = pymupdf.open(path)
    for xref in range(1, pdf.xref_length()):
        m = re.search(r"/ToUnicode (\d+) 0 R", pdf.xref_object(xref))
        if m:
            cmap = pdf.xref_stream(int(m.group(1))).decode("latin-1")
            pdf.update_stream(int(m.group(1)), re.sub(r"<(0[45][0-9a-fA-F]{2})>", _shift,
                                                      cmap).encode("latin-1"))
    out = path.with_name(path.stem + "_broken.pdf")
    pdf.save(out)
    return out


def _shift(m: re.Match) -> str:
    code = int(m.group(1), 16)
    return f"<{0xC0 + (code - 0x410) % 64:04x}>"


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
    assert {p.method for p in doc.pages} == {"text"}
    assert all(p.quality > 0.9 and not p.flags for p in doc.pages)


def test_parse_two_columns_read_left_column_first(tmp_path: Path):
    path = html_pdf(tmp_path / "cols.pdf", [[
        ((50, 40, 550, 80), "<h1>Full width title</h1>"),
        ((50, 100, 290, 700), "<p>Left one.</p><p>Left two.</p>"),
        ((310, 100, 550, 700), "<p>Right one.</p><p>Right two.</p>")]])
    texts = [b.text for b in parse_pdf(path).pages[0].blocks]
    assert texts == ["Full width title", "Left one.", "Left two.", "Right one.", "Right two."]


def test_parse_running_headers_removed_and_kept_in_meta(tmp_path: Path):
    pages = [[((50, 20, 550, 45), "<p>Migration Review · 2023</p>"),
              ((50, 100, 550, 300), f"<p>Body text of page {n}.</p>"),
              ((280, 800, 320, 830), f"<p>{n}</p>")] for n in (1, 2, 3)]
    doc = parse_pdf(html_pdf(tmp_path / "run.pdf", pages))
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


def test_parse_body_text_is_what_chunking_reads(tmp_path: Path):
    from nlp.text.chunk import chunk_document

    path = make_pdf(tmp_path / "two.pdf", TEXTS["ru"] + TEXTS["en"], pages=2)
    doc = parse_pdf(path)
    text = body_text(doc)
    assert text.count("\f") == 1 and text == doc.text
    assert all(c.text in text for c in chunk_document(doc))


def test_parse_cli_text_prints_form_feed_pages(tmp_path: Path):
    from click.testing import CliRunner

    from nlp.app.cli import main

    path = make_pdf(tmp_path / "cli.pdf", TEXTS["kk"], pages=2)
    result = CliRunner().invoke(main, ["parse", str(path), "--text", "--ocr", "off"])
    assert result.exit_code == 0, result.output
    pages = result.output.rstrip("\n").split("\f")
    assert len(pages) == 2 and pages[0].startswith("Қандастарға арналған квота")


def test_parse_cli_wrong_password_is_one_line(tmp_path: Path):
    from click.testing import CliRunner

    from nlp.app.cli import main

    path = _locked(tmp_path)
    result = CliRunner().invoke(main, ["parse", str(path), "--password", "nope"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "wrong password" in result.output
    ok = CliRunner().invoke(main, ["parse", str(path), "--password", "user", "--text"])
    assert ok.exit_code == 0 and "Закон о миграции" in ok.output


def _locked(tmp_path: Path) -> Path:
    import pymupdf

    pdf = pymupdf.open()
    pdf.new_page().insert_htmlbox(pymupdf.Rect(50, 50, 500, 200), "<p>Закон о миграции.</p>")
    pdf.save(tmp_path / "locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256,
             owner_pw="owner", user_pw="user")
    return tmp_path / "locked.pdf"


def test_parse_encrypted_pdf_needs_password(tmp_path: Path):
    path = _locked(tmp_path)
    with pytest.raises(ParseError, match="encrypted") as err:
        parse_pdf(path)
    assert err.value.kind == "encrypted" and "--password" in str(err.value)
    with pytest.raises(ParseError, match="wrong password") as err:
        parse_pdf(path, password="guess")
    assert err.value.kind == "wrong_password"
    assert "Закон о миграции." in parse_pdf(path, password="user").text


def test_parse_broken_blocks_stay_out_of_chunks_unless_kept(tmp_path: Path):
    from nlp.text.chunk import ChunkSettings, chunk_document

    path = html_pdf(tmp_path / "layer.pdf", [[
        ((50, 50, 550, 300), "<p>" + TEXTS["ru"][0][1] + "</p>")]])
    doc = parse_pdf(break_tounicode(path), settings=NO_OCR)
    block = doc.pages[0].blocks[0]
    assert "broken" in block.flags and block.quality < 0.5
    assert doc.pages[0].flags == ["needs_ocr"] and doc.meta["needs_ocr"] == [1]
    assert chunk_document(doc) == [] and body_text(doc) == ""
    kept = chunk_document(doc, ChunkSettings(keep_broken=True))
    assert kept and kept[0].text in doc.text
    assert body_text(doc, keep_broken=True) == doc.text
