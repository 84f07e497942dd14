"""Render the sample policy-brief corpus: scripts/corpus_src/*.md -> corpus/*.pdf.

A source is UTF-8 text, a front-matter block then a Markdown-like body:
    ---
    file: kk_kandas_quota_2022     # output name without .pdf
    lang: kk                       # kk | ru | en, stored as the PDF /Lang
    title: ... / author: ... / year: 2022 / subject: ... / keywords: a; b
    columns: 1                     # 1 or 2
    header: ...                    # optional running header on every page
    footer: ... {page}             # optional running footer; {page} = page number
    ---
    ## Heading / ### Subheading, paragraphs with **bold** and *italic*, "- " lists;
    a "::: columns" line ends the full-width lead (title, byline, abstract).

Run ``python -m scripts.make_corpus`` from the repository root. Output is deterministic.
"""

from __future__ import annotations

import html
import io
import re
import struct
import sys
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
SRC_DIR = ROOT / "scripts" / "corpus_src"
OUT_DIR = ROOT / "corpus"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSans-Bold.ttf")

PAGE = pymupdf.paper_rect("a4")
MARGIN_X, MARGIN_Y, COLUMN_GAP = 66.0, 70.0, 20.0
COLUMN_MARKER = "::: columns"
NBSP, NBHYPHEN = "\u00a0", "\u2011"
# The layout keeps "1 087 800", "59,3 %" and "№ 477-IV" on one line with no-break characters;
# the fonts' ToUnicode maps are rewritten so that extracted text still has plain ones.
EXTRACT_AS = {ord(NBSP): ord(" "), ord(NBHYPHEN): ord("-")}

CSS = """
@font-face {font-family: body; src: url(DejaVuSerif.ttf);}
@font-face {font-family: body; src: url(DejaVuSerif-Bold.ttf); font-weight: bold;}
@font-face {font-family: body; src: url(DejaVuSerif-Italic.ttf); font-style: italic;}
@font-face {font-family: head; src: url(DejaVuSans-Bold.ttf); font-weight: bold;}
* {font-family: body; font-size: 10pt; line-height: 1.35;}
body {margin: 0;}
h1, h2, h3 {font-family: head; font-weight: bold; line-height: 1.2;}
h1 {font-size: 17pt; margin: 0 0 6pt 0;}
h2 {font-size: 12.5pt; margin: 12pt 0 4pt 0;}
h3 {font-size: 11pt; margin: 9pt 0 3pt 0;}
p {margin: 0 0 5pt 0; text-align: justify;}
p.byline {font-style: italic; margin: 0 0 10pt 0; text-align: left;}
ul {margin: 0 0 5pt 0;}
li {margin: 0 0 2pt 0; text-align: left;}
p.run {font-size: 7.5pt; margin: 0; text-align: center;}
"""
COLUMN_CSS = "p {text-align: left;}"  # no hyphenation, so narrow justified columns look gappy


def font_archive() -> pymupdf.Archive:
    """Load the DejaVu fonts into an archive, GSUB hidden so that no "fi"/"ff" ligatures form."""
    archive = pymupdf.Archive()
    for name in FONTS:
        data = bytearray((FONT_DIR / name).read_bytes())
        (num_tables,) = struct.unpack(">H", data[4:6])
        for at in range(12, 12 + 16 * num_tables, 16):  # the table directory
            if data[at : at + 4] == b"GSUB":
                data[at : at + 4] = b"GSUX"  # ligature glyphs would extract as U+FB01 etc.
        archive.add((bytes(data), name))
    return archive


def parse_source(text: str) -> tuple[dict[str, str], str]:
    """Split a source file into its front-matter dict and its body text."""
    match = re.match(r"\A---\n(.*?)\n---\n(.*)\Z", text, re.S)
    if not match:
        raise ValueError("a source must start with a '---' front-matter block")
    meta: dict[str, str] = {}
    for line in filter(None, match.group(1).splitlines()):
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    return meta, match.group(2)


def keep_together(text: str) -> str:
    """Use no-break spaces/hyphens so "1 499", "59,3 %", "№ 477-IV", "ЕХӘҚМ-ге" never wrap."""
    text = re.sub(r"(?<=\d) (?=\d{3}(?!\d))|(?<=\d) (?=%)|(?<=№) |(?<=No\.) (?=\d)", NBSP, text)
    return re.sub(r"(?<=[\d%A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])-(?=\w)", NBHYPHEN, text)


