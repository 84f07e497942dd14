"""Document text and file names cannot drive the terminal or forge report lines (#20)."""

from __future__ import annotations

from nlp.app.show import hits_table
from nlp.ingestion.local import Failure, IngestReport
from nlp.records import Hit
from nlp.text.printable import printable

CLEAR = "\x1b[2J\x1b]0;pwned\x07"  # clear the screen, set the window title


def test_printable_shows_escapes_and_keeps_text():
    assert printable(f"Закон{CLEAR} 477-IV\tok\n") == (
        "Закон\\x1b[2J\\x1b]0;pwned\\x07 477-IV\tok\n")
    assert printable("a\u202eb\u0085c") == "a\\u202eb\\x85c"  # a direction override, NEL
    assert printable("two\nlines", one_line=True) == "two\\nlines"
    assert printable("page 1\fpage 2\r") == "page 1\fpage 2\\r"  # pages stay, \r shows


def test_printable_hits_keep_only_our_own_bold_codes():
    hit = Hit(1, 0.5, "doc", "/x.pdf", f"Title{CLEAR}", 1, 1, "en", "doc:c0000",
              f"Work permits{CLEAR} are issued by the ministry.")
    table = hits_table([hit], "work permits", ansi=True)
    assert "\x1b[2J" not in table and "\x07" not in table and "\\x1b[2J" in table
    assert table.count("\x1b[1m") == 1 and table.count("\x1b[0m") == 1  # the bold sentence


def test_printable_a_file_name_cannot_forge_a_summary_line():
    report = IngestReport("idx", failed=[Failure("evil\n  failed: other.pdf: forged", "bad", "io")])
    lines = report.summary().splitlines()
    assert len(lines) == 2 and lines[1].startswith("  failed: evil\\n")
