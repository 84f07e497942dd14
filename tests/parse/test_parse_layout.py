"""Reading order, footnotes, tables and headings on small generated pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_parse import NO_OCR, html_pdf

from nlp.parse.boxes import Box, Line
from nlp.parse.document import parse_pdf
from nlp.parse.layout import xy_order

KK = ["Көші-қон саясаты өзгерді.", "Қандастар елге оралды.", "Квота бекітілді."]
RU = ["Миграция выросла.", "Закон принят в 2011 году.", "Разрешения выдают акиматы."]
EN = ["Students study abroad.", "Remittances grew fast.", "Permits are issued locally."]


def _texts(path: Path) -> list[str]:
    """Block texts with line breaks as spaces (narrow columns wrap)."""
    return [" ".join(b.text.split()) for p in parse_pdf(path, settings=NO_OCR).pages
            for b in p.blocks]


def _column(x0: float, x1: float, paras: list[str], y0: float = 120) -> tuple:
    return ((x0, y0, x1, 700), "".join(f"<p>{t}</p>" for t in paras))


def test_parse_layout_three_columns_under_a_full_width_title(tmp_path: Path):
    path = html_pdf(tmp_path / "three.pdf", [[
        ((40, 40, 555, 90), "<h1>Миграция в Казахстане: обзор</h1>"),
        _column(40, 200, KK), _column(215, 375, RU), _column(390, 555, EN)]])
    assert _texts(path) == ["Миграция в Казахстане: обзор", *KK, *RU, *EN]


def test_parse_layout_one_column_reads_top_to_bottom(tmp_path: Path):
    path = html_pdf(tmp_path / "one.pdf", [[_column(60, 540, KK + RU + EN)]])
    assert _texts(path) == KK + RU + EN


def test_parse_layout_full_width_block_between_two_column_runs(tmp_path: Path):
    path = html_pdf(tmp_path / "bands.pdf", [[
        ((40, 60, 290, 300), "".join(f"<p>{t}</p>" for t in KK[:2])),
        ((310, 60, 555, 300), "".join(f"<p>{t}</p>" for t in RU[:2])),
        ((40, 320, 555, 360), "<p>Figure 1. A full-width figure caption across both columns.</p>"),
        ((40, 380, 290, 700), f"<p>{KK[2]}</p>"),
        ((310, 380, 555, 700), f"<p>{RU[2]}</p>")]])
    assert _texts(path) == [*KK[:2], *RU[:2],
                            "Figure 1. A full-width figure caption across both columns.",
                            KK[2], RU[2]]


def test_parse_layout_footnotes_come_after_the_body(tmp_path: Path):
    small = "font-size:8px"
    path = html_pdf(tmp_path / "notes.pdf", [[
        ((40, 60, 290, 500), "".join(f"<p>{t}</p>" for t in EN)),
        ((310, 60, 555, 500), "".join(f"<p>{t}</p>" for t in RU)),
        ((40, 720, 290, 740), f"<p style='{small}'>1 Source: Bureau of National Statistics.</p>"),
        ((310, 640, 555, 700), "<p>Right column continues to the end.</p>")]])
    doc = parse_pdf(path, settings=NO_OCR)
    blocks = doc.pages[0].blocks
    assert [b.text for b in blocks][-1] == "1 Source: Bureau of National Statistics."
    assert blocks[-1].kind == "footnote"
    assert [b.text for b in blocks][:-1] == [*EN, *RU, "Right column continues to the end."]


def test_parse_layout_list_numbers_are_not_a_column(tmp_path: Path):
    rows = [((60, 100 + 30 * i, 80, 120 + 30 * i), f"<p>{i + 1}.</p>") for i in range(3)]
    rows += [((90, 100 + 30 * i, 540, 120 + 30 * i), f"<p>{t}</p>") for i, t in enumerate(RU)]
    texts = _texts(html_pdf(tmp_path / "list.pdf", [rows]))
    assert texts == ["1.", RU[0], "2.", RU[1], "3.", RU[2]]


def test_parse_layout_ruled_table_is_kept_as_rows(tmp_path: Path):
    import pymupdf

    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_htmlbox(pymupdf.Rect(60, 60, 540, 100), "<p>Кесте 1. Квоталар.</p>")
    cells = [["Облыс", "2021", "2022"], ["Алматы", "1 200", "1 499"], ["Түркістан", "900", "950"]]
    xs, ys = [60, 260, 400, 540], [120, 150, 180, 210]
    for y in ys:
        page.draw_line((xs[0], y), (xs[-1], y))
    for x in xs:
        page.draw_line((x, ys[0]), (x, ys[-1]))
    for r, row in enumerate(cells):
        for c, text in enumerate(row):
            page.insert_htmlbox(pymupdf.Rect(xs[c] + 4, ys[r] + 4, xs[c + 1] - 4, ys[r + 1] - 2),
                                f"<p>{text}</p>")
    pdf.save(tmp_path / "table.pdf")
    blocks = parse_pdf(tmp_path / "table.pdf", settings=NO_OCR).pages[0].blocks
    table = next(b for b in blocks if b.kind == "table")
    assert table.text.split("\n") == ["Облыс | 2021 | 2022", "Алматы | 1 200 | 1 499",
                                      "Түркістан | 900 | 950"]
    assert blocks[0].text == "Кесте 1. Квоталар."


def test_parse_layout_headings_by_size_and_bold(tmp_path: Path):
    path = html_pdf(tmp_path / "heads.pdf", [[
        ((60, 60, 540, 100), "<h1>Еңбек көші-қоны</h1>"),
        ((60, 110, 540, 130), "<p><b>Статья 5</b></p>"),
        ((60, 140, 540, 300), f"<p>{' '.join(RU)}</p>")]])
    blocks = parse_pdf(path, settings=NO_OCR).pages[0].blocks
    assert [b.kind for b in blocks] == ["heading", "heading", "body"]


def _box(x0: float, y0: float, x1: float, y1: float, text: str) -> Box:
    return Box([Line(text, (x0, y0, x1, y1), 10.0)])


@pytest.mark.parametrize("columns", [1, 2, 3])
def test_parse_layout_xy_order_reads_columns_in_turn(columns: int):
    width, gutter = 500 / columns, 12
    boxes, expected = [], []
    for c in range(columns):
        for r in range(4):
            x0 = 40 + c * width
            y0 = 100 + r * 60 + (7 * c if r else 0)  # paragraph breaks do not line up
            boxes.append(_box(x0, y0, x0 + width - gutter, y0 + 50, f"column {c} row {r}"))
            expected.append(f"column {c} row {r}")
    boxes.insert(0, _box(40, 40, 540, 70, "title"))
    order = [b.text for b in xy_order(list(reversed(boxes)))]
    assert order == ["title", *expected]
