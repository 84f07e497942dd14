"""Records to JSON and back, for what crosses a process boundary: an analyser child's reply
(``nlp.ingestion.children``) and a Ray row (``nlp.ingestion.distributed``).

JSON, never pickle: a child reads untrusted bytes, so nothing it sends may be able to run
code in the parent. Path bytes that are not UTF-8 (surrogates) are shown as ``\\xNN``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing

from nlp.ingestion.pipeline import Analysed
from nlp.records import Chunk, Document, Entity, Page

_SURROGATE = re.compile("[\ud800-\udfff]")


def to_json(doc: Document) -> bytes:
    """A ``Document`` as UTF-8 JSON; undecodable path bytes shown as ``\\xNN``."""
    return dumps(dataclasses.asdict(doc))


def dumps(data) -> bytes:
    """UTF-8 JSON of plain data; surrogates shown as ``\\xNN``."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    return _SURROGATE.sub(_show_surrogate, text).encode()


def analysed_dict(doc: Document, chunks: list[Chunk], found: list[tuple[Chunk, int, Entity]],
                  page_text: bool = True) -> dict:
    """An analysed document as plain data: entities point to their chunk by position.
    Without ``page_text`` the pages travel as numbers only (what the store keeps)."""
    if not page_text:
        doc = dataclasses.replace(doc, pages=[Page(p.number) for p in doc.pages])
    seq = {id(c): i for i, c in enumerate(chunks)}
    return {"doc": dataclasses.asdict(doc),
            "chunks": [dataclasses.asdict(c) for c in chunks],
            "found": [[seq[id(c)], page, dataclasses.asdict(e)] for c, page, e in found]}


def analysed_from_dict(data: dict) -> Analysed:
    """The ``Analysed`` record of ``analysed_dict`` output (with its ``seconds``, if any)."""
    doc = from_dict(Document, data["doc"])
    chunks = [from_dict(Chunk, c) for c in data["chunks"]]
    found = [(chunks[i], page, from_dict(Entity, e)) for i, page, e in data["found"]]
    return Analysed(doc, chunks, found, data.get("seconds", {}))


def from_dict(cls: type, data: dict):
    """Rebuild a (nested) record dataclass from ``dataclasses.asdict`` output."""
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: _value(hints[f.name], data[f.name])
                  for f in dataclasses.fields(cls) if f.name in data})


def _value(hint, value):
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list and args and dataclasses.is_dataclass(args[0]):
        return [from_dict(args[0], v) for v in value]
    if dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return from_dict(hint, value)
    if origin is tuple and isinstance(value, list):
        return tuple(value)
    return value


def _show_surrogate(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"
