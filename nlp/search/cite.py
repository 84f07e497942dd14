"""A citation for every hit, from what the parser found in its document.

    Legal act   Закон РК № 477-IV «О миграции населения», ст. 37
                № 216-IV Заң «Босқындар туралы», 12-бап
                Law No. 216-IV "On Refugees", Art. 12
    Paper       Nasimova, G., Yastrebova, O. et al. (2021). Title. Journal, p. 4. doi:10.1/x
    Other       Title (2019), p. 4

Only what the document's metadata holds is written; nothing is guessed. ``bibtex`` gives the
same as a BibTeX entry (one per document).
"""

from __future__ import annotations

import json
import re

ARTICLE_CITES = {"ru": "ст. {}", "kk": "{}-бап", "en": "Art. {}"}
# the act's type word as it opens a citation, by the language of the text
_ACT_TYPES = {
    "law": {"ru": "Закон РК", "kk": "Заң", "en": "Law"},
    "code": {"ru": "Кодекс РК", "kk": "Кодекс", "en": "Code"},
    "constitutional_law": {"ru": "Конституционный закон РК", "kk": "Конституциялық заң",
                           "en": "Constitutional Law"},
    "decree": {"ru": "Указ", "kk": "Жарлық", "en": "Decree"},
    "resolution": {"ru": "Постановление", "kk": "Қаулы", "en": "Resolution"},
}
MAX_AUTHORS = 3  # then "et al."


def where(lang: str, article: str, page_start: int, page_end: int) -> str:
    """The place in a document: its article ("ст. 37", "37-бап", "Art. 37") or its pages."""
    if article:
        return ARTICLE_CITES.get(lang, "Art. {}").format(article)
    return f"p. {page_start}" + (f"-{page_end}" if page_end != page_start else "")


def citation(*, title: str, lang: str, act: str = "", article: str = "", page_start: int = 1,
             page_end: int = 1, authors=None, year=None, journal: str = "",
             doi: str = "") -> str:
    """One line to cite a passage (see the module's examples)."""
    place = where(lang, article, page_start, page_end)
    title = " ".join((title or "").split())
    if act:
        return f"{_act_name(act, title, lang)}, {place}"
    names = _authors(authors)
    head = f"{names} ({year}). {title}." if names and year else (
        f"{names}. {title}." if names else f"{title}{f' ({year})' if year else ''}.")
    tail = f" {journal}, {place}." if journal else f" {place}."
    return head + tail + (f" doi:{doi}" if doi else "")


def _act_name(act: str, title: str, lang: str) -> str:
    kind, _, number = act.partition(":")
    number = number.split(":")[0]
    word = _ACT_TYPES.get(kind, {}).get(lang) or kind.replace("_", " ").capitalize()
    quoted = {"ru": f"«{title}»", "kk": f"«{title}»"}.get(lang, f"“{title}”") if title else ""
    if lang == "kk":
        return " ".join(x for x in (f"№ {number}" if number else "", word, quoted) if x)
    no = {"ru": "№", "en": "No."}.get(lang, "No.")
    return " ".join(x for x in (word, f"{no} {number}" if number else "", quoted) if x)


def _authors(authors) -> str:
    if isinstance(authors, str):
        try:
            authors = json.loads(authors)
        except ValueError:
            authors = [authors]
    names = [" ".join(str(a).split()) for a in (authors or []) if str(a).strip()]
    if len(names) > MAX_AUTHORS:
        return ", ".join(names[:MAX_AUTHORS]) + " et al."
    return ", ".join(names)


def bibtex(key: str, *, title: str, authors=None, year=None, journal: str = "",
           doi: str = "", act: str = "", path: str = "") -> str:
    """A BibTeX entry (``@article`` with a journal, ``@misc`` otherwise)."""
    names = _authors(authors).removesuffix(" et al.").split(", ")
    fields = {"title": title, "author": " and ".join(n for n in names if n),
              "year": str(year or ""), "journal": journal, "doi": doi,
              "note": f"act {act}" if act else "", "howpublished": path if not journal else ""}
    body = ",\n".join(f"  {k} = {{{_brace(v)}}}" for k, v in fields.items() if v)
    key = re.sub(r"[^A-Za-z0-9_:-]", "_", key)
    return f"@{'article' if journal else 'misc'}{{{key},\n{body}\n}}"


def _brace(value: str) -> str:
    """A BibTeX field value: braces balanced, line breaks folded."""
    value = " ".join(str(value).split())
    return value.replace("{", "(").replace("}", ")")
