"""nlp: multilingual (kk/ru/en) analysis and retrieval of migration-policy documents.

The public functions are imported lazily so that ``import nlp`` (and ``nlp --help``)
stays instant; torch and spaCy load only when a model is needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_API = {
    "ingest": "nlp.ingestion.local",
    "open_index": "nlp.search.engine",
    "Index": "nlp.search.engine",
    "parse_pdf": "nlp.parse.document",
    "detect_language": "nlp.text.language",
    "extract_entities": "nlp.entities.pipeline",
    "chunk_document": "nlp.text.chunk",
}
__all__ = ["Index", "chunk_document", "detect_language", "extract_entities", "ingest",
           "open_index", "parse_pdf"]

if TYPE_CHECKING:
    from nlp.entities.pipeline import extract_entities
    from nlp.ingestion.local import ingest
    from nlp.parse.document import parse_pdf
    from nlp.search.engine import Index, open_index
    from nlp.text.chunk import chunk_document
    from nlp.text.language import detect_language


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'nlp' has no attribute {name!r}")
