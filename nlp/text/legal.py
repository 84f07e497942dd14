"""The structure of a legal act in kk, ru and en: chapters, articles, a table of contents and
the editors' notes, read from the blocks of a parsed document (PDF, .txt or .md alike).

    ГЛАВА 1 / 1-тарау / Chapter 1          a chapter (also Раздел / бөлім / Section, Part)
    Статья 37. / 37-бап. / Article 37.     an article with its title (19-1, 19-1-бап too)
    Сноска. / Ескерту. / Footnote.         a note on the article's amendments: metadata
    3) исключен Законом ... / алып тасталды an item an amendment removed: metadata
    Примечание ИЗПИ! / РҚАО-ның ескертпесі! an editors' note and the paragraph after it

``structure(doc)`` marks the blocks (``kind``: "heading" for chapters and articles, "toc" for
the table of contents, "note" for notes) and records the act in ``doc.meta["legal"]``: its
articles (number, title, chapter) and the notes of each. Chunks then follow the articles and
never take a note or the table of contents in (``nlp.text.chunk``).
"""

from __future__ import annotations

import re

from nlp.records import Document

_NUM = r"(\d+(?:-\d+)*)"
_ROMAN = r"(\d+|[IVXLC]+)"
ARTICLE = [
    re.compile(rf"(?:Статья|СТАТЬЯ)\s+{_NUM}\s*\.?\s*(.*)", re.S),
    re.compile(rf"{_NUM}\s*-\s*(?:бап|БАП)\b\s*\.?\s*(.*)", re.S),
    re.compile(rf"(?:Article|ARTICLE)\s+{_NUM}\s*\.?\s*(.*)", re.S),
]
# (kk: "1-тарау", "I бөлiм": the hyphen is optional and official texts often set the Kazakh і
# as a Latin i)
CHAPTER = [
    re.compile(rf"(?:ГЛАВА|Глава|РАЗДЕЛ|Раздел)\s+{_ROMAN}\s*\.?\s*(.*)", re.S),
    re.compile(rf"{_ROMAN}\s*-?\s*(?:тарау|ТАРАУ|бөл[іi]м|БӨЛ[ІI]М)\b\s*\.?\s*(.*)", re.S),
    re.compile(rf"(?:CHAPTER|Chapter|SECTION|Section|PART|Part)\s+{_ROMAN}\s*\.?\s*(.*)", re.S),
]
TOC_TITLES = re.compile(r"(?:Оглавление|Содержание|Мазмұны|Contents|Table of contents)\s*$",
                        re.I)
# A note of the editors on the amendments of the article it follows.
NOTE = re.compile(r"(?:Сноска|Ескерту|Footnote)\s*\.", re.I)
# A note of the publishing centre; the paragraph after it is the note's text.
EDITORS = re.compile(r"(?:Примечание\s+(?:ИЗПИ|РЦПИ)|\S+-(?:ның|нің)\s+ескертпесі"
                     r"|Note\s+of\s+the\s+\w+)\s*!", re.I)
# A paragraph or item an amendment removed: "3) исключен Законом РК от ...", "4. Алып тасталды".
REMOVED = re.compile(r"\d+(?:-\d+)*[.)]\s*(?:(?:исключен[аоы]?|утратил[аи]?\s+силу)\b"
                     r"|алып\s+тасталды|(?:was\s+)?(?:excluded|deleted|repealed)\b)", re.I)
ACT_NUMBER = re.compile(r"(?:№|N)\s*(\d{1,4}-[IVX]+)")
MAX_HEADING = 300  # characters: a longer block is body text that begins like a heading
MIN_ARTICLES = 2  # a document with fewer article headings is no legal act
MIN_TOC = 3  # entries in a row that make a table of contents


def heading(text: str) -> tuple[str, str, str] | None:
    """("article" | "chapter", number, title) when ``text`` is such a heading, else None."""
    text = " ".join(text.split())
    if not text or len(text) > MAX_HEADING:
        return None
    for kind, patterns in (("article", ARTICLE), ("chapter", CHAPTER)):
        for pattern in patterns:
            m = pattern.fullmatch(text)
            if m:
                return kind, m[1], m[2].strip().rstrip(".").strip()
    return None


# An article cited in a question: "ст. 37", "статья 37", "статьи 19-1", "37-бап", "37-бабы",
# "Art. 37", "article 37".
CITED = re.compile(r"(?<!\w)(?:(?:ст|art)\.\s*|(?:стать[яиюей]|article)\s+)(\d+(?:-\d+)*)(?!\w)"
                   r"|(?<![\w-])(\d+(?:-\d+)*)\s*-\s*(?:бап|баб)\w*", re.I)
