"""Bibliographic metadata from page one and the PDF's own fields (no DOI lookup)."""

from __future__ import annotations

from pathlib import Path

from test_parse import NO_OCR, html_pdf

from nlp.parse.document import parse_pdf

ABSTRACT_EN = ("The paper examines labour migration from Central Asia to Kazakhstan and the "
               "effect of the 2022 reform of work permits on remittances.")
ABSTRACT_KK = ("Мақалада Орталық Азиядан Қазақстанға еңбек көші-қоны және жұмысқа рұқсат беру "
               "реформасының ақша аударымдарына әсері қарастырылады.")
ABSTRACT_RU = ("В статье рассматривается трудовая миграция из Центральной Азии в Казахстан и "
               "влияние реформы разрешений на работу на денежные переводы.")


def _paper(path: Path, metadata: dict | None = None) -> Path:
    small = "font-size:8px"
    page = [
        ((60, 30, 540, 45), f"<p style='{small}'>Central Asian Migration Journal. Vol. 12, "
                            "No. 2, 2023</p>"),
        ((60, 80, 540, 140), "<p style='font-size:20px'><b>Labour Migration and Remittances "
                             "in Kazakhstan</b></p>"),
        ((60, 150, 540, 170), "<p>A. B. Nurlanova¹, D. Smith²</p>"),
        ((60, 180, 540, 195), f"<p style='{small}'>DOI: 10.26577/CAMJ.2023.v12.i2.05</p>"),
        ((60, 210, 540, 270), f"<p>Abstract. {ABSTRACT_EN}</p>"),
        ((60, 275, 540, 295), "<p>Keywords: labour migration; remittances; Kazakhstan</p>"),
        ((60, 310, 540, 330), "<p><b>Аңдатпа</b></p>"),
        ((60, 335, 540, 395), f"<p>{ABSTRACT_KK}</p>"),
        ((60, 400, 540, 420), "<p>Түйін сөздер: еңбек көші-қоны, ақша аударымдары</p>"),
        ((60, 440, 540, 500), f"<p>Аннотация: {ABSTRACT_RU}</p>"),
        ((60, 505, 540, 525), "<p>Ключевые слова: трудовая миграция, денежные переводы</p>"),
    ]
    return html_pdf(path, [page], metadata=metadata)


def test_parse_meta_from_the_first_page(tmp_path: Path):
    meta = parse_pdf(_paper(tmp_path / "paper.pdf"), settings=NO_OCR).meta
    assert meta["title"] == "Labour Migration and Remittances in Kazakhstan"
    assert meta["title_source"] == "layout"
    assert meta["authors"] == ["A. B. Nurlanova", "D. Smith"]
    assert meta["doi"] == "10.26577/CAMJ.2023.v12.i2.05"
    assert meta["year"] == 2023
    assert meta["journal"] == "Central Asian Migration Journal"
    assert meta["keywords"] == {"en": ["labour migration", "remittances", "Kazakhstan"],
                                "kk": ["еңбек көші-қоны", "ақша аударымдары"],
                                "ru": ["трудовая миграция", "денежные переводы"]}
    assert meta["abstracts"] == {"en": ABSTRACT_EN, "kk": ABSTRACT_KK, "ru": ABSTRACT_RU}


def test_parse_meta_prefers_a_real_pdf_title_and_skips_word_file_names(tmp_path: Path):
    good = parse_pdf(_paper(tmp_path / "a.pdf", {"title": "Labour Migration (journal copy)"}),
                     settings=NO_OCR).meta
    assert good["title"] == "Labour Migration (journal copy)" and good["title_source"] == "pdf"
    bad = parse_pdf(_paper(tmp_path / "b.pdf", {"title": "Microsoft Word - article5.docx"}),
                    settings=NO_OCR).meta
    assert bad["title"] == "Labour Migration and Remittances in Kazakhstan"


def test_parse_meta_without_clues_falls_back_to_the_file_name(tmp_path: Path):
    path = html_pdf(tmp_path / "plain_note.pdf", [[((60, 60, 540, 300),
                                                    "<p>Just one paragraph of text.</p>")]])
    meta = parse_pdf(path, settings=NO_OCR).meta
    assert meta["title"] == "plain_note"
    assert "authors" not in meta and "doi" not in meta and "abstracts" not in meta


def test_parse_meta_series_and_year_from_running_headers(tmp_path: Path):
    pages = [[((60, 25, 540, 45), "<p style='font-size:9px'>Migration Policy Lab · "
                                  f"Policy Brief No. 7 · 2022 · {n}</p>"),
              ((60, 100, 540, 400), f"<p>{ABSTRACT_EN} ({n})</p>")] for n in range(1, 4)]
    meta = parse_pdf(html_pdf(tmp_path / "brief.pdf", pages), settings=NO_OCR).meta
    assert meta["series"] == "Policy Brief No. 7"
    assert meta["year"] == 2022 and "journal" not in meta
