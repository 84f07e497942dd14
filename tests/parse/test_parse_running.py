"""Running headers, footers and page numbers: removed from the body, kept in metadata."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_parse import NO_OCR, html_pdf

from nlp.parse.document import parse_pdf
from nlp.parse.running import mask

BODY = ["Шетелдік жұмыскерлерге рұқсатты жергілікті атқарушы органдар береді.",
        "Разрешения выдают местные исполнительные органы.",
        "Thousands of students from Kazakhstan study abroad every year."]


def _body(doc) -> list[str]:
    return [b.text for p in doc.pages for b in p.blocks]


def test_parse_running_odd_even_headers_and_page_numbers(tmp_path: Path):
    pages = []
    for n in range(1, 7):
        header = ("Central Asian Migration Review · Vol. 3, 2023" if n % 2
                  else "A. Nurlanova, D. Smith")
        number_x = (500, 540) if n % 2 else (55, 95)
        pages.append([((55, 25, 540, 45), f"<p style='font-size:9px'>{header}</p>"),
                      ((55, 100, 540, 400), f"<p>{BODY[n % 3]} ({n})</p>"),
                      ((*number_x[:1], 800, number_x[1], 820), f"<p>{n + 10}</p>")])
    doc = parse_pdf(html_pdf(tmp_path / "journal.pdf", pages), settings=NO_OCR)
    assert _body(doc) == [f"{BODY[n % 3]} ({n})" for n in range(1, 7)]
    running = doc.meta["running"]
    assert "Central Asian Migration Review · Vol. 3, 2023" in running
    assert "A. Nurlanova, D. Smith" in running and "11" in running
    assert doc.meta["year"] == 2023 and doc.meta["year_source"] == "running header"
    assert doc.meta["journal"] == "Central Asian Migration Review"


def test_parse_running_page_x_of_n_footer(tmp_path: Path):
    pages = [[((55, 100, 540, 300), f"<p>{BODY[n % 3]}</p>"),
              ((450, 800, 540, 820), f"<p>{n}/4</p>")] for n in range(1, 5)]
    doc = parse_pdf(html_pdf(tmp_path / "nofn.pdf", pages), settings=NO_OCR)
    assert all(len(p.blocks) == 1 for p in doc.pages)
    assert doc.meta["running"] == ["1/4"]


def test_parse_running_keeps_real_headings_at_page_tops(tmp_path: Path):
    """"Статья 18" on top of page 1, "Статья 25" on page 2...: numbers do not follow pages."""
    articles = [18, 25, 32, 40]
    pages = [[((55, 40, 540, 60), f"<p><b>Статья {a}</b></p>"),
              ((55, 70, 540, 300), f"<p>{BODY[1]}</p>")] for a in articles]
    doc = parse_pdf(html_pdf(tmp_path / "law.pdf", pages), settings=NO_OCR)
    assert [p.blocks[0].text for p in doc.pages] == [f"Статья {a}" for a in articles]
    assert doc.pages[0].blocks[0].kind == "heading"
    assert doc.meta["running"] == []


def test_parse_running_keeps_a_repeated_line_inside_the_text(tmp_path: Path):
    """Identical lines away from the page edges are text, even on many pages."""
    pages = [[((55, 60, 540, 200), f"<p>{BODY[n % 3]}</p>"),
              ((55, 400, 540, 440), "<p>Қандастар елге оралды.</p>"),
              ((55, 600, 540, 700), f"<p>{BODY[(n + 1) % 3]}</p>")] for n in range(3)]
    doc = parse_pdf(html_pdf(tmp_path / "repeat.pdf", pages), settings=NO_OCR)
    assert [p.blocks[1].text for p in doc.pages] == ["Қандастар елге оралды."] * 3
    assert doc.meta["running"] == []


def test_parse_running_one_page_header_with_page_number(tmp_path: Path):
    page = [((100, 40, 480, 55), "<p style='font-size:9px'>Migration and Remittances</p>"),
            ((500, 40, 540, 55), "<p style='font-size:9px'>9</p>"),
            ((55, 100, 540, 400), f"<p>{BODY[2]}</p>"),
            ((55, 780, 540, 800), "<p>2021</p>")]
    doc = parse_pdf(html_pdf(tmp_path / "one.pdf", [page]), settings=NO_OCR)
    assert _body(doc) == [BODY[2], "2021"]  # a year is not a page number
    assert doc.meta["running"] == ["Migration and Remittances", "9"]


def test_parse_running_rotated_side_margin_text(tmp_path: Path):
    import pymupdf

    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_htmlbox(pymupdf.Rect(100, 100, 540, 300), f"<p>{BODY[0]}</p>")
    page.insert_htmlbox(pymupdf.Rect(10, 200, 40, 700), "<p>arXiv:2305.03393v1 [cs.CV]</p>",
                        rotate=90)
    pdf.save(tmp_path / "side.pdf")
    doc = parse_pdf(tmp_path / "side.pdf", settings=NO_OCR)
    assert _body(doc) == [BODY[0]]
    assert doc.meta["running"] == ["arXiv:2305.03393v1 [cs.CV]"]


@settings(max_examples=50, deadline=None)
@given(st.text(st.characters(categories=("L", "N", "Zs", "P")), max_size=40),
       st.integers(0, 100000))
def test_parse_running_mask_ignores_only_numbers(text: str, number: int):
    assert mask(f"{text} {number}") == mask(f"{text} {number + 1}")
    assert "#" in mask(f"{text} {number}")
