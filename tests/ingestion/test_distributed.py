"""Sharded indexes: merge and search together (plain), and the Ray Data pipeline (``dist``).

The Ray tests start a local Ray (2 CPUs) once for the module and skip when Ray is not
installed (``pip install -e '.[dist]'``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import TEXTS, make_pdf
from hypothesis import given
from hypothesis import strategies as st

from nlp.errors import IndexMismatch, UserError
from nlp.index.merge import merge_indexes
from nlp.index.store import Store
from nlp.ingestion.distributed import plan
from nlp.ingestion.local import ingest
from nlp.search.engine import Hits, open_index
from nlp.search.rank import Candidates
from nlp.search.shards import ShardedIndex, _merge_candidates

MODEL = "test/hash-64"
QUERIES = ["квота қандастар 2022", "work permits foreign workers", "Закон о миграции населения",
           "students study abroad"]


@pytest.fixture
def corpus(pdf_dir: Path) -> Path:
    """The three briefs, one more English PDF over two pages and a text file."""
    make_pdf(pdf_dir / "mixed.pdf", TEXTS["en"] + TEXTS["ru"], title="Mixed", pages=2)
    (pdf_dir / "notes.txt").write_text("Миграционная политика.\n\nКөші-қон саясаты.\n")
    return pdf_dir


def _snapshot(index: Path) -> dict:
    """What an index holds, without ingest times: frames, FAISS ids and stored vectors."""
    with open_index(index) as idx:
        store = Store(index / "store.sqlite", readonly=True)
        try:
            ids, vecs = store.vectors()
        finally:
            store.close()
        return {"documents": idx.documents().drop(columns="ingested_at"),
                "chunks": idx.chunks(), "entities": idx.entities(),
                "faiss_ids": np.sort(idx.vectors.ids()), "ids": ids, "vectors": vecs}


def _assert_same(a: dict, b: dict) -> None:
    for key in ("documents", "chunks", "entities"):
        assert a[key].equals(b[key]), key
    for key in ("faiss_ids", "ids", "vectors"):
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def _shards_by_plain_ingest(files: list[Path], tmp: Path, n: int = 2) -> list[Path]:
    dirs = [tmp / f"shard-{i}" for i in range(n)]
    for i, d in enumerate(dirs):
        ingest(files[i::n], index=d, model=MODEL, progress=False)
    return dirs


def _top(hits: Hits) -> list[tuple[str, float]]:
    return sorted((h.chunk_id, h.score) for h in hits)


def _untied(hits: Hits) -> tuple[list[float], list[tuple[str, float]]]:
    """The scores and the (text, score) of the hits: mixed.pdf repeats brief_ru's text, and
    which of the twins a tie puts first (or keeps, when near repeats are folded) differs."""
    return [h.score for h in hits], sorted((h.text, h.score) for h in hits)


def test_distributed_plan_gives_ingest_doc_ids_and_balances_bytes(tmp_path: Path):
    for folder, size in (("a", 900), ("b", 100), ("c", 500)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text("x" * size)
    rows = plan([tmp_path], shards=2)
    assert [r["doc_id"] for r in rows] == ["report", "report-2", "report-3"]
    assert [r["shard"] for r in rows] == [0, 1, 1]  # 900 | 100 + 500
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="No .pdf, .txt or .md files"):
        plan([tmp_path / "empty"], 2)


def test_distributed_merge_equals_single_ingest(corpus: Path, tmp_path: Path):
    files = sorted(corpus.iterdir())
    ingest([corpus], index=tmp_path / "single", model=MODEL, progress=False)
    shards = _shards_by_plain_ingest(files[::-1], tmp_path)  # shard order != path order
    report = merge_indexes(shards, tmp_path / "merged")
    assert report.documents == len(files) and not report.renamed and not report.duplicates
    _assert_same(_snapshot(tmp_path / "merged"), _snapshot(tmp_path / "single"))
    with open_index(tmp_path / "merged") as merged, open_index(tmp_path / "single") as single:
        for q in QUERIES:
            assert merged.search(q, k=5) == single.search(q, k=5)


def test_distributed_sharded_search_matches_single_index(corpus: Path, tmp_path: Path):
    ingest([corpus], index=tmp_path / "single", model=MODEL, progress=False)
    shards = _shards_by_plain_ingest(sorted(corpus.iterdir()), tmp_path, n=3)
    with ShardedIndex(shards) as sharded, open_index(tmp_path / "single") as single:
        for q in QUERIES:  # dense scores are cosines: the same ranking as one index
            for options in ({}, {"lang": "ru"}, {"doc": "mixed"}):
                got = sharded.search(q, k=4, mode="dense", collapse=False, **options)
                want = single.search(q, k=4, mode="dense", collapse=False, **options)
                assert _untied(got) == _untied(want), (q, options)
                assert [h.rank for h in got] == list(range(1, len(got) + 1))
            hybrid = sharded.search(q, k=4)  # BM25 per shard: close to, not always, one index
            assert len({h.chunk_id for h in hybrid}) == 4
            assert {h.chunk_id for h in hybrid} <= set(single.chunks()["chunk_id"])
        assert sharded.entities().equals(single.entities())
        assert sharded.chunks()["chunk_id"].tolist() == single.chunks()["chunk_id"].tolist()
        with pytest.raises(UserError, match="No document 'nope'"):
            sharded.search("quota", doc="nope")


def test_distributed_sharded_hybrid_of_one_shard_is_index_hybrid(corpus: Path,
                                                                   tmp_path: Path):
    ingest([corpus], index=tmp_path / "single", model=MODEL, progress=False)
    with ShardedIndex([tmp_path / "single"]) as sharded, \
            open_index(tmp_path / "single") as single:
        for q in QUERIES:
            for mode in ("hybrid", "keyword"):
                assert _top(sharded.search(q, k=5, mode=mode)) == \
                    _top(single.search(q, k=5, mode=mode)), (q, mode)
            # mixed.pdf repeats brief_ru's text: which twin wins a tie may differ
            got, want = sharded.search(q, k=3, collapse=True), single.search(q, k=3, collapse=True)
            assert [h.score for h in got] == [h.score for h in want]


def test_distributed_merge_renames_colliding_doc_ids(tmp_path: Path):
    for folder, lang in (("a", "en"), ("b", "ru")):
        (tmp_path / folder).mkdir()
        make_pdf(tmp_path / folder / "brief.pdf", TEXTS[lang], title=lang)
    ingest([tmp_path / "a"], index=tmp_path / "s0", model=MODEL, progress=False)
    ingest([tmp_path / "b"], index=tmp_path / "s1", model=MODEL, progress=False)
    report = merge_indexes([tmp_path / "s1", tmp_path / "s0"], tmp_path / "merged")
    assert report.renamed == {f"{tmp_path / 's1'}:brief": "brief-2"}
    with open_index(tmp_path / "merged") as idx:
        chunks, entities = idx.chunks(), idx.entities()
        assert set(chunks["doc_id"]) == {"brief", "brief-2"}
        assert all(c.startswith(d + ":c") for c, d in zip(chunks["chunk_id"], chunks["doc_id"],
                                                          strict=True))
        assert set(entities["chunk_id"]) <= set(chunks["chunk_id"])
        assert "477-IV" in " ".join(entities[entities["doc_id"] == "brief-2"]["text"])
        assert idx.search("Закон о миграции населения", k=1)[0].doc_id == "brief-2"


def test_distributed_merge_refuses_mixed_shards_and_existing_index(pdf_dir: Path,
                                                                    tmp_path: Path,
                                                                    hash_embedder):
    from nlp.embed import embedders as embed

    ingest([pdf_dir], index=tmp_path / "s0", model=MODEL, progress=False)
    embed.register_embedder("test/other", hash_embedder)
    ingest([pdf_dir], index=tmp_path / "s1", model="test/other", progress=False)
    with pytest.raises(IndexMismatch, match="built differently"):
        merge_indexes([tmp_path / "s0", tmp_path / "s1"], tmp_path / "merged")
    with pytest.raises(IndexMismatch, match="built differently"):
        ShardedIndex([tmp_path / "s0", tmp_path / "s1"])
    with pytest.raises(UserError, match="already holds an index"):
        merge_indexes([tmp_path / "s0"], tmp_path / "s1")


def test_distributed_merge_keeps_first_of_a_path_in_two_shards(pdf_dir: Path, tmp_path: Path):
    ingest([pdf_dir], index=tmp_path / "s0", model=MODEL, progress=False)
    shutil.copytree(tmp_path / "s0", tmp_path / "s1")
    report = merge_indexes([tmp_path / "s0", tmp_path / "s1"], tmp_path / "merged")
    assert report.documents == 3 and len(report.duplicates) == 3
    _assert_same(_snapshot(tmp_path / "merged"), _snapshot(tmp_path / "s0"))


@given(st.lists(st.tuples(st.floats(-1, 1), st.integers(1, 50)), min_size=1, max_size=4))
def test_distributed_merged_candidates_add_up_language_sums(shards):
    per_shard = [(n, Candidates(dense=[(1, 0.5)], lang={1: "kk"},
                                sums={"kk": (w, dot, 2 * w, 3 * dot)}))
                 for n, (dot, w) in enumerate(shards)]
    merged = _merge_candidates(per_shard)
    n, dot, n_all, dot_all = merged.sums["kk"]
    assert n == sum(w for _, w in shards) and n_all == 2 * n
    assert dot == pytest.approx(sum(d for d, _ in shards), abs=1e-9)
    assert dot_all == pytest.approx(3 * dot, abs=1e-9)
    assert merged.dense == [((n, 1), 0.5) for n in range(len(shards))]
    assert merged.lang == {(n, 1): "kk" for n in range(len(shards))}


# --- the Ray Data pipeline ---------------------------------------------------------------

@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[dist]'")
    pytest.importorskip("ray.data")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.dist
def test_distributed_ray_ingest_equals_single_machine(local_ray, corpus: Path,
                                                      tmp_path: Path):
    from nlp.ingestion.distributed import ingest_distributed

    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    single = ingest([corpus], index=tmp_path / "single", model=MODEL, progress=False)
    report = ingest_distributed([corpus], tmp_path / "out", shards=2, model=MODEL)
    assert len(report.shards) == 2
    assert sorted(report.added) == sorted(single.added)
    assert [Path(p).name for p, _, _ in report.failed] == ["broken.pdf"]
    assert (report.chunks, report.entities) == (single.chunks, single.entities)
    for shard in report.shards:  # each shard is a normal index
        with open_index(shard) as idx:
            assert 0 < idx.info()["documents"] < len(single.added)
    with ShardedIndex(report.shards) as sharded, open_index(tmp_path / "single") as idx:
        assert sharded.chunks()["text"].tolist() == idx.chunks()["text"].tolist()
        assert sharded.entities().equals(idx.entities())
        for q in QUERIES:
            assert _untied(sharded.search(q, k=5)) == _untied(idx.search(q, k=5))
    merge_indexes(report.shards, tmp_path / "merged")
    _assert_same(_snapshot(tmp_path / "merged"), _snapshot(tmp_path / "single"))
    with pytest.raises(UserError, match="already holds shard indexes"):
        ingest_distributed([corpus], tmp_path / "out", shards=2, model=MODEL)


@pytest.mark.dist
def test_distributed_ray_entities_equal_index_entities(local_ray, corpus: Path,
                                                       tmp_path: Path):
    from nlp.ingestion.distributed import extract_entities_distributed

    ingest([corpus], index=tmp_path / "single", model=MODEL, progress=False)
    got = extract_entities_distributed([corpus])
    with open_index(tmp_path / "single") as idx:
        want = idx.entities()
    assert len(got) == len(want) > 0
    columns = list(want.columns)
    order = ["doc_id", "chunk_id", "start", "end", "label"]
    normal = lambda f: f.astype(object).where(f.notna(), None).sort_values(order)  # noqa: E731
    assert normal(got[columns]).values.tolist() == normal(want).values.tolist()
