"""Text files in the encodings Kazakh and Russian sources use; binary data refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nlp.parse.document import parse_pdf as parse
from nlp.parse.encoding import NotText, decode

RU = "Закон Республики Казахстан \"О миграции населения\" регулирует отношения. Ёлка, съезд.\n"
KK = "Қазақстан Республикасының халықтың көші-қоны туралы Заңы. Әрбір адам үшін өңір, ұлт.\n"


@pytest.mark.parametrize("text, encoding, read_as", [
    (RU, "utf-8", "utf-8"), (RU, "utf-8-sig", "utf-8-sig"), (RU, "utf-16", "utf-16"),
    (RU, "utf-16-le", "utf-16-le"), (RU, "utf-16-be", "utf-16-be"), (RU, "cp1251", "cp1251"),
    (RU, "koi8-r", "koi8-r"), (RU, "cp866", "cp866"),
    (KK, "utf-16", "utf-16"), (KK, "kz1048", "kz1048"), (KK, "utf-16-le", "utf-16-le"),
    ("Plain English.\n", "ascii", "utf-8"),
])
def test_decode_reads_the_encodings_of_our_sources(text, encoding, read_as):
    assert decode((text * 20).encode(encoding)) == (text * 20, read_as)


def test_decode_refuses_binary_data():
    with pytest.raises(NotText, match="x.txt: not a text file"):
        decode(bytes(range(256)) * 100, "x.txt")
    with pytest.raises(NotText):
        decode(os.urandom(20_000))


def test_parse_a_cp1251_text_file_reads_words_not_replacement_characters(tmp_path: Path):
    path = tmp_path / "zakon.txt"
    path.write_bytes((RU * 5).encode("cp1251"))
    doc = parse(path)
    assert "миграции" in doc.pages[0].text and "\ufffd" not in doc.pages[0].text
    assert doc.meta["encoding"] == "cp1251" and doc.pages[0].blocks[0].lang == "ru"


def test_decode_keeps_utf8_with_a_few_damaged_bytes():
    data = "Закон о миграции. ".encode() * 50 + b"\xff\xfe\x00 caf\xe9 \x01"
    text, encoding = decode(data)
    assert encoding == "utf-8" and text.startswith("Закон о миграции.")
    assert "\x00" not in text and "\x01" not in text and text.count("\ufffd") == 3


def test_decode_drops_terminal_escapes_from_text():
    assert decode(b"Title \x1b[2J\x1b]0;owned\x07 text\n")[0] == "Title [2J]0;owned text\n"