def inline(text: str) -> str:
    """Escape text for HTML, convert **bold** and *italic* spans, keep figures together."""
    out = keep_together(html.escape(text, quote=False))
    out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)
    return re.sub(r"\*(.+?)\*", r"<i>\1</i>", out)


def to_html(body: str) -> str:
    """Convert the Markdown-like body (headings, paragraphs, lists) to HTML."""
    parts: list[str] = []
    for block in re.split(r"\n\s*\n", body.strip()):
        lines = [line.strip() for line in block.strip().splitlines()]
        head = re.match(r"(#{1,3}) (.*)", lines[0]) if lines else None
        if head and len(lines) == 1:
            level = len(head.group(1))
            parts.append(f"<h{level}>{inline(head.group(2))}</h{level}>")
        elif all(line.startswith("- ") for line in lines):
            parts.append("<ul>" + "".join(f"<li>{inline(ln[2:])}</li>" for ln in lines) + "</ul>")
        elif lines:
            parts.append(f"<p>{inline(' '.join(lines))}</p>")
    return "\n".join(parts)


def column_rects(top: float, columns: int) -> list[pymupdf.Rect]:
    """Return the text column rectangles of a page, starting at ``top``."""
    width = (PAGE.width - 2 * MARGIN_X - COLUMN_GAP * (columns - 1)) / columns
    lefts = [MARGIN_X + i * (width + COLUMN_GAP) for i in range(columns)]
    return [pymupdf.Rect(x, top, x + width, PAGE.height - MARGIN_Y) for x in lefts]


def draw_running(device: pymupdf.Device, archive: pymupdf.Archive, text: str, y0: float) -> None:
    """Draw one running header or footer line (small, centred) at ``y0``."""
    story = pymupdf.Story(f"<p class='run'>{inline(text)}</p>", user_css=CSS, archive=archive)
    story.place(pymupdf.Rect(MARGIN_X, y0, PAGE.width - MARGIN_X, y0 + 20))
    story.draw(device)


def layout(meta: dict[str, str], body: str, archive: pymupdf.Archive) -> bytes:
    """Lay the brief out page by page with pymupdf.Story and return the raw PDF bytes."""
    columns = int(meta.get("columns", "1"))
    lead_body, marker, rest = body.partition(COLUMN_MARKER)
    if not marker:
        lead_body, rest = "", body
    byline = inline(f"{meta['author']} · {meta['year']}")
    lead_html = f"<h1>{inline(meta['title'])}</h1><p class='byline'>{byline}</p>"
    lead = pymupdf.Story(lead_html + to_html(lead_body), user_css=CSS, archive=archive)
    flow_css = CSS + (COLUMN_CSS if columns > 1 else "")
    flow = pymupdf.Story(to_html(rest), user_css=flow_css, archive=archive)
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    page_no, more = 0, 1
    while more:
        page_no += 1
        device = writer.begin_page(PAGE)
        if meta.get("header"):  # header first and footer last in the content-stream order too
            draw_running(device, archive, meta["header"], 36)
        top = MARGIN_Y
        if page_no == 1:
            lead_more, filled = lead.place(column_rects(top, 1)[0])
            if lead_more:
                raise ValueError(f"{meta['file']}: the lead does not fit on page 1")
            lead.draw(device)
            top = pymupdf.Rect(filled).y1 + 6
        for rect in column_rects(top, columns):
            more, _ = flow.place(rect)
            flow.draw(device)
            if not more:
                break
        if meta.get("footer"):
            footer = meta["footer"].replace("{page}", str(page_no))
            draw_running(device, archive, footer, PAGE.height - 48)
        writer.end_page()
    writer.close()
    return buffer.getvalue()


