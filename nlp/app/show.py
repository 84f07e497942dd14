"""Text and file renderings of results for people and for other programs."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

from nlp.errors import UserError
from nlp.records import Document, Hit
from nlp.search.cite import ARTICLE_CITES
from nlp.text.printable import printable

SNIPPET = 320  # characters of a hit shown: the best sentence and some context
SENTENCE = 280  # at most this much of the best sentence
OPEN_MARK, CLOSE_MARK = "\ue000", "\ue001"  # private-use placeholders for the bold codes
TABLE_COLUMNS = ["doc_id", "page", "lang", "label", "text", "canonical_id", "norm", "value",
                 "unit"]
DOCUMENT_TABLE = ["doc_id", "lang", "pages", "chunks", "act", "title"]


def hits_table(hits: list[Hit], query: str = "", ansi: bool = False,
               grouped: bool = False) -> str:
    """A readable listing: rank, score, language, pages, document, title, and the chunk's
    sentence that best matches ``query`` in bold (``ansi``) or between »…«, with context;
    ``grouped`` (hits of ``by_lang``): a heading before each language's group."""
    out = []
    for h in hits:
        if grouped and h.rank == 1:
            out.append(f"── {LANG_NAMES.get(h.lang, h.lang)} ──")
        title = _cut(h.title or h.doc_id, 70)
        line = (f"{h.rank:>2}. {h.score:<7.4g} [{h.lang}]  {h.doc_id}  {where(h)}  {title}"
                + (f"  (also in: {', '.join(h.also_in)})" if h.also_in else ""))
        out.append(printable(line, one_line=True))  # document text: no terminal codes
        text = printable(h.text)  # before the bold codes of our own are added
        out.append(textwrap.indent(_snippet(text, query, h.lang, ansi), "      "))
    return "\n".join(out)


LANG_NAMES = {"kk": "Kazakh (kk)", "ru": "Russian (ru)", "en": "English (en)"}


def where(hit: Hit) -> str:
    """Where a hit is, as one cites it: the article of a legal act ("ст. 37", "37-бап",
    "Art. 37") or the pages ("p.4", "p.4-5")."""
    if hit.article:
        return ARTICLE_CITES.get(hit.lang, "Art. {}").format(hit.article)
    return f"p.{hit.page_start}" + (f"-{hit.page_end}" if hit.page_end != hit.page_start else "")


