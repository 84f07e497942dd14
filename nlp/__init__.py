"""nlp: multilingual (kk/ru/en) analysis and retrieval of migration-policy documents.

The public functions are imported lazily so that ``import nlp`` (and ``nlp --help``)
stays instant; torch and spaCy load only when a model is needed.
"""

from __future__ import annotations

import os
import sys
import warnings
from importlib import import_module
from typing import TYPE_CHECKING

# Offline means no network request at all. ONNX Runtime (the embedder's runtime) starts a
# native telemetry uploader when it is imported: ~9 s later it resolves
# mobile.events.data.microsoft.com and queues events in ~/.cache/Microsoft.
# ``disable_telemetry_events()`` does not stop it; this variable, read once when onnxruntime
# is imported, does. Forced, so a stray ORT_DISABLE_TELEMETRY=0 cannot turn it back on.
# tests/test_offline.py proves it under strace in a network namespace.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
# ... and nothing is downloaded: the Hugging Face libraries read these when imported.
os.environ["HF_HUB_OFFLINE"] = os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
if "onnxruntime" in sys.modules:  # imported before nlp: too late for the variable
    warnings.warn("onnxruntime was imported before nlp, so its telemetry may contact "
                  "mobile.events.data.microsoft.com; import nlp first or set "
                  "ORT_DISABLE_TELEMETRY=1 in the environment", stacklevel=2)

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
