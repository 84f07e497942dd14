"""Bibliographic metadata without a DOI lookup: from the PDF's own fields and page one.

``document_meta`` returns title, authors, year, doi, journal, series, keywords ``{lang: [...]}``
and abstracts ``{lang: text}`` (a paper in English often carries kk and ru abstracts),
each only when found, with ``title_source`` / ``year_source`` saying where from.
"""

from __future__ import annotations

import re
from collections import Counter

from nlp.records import Block, Page

_BAD_TITLE = re.compile(r"^(?:microsoft \w+ - |untitled|document\d*$|слайд|презентация)|"
                        r"\.(?:docx?|pdf|tex|dvi|rtf|odt|indd|qxd)$", re.I)
_BAD_AUTHOR = re.compile(r"^(?:admin\w*|user|windows user|пользователь|автор|author|"
                         r"microsoft|www\.|http)|\d{3,}", re.I)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>,;]+)", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_COPYRIGHT_YEAR = re.compile(r"(?:©|\(c\)|copyright)\s*(19[5-9]\d|20[0-4]\d)", re.I)
_JOURNAL = re.compile(r"\b(?:journal|review|bulletin|proceedings|quarterly|annals|transactions|"
                      r"studies|вестник|журнал|известия|хабаршысы|хабаршы|жаршысы|issn)\b", re.I)
_SERIES = re.compile(r"\b(?:working paper|policy brief|discussion paper|occasional paper|"
                     r"research report|brief|серия|сериясы|аналитическая записка|"
                     r"талдамалық жазба|сараптамалық шолу|обзор)\b", re.I)
_SEPARATORS = re.compile(r"\s+[·•|—–]\s+")
_KEYWORDS = re.compile(r"^\s*(?:key\s*words|keywords|ключевые\s+слова|түйін(?:ді)?\s+сөздер|"
                       r"кілт(?:тік)?\s+сөздер|негізгі\s+сөздер)\s*[:.—–-]?\s*", re.I)
_ABSTRACT = re.compile(r"^\s*(?:abstract|summary|аннотация|резюме|аңдатпа|түйін|түйіндеме)"
                       r"\b\s*[:.—–-]?\s*", re.I)
_INITIAL = r"[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]\."
_NAME_WORD = r"[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][a-zа-яёәғқңөұүһі'’]+(?:-[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][a-zа-яёәғқңөұүһі]+)?"
_NAME = re.compile(rf"(?:(?:{_INITIAL}\s*){{1,3}}{_NAME_WORD}|{_NAME_WORD}(?:\s+{_INITIAL}){{1,3}}|"
                   rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}}|(?:{_INITIAL}\s*){{1,3}}[A-ZА-Я]{{2,}})")


