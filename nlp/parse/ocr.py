"""OCR with Tesseract through PyMuPDF (``kaz+rus+eng``), and what to do without it.

PyMuPDF runs Tesseract itself; it only needs the ``tessdata`` folder with the language
files. ``tessdata()`` finds it: ``TESSDATA_PREFIX``, then the folder the ``tesseract``
command reports, then the usual install places. Without it, pages that need OCR are
flagged ``needs_ocr`` and one warning per process says how to install it.

Tesseract with three languages at once sometimes spells an English word with a Cyrillic
look-alike ("а root") or the reverse; ``repair_scripts`` maps such letters to the script
of the word, or of the line for one-script look-alike words.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import warnings
from functools import lru_cache
from pathlib import Path

from nlp.parse.boxes import Box, Line, Rect, union
from nlp.parse.extract import TEXT_FLAGS, boxes_from_dict

LANGUAGES = "kaz+rus+eng"
DPI = 300
PROBE_DPI = 100  # a quick pass to see which script a scanned page is in
MAX_PIXELS = 60_000_000  # a page rendered for OCR is capped at this many pixels
INSTALL_HINT = ("install Tesseract with Kazakh, Russian and English data: "
                "apt-get install tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus "
                "tesseract-ocr-eng (or see README: OCR), or set TESSDATA_PREFIX")
_DIRS = ("/usr/share/tesseract-ocr/*/tessdata", "/usr/share/tessdata",
         "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata",
         "/usr/local/share/tesseract-ocr/*/tessdata", "C:/Program Files/Tesseract-OCR/tessdata")
_warned: set[str] = set()


class OcrUnavailableWarning(UserWarning):
    """Pages needed OCR but Tesseract or its language data is missing."""


@lru_cache(maxsize=8)
def tessdata(languages: str = LANGUAGES) -> tuple[str, str] | None:
    """(tessdata folder, the languages it has out of ``languages``), or None."""
    wanted = [x for x in languages.split("+") if x]
    for folder in _candidate_dirs():
        have = [x for x in wanted if (Path(folder) / f"{x}.traineddata").is_file()]
        if have:
            return folder, "+".join(have)
    return None


def _candidate_dirs() -> list[str]:
    dirs = [os.environ["TESSDATA_PREFIX"]] if os.environ.get("TESSDATA_PREFIX") else []
    exe = shutil.which("tesseract")
    if exe:
        try:
            out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True,
                                 timeout=10).stdout
            m = re.search(r'languages in "(.+?)"', out)
            dirs += [m.group(1)] if m else []
        except (OSError, subprocess.SubprocessError):
            pass
    for pattern in _DIRS:
        dirs += sorted(glob.glob(pattern), reverse=True)
    return [d for d in dict.fromkeys(dirs) if Path(d).is_dir()]


def warn_once(key: str, message: str) -> None:
    """One warning per process for each kind of trouble (``key``)."""
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, OcrUnavailableWarning, stacklevel=3)


def scan_dpi(dpi: int, image_dpi: float) -> int:
    """Render a scan at most 1.25 times its own resolution (at least 150 dpi): blowing a
    noisy 120 dpi scan up to 300 dpi makes Tesseract read blobs (CER 22 % against 0.5 %)."""
    if image_dpi <= 0:
        return dpi
    return int(min(dpi, max(150, 1.25 * image_dpi)))


def ocr_dpi(width: float, height: float, dpi: int = DPI) -> int:
    """``dpi``, lowered so the rendered page stays under ``MAX_PIXELS``."""
    pixels = (width * dpi / 72) * (height * dpi / 72)
    if pixels <= MAX_PIXELS:
        return dpi
    return max(36, int(dpi * (MAX_PIXELS / pixels) ** 0.5))


def ocr_page(pdf, index: int, found: tuple[str, str], dpi: int = DPI) -> list[Box]:
    """The whole page OCR'd into boxes (page coordinates).

    A quick low-resolution pass with all languages decides the script first: Latin pages
    are read with English alone (with Kazakh and Russian loaded too, Tesseract spells
    English words with Cyrillic letters).
    """
    page = pdf.load_page(index)
    folder, langs = found
    if "eng" in langs and langs != "eng" and _script(_ocr_text(page, folder, langs,
                                                               PROBE_DPI)) == "lat":
        langs = "eng"
    boxes = boxes_from_dict(page.get_text("dict", flags=TEXT_FLAGS, textpage=page.get_textpage_ocr(
        language=langs, dpi=ocr_dpi(page.rect.width, page.rect.height, dpi), full=True,
        tessdata=folder)))
    return _repaired(boxes)


def _ocr_text(page, folder: str, langs: str, dpi: int) -> str:
    textpage = page.get_textpage_ocr(language=langs, dpi=dpi, full=True, tessdata=folder)
    return page.get_text("text", textpage=textpage)


def ocr_clip(pdf, index: int, rect: Rect, found: tuple[str, str], dpi: int = DPI) -> list[Box]:
    """One region of a page OCR'd into boxes (page coordinates); read again with English
    alone when it turns out to be Latin script."""
    import pymupdf

    page = pdf.load_page(index)
    clip = pymupdf.Rect(rect) + (-2, -2, 2, 2)
    folder, langs = found
    pix = page.get_pixmap(dpi=ocr_dpi(clip.width, clip.height, dpi), clip=clip)
    boxes = _ocr_pixmap(pix, clip, folder, langs)
    text = " ".join(b.text for b in boxes)
    if "eng" in langs and langs != "eng" and _script(text) == "lat":
        boxes = _ocr_pixmap(pix, clip, folder, "eng")
    return _repaired(boxes)


def _ocr_pixmap(pix, clip, folder: str, langs: str) -> list[Box]:
    import pymupdf

    with pymupdf.open("pdf", pix.pdfocr_tobytes(language=langs, tessdata=folder)) as out:
        scale = clip.width / max(out[0].rect.width, 1.0)
        data = out[0].get_text("dict", flags=TEXT_FLAGS)
    return boxes_from_dict(data, clip.x0, clip.y0, scale)


def _repaired(boxes: list[Box]) -> list[Box]:
    for box in boxes:
        box.lines = _merge_lines(box.lines)
        for line in box.lines:
            line.text = repair_scripts(line.text)
            for piece in line.pieces:
                piece.text = repair_scripts(piece.text, _script(line.text))
    return boxes


def _merge_lines(lines: list[Line]) -> list[Line]:
    """Consecutive words Tesseract left as separate lines of one text line are joined."""
    out: list[Line] = []
    for ln in lines:
        last = out[-1] if out else None
        if last and _same_row(last, ln) and 0 <= ln.bbox[0] - last.bbox[2] < 3 * (ln.size or 10):
            out[-1] = Line(f"{last.text} {ln.text}", union([last.bbox, ln.bbox]), last.size,
                           last.bold and ln.bold, last.pieces + ln.pieces)
        else:
            out.append(ln)
    return out


def _same_row(a: Line, b: Line) -> bool:
    ha, hb = a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1]
    return abs(a.yc - b.yc) < 0.3 * min(ha, hb) and max(ha, hb) < 1.5 * min(ha, hb)


LAT_TO_CYR = dict(zip("ABCEHKMOPTXYaceopxyiI", "АВСЕНКМОРТХУасеорхуіІ", strict=True))
CYR_TO_LAT = {v: k for k, v in LAT_TO_CYR.items()}
_WORD = re.compile(r"[^\W\d_]+")
_CYR = re.compile(r"[\u0400-\u04FF]")
_LAT = re.compile(r"[A-Za-z]")


def repair_scripts(text: str, line_script: str | None = None) -> str:
    """Map look-alike letters to the script of their word (or of the line)."""
    line_script = line_script or _script(text)
    return _WORD.sub(lambda m: _repair_word(m.group(), line_script), text)


def _script(text: str) -> str:
    cyr, lat = len(_CYR.findall(text)), len(_LAT.findall(text))
    if cyr + lat == 0:
        return "none"
    return "cyr" if cyr >= 0.8 * (cyr + lat) else "lat" if lat >= 0.8 * (cyr + lat) else "mixed"


def _repair_word(word: str, line_script: str) -> str:
    cyr, lat = len(_CYR.findall(word)), len(_LAT.findall(word))
    if cyr and lat:
        target = "cyr" if cyr > lat else "lat" if lat > cyr else line_script
    elif line_script in ("cyr", "lat") and (cyr or lat):
        mapping = CYR_TO_LAT if cyr else LAT_TO_CYR
        foreign = (cyr and line_script == "lat") or (lat and line_script == "cyr")
        if not (foreign and all(c in mapping for c in word)):
            return word
        target = line_script
    else:
        return word
    mapping = LAT_TO_CYR if target == "cyr" else CYR_TO_LAT
    fixed = "".join(mapping.get(c, c) for c in word)
    still_mixed = _CYR.search(fixed) and _LAT.search(fixed)
    return word if still_mixed else fixed
