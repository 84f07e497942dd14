"""The text of a ``.txt`` or ``.md`` file, whatever its encoding, or a clear refusal.

Files from Kazakh and Russian sources are not all UTF-8: Windows tools write cp1251 (Russian)
or KZ-1048 (Kazakh: cp1251 with ә ғ қ ң ө ұ ү һ і in place of the Serbian and Macedonian
letters), Notepad writes UTF-16, old DOS tools cp866 and Unix ones KOI8-R. Decoding them all as
UTF-8 stored U+FFFD soup. ``decode`` reads

1. a byte-order mark (UTF-8, UTF-16 or UTF-32),
2. UTF-16 without a mark when every other byte is mostly 0 or 4 (Latin or Cyrillic text: such
   bytes can also be valid UTF-8, full of control characters),
3. UTF-8 when the bytes are valid UTF-8, or nearly (a few damaged bytes become U+FFFD),
4. else the single-byte Cyrillic code page whose reading looks most like text.

Binary data (a renamed image, random bytes) is refused: text has no control characters
besides tab, line breaks and form feed. A few stray ones (a NUL, a terminal escape) are
removed from the text.
"""

from __future__ import annotations

import codecs
import re

from nlp.errors import ParseError

SINGLE_BYTE = ("cp1251", "kz1048", "koi8-r", "cp866")  # first wins a tie
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# the control characters (Unicode category Cc) other than tab, line breaks and form feed, and
# the replacement character
_STRAY_CLASS = "\x00-\x08\x0e-\x1f\x7f-\x9f"
_CONTROLS = re.compile(f"[{_STRAY_CLASS}\ufffd]")
_STRAY = re.compile(f"[{_STRAY_CLASS}]")  # the same, without U+FFFD: removed from text
SAMPLE = 1 << 16  # bytes read to choose a code page
MAX_CONTROL_SHARE = 0.01  # of the characters; random bytes give ~12%, text none
MIN_CONTROLS = 8  # a few stray bytes in a short text are damage, not binary data
# letters cp1251 has where KZ-1048 has Kazakh ones: in a Kazakh or Russian text, a sign of
# the wrong code page
_BALKAN = frozenset("ЂђЃѓЉљЊњЌќЋћЏџЎўЈјҐґЄєЇї")


class NotText(ParseError):
    """The file's bytes are not text in any encoding we read."""


def decode(data: bytes, path: object = "") -> tuple[str, str]:
    """(text, encoding name) of a text file's bytes; ``NotText`` for binary data."""
    text, encoding = _decode(data)
    if control_share(text) > MAX_CONTROL_SHARE and control_count(text) > MIN_CONTROLS:
        raise NotText(path, "not a text file (binary data: control characters throughout); "
                            "give a .txt or .md in UTF-8, UTF-16 or a Cyrillic code page")
    return _STRAY.sub("", text), encoding  # stray NULs, terminal escapes: never text


def _decode(data: bytes) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                break
    wide = _utf16_without_bom(data)  # before UTF-8: Cyrillic UTF-16 can be valid UTF-8
    if wide:
        return wide
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "replace")  # UTF-8 with a few damaged bytes stays UTF-8
    if text.count("\ufffd") <= MAX_CONTROL_SHARE * len(text):
        return text, "utf-8"
    sample = data[:SAMPLE]
    best = max(SINGLE_BYTE, key=lambda name: (_looks_like_text(sample.decode(name, "replace")),
                                              -SINGLE_BYTE.index(name)))
    return data.decode(best, "replace"), best


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 LE or BE when one byte of most pairs is 0 (ASCII) or 4 (Cyrillic)."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    pairs = len(sample) // 2
    for name, high in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if sum(b in (0, 4) for b in high) / pairs > 0.9:
            try:
                return data[: len(data) // 2 * 2].decode(name), name
            except UnicodeDecodeError:
                return None
    return None


def _looks_like_text(text: str) -> float:
    """Share of characters that are letters of the Cyrillic or Latin alphabets, digits,
    spaces or common punctuation, less the letters no Kazakh or Russian text uses."""
    if not text:
        return 0.0
    good = sum(1 for c in text if c.isspace() or c.isascii() and c.isprintable()
               or ("\u0400" <= c <= "\u04ff" and c not in _BALKAN) or c in "«»–—№")
    # lower case after lower case is how words run; KOI8-R read as cp1251 swaps the cases
    runs = sum(1 for a, b in zip(text, text[1:], strict=False) if a.islower() and b.islower())
    letters = sum(1 for c in text if c.isalpha()) or 1
    return good / len(text) + 0.5 * runs / letters


def control_count(text: str) -> int:
    """Control characters (other than tab, line breaks, form feed) and U+FFFD."""
    return len(_CONTROLS.findall(text))


def control_share(text: str) -> float:
    """``control_count`` as a share of the characters."""
    return control_count(text) / len(text) if text else 0.0
