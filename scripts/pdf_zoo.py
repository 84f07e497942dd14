"""A zoo of bad and hostile inputs, built from nothing (no third-party files).

Used by tests/ingestion/test_robustness.py at small scale and by scripts/fuzz_parse.py at full scale
(``build(folder, pages=5000, image_side=30000)``). Each builder returns the file's bytes.
"""

from __future__ import annotations

import zlib
from pathlib import Path

TEXT = "Migration policy of Kazakhstan: work permits and quotas."


def pdf(pages: int = 1, text: str = TEXT, **save) -> bytes:
    """A real PDF with one line of text per page."""
    import pymupdf

    doc = pymupdf.open()
    for n in range(pages):
        doc.new_page().insert_text((72, 72), f"{text} Page {n + 1}.")
    data = doc.tobytes(**save)
    doc.close()
    return data


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF written by hand from object bodies (numbered 1..n), with a correct xref."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, root, xref)
    return bytes(out)


def _page_objects(content: bytes, resources: bytes = b"<< >>", extra: bytes = b"") -> list[bytes]:
    stream = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /XObject " + resources + b" >> " + extra + b">>",
        stream, font]


def _text_ops(text: str = TEXT) -> bytes:
    return b"BT /F1 12 Tf 72 760 Td (" + text.encode("latin-1") + b") Tj ET"


def zero_pages() -> bytes:
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [] /Count 0 >>"])


def truncated() -> bytes:
    data = pdf(pages=3)
    return data[: len(data) // 2]


def corrupt_xref() -> bytes:
    """Every xref offset points to the wrong place; MuPDF has to repair or give up."""
    data = pdf(pages=2, garbage=0, no_new_id=True)
    head, sep, tail = data.partition(b"\nxref\n")
    if not sep:  # PyMuPDF may write a cross-reference stream instead: break startxref
        return data.replace(b"startxref", b"startxref\n999999999\n%", 1)
    return head + sep + tail.replace(b" 00000 n", b" 00000 n").replace(b"0000", b"9999", 8)


def encrypted(owner_only: bool = False) -> bytes:
    import pymupdf

    return pdf(pages=1, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner",
               user_pw="" if owner_only else "secret")


def html_named_pdf() -> bytes:
    return b"<!DOCTYPE html><html><body><h1>Not a PDF</h1><p>" + TEXT.encode() + b"</p></html>"


def png_named_pdf() -> bytes:
    import pymupdf

    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 32, 32), False)
    pix.clear_with(200)
    return pix.tobytes("png")


def huge_image(side: int = 20000) -> bytes:
    """A page whose image claims ``side`` x ``side`` RGB pixels: a decompression bomb."""
    comp, zeros, out = zlib.compressobj(9), bytes(1 << 20), []
    left = side * side * 3
    while left > 0:
        out.append(comp.compress(zeros[: min(left, len(zeros))]))
        left -= len(zeros)
    data = b"".join(out) + comp.flush()
    image = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
             b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (
                 side, side, len(data)) + data + b"\nendstream")
    content = b"q 500 0 0 700 50 50 cm /Im1 Do Q " + _text_ops()
    return raw_pdf([*_page_objects(content, b"<< /Im1 6 0 R >>"), image])


def huge_page() -> bytes:
    """A 200 x 200 inch page (the largest PDF allows) with one line of text."""
    objects = _page_objects(_text_ops())
    objects[2] = objects[2].replace(b"[0 0 595 842]", b"[0 0 14400 14400]")
    return raw_pdf(objects)


def deeply_nested(depth: int = 100_000) -> bytes:
    """A page whose dictionary holds an array nested ``depth`` levels deep."""
    nest = b"/Deep " + b"[" * depth + b"1" + b"]" * depth + b" "
    return raw_pdf(_page_objects(_text_ops(), extra=nest))


def cyclic_page_tree() -> bytes:
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"])


def active_content(marker: Path) -> bytes:
    """JavaScript (on open and in a link), a Launch action that would create ``marker``,
    a URI link and an attached file: none of it may run, be followed or be indexed."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), TEXT)
    rect = pymupdf.Rect(72, 100, 300, 120)
    page.insert_link({"kind": pymupdf.LINK_URI, "from": rect, "uri": "http://127.0.0.1:9/x"})
    page.insert_link({"kind": pymupdf.LINK_LAUNCH, "from": rect + (0, 30, 0, 30),
                      "file": f"/usr/bin/touch {marker}"})
    doc.embfile_add("secret.txt", b"ATTACHMENTSECRET never index this", filename="secret.txt")
    js = f"app.launchURL('file://{marker}'); this.exportDataObject({{cName: 'secret.txt'}});"
    escaped = js.replace("(", "\\(").replace(")", "\\)")
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", f"<< /S /JavaScript /JS ({escaped}) >>")
    doc.xref_set_key(doc.pdf_catalog(), "AA", f"<< /WC << /S /Launch /F ({marker}) >> >>")
    data = doc.tobytes()
    doc.close()
    return data


def build(folder: Path, pages: int = 300, image_side: int = 20000,
          depth: int = 100_000) -> dict[str, Path]:
    """Write the zoo into ``folder``; return name -> path."""
    items = {
        "zero_byte.pdf": b"", "whitespace.pdf": b" \n\t\n", "header_only.pdf": b"%PDF-1.7\n",
        "html.pdf": html_named_pdf(), "png.pdf": png_named_pdf(), "truncated.pdf": truncated(),
        "corrupt_xref.pdf": corrupt_xref(), "encrypted.pdf": encrypted(),
        "encrypted_owner_only.pdf": encrypted(owner_only=True), "zero_pages.pdf": zero_pages(),
        "many_pages.pdf": pdf(pages=pages), "huge_image.pdf": huge_image(image_side),
        "huge_page.pdf": huge_page(), "deeply_nested.pdf": deeply_nested(depth),
        "cyclic_pages.pdf": cyclic_page_tree(),
        "active_content.pdf": active_content(folder / "LAUNCHED"),
        "bad_utf8.txt": b"Quota \xff\xfe\x00 caf\xe9 " + TEXT.encode() + b"\x00\x01\x02",
    }
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, data in items.items():
        (folder / name).write_bytes(data)
        out[name] = folder / name
    return out