_MORE = re.compile(r"\s*(?:,|;|и|или|және|мен|and|or|[-–—])\s*\d", re.I)
MAX_CITING_WORDS = 12  # a longer query cites articles in passing (its text refers to them)


def cited_article(query: str) -> str | None:
    """The article a query asks for: the one its text opens with as a heading (an article
    pasted whole), or the one a short query cites ("статья 12 гражданство ребенка",
    "37-бап", "Art. 37 work permits"); None when it cites none or several."""
    text = " ".join(query.split())
    for pattern in ARTICLE:
        opening = pattern.match(text)
        if opening:
            return opening[1]
    if len(text.split()) > MAX_CITING_WORDS:
        return None
    found = set()
    for m in CITED.finditer(text):
        found.add(m[1] or m[2])
        if _MORE.match(text, m.end()):  # "статьи 5 и 7", "Art. 5, 6"
            return None
    return found.pop() if len(found) == 1 else None


def is_note(text: str) -> bool:
    """True for an editors' note or a removed item (kept as metadata, not body)."""
    text = text.lstrip()
    return bool(NOTE.match(text) or EDITORS.match(text) or REMOVED.match(text))


def structure(doc: Document) -> None:
    """Mark the chapters, articles, table of contents and notes of a legal act in ``doc``
    and record them in ``doc.meta["legal"]``; a document with no articles is left as it is."""
    blocks = [b for page in doc.pages for b in page.blocks]
    heads = {i: h for i, b in enumerate(blocks) if (h := heading(b.text))}
    toc = _table_of_contents(blocks, heads)
    articles = [i for i, h in heads.items() if i not in toc and h[0] == "article"]
    if len(articles) < MIN_ARTICLES:
        return
    for i in toc:
        blocks[i].kind = "toc"
    legal = {"articles": [], "notes": []}
    if _poor_title(doc.meta.get("title") or "", blocks):
        doc.meta["title"] = _title(blocks) or doc.meta.get("title")
    chapter, article, after_editors = "", "", False
    for i, block in enumerate(blocks):
        if i in toc:
            continue
        found = heads.get(i)
        if found:
            block.kind = "heading"
            kind, number, title = found
            if kind == "chapter":
                chapter, article = number, ""
            else:
                article = number
                legal["articles"].append({"number": number, "title": title, "chapter": chapter})
            after_editors = False
        elif after_editors or is_note(block.text):
            after_editors = bool(EDITORS.match(block.text.lstrip()))
            block.kind = "note"
            legal["notes"].append({"article": article, "text": block.text,
                                   "acts": ACT_NUMBER.findall(block.text)})
    doc.meta["legal"] = legal


TYPE_WORD = re.compile(r"(?:ЗАКОН|Закон|ЗАҢЫ|Заңы|Заң|LAW|Law|КОДЕКС|Кодекс|Code|УКАЗ|Указ"
                       r"|Decree|ЖАРЛЫҒЫ|Жарлығы|ПОСТАНОВЛЕНИЕ|Постановление|ҚАУЛЫСЫ|Қаулысы)\s*")


def _poor_title(title: str, blocks: list) -> bool:
    """A title that names no act: the table of contents, an article or a bare type word."""
    return (not title or bool(heading(title)) or bool(TYPE_WORD.fullmatch(title))
            or any(b.kind == "toc" and b.text.strip("# ") == title for b in blocks))


def _title(blocks: list) -> str | None:
    """The act's title: the last short line before its first chapter or article that is no
    sentence, note or header ("О миграции населения", "Халықтың көші-қоны туралы")."""
    title = None
    for block in blocks:
        text = " ".join(block.text.strip("# ").split())
        if block.kind == "toc" or block.kind == "note" or not text:
            continue
        if heading(text):
            break
        if len(text) < 200 and not text.endswith((".", ":", ";")) and not TYPE_WORD.fullmatch(
                text) and not ACT_NUMBER.search(text):
            title = text
    return title


def _table_of_contents(blocks: list, heads: dict[int, tuple]) -> set[int]:
    """Blocks of a table of contents: a run of headings with no text between them whose
    articles come again later, with the title above it ("Оглавление", "Мазмұны")."""
    last: dict[tuple[str, str], int] = {}  # where each chapter or article heading last stands
    for i, (kind, number, _) in heads.items():
        last[kind, number] = i
    toc: set[int] = set()
    run: list[int] = []
    for i in [*heads, len(blocks) + 1]:
        if run and i != run[-1] + 1:
            repeated = [j for j in run if last[heads[j][:2]] > j]
            if len(run) >= MIN_TOC and len(repeated) * 2 >= len(run):
                toc.update(run)
                if run[0] and TOC_TITLES.match(blocks[run[0] - 1].text.strip("# ")):
                    toc.add(run[0] - 1)
            run = []
        run.append(i)
    return toc

