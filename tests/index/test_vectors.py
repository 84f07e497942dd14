"""VectorIndex: exact while small, IVF-SQ8 past a threshold, exact again when re-scored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.index import vectors as nv
from nlp.index.atomic import stream_sha256
from nlp.index.vectors import FLAT, IVF, VectorIndex

DIM = 32


def _data(n: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    """Clustered unit vectors (like embeddings: neighbourhoods, not uniform noise)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(4, n // 100), dim)).astype(np.float32)
    x = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.standard_normal(
        (n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


class Store:
    """ids -> vectors, like Store.vectors_for; NaN rows for ids it no longer has."""

    def __init__(self, ids: np.ndarray, vecs: np.ndarray) -> None:
        self.rows = dict(zip(ids.tolist(), vecs, strict=True))
        self.calls = 0

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        self.calls += 1
        nan = np.full(DIM, np.nan, np.float32)
        return np.array([self.rows.get(int(i), nan) for i in ids], np.float32).reshape(-1, DIM)


def _pair(n: int = 3000, approx_from: int = 2000, seed: int = 0):
    """(an index switched to IVF on save, a flat twin, the store fetcher, ids, vectors)."""
    vecs = _data(n, seed)
    ids = np.arange(10, 10 + n, dtype=np.int64) * 3  # sparse ids, like a store after deletes
    approx = VectorIndex(DIM, approx_from=approx_from)
    approx.add(ids, vecs)
    flat = VectorIndex(DIM)
    flat.add(ids, vecs)
    store = Store(ids, vecs)
    approx.exact = store
    assert approx.kind == FLAT and approx.retune() and approx.kind == IVF
    return approx, flat, store, ids, vecs


def _full_probe(index: VectorIndex) -> None:
    index.index.nprobe = index.index.nlist


def test_vectors_stay_flat_below_threshold(tmp_path: Path):
    index = VectorIndex(DIM, approx_from=2000)
    index.add(np.arange(1999), _data(1999))
    index.save(tmp_path / "v.faiss")
    assert index.kind == FLAT and VectorIndex.load(tmp_path / "v.faiss").kind == FLAT


def test_vectors_switch_on_save_and_round_trip_with_sha(tmp_path: Path):
    index = VectorIndex(DIM, approx_from=2000)
    ids, vecs = np.arange(5, 2505), _data(2500)
    index.add(ids, vecs)
    sha = index.save(tmp_path / "v.faiss")
    assert index.kind == IVF
    with open(tmp_path / "v.faiss", "rb") as fh:
        assert stream_sha256(fh) == sha
    loaded = VectorIndex.load(tmp_path / "v.faiss", sha)
    assert loaded.kind == IVF and len(loaded) == 2500
    assert np.array_equal(np.sort(loaded.ids()), ids)
    q = vecs[:20]
    assert np.array_equal(loaded.search(q, 10)[1], index.search(q, 10)[1])
    with pytest.raises(ValueError, match="SHA-256"):
        VectorIndex.load(tmp_path / "v.faiss", "0" * 64)


def test_vectors_load_refuses_other_index_types(tmp_path: Path):
    import faiss

    faiss.write_index(faiss.IndexHNSWFlat(DIM, 16, faiss.METRIC_INNER_PRODUCT),
                      str(tmp_path / "h.faiss"))
    with pytest.raises(ValueError, match="unexpected FAISS index type"):
        VectorIndex.load(tmp_path / "h.faiss")


def test_vectors_ivf_with_rescoring_equals_flat_when_all_lists_probed():
    approx, flat, _, _, vecs = _pair()
    _full_probe(approx)
    queries = _data(50, seed=7)
    s1, i1 = approx.search(queries, 10)
    s2, i2 = flat.search(queries, 10)
    assert np.array_equal(i1, i2)
    assert np.allclose(s1, s2, atol=1e-5)  # exact scores, not quantised ones


def test_vectors_ivf_default_probe_keeps_recall():
    approx, flat, _, _, _ = _pair(n=6000, approx_from=4000)
    queries = _data(100, seed=11)
    got, want = approx.search(queries, 10)[1], flat.search(queries, 10)[1]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, want, strict=True)])
    assert recall >= 0.95