def _snippet(text: str, query: str, lang: str, ansi: bool) -> str:
    """The best sentence, marked, with a little context either side, wrapped to 96."""
    from nlp.search.rank import best_sentence

    start, end = best_sentence(text, query, lang)
    before = " ".join(text[:start].split())
    sentence = _cut(" ".join(text[start:end].split()), SENTENCE)
    after = " ".join(text[end:].split())
    room = max(0, SNIPPET - len(sentence))
    before = ("…" + before[-(room // 3):].lstrip()) if len(before) > room // 3 else before
    after = _cut(after, room - len(before)) if room - len(before) > 1 else ("…" if after else "")
    if ansi:  # wrap first, so the escape codes do not count as width
        marked = f"{OPEN_MARK}{sentence}{CLOSE_MARK}"
        lines = textwrap.fill(" ".join(p for p in (before, marked, after) if p), 96)
        return lines.replace(OPEN_MARK, "\x1b[1m").replace(CLOSE_MARK, "\x1b[0m")
    return textwrap.fill(" ".join(p for p in (before, f"»{sentence}«", after) if p), 96)


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


HIT_COLUMNS = ["rank", "score", "citation", "doc_id", "title", "lang", "page_start", "page_end",
               "article", "section", "act", "also_in", "text", "path", "chunk_id"]


def hits_export(hits, fmt: str, output: str | None, meta: dict | None = None) -> None:
    """Hits as JSON lines or CSV (one row each, with its citation), or their documents as
    BibTeX (``meta``: ``Index.document_meta`` of them), to ``output`` or stdout."""
    import pandas as pd

    from nlp.search.cite import bibtex

    if fmt == "bibtex":
        text = "\n\n".join(bibtex(d, **{k: m.get(k) or "" for k in
                                         ("title", "authors", "year", "journal", "doi", "act",
                                          "path")})
                            for d, m in (meta or {}).items()) + "\n"
        _write_text(text, output, fmt, "hits")
        return
    if fmt == "jsonl":  # the hits as they are (also_in a list), as the server sends them
        _write_text("".join(json.dumps(h.to_dict(), ensure_ascii=False) + "\n" for h in hits),
                    output, fmt, "hits")
        return
    frame = pd.DataFrame([h.to_dict() for h in hits], columns=HIT_COLUMNS)
    frame["also_in"] = frame["also_in"].map(lambda d: " ".join(d) if isinstance(d, list) else d)
    write_frame(frame, "csv", output, what="hits")


def write_frame(frame, fmt: str, output: str | None, columns: list[str] = TABLE_COLUMNS,
                what: str = "entities") -> None:
    """Write a DataFrame as table (``columns``), csv, jsonl or parquet to ``output`` or
    stdout; a file that cannot be written is a ``UserError`` and leaves no partial file."""
    if fmt == "parquet" and not output:
        raise UserError(f"Parquet is binary: give a file with -o, e.g. -o {what}.parquet")
    if fmt == "parquet":
        _write_output(output, fmt, what, lambda part: frame.to_parquet(part, index=False))
        return
    if fmt == "csv":
        text = frame.to_csv(index=False)
    elif fmt == "jsonl":
        text = frame.to_json(orient="records", lines=True, force_ascii=False) if len(frame) else ""
    else:
        text = _table(frame, columns, what)
    _write_text(text, output, fmt, what)


def _write_text(text: str, output: str | None, fmt: str, what: str) -> None:
    """``text`` to stdout (control characters shown, not sent) or to the file ``output``."""
    if not output:
        sys.stdout.write(printable(text))
        return
    _write_output(output, fmt, what, lambda part: part.write_text(text, encoding="utf-8"))


def _write_output(output: str, fmt: str, what: str, write) -> None:
    """Call ``write`` on a partial file beside ``output``, then rename it into place; a
    folder, a missing folder or a failed write is a ``UserError`` and leaves no partial file."""
    if Path(output).is_dir():
        raise UserError(f"Cannot write {output}: it is a folder; give a file name, e.g. "
                        f"-o {Path(output) / what}.{'txt' if fmt == 'table' else fmt}")
    if not Path(output).parent.is_dir():
        raise UserError(f"Cannot write {output}: folder {Path(output).parent} does not exist")
    part = Path(output).with_name(f".{Path(output).name}.part")
    try:
        write(part)
        part.replace(output)
    except OSError as err:
        part.unlink(missing_ok=True)
        raise UserError(f"Cannot write {output}: {err.strerror or err}") from None


def _table(frame, columns: list[str], what: str) -> str:
    """The columns people read, one line per row (line breaks in texts folded)."""
    if not len(frame):
        return f"No {what}.\n"
    view = frame[[c for c in columns if c in frame]].fillna("")
    for column in ("text", "title"):
        if column in view:
            view[column] = view[column].map(lambda t: " ".join(str(t).split()))
    return view.to_string(index=False, max_colwidth=60, na_rep="") + "\n"


def document_json(doc: Document) -> str:
    """Pages (method, quality, flags), blocks (text, bbox, language, kind, quality, flags)
    and metadata as JSON."""
    return json.dumps({
        "doc_id": doc.doc_id, "path": doc.path, "sha256": doc.sha256, "meta": doc.meta,
        "pages": [{"number": p.number, "width": p.width, "height": p.height,
                   "method": p.method, "quality": p.quality, "flags": p.flags,
                   "blocks": [b.__dict__ for b in p.blocks]} for p in doc.pages],
    }, ensure_ascii=False, indent=2, default=str)


def document_text(doc: Document) -> str:
    """A readable outline: metadata, then each page's blocks with language and kind."""
    meta = doc.meta
    out = [f"{doc.path}", f"  title: {doc.title}", f"  pages: {len(doc.pages)}  "
           f"language: {meta.get('lang')}  languages: {', '.join(meta.get('langs', []))}"]
    out += _meta_lines(meta)
    for page in doc.pages:
        extra = f", {page.method}" if page.method != "text" else ""
        extra += f", quality {page.quality:.2f}" if page.quality < 0.95 else ""
        extra += f", {' '.join(page.flags)}" if page.flags else ""
        out.append(f"--- page {page.number} ({len(page.blocks)} blocks{extra})")
        for b in page.blocks:
            first = " ".join(b.text.split())
            mark = {"heading": "# ", "table": "| ", "footnote": "^ "}.get(b.kind, "")
            flags = f" [{' '.join(b.flags)} q={b.quality:.2f}]" if b.flags else ""
            out.append(f"  [{b.lang}] {mark}{first[:110]}{flags}")
    return "\n".join(out)


def _meta_lines(meta: dict) -> list[str]:
    out = []
    for key in ("authors", "year", "journal", "series", "doi"):
        value = meta.get(key)
        if value:
            out.append(f"  {key}: {', '.join(value) if isinstance(value, list) else value}")
    for lang, words in (meta.get("keywords") or {}).items():
        out.append(f"  keywords [{lang}]: {', '.join(words)}")
    for lang, text in (meta.get("abstracts") or {}).items():
        out.append(f"  abstract [{lang}]: {text[:100]}{'…' if len(text) > 100 else ''}")
    if meta.get("running"):
        out.append(f"  running: {' | '.join(meta['running'][:4])}")
    if meta.get("needs_ocr"):
        out.append(f"  needs OCR: pages {', '.join(map(str, meta['needs_ocr']))}")
    if meta.get("partial"):
        out.append(f"  partial: {meta['partial']}")
    return out


def info_text(info: dict) -> str:
    """The ``nlp info`` summary for people."""
    per = lambda d: ", ".join(f"{k} {v}" for k, v in sorted(d.items())) or "-"  # noqa: E731
    return "\n".join([
        f"index     {info['index']}",
        f"model     {info['model']} ({info['dim']}-d)",
        f"documents {info['documents']} ({info['pages']} pages)"
        + (f"; {info['documents_without_text']} with no text to search (nlp documents: "
           f"chunks 0)"
           if info.get("documents_without_text") else ""),
        f"chunks    {info['chunks']} ({per(info['chunks_per_lang'])})",
        f"entities  {info['entities']}",
        f"  by label    {per(info['entities_per_label'])}",
        f"  by language {per(info['entities_per_lang'])}",
        f"updated   {info['updated']}",
    ])
