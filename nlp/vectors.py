"""FAISS behind a small interface: exact inner product over L2-normalised vectors.

FAISS ids are the store's chunk ids. The file is written to a temporary name and
renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np


class VectorIndex:
    def __init__(self, dim: int, index=None) -> None:
        import faiss

        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        """Read an index written by ``save``."""
        import faiss

        index = faiss.read_index(str(path))
        return cls(index.d, index)

    def save(self, path: Path) -> None:
        """Write atomically: temporary file in the same directory, then rename."""
        import faiss

        fd, tmp = tempfile.mkstemp(prefix=".vectors-", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            faiss.write_index(self.index, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

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
