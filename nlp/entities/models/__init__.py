"""Trained spaCy NER pipelines shipped with the package (see README.md here)."""

from __future__ import annotations

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent


def model_path(lang: str) -> Path:
    """Folder of the trained NER pipeline for ``lang`` (it may not exist)."""
    return MODELS_DIR / f"ner_{lang}"
