"""nlp: multilingual (kk/ru/en) analysis and retrieval of migration-policy documents.

The public functions are imported lazily so that ``import nlp`` (and ``nlp --help``)
stays instant; torch and spaCy load only when a model is needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_API = {
    "ingest": "nlp.ingestion",
    "open_index": "nlp.index",
    "Index": "nlp.index",
    "parse_pdf": "nlp.parse",
    "detect_language": "nlp.language",
    "extract_entities": "nlp.entities",
    "chunk_document": "nlp.chunk",
}
__all__ = ["Index", "chunk_document", "detect_language", "extract_entities", "ingest",
           "open_index", "parse_pdf"]

if TYPE_CHECKING:
    from nlp.chunk import chunk_document
    from nlp.entities import extract_entities
    from nlp.index import Index, open_index
    from nlp.ingestion import ingest
    from nlp.language import detect_language
    from nlp.parse import parse_pdf


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'nlp' has no attribute {name!r}")
