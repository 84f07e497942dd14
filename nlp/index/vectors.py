"""FAISS behind a small interface: inner product over L2-normalised vectors.

Two kinds, chosen by size when the index is saved (``retune``): exact search (``flat``,
IndexIDMap2 over IndexFlatIP) while it is small, an inverted file over 8-bit scalar-quantised
vectors (``ivf-sq8``: a quarter of the memory, a quarter of the lists scanned per query) from
``APPROX_FROM`` vectors on, and flat again below half that; retrained when it has grown so
that it wants 4x the lists. The IVF index is trained on the vectors present with a fixed
seed. Its candidates are re-scored with the exact float32 vectors when an ``exact`` fetcher
(ids -> vectors, e.g. from the store) is given, so the scores returned are exact inner
products and the quantisation error costs no recall; a filter on few ids is then scored
exactly from those ids' vectors, so filtered search stays exact.

FAISS ids are the store's chunk ids. The file is written to a private temporary name,
flushed and renamed, so a reader never sees half a file; its SHA-256 goes into the
manifest, and a file whose bytes do not match is never parsed. FAISS's own format is
read, never pickle.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nlp.index.atomic import atomic_path, stream_sha256

if TYPE_CHECKING:
    from nlp.index.store import Store

FLAT, IVF = "flat", "ivf-sq8"
APPROX_FROM = 50_000  # flat vs IVF p50 at 50k/100k (1 thread): see scripts/bench_ann.py
RERANK = 100  # approximate candidates re-scored exactly per query
EXACT_FILTER_MAX = 2_000  # allowed sets up to this size are scored exactly (store fetch)
SEED = 1234
TRAIN_PER_LIST = 64  # training vectors per inverted list
# nprobe x (all / allowed) ** this for a filtered search: 1 keeps the allowed vectors scanned
# constant (the recall of a small filter), at the cost of scanning most lists for a large one
FILTER_NPROBE_POWER = 1.0
READ_MEMORY_FACTOR = 4  # bytes of address space a vectors file may take to read, per byte
READ_MEMORY_SLACK = 256 << 20  # ... plus this
BITMAP_MAX_IDS = 1 << 28  # id filters as a bitmap up to this id (32 MB), else a hash set

Fetch = Callable[[np.ndarray], np.ndarray]  # int64 ids (n,) -> float32 (n, dim); NaN = gone


class VectorIndex:
    def __init__(self, dim: int, index=None, approx_from: int | None = None) -> None:
        import faiss

        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.approx_from = approx_from  # None: the module's APPROX_FROM
        self.exact: Fetch | None = None  # set by the owner of the store (see ``search``)

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
            size = fh.seek(0, 2)
            fh.seek(0)
            try:
                with memory_cap(READ_MEMORY_FACTOR * size + READ_MEMORY_SLACK):
                    index = faiss.read_index(faiss.PyCallbackIOReader(fh.read))
            except (RuntimeError, MemoryError) as err:
                raise ValueError(f"not a FAISS index ({_first_line(err)})") from None
        if _kind(index) is None or index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise ValueError(f"unexpected FAISS index type {type(index).__name__}")
        return cls(index.d, index)

    def save(self, path: Path) -> str:
        """Retune to the size, write atomically (temporary file, fsync, rename); the SHA-256."""
        import faiss

        self.retune()
        with atomic_path(path) as tmp:
            faiss.write_index(self.index, str(tmp))
            with open(tmp, "rb") as fh:
                return stream_sha256(fh)

    @property
    def kind(self) -> str:
        """``flat`` (exact) or ``ivf-sq8`` (approximate)."""
        return _kind(self.index)

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

        if len(ids):
            self.index.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64)))

    def retune(self) -> str | None:
        """Switch kind (or retrain the IVF) if the size calls for it; what was done, if any.

        Flat -> IVF uses the flat index's own vectors; IVF -> flat and retraining need the
        exact vectors (``self.exact``): without them the index stays as it is.
        """
        n, kind, limit = len(self), self.kind, self.approx_from or APPROX_FROM
        if kind == FLAT and n >= limit:
            ids, vecs = self._flat_vectors()
            self.index = build_ivf(ids, vecs)
            return f"flat -> {IVF} ({n} vectors, {self.index.nlist} lists)"
        if kind == IVF and self.exact is not None:
            if n < limit // 2:
                self.index = _flat(self.dim, *self._exact_vectors())
                return f"{IVF} -> flat ({n} vectors)"
            if n_lists(n) >= 4 * self.index.nlist:
                self.index = build_ivf(*self._exact_vectors())
                return f"{IVF} retrained ({n} vectors, {self.index.nlist} lists)"
        return None

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None,
               exact: Fetch | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query; ``allowed`` restricts the ids searched.

        ``exact`` (default ``self.exact``) fetches float32 vectors by id; with an approximate
        index it re-scores the candidates and scores small ``allowed`` sets exactly.
        """
        exact = exact or self.exact
        found = self._approximate(queries, k, allowed, exact)
        return self._finish(queries, k, allowed, exact, found)

    def search_each(self, jobs: list[tuple[np.ndarray, int, np.ndarray | None]],
                    threads: int = 2) -> list[tuple[np.ndarray, np.ndarray]]:
        """``search(queries, k, allowed)`` of each job. On an approximate index the FAISS
        part of the jobs runs on ``threads`` threads at once (FAISS lets go of the GIL; one
        query keeps one core busy), the exact re-scoring after, on this thread (the store
        connection it reads belongs to it)."""
        exact = self.exact
        if self.kind == FLAT or len(jobs) < 2 or threads < 2:
            return [self.search(*job) for job in jobs]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(threads, len(jobs))) as pool:
            found = list(pool.map(lambda job: self._approximate(*job, exact), jobs))
        return [self._finish(*job, exact, raw) for job, raw in zip(jobs, found, strict=True)]

    def _approximate(self, queries: np.ndarray, k: int, allowed: np.ndarray | None,
                     exact: Fetch | None) -> tuple[np.ndarray, np.ndarray] | None:
        """The FAISS part of a search: (scores, ids), the candidates of an approximate index;
        None when ``_finish`` scores a small ``allowed`` set exactly instead."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        k = max(1, min(k, len(self)))
        if self.kind == FLAT:
            return self.index.search(queries, k, params=_params(self.index, allowed))
        if allowed is not None and exact is not None and len(allowed) <= EXACT_FILTER_MAX:
            return None
        wanted = max(k, RERANK) if exact is not None else k
        return self.index.search(queries, wanted, params=_params(self.index, allowed, len(self)))

    def _finish(self, queries: np.ndarray, k: int, allowed: np.ndarray | None,
                exact: Fetch | None, found) -> tuple[np.ndarray, np.ndarray]:
        """The top-k from ``_approximate``'s result: as it is (flat, or nothing to re-score
        with), re-scored exactly, or ``allowed`` scored exactly when it gave None."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        k = max(1, min(k, len(self)))
        if found is None:
            return _top_k(queries, np.unique(np.asarray(allowed, dtype=np.int64)), k, exact)
        if self.kind == FLAT or exact is None:
            return found
        return _rescore(queries, found[1], k, exact)

    def ids(self) -> np.ndarray:
        """All stored ids."""
        import faiss

        if self.kind == FLAT:
            return faiss.vector_to_array(self.index.id_map).astype(np.int64)
        lists = self.index.invlists
        parts = [faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
                 for i in range(lists.nlist) if lists.list_size(i)]
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)

    def _exact_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, exact vectors) in id order, without ids the fetcher no longer has."""
        ids = np.sort(self.ids())
        vecs = self.exact(ids)
        keep = ~np.isnan(vecs).any(axis=1)
        return ids[keep], vecs[keep]

    def _flat_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of a flat index, in id order."""
        ids = self.ids()
        vecs = self.index.index.reconstruct_n(0, len(ids))
        order = np.argsort(ids, kind="stable")
        return ids[order], vecs[order]


