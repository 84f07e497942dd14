from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import TEXTS, make_pdf

from nlp.errors import IndexMismatch, IndexNotFound, UserError
from nlp.index import open_index
from nlp.ingest import ingest

MODEL = "test/hash-64"


def test_ingest_builds_index_with_store_and_manifest(pdf_dir: Path, tmp_path: Path):
    index = tmp_path / "idx"
    report = ingest([pdf_dir], index=index, model=MODEL, progress=False)
    assert sorted(report.added) == ["brief_en", "brief_kk", "brief_ru"]
    assert {p.name for p in index.iterdir()} >= {"manifest.json", "store.sqlite", "vectors.faiss"}
    with open_index(index) as idx:
        info = idx.info()
        assert info["documents"] == 3 and info["model"] == MODEL
        assert set(info["chunks_per_lang"]) == {"kk", "ru", "en"}
        assert len(idx.vectors) == info["chunks"]
        laws = idx.entities(label="LAW")
        assert "477-IV" in " ".join(laws["text"])


def test_ingest_skips_unchanged_replaces_changed_prunes_missing(pdf_dir: Path, tmp_path: Path):
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    again = ingest([pdf_dir], index=index, progress=False)
    assert sorted(again.skipped) == ["brief_en", "brief_kk", "brief_ru"] and not again.added
    make_pdf(pdf_dir / "brief_en.pdf", TEXTS["en"] + TEXTS["kk"], title="Changed")
    (pdf_dir / "brief_ru.pdf").unlink()
    third = ingest([pdf_dir], index=index, prune=True, progress=False)
    assert third.replaced == ["brief_en"] and third.removed == ["brief_ru"]
    with open_index(index) as idx:
        docs = idx.documents()
        assert sorted(docs["doc_id"]) == ["brief_en", "brief_kk"]
        assert docs.set_index("doc_id").loc["brief_en", "title"] == "Changed"
        chunks = idx.chunks()
        assert len(idx.vectors) == len(chunks)
        assert chunks["chunk_id"].is_unique
        assert not (idx.entities()["doc_id"] == "brief_ru").any()


def test_ingest_reports_bad_file_and_goes_on(pdf_dir: Path, tmp_path: Path):
    (pdf_dir / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (pdf_dir / "empty.pdf").write_bytes(b"")
    report = ingest([pdf_dir], index=tmp_path / "idx", model=MODEL, progress=False)
    assert len(report.added) == 3
    assert sorted(Path(p).name for p, _ in report.failed) == ["broken.pdf", "empty.pdf"]
    assert "failed: " in report.summary()


def test_ingest_same_stem_in_two_folders_gets_two_ids(pdf_dir: Path, tmp_path: Path):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(pdf_dir / "brief_kk.pdf", other / "brief_kk.pdf")
    report = ingest([pdf_dir, other], index=tmp_path / "idx", model=MODEL, progress=False)
    assert "brief_kk" in report.added and "brief_kk-2" in report.added


def test_ingest_refuses_other_model_and_missing_path(pdf_dir: Path, tmp_path: Path):
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    with pytest.raises(IndexMismatch, match="--model test/hash-64"):
        ingest([pdf_dir], index=index, model="some/other-model", progress=False)
    with pytest.raises(UserError, match="No such file"):
        ingest([tmp_path / "nope"], index=index, progress=False)


def test_index_rebuilds_vectors_when_faiss_file_is_stale(pdf_dir: Path, tmp_path: Path):
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    (index / "vectors.faiss").unlink()
    with open_index(index) as idx:
        assert len(idx.vectors) == len(idx.chunks())
        assert idx.search("квота", k=2)[0].rank == 1


def test_search_filters_and_frame_columns(pdf_dir: Path, tmp_path: Path):
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    with open_index(index) as idx:
        hits = idx.search("иностранной рабочей силы", k=5)
        assert hits[0].doc_id == "brief_ru"
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        only_kk = idx.search("иностранной рабочей силы", k=5, lang="kk")
        assert only_kk and {h.lang for h in only_kk} == {"kk"}
        assert {h.doc_id for h in idx.search("migration", doc="brief_en")} == {"brief_en"}
        frame = hits.to_frame()
        assert list(frame.columns) == ["rank", "score", "doc_id", "path", "title", "page_start",
                                       "page_end", "lang", "chunk_id", "text"]
        assert {"doc_id", "chunk_id", "page", "lang", "start", "end", "label", "text", "norm",
                "canonical_id", "value", "unit"} <= set(idx.entities().columns)


@pytest.mark.parametrize("kwargs,message", [
    ({"query": "  "}, "Empty query"),
    ({"query": "x", "lang": "de"}, "Unknown language"),
    ({"query": "x", "doc": "nope"}, "No document"),
    ({"query": "x", "k": 0}, "k must be"),
])
def test_search_user_mistakes(pdf_dir: Path, tmp_path: Path, kwargs: dict, message: str):
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    with open_index(index) as idx, pytest.raises(UserError, match=message):
        idx.search(**kwargs)


def test_open_missing_index_says_how_to_build_it(tmp_path: Path):
    with pytest.raises(IndexNotFound, match="Run: nlp ingest"):
        open_index(tmp_path / "none")
