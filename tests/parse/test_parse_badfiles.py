"""Bad files end in a typed ParseError or a partial result, never another exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TEXTS, make_pdf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.errors import ParseError
from nlp.parse.document import ParseSettings, parse_pdf

ZERO_PAGES = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
              b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
              b"trailer << /Root 1 0 R >>\n%%EOF\n")


@pytest.mark.parametrize("name,content,kind,reason", [
    ("empty.pdf", b"", "empty", "empty file"),
    ("blank.pdf", b"  \n\t ", "empty", "empty file"),
    ("page.pdf", b"<!DOCTYPE html><html><body>Access denied</body></html>", "not_pdf",
     "HTML page"),
    ("data.pdf", b"PK\x03\x04 a zip archive", "not_pdf", "no %PDF header"),
    ("cut.pdf", b"%PDF-1.7\n1 0 obj\n<<", "corrupt", "cannot open PDF"),
    ("none.pdf", ZERO_PAGES, "no_pages", "no pages"),
    ("table.xlsx", b"PK\x03\x04", "unsupported", "unsupported file type"),
])
def test_parse_badfiles_raise_typed_errors(tmp_path: Path, name: str, content: bytes,
                                           kind: str, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ParseError, match=reason) as err:
        parse_pdf(path)
    assert err.value.kind == kind


def test_parse_badfiles_missing_file(tmp_path: Path):
    with pytest.raises(ParseError, match="no such file") as err:
        parse_pdf(tmp_path / "gone.pdf")
    assert err.value.kind == "missing"


def test_parse_badfiles_truncated_pdf_is_partial_or_typed(tmp_path: Path):
    good = make_pdf(tmp_path / "good.pdf", TEXTS["kk"] + TEXTS["ru"] + TEXTS["en"], pages=4)
    data = good.read_bytes()
    for cut in (0.3, 0.6, 0.9):
        path = tmp_path / f"cut{cut}.pdf"
        path.write_bytes(data[: int(len(data) * cut)])
        try:
            doc = parse_pdf(path, settings=ParseSettings(ocr="off"))
        except ParseError as err:
            assert err.kind in ("corrupt", "no_pages")
        else:
            assert 1 <= len(doc.pages) <= 4


def test_parse_badfiles_page_limit_gives_a_partial_result(tmp_path: Path):
    path = make_pdf(tmp_path / "long.pdf", TEXTS["ru"] * 12, pages=12)
    doc = parse_pdf(path, settings=ParseSettings(max_pages=5, ocr="off"))
    assert len(doc.pages) == 5
    assert doc.meta["partial"] == {"reason": "max_pages", "pages_read": 5, "page_count": 12}


def test_parse_badfiles_deadline_gives_a_partial_result(tmp_path: Path):
    path = make_pdf(tmp_path / "slow.pdf", TEXTS["en"] * 6, pages=6)
    doc = parse_pdf(path, settings=ParseSettings(deadline_s=1e-9, ocr="off"))
    assert len(doc.pages) == 1  # the first page is always read
    assert doc.meta["partial"]["reason"] == "time"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_parse_badfiles_random_bytes_never_crash(tmp_path: Path, noise: bytes):
    path = tmp_path / "noise.pdf"
    path.write_bytes(b"%PDF-1.5\n" + noise)
    try:
        parse_pdf(path, settings=ParseSettings(ocr="off"))
    except ParseError:
        pass


@pytest.mark.slow
def test_parse_badfiles_thousands_of_pages(tmp_path: Path):
    import pymupdf

    pdf = pymupdf.open()
    for n in range(3000):
        pdf.new_page().insert_text((72, 72), f"Page {n + 1}: migration statistics.")
    pdf.save(tmp_path / "huge.pdf")
    doc = parse_pdf(tmp_path / "huge.pdf", settings=ParseSettings(ocr="off"))
    assert len(doc.pages) == 3000 and "partial" not in doc.meta
    capped = parse_pdf(tmp_path / "huge.pdf", settings=ParseSettings(max_pages=1000, ocr="off"))
    assert capped.meta["partial"]["pages_read"] == 1000
