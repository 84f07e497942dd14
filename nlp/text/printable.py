"""Text from documents made safe to show on a terminal or in a one-line report.

A document (or a file name) can hold terminal escape sequences that clear the screen or set
the window title, bidirectional overrides that make a line read otherwise than it is, and line
breaks that forge a line of a summary. ``printable`` shows each such character as a visible
escape (``\\x1b``, ``\\u202e``) and keeps ordinary text, tabs and (unless ``one_line``) line
breaks and form feeds (``nlp parse --text`` separates pages with them).
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0d-\x1f\x7f-\x9f"  # C0 but \t \n \f, DEL, C1
                     r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # direction marks
_UNSAFE_LINE = re.compile(_UNSAFE.pattern[:-1] + r"\n\f]")


def printable(text: str, one_line: bool = False) -> str:
    """``text`` with control characters, terminal escapes and direction overrides shown as
    escapes (line breaks too when ``one_line``)."""
    return (_UNSAFE_LINE if one_line else _UNSAFE).sub(_escape, str(text))


_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(m: re.Match) -> str:
    char = m.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
