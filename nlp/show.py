"""Text and file renderings of results for people and for other programs."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

from nlp.errors import UserError
from nlp.records import Document, Hit

SNIPPET = 240
TABLE_COLUMNS = ["doc_id", "page", "lang", "label", "text", "canonical_id", "norm", "value",
                 "unit"]


def hits_table(hits: list[Hit]) -> str:
    """A readable listing: rank, score, language, pages, document and a snippet."""
    out = []
    for h in hits:
        pages = f"p.{h.page_start}" + (f"-{h.page_end}" if h.page_end != h.page_start else "")
        title = h.title if len(h.title) <= 70 else h.title[:69] + "…"
        out.append(f"{h.rank:>2}. {h.score:.3f}  [{h.lang}]  {h.doc_id}  {pages}  {title}")
        snippet = " ".join(h.text.split())
        snippet = snippet if len(snippet) <= SNIPPET else snippet[: SNIPPET - 1] + "…"
        out.append(textwrap.indent(textwrap.fill(snippet, 96), "      "))
    return "\n".join(out)


def write_frame(frame, fmt: str, output: str | None) -> None:
    """Write a DataFrame as table, csv, jsonl or parquet to ``output`` or stdout."""
    if fmt == "parquet" and not output:
        raise UserError("Parquet is binary: give a file with -o, e.g. -o entities.parquet")
    if output and not Path(output).parent.is_dir():
        raise UserError(f"Cannot write {output}: folder {Path(output).parent} does not exist")
    if fmt == "parquet":
        frame.to_parquet(output, index=False)
        return
    if fmt == "csv":
        text = frame.to_csv(index=False)
    elif fmt == "jsonl":
        text = frame.to_json(orient="records", lines=True, force_ascii=False) if len(frame) else ""
    else:
        text = _table(frame)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _table(frame) -> str:
    """The columns people read, one line per entity (line breaks in spans folded)."""
    if not len(frame):
        return "No entities.\n"
    view = frame[[c for c in TABLE_COLUMNS if c in frame]].fillna("")
    view["text"] = view["text"].map(lambda t: " ".join(str(t).split()))
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
        f"documents {info['documents']} ({info['pages']} pages)",
        f"chunks    {info['chunks']} ({per(info['chunks_per_lang'])})",
        f"entities  {info['entities']}",
        f"  by label    {per(info['entities_per_label'])}",
        f"  by language {per(info['entities_per_lang'])}",
        f"updated   {info['updated']}",
    ])