def test_vectors_ivf_add_and_remove_after_switch(tmp_path: Path):
    approx, flat, store, ids, vecs = _pair()
    _full_probe(approx)
    gone = ids[::3].tolist()
    approx.remove(gone)
    flat.remove(gone)
    new_ids, new_vecs = np.arange(100_000, 100_050), _data(50, seed=3)
    approx.add(new_ids, new_vecs)
    flat.add(new_ids, new_vecs)
    store.rows.update(zip(new_ids.tolist(), new_vecs, strict=True))
    assert len(approx) == len(flat) == 3000 - len(gone) + 50
    assert np.array_equal(np.sort(approx.ids()), np.sort(flat.ids()))
    got = approx.search(new_vecs, 10)[1]
    assert np.array_equal(got, flat.search(new_vecs, 10)[1])
    assert not set(got.ravel()) & set(gone)
    approx.save(tmp_path / "v.faiss")  # still past half the threshold: stays IVF
    assert VectorIndex.load(tmp_path / "v.faiss").kind == IVF


def test_vectors_shrink_back_to_flat_only_with_exact_vectors():
    approx, flat, store, ids, vecs = _pair()
    approx.remove(ids[:2200].tolist())
    approx.exact = None
    assert approx.retune() is None and approx.kind == IVF  # SQ8 codes are not the vectors
    approx.exact = store
    assert approx.retune() and approx.kind == FLAT
    assert np.array_equal(np.sort(approx.ids()), ids[2200:])
    assert np.allclose(approx.index.reconstruct(int(ids[2500])), vecs[2500])


def test_vectors_ivf_retrains_from_exact_vectors_when_grown_fourfold():
    approx, _, store, _, _ = _pair(n=2500)
    assert approx.index.nlist == 64
    more_ids, more = np.arange(200_000, 208_000), _data(8000, seed=9)
    approx.add(more_ids, more)
    store.rows.update(zip(more_ids.tolist(), more, strict=True))
    assert approx.retune() and approx.kind == IVF and approx.index.nlist == 256
    assert len(approx) == 10_500 and approx.retune() is None


def test_vectors_filtered_search_stays_exact():
    approx, flat, store, ids, _ = _pair()
    queries = _data(30, seed=5)
    small = ids[np.random.default_rng(1).choice(len(ids), 300, replace=False)]
    assert np.array_equal(approx.search(queries, 10, small)[1],
                          flat.search(queries, 10, small)[1])
    large = ids[ids % 2 == 0]  # past EXACT_FILTER_MAX: IVF with more lists, re-scored
    _full_probe(approx)
    old = nv.EXACT_FILTER_MAX
    nv.EXACT_FILTER_MAX = 100
    try:
        calls = store.calls
        got = approx.search(queries, 10, large)[1]
    finally:
        nv.EXACT_FILTER_MAX = old
    assert store.calls == calls + 1  # went through IVF and one re-scoring fetch
    assert np.array_equal(got, flat.search(queries, 10, large)[1])
    assert set(got.ravel()) <= set(large)


def test_vectors_bitmap_and_hash_set_filters_agree(monkeypatch):
    _, flat, _, ids, _ = _pair()
    queries, allowed = _data(20, seed=4), ids[::5]
    want = flat.search(queries, 10, allowed)[1]
    monkeypatch.setattr(nv, "BITMAP_MAX_IDS", 0)  # ids past the bitmap: a hash set
    assert np.array_equal(flat.search(queries, 10, allowed)[1], want)
    assert set(want.ravel()) <= set(allowed)


def test_vectors_filter_raises_nprobe_for_rare_ids():
    approx, _, _, ids, _ = _pair()
    params = nv._params(approx.index, ids[:len(ids) // 8], len(approx))
    assert params.nprobe == min(approx.index.nlist, 8 * approx.index.nprobe)


def test_vectors_vanished_vectors_are_dropped_from_hits():
    approx, flat, store, ids, vecs = _pair()
    _full_probe(approx)
    q = vecs[:1]
    top = flat.search(q, 10)[1][0]
    del store.rows[int(top[0])]  # a writer deleted the chunk after this reader opened
    got = approx.search(q, 10)[1][0]
    assert top[0] not in got and list(got[:9]) == list(top[1:])


def test_vectors_training_is_deterministic_whatever_the_order():
    import faiss

    vecs, ids = _data(3000), np.arange(3000)
    perm = np.random.default_rng(2).permutation(3000)
    a = nv.build_ivf(ids, vecs)
    b = nv.build_ivf(ids[perm], vecs[perm])
    assert np.array_equal(faiss.serialize_index(a), faiss.serialize_index(b))


def test_vectors_n_lists_grows_with_size_and_keeps_training_points():
    sizes = [100, 2_000, 100_000, 1_000_000, 10**9]
    lists = [nv.n_lists(n) for n in sizes]
    assert lists == sorted(lists) and lists[2] == 512 and lists[3] == 2048
    assert all(nl * 39 <= n for nl, n in zip(lists, sizes, strict=True))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 60), k=st.integers(1, 15), seed=st.integers(0, 2**16))
