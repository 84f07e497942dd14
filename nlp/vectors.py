"""FAISS behind a small interface: exact inner product over L2-normalised vectors.

FAISS ids are the store's chunk ids. The file is written to a private temporary name,
flushed and renamed, so a reader never sees half a file; its SHA-256 goes into the
manifest, and a file whose bytes do not match is never parsed. FAISS's own format is
read, never pickle.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlp.atomic import atomic_path, stream_sha256


class VectorIndex:
    def __init__(self, dim: int, index=None) -> None:
        import faiss

        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @classmethod
    def load(cls, path: Path, sha256: str | None = None) -> VectorIndex:
        """Read a file written by ``save``; ValueError if it is damaged or not ``sha256``.

        The hash is checked and the index read through one open file, so the bytes
        checked are the bytes parsed (a writer may rename a new file in meanwhile).
        """
        import faiss

        with open(path, "rb") as fh:
            if sha256 and stream_sha256(fh) != sha256:
                raise ValueError("content differs from the manifest's SHA-256")
            fh.seek(0)
            try:
                index = faiss.read_index(faiss.PyCallbackIOReader(fh.read))
            except RuntimeError as err:
                raise ValueError(f"not a FAISS index ({_first_line(err)})") from None
        if not isinstance(index, faiss.IndexIDMap2) or \
                index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise ValueError(f"unexpected FAISS index type {type(index).__name__}")
        return cls(index.d, index)

    def save(self, path: Path) -> str:
        """Write atomically (private temporary file, fsync, rename); return the SHA-256."""
        import faiss

        with atomic_path(path) as tmp:
            faiss.write_index(self.index, str(tmp))
            with open(tmp, "rb") as fh:
                return stream_sha256(fh)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors (n, dim) under int64 ids."""
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                    np.asarray(ids, dtype=np.int64))

    def remove(self, ids: list[int]) -> None:
        """Remove vectors by id (missing ids are ignored)."""
        import faiss

        if ids:
            self.index.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64)))

    def search(self, queries: np.ndarray, k: int,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query; ``allowed`` restricts the ids searched."""
        import faiss

        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
        k = max(1, min(k, len(self)))
        scores, ids = self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k,
                                        params=params)
        return scores, ids

    def ids(self) -> np.ndarray:
        """All stored ids."""
        import faiss

        return faiss.vector_to_array(self.index.id_map).astype(np.int64)


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