def document_meta(pdf_meta: dict[str, str], pages: list[Page], running: list[str]) -> dict:
    """Title, authors, year, DOI, journal, keywords and abstracts where they can be found."""
    first = [b for p in pages[:2] for b in p.blocks]
    page_one = pages[0].blocks if pages else []
    out: dict = {}
    sizes = sorted(b.size for p in pages[:20] for b in p.blocks if b.kind == "body"
                   for _ in range(len(b.text) // 40 + 1))
    body = sizes[len(sizes) // 2] if sizes else 0.0
    title, source, title_block = _title(pdf_meta, page_one, body)
    if title:
        out.update(title=title, title_source=source)
    authors = _authors(pdf_meta, page_one, title_block)
    if authors:
        out["authors"] = authors
    head_text = "\n".join([*running, *(b.text for b in first)])
    doi = _DOI.search(head_text) or _DOI.search(pdf_meta.get("subject", ""))
    if doi:
        out["doi"] = doi.group(1).rstrip(".)]")
    out.update(_year(pdf_meta, running, first))
    journal, series = _journal(running, page_one), _series(running)
    if journal:
        out["journal"] = journal
    if series:
        out["series"] = series
    keywords, abstracts = _keywords(first, pdf_meta), _abstracts(first)
    if keywords:
        out["keywords"] = keywords
    if abstracts:
        out["abstracts"] = abstracts
    return out


def _title(pdf_meta: dict, blocks: list[Block], body: float) -> tuple[str, str, Block | None]:
    layout, block = _title_from_layout(blocks, body)
    given = pdf_meta.get("title", "")
    if given and not _BAD_TITLE.search(given) and sum(c.isalpha() for c in given) >= 3:
        return given, "pdf", block
    if layout:
        return layout, "layout", block
    return "", "", None


def _title_from_layout(blocks: list[Block], body: float) -> tuple[str, Block | None]:
    """The largest text in the top part of page one, well above body size; adjacent
    boxes of that size join ("ҚАЗАҚ ТІЛІНДЕГІ" / "НҰСҚАУЛЫҚ")."""
    if not blocks:
        return "", None
    bottom = max(b.bbox[3] for b in blocks)
    cands = [b for b in blocks if b.kind in ("heading", "body") and b.bbox[1] < 0.6 * bottom
             and b.size >= 1.2 * body and sum(c.isalpha() for c in b.text) >= 3
             and len(b.text) < 300]
    if not cands:
        return "", None
    size = max(b.size for b in cands)
    start = next(b for b in cands if b.size == size)
    parts = [start]
    for b in blocks[blocks.index(start) + 1:]:
        if abs(b.size - size) > 0.5 or b.bbox[1] - parts[-1].bbox[3] > 2 * size:
            break
        parts.append(b)
    return re.sub(r"\s+", " ", " ".join(b.text for b in parts)).strip(), parts[-1]


def _authors(pdf_meta: dict, blocks: list[Block], title_block: Block | None) -> list[str]:
    """Names printed under the title (up to 8 blocks on), else the PDF's author field."""
    start = next((i + 1 for i, b in enumerate(blocks) if b is title_block), 0)
    names: list[str] = []
    for b in blocks[start:start + 8]:
        if _ABSTRACT.match(b.text) or _KEYWORDS.match(b.text):
            break
        found = _names(b.text)
        if found:
            names += found
        elif names:
            break
    given = pdf_meta.get("author", "")
    if not names and given and not _BAD_AUTHOR.search(given):
        names = [a.strip() for a in re.split(r"\s*(?:;| and | и | және )\s*", given) if a.strip()]
    return names


def _names(text: str) -> list[str]:
    """Person names if the whole text is a list of them ("A. B. Surname, Name Surname¹")."""
    clean = re.sub(r"[\d*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+", " ", text)
    parts = [p.strip() for p in re.split(r"\s*(?:,|;|\n| and | и | және |&)\s*", clean)]
    parts = [re.sub(r"\s+", " ", p) for p in parts if p]
    if not parts or len(text) > 300:
        return []
    names = [p for p in parts if _NAME.fullmatch(p)]
    return names if len(names) >= max(1, 0.7 * len(parts)) else []


def _year(pdf_meta: dict, running: list[str], blocks: list[Block]) -> dict:
    years = Counter(y for line in running for y in _YEAR.findall(line))
    if years:
        return {"year": int(years.most_common(1)[0][0]), "year_source": "running header"}
    for b in blocks:
        m = _COPYRIGHT_YEAR.search(b.text)
        if m:
            return {"year": int(m.group(1)), "year_source": "copyright line"}
    for b in blocks[:6]:
        if _JOURNAL.search(b.text) and _YEAR.search(b.text):
            return {"year": int(_YEAR.search(b.text).group(1)), "year_source": "journal line"}
    m = re.match(r"D:(\d{4})", pdf_meta.get("creationDate", ""))
    if m and _YEAR.fullmatch(m.group(1)):
        return {"year": int(m.group(1)), "year_source": "pdf creation date"}
    return {}


def _journal(running: list[str], blocks: list[Block]) -> str:
    """A journal name from the running lines, else from the top of page one."""
    lines = [ln for text in running for ln in text.split("\n")]
    lines += [ln for b in blocks[:5] for ln in b.text.split("\n") if len(ln) < 150]
    for line in lines:
        for part in _SEPARATORS.split(line):
            if _JOURNAL.search(part):
                name = re.split(r"\s*[,.]?\s*(?:vol\.|том\s|№|no\.|issue|pp\.|\d{4})", part,
                                flags=re.I)[0].strip(" ,.-–—|·")
                if sum(c.isalpha() for c in name) >= 6:
                    return name
    return ""


def _series(running: list[str]) -> str:
    """A report series from the running lines ("Working Paper 2023/02", "Policy Brief No. 7")."""
    for part in (p for text in running for p in _SEPARATORS.split(text)):
        if _SERIES.search(part) and not _JOURNAL.search(part):
            return part.strip()
    return ""


def _keywords(blocks: list[Block], pdf_meta: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for b in blocks:
        m = _KEYWORDS.match(b.text)
        if m and b.lang not in out:
            words = [w.strip(" .") for w in re.split(r"[;,·•]\s*", b.text[m.end():]) if w.strip()]
            out[b.lang] = [re.sub(r"\s+", " ", w) for w in words if len(w) < 80]
    if not out and pdf_meta.get("keywords"):
        from nlp.text.language import detect_language

        lang = detect_language(pdf_meta["keywords"])
        out[lang] = [w.strip() for w in re.split(r"[;,]", pdf_meta["keywords"]) if w.strip()]
    return out


def _abstracts(blocks: list[Block]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, b in enumerate(blocks):
        m = _ABSTRACT.match(b.text)
        if not m:
            continue
        rest = b.text[m.end():].strip()
        source = b
        if len(rest) <= 40:  # the label is a heading; the abstract is the next paragraph
            source = blocks[i + 1] if i + 1 < len(blocks) else b
            rest = source.text if source.kind == "body" and source is not b else ""
        text = re.sub(r"\s+", " ", rest).strip()
        if len(text) > 40 and source.lang not in out:
            out[source.lang] = text
    return out