@contextmanager
def memory_cap(extra: int) -> Iterator[None]:
    """Let the process's address space grow by at most ``extra`` bytes meanwhile (Linux).

    A FAISS file declares the length of each array before it: a crafted file can make the
    reader allocate gigabytes before it finds the bytes missing. An honest file needs about
    its own size; beyond the cap the allocation fails and the file counts as damaged (the
    vectors are then rebuilt from the store)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/statm") as fh:
            used = int(fh.read().split()[0]) * resource.getpagesize()
    except (ImportError, OSError, ValueError):
        yield
        return
    cap = used + extra
    if soft != resource.RLIM_INFINITY and soft <= cap or hard != resource.RLIM_INFINITY \
            and hard < cap:
        yield  # already tighter (an ingest child's budget)
        return
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def n_lists(n: int) -> int:
    """Inverted lists for ``n`` vectors: the power of two nearest 2·sqrt(n), at most 16384,
    and small enough that k-means gets 39 points per list (FAISS's minimum)."""
    nlist = min(16384, 2 ** round(math.log2(2 * math.sqrt(max(n, 1)))))
    while nlist > 1 and nlist * 39 > n:
        nlist //= 2
    return int(nlist)


def n_probe(nlist: int) -> int:
    """Lists scanned per query: a quarter of them (at least 16); see scripts/bench_ann.py."""
    return min(nlist, max(16, nlist // 4))


def build_ivf(ids: np.ndarray, vectors: np.ndarray, nlist: int | None = None,
              nprobe: int | None = None):
    """An IVF-SQ8 inner-product index trained on (a seeded sample of) ``vectors``, filled."""
    order = np.argsort(ids, kind="stable")  # the result does not depend on insertion order
    ids, vectors = np.asarray(ids, np.int64)[order], np.asarray(vectors, np.float32)[order]
    index = train_ivf(vectors, nlist or n_lists(len(ids)), nprobe)
    index.add_with_ids(np.ascontiguousarray(vectors), ids)
    return index


def train_ivf(vectors: np.ndarray, nlist: int, nprobe: int | None = None):
    """An empty IVF-SQ8 inner-product index trained on a seeded sample of ``vectors``."""
    import faiss

    index = faiss.index_factory(vectors.shape[1], f"IVF{nlist},SQ8", faiss.METRIC_INNER_PRODUCT)
    index.cp.seed = SEED
    if len(vectors) > nlist * TRAIN_PER_LIST:
        pick = np.random.default_rng(SEED).choice(len(vectors), nlist * TRAIN_PER_LIST,
                                                  replace=False)
        vectors = vectors[np.sort(pick)]
    index.train(np.ascontiguousarray(vectors, dtype=np.float32))
    index.nprobe = nprobe or n_probe(nlist)
    return index


def _flat(dim: int, ids: np.ndarray, vectors: np.ndarray):
    import faiss

    index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
    return index


def _kind(index) -> str | None:
    import faiss

    if isinstance(index, faiss.IndexIDMap2) and isinstance(
            faiss.downcast_index(index.index), faiss.IndexFlat):
        return FLAT
    if isinstance(index, faiss.IndexIVFScalarQuantizer) and \
            index.sq.qtype == faiss.ScalarQuantizer.QT_8bit:
        return IVF
    return None


def _params(index, allowed: np.ndarray | None, n: int = 0):
    """Search parameters: the id filter, and for IVF more lists the fewer ids it allows."""
    import faiss

    sel = None if allowed is None else _selector(np.asarray(allowed, dtype=np.int64))
    if not hasattr(index, "nprobe"):
        return None if sel is None else faiss.SearchParameters(sel=sel)
    nprobe = index.nprobe
    if allowed is not None and len(allowed):  # scan more lists the fewer ids are allowed
        nprobe = min(index.nlist, math.ceil(nprobe * (n / len(allowed)) ** FILTER_NPROBE_POWER))
    return faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)


def _selector(allowed: np.ndarray):
    """A bitmap over the id range when it is small enough (cheap to build, O(1) to test)."""
    import faiss

    top = int(allowed.max()) + 1 if len(allowed) else 0
    if not len(allowed) or allowed.min() < 0 or top > BITMAP_MAX_IDS:
        return faiss.IDSelectorBatch(allowed)
    bits = np.zeros(top, dtype=bool)
    bits[allowed] = True
    packed = np.packbits(bits, bitorder="little")
    sel = faiss.IDSelectorBitmap(len(packed), faiss.swig_ptr(packed))  # n = bytes, not ids
    sel.referenced_objects = [packed]  # FAISS keeps a pointer, not a copy
    return sel


def _rescore(queries: np.ndarray, cand: np.ndarray, k: int,
             exact: Fetch) -> tuple[np.ndarray, np.ndarray]:
    """The top-k of each row of candidate ids by exact inner product."""
    found = np.unique(cand[cand >= 0])
    vecs = exact(found) if len(found) else np.zeros((0, queries.shape[1]), np.float32)
    scores = np.full(cand.shape, -np.inf, dtype=np.float32)
    for row, (q, c) in enumerate(zip(queries, cand, strict=True)):
        ok = c >= 0
        scores[row, ok] = vecs[np.searchsorted(found, c[ok])] @ q
    return _best(scores, cand, k)


def _top_k(queries: np.ndarray, ids: np.ndarray, k: int,
           exact: Fetch) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k among ``ids`` (sorted, unique) for each query."""
    if not len(ids):
        return (np.full((len(queries), k), -np.inf, np.float32),
                np.full((len(queries), k), -1, np.int64))
    scores = queries @ exact(ids).T
    return _best(scores, np.broadcast_to(ids, scores.shape), k)


def _best(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the ``k`` highest scores (NaN = a vanished vector: dropped) and their ids."""
    scores = np.where(np.isnan(scores), -np.inf, scores)
    if scores.shape[1] < k:
        pad = k - scores.shape[1]
        scores = np.pad(scores, ((0, 0), (0, pad)), constant_values=-np.inf)
        ids = np.pad(ids, ((0, 0), (0, pad)), constant_values=-1)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    top = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-top, axis=1, kind="stable")
    best_ids = np.take_along_axis(np.take_along_axis(ids, part, axis=1), order, axis=1)
    best = np.take_along_axis(top, order, axis=1)
    return best.astype(np.float32), np.where(np.isfinite(best), best_ids, -1).astype(np.int64)


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__


# --- the FAISS file in step with the store ------------------------------------------

def load_vectors(file: Path, store: Store, dim: int, sha: str | None = None) -> VectorIndex:
    """The saved FAISS index if intact, brought in step with the store; else rebuilt."""
    index, _ = read_vectors(Path(file), dim, sha)
    reconcile(index, store)
    return index


def read_vectors(file: Path, dim: int, sha: str | None = None) -> tuple[VectorIndex, str]:
    """(the saved index, 'ok') if intact; else (an empty index, why it was not used)."""
    try:
        index = VectorIndex.load(file, sha)
    except FileNotFoundError:
        return VectorIndex(dim), "missing"
    except (OSError, ValueError) as err:
        return VectorIndex(dim), str(err)
    if index.dim != dim:
        return VectorIndex(dim), f"holds {index.dim}-d vectors, the index is {dim}-d"
    if len(np.unique(index.ids())) != len(index):
        return VectorIndex(dim), "holds repeated ids"
    return index, "ok"


def reconcile(index: VectorIndex, store: Store) -> tuple[int, int]:
    """Drop vectors the store no longer has, add those it has; return (dropped, added)."""
    with store.snapshot():  # ids and vectors from the same commit, whatever a writer does
        want, have = store.vector_ids(), index.ids()
        stale, missing = np.setdiff1d(have, want), np.setdiff1d(want, have)
        vectors = store.vectors_for(missing, index.dim)
    index.remove(stale.tolist())
    index.add(missing, vectors)
    # an approximate index re-scores its candidates (and retrains) from the store's vectors
    index.exact = lambda ids: store.vectors_for(ids, index.dim, missing_ok=True)
    return len(stale), len(missing)