def test_vectors_best_is_the_sorted_top_k(n: int, k: int, seed: int):
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((3, n)).astype(np.float32)
    scores[rng.random((3, n)) < 0.2] = np.nan
    ids = rng.permutation(1000)[:n][None, :].repeat(3, axis=0)
    best, best_ids = nv._best(scores, ids, k)
    for row in range(3):
        ok = ~np.isnan(scores[row])
        order = np.argsort(-scores[row][ok], kind="stable")[:k]
        want = ids[row][ok][order]
        assert list(best_ids[row][:len(want)]) == list(want)
        assert (best_ids[row][len(want):] == -1).all()


def test_vectors_ingest_past_threshold_serves_search_and_filters(pdf_dir: Path, tmp_path: Path,
                                                                  monkeypatch):
    from nlp.index.doctor import diagnose
    from nlp.ingestion.local import ingest
    from nlp.search.engine import open_index

    monkeypatch.setattr(nv, "APPROX_FROM", 4)
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model="test/hash-64", progress=False)
    with open_index(index) as idx:
        assert idx.vectors.kind == IVF and len(idx.vectors) == len(idx.chunks()) >= 4
        hits = idx.search("квота қандастар", k=3)
        assert hits and hits[0].lang == "kk"
        assert {h.lang for h in idx.search("migration", k=10, lang="ru")} == {"ru"}
    found = [f.level for f in diagnose(index) if f.check == "vectors"]
    assert found == ["ok"]


def test_vectors_search_each_equals_one_search_at_a_time():
    approx, _, _, _, _ = _pair(n=6000, approx_from=4000)
    assert approx.kind == "ivf-sq8"
    queries = np.random.default_rng(3).standard_normal((4, DIM)).astype(np.float32)
    ids = approx.ids()
    jobs = [(queries, 10, None), (queries[:2], 5, np.sort(ids[::3])),
            (queries, 7, np.sort(ids[:500]))]  # a small filter: scored exactly
    for (s1, i1), (s2, i2) in zip(approx.search_each(jobs), [approx.search(*j) for j in jobs],
                                  strict=True):
        assert np.array_equal(i1, i2) and np.allclose(s1, s2)


def test_vectors_file_declaring_gigabytes_is_refused_without_allocating_them(tmp_path: Path):
    """A crafted file claims 3 G floats (12 GB): reading it took 12 GB (and 40 s) before the cap."""
    import json
    import struct
    import subprocess
    import sys

    import faiss

    index = faiss.IndexIDMap2(faiss.IndexFlatIP(4))
    index.add_with_ids(np.eye(4, dtype=np.float32), np.arange(4, dtype=np.int64))
    faiss.write_index(index, str(tmp_path / "v.faiss"))
    data = bytearray((tmp_path / "v.faiss").read_bytes())
    at = data.find(b"IxFI") + 4 + 4 + 8 + 8 + 8 + 1 + 4  # the length of the vectors array
    assert struct.unpack("<Q", data[at:at + 8]) == (16,)  # 4 vectors of 4 dimensions
    data[at:at + 8] = struct.pack("<Q", 3 << 30)
    (tmp_path / "bad.faiss").write_bytes(bytes(data))
    # VmHWM, the peak of this process's own memory: ru_maxrss would count the parent's at
    # the fork (a pytest that loaded the models: 2 GB)
    code = ("import json, re, sys; from pathlib import Path; "
            "from nlp.index.vectors import read_vectors; "
            "index, why = read_vectors(Path(sys.argv[1]), 4); "
            "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()); "
            "print(json.dumps([len(index), why.split(' (')[0], int(peak[1]) // 1024]))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "bad.faiss")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    n, why, peak_mb = json.loads(out.stdout)
    assert (n, why) == (0, "not a FAISS index") and peak_mb < 1024
