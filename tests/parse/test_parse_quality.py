"""Text-layer quality, broken blocks, and OCR (tests needing Tesseract skip without it)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from conftest import TEXTS
from hypothesis import given, settings
from hypothesis import strategies as st
from test_parse import NO_OCR, break_tounicode, html_pdf

from nlp.parse import ocr
from nlp.parse.document import ParseSettings, parse_pdf
from nlp.parse.quality import is_broken, text_quality

CLEAN = [TEXTS["kk"][0][1], TEXTS["ru"][0][1], TEXTS["en"][0][1],
         "Көшi-қон саясаты туралы заңға өзгерiстер енгiзiлдi."]  # Latin "i" in Kazakh
GARBAGE = ["KazakcTranaarpl Kelli-KOH/IbI", "Ìèãðàöèÿ íàñåëåíèÿ â Ðåñïóáëèêå Êàçàõñòàí",
           "\ufffd\ufffd\ufffd\ufffd \ufffd\ufffd\ufffd\ufffd\ufffd \ufffd\ufffd\ufffd",
           "\ue001\ue002\ue003 \ue004\ue005 \ue006\ue007\ue008\ue009",
           "] üìÜüéê •ìê °ê£ë†£ûÜüéê †ë ∞†¶£ èÜ•ÜáÜ§ê †°ê£Ü•î†ü§",
           "Мигpaция нaсeлeния в Pеспублике Kaзaxстaн"]


@pytest.mark.parametrize("text", CLEAN)
def test_parse_quality_clean_text_scores_high(text: str):
    assert text_quality(text, cyrillic_context=True) > 0.9


@pytest.mark.parametrize("text", GARBAGE)
def test_parse_quality_broken_text_scores_low(text: str):
    assert is_broken(text_quality(text, cyrillic_context=True))


def test_parse_quality_bullet_glyphs_and_acronyms_are_not_garbage():
    assert text_quality("\ufffd\ufffd DB2 Web Query for IBM i and OECD data") > 0.8
    assert text_quality("\uf0b7 [Азаттық мүсіні], [Сидней океанариумы]", True) > 0.8


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.booleans())
def test_parse_quality_score_is_between_zero_and_one(text: str, cyrillic: bool):
    assert 0.0 <= text_quality(text, cyrillic) <= 1.0


def image_only_pdf(path: Path, html: str, dpi: int = 200) -> Path:
    """A scanned page: text rendered to an image, no text layer."""
    import pymupdf

    src = pymupdf.open()
    src.new_page().insert_htmlbox(pymupdf.Rect(60, 60, 540, 700), html)
    pix = src[0].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    out = pymupdf.open()
    out.new_page().insert_image(out[0].rect, pixmap=pix)
    out.save(path)
    return path


def test_parse_quality_without_tesseract_flags_pages_and_warns_once(tmp_path: Path,
                                                                    monkeypatch):
    monkeypatch.setattr(ocr, "tessdata", lambda languages: None)
    monkeypatch.setattr(ocr, "_warned", set())
    scans = [image_only_pdf(tmp_path / f"scan{i}.pdf", f"<p>{TEXTS['ru'][0][1]}</p>", dpi=72)
             for i in range(2)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = [parse_pdf(p) for p in scans]
    messages = [str(w.message) for w in caught if w.category is ocr.OcrUnavailableWarning]
    assert len(messages) == 1 and ocr.INSTALL_HINT in messages[0]
    for doc in docs:
        assert doc.pages[0].flags == ["needs_ocr"] and doc.pages[0].method == "none"
        assert doc.meta["needs_ocr"] == [1] and doc.text == ""


def test_parse_quality_ocr_failure_costs_the_page_not_the_file(tmp_path: Path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("tesseract crashed")

    monkeypatch.setattr(ocr, "tessdata", lambda languages: ("/nowhere", "eng"))
    monkeypatch.setattr(ocr, "ocr_page", boom)
    monkeypatch.setattr(ocr, "_warned", set())
    scan = image_only_pdf(tmp_path / "scan.pdf", "<p>text</p>", dpi=72)
    with pytest.warns(ocr.OcrUnavailableWarning, match="tesseract crashed"):
        doc = parse_pdf(scan)
    assert doc.pages[0].flags == ["ocr_failed", "needs_ocr"]


def test_parse_quality_giant_image_is_not_ocrd(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(ocr, "tessdata", lambda languages: ("/nowhere", "eng"))
    scan = image_only_pdf(tmp_path / "scan.pdf", "<p>text</p>", dpi=72)
    doc = parse_pdf(scan, settings=ParseSettings(max_image_pixels=1000))
    assert doc.pages[0].flags == ["image_too_large"] and doc.text == ""


def test_parse_quality_ocr_resolution_is_capped_on_huge_pages():
    assert ocr.ocr_dpi(595, 842) == ocr.DPI
    dpi = ocr.ocr_dpi(14400, 14400)  # a 200 x 200 inch page
    assert (14400 * dpi / 72) ** 2 <= ocr.MAX_PIXELS


def test_parse_quality_repair_scripts_maps_look_alikes_to_the_word_script():
    assert ocr.repair_scripts("I fell over а root") == "I fell over a root"  # Cyrillic а
    assert ocr.repair_scripts("Мигpaция") == "Миграция"
    assert ocr.repair_scripts("IBM және OECD") == "IBM және OECD"  # mixed line: left alone


needs_tesseract = pytest.mark.skipif(ocr.tessdata("kaz+rus+eng") is None,
                                     reason="Tesseract with kaz/rus/eng data is not installed")


def _cer(got: str, want: str) -> float:
    import difflib

    got, want = " ".join(got.split()), " ".join(want.split())
    matcher = difflib.SequenceMatcher(None, got, want, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return 1 - same / max(len(want), 1)


@needs_tesseract
def test_parse_quality_ocr_reads_a_scanned_kazakh_page(tmp_path: Path):
    text = TEXTS["kk"][0][1]
    doc = parse_pdf(image_only_pdf(tmp_path / "kk.pdf", f"<p>{text}</p>"))
    page = doc.pages[0]
    assert page.method == "ocr" and page.flags == []
    assert all("ocr" in b.flags for b in page.blocks)
    assert _cer(doc.text, text) < 0.05
    assert doc.meta["lang"] == "kk"


@needs_tesseract
def test_parse_quality_broken_layer_is_routed_to_ocr(tmp_path: Path):
    english = " ".join([TEXTS["en"][0][1]] * 3)  # most of the page is readable
    path = html_pdf(tmp_path / "layer.pdf", [[
        ((60, 60, 540, 300), f"<p>{TEXTS['ru'][0][1]}</p>"),
        ((60, 320, 540, 600), f"<p>{english}</p>")]])
    broken = break_tounicode(path)
    assert "broken" in parse_pdf(broken, settings=NO_OCR).pages[0].blocks[0].flags
    doc = parse_pdf(broken)
    page = doc.pages[0]
    assert page.method == "mixed" and "needs_ocr" not in page.flags
    first, second = page.blocks
    assert "ocr" in first.flags and "broken" not in first.flags
    assert _cer(first.text, TEXTS["ru"][0][1]) < 0.05
    assert second.text.split() == english.split() and "ocr" not in second.flags