def rewrite_cmap(cmap: str) -> str:
    """Return a ToUnicode CMap as bfranges of BMP characters, with EXTRACT_AS applied."""
    to_uni: dict[int, int] = {}
    for kind, block in re.findall(r"beginbf(range|char)(.*?)endbf\1", cmap, re.S):
        hi_pattern = r"<(\w{4})>" if kind == "range" else "()"  # a bfchar has no range end
        for lo, hi, dst in re.findall(rf"<(\w{{4}})>\s*{hi_pattern}\s*<(\w+)>", block):
            if len(dst) != 4:
                continue  # non-BMP characters, unused by the briefs (check() would notice)
            for gid in range(int(lo, 16), int(hi or lo, 16) + 1):
                code = int(dst, 16) + gid - int(lo, 16)
                to_uni[gid] = EXTRACT_AS.get(code, code)
    runs: list[list[int]] = []  # [first gid, last gid, first code], within one high byte each
    for gid, code in sorted(to_uni.items()):
        first, last, start = runs[-1] if runs else (-9, -9, -9)
        if gid == last + 1 and code == start + gid - first and (gid ^ first) | (code ^ start) < 256:
            runs[-1][1] = gid
        else:
            runs.append([gid, gid, code])
    lines = [f"<{a:04x}> <{b:04x}> <{u:04x}>\n" for a, b, u in runs]
    chunks = [lines[i : i + 100] for i in range(0, len(lines), 100)]  # at most 100 per section
    body = "".join(f"{len(c)} beginbfrange\n{''.join(c)}endbfrange\n" for c in chunks)
    head = cmap.partition("endcodespacerange")[0]
    tail = "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    return f"{head}endcodespacerange\n{body}{tail}"


def finish(raw: bytes, meta: dict[str, str]) -> bytes:
    """Set metadata and /Lang, subset fonts, fix ToUnicode; return compact deterministic bytes."""
    doc = pymupdf.open("pdf", raw)
    date = f"D:{meta['year']}0101000000Z"
    info = {key: meta.get(key, "") for key in ("title", "author", "subject", "keywords")}
    info |= {"creator": "scripts/make_corpus.py", "producer": "PyMuPDF"}
    doc.set_metadata(info | {"creationDate": date, "modDate": date})
    doc.xref_set_key(doc.pdf_catalog(), "Lang", pymupdf.get_pdf_str(meta["lang"]))
    doc.subset_fonts()
    refs = {doc.xref_get_key(xref, "ToUnicode")[1] for xref in range(1, doc.xref_length())}
    for xref in sorted(int(ref.split()[0]) for ref in refs - {"null"}):
        cmap = rewrite_cmap(doc.xref_stream(xref).decode("latin-1"))
        doc.update_stream(xref, cmap.encode("latin-1"))
    data = doc.tobytes(garbage=4, deflate=True, deflate_fonts=True, use_objstms=1, no_new_id=True)
    doc.close()
    return data


def check(pdf: bytes, source: str, name: str) -> list[str]:
    """Return problems of the text extracted back from the PDF (lost glyphs, odd characters)."""
    text = "".join(page.get_text() for page in pymupdf.open("pdf", pdf))
    wanted = set(re.sub(r"[\s*#:]", "", source.replace(COLUMN_MARKER, "")))
    odd = {c for c in text if c in "\ufffd\u00a0\u2011" or "\ufb00" <= c <= "\ufb06"}
    lost = [f"{name}: {c!r} (U+{ord(c):04X}) lost in the PDF" for c in sorted(wanted - set(text))]
    return lost + [
        f"{name}: unexpected {c!r} (U+{ord(c):04X}) in the PDF text" for c in sorted(odd)
    ]


def render(source: Path, archive: pymupdf.Archive) -> tuple[Path, list[str]]:
    """Render one source file to corpus/<file>.pdf; return the path and any text problems."""
    meta, body = parse_source(source.read_text(encoding="utf-8"))
    missing = [key for key in ("file", "lang", "title", "author", "year") if key not in meta]
    if missing:
        raise ValueError(f"{source.name}: missing front-matter keys {missing}")
    pdf = finish(layout(meta, body, archive), meta)
    out = OUT_DIR / f"{meta['file']}.pdf"
    out.write_bytes(pdf)
    return out, check(pdf, body + meta["title"] + meta["author"], source.name)


def main() -> int:
    """Render every source in scripts/corpus_src/ and print one summary line per PDF."""
    missing = [name for name in FONTS if not (FONT_DIR / name).is_file()]
    if missing:
        print(f"missing fonts {missing}: apt-get install fonts-dejavu-core fonts-dejavu-extra")
        return 1
    archive = font_archive()
    OUT_DIR.mkdir(exist_ok=True)
    problems: list[str] = []
    for source in sorted(SRC_DIR.glob("*.md")):
        out, found = render(source, archive)
        problems += found
        with pymupdf.open(out) as doc:
            size_kb = out.stat().st_size / 1024
            print(f"{out.relative_to(ROOT)}: {doc.page_count} page(s), {size_kb:.1f} KB")
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
