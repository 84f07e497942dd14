"""The keyword index in the store: in step with ingest, replace, prune and deletes; migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import TEXTS, make_pdf

from nlp.errors import UserError
from nlp.index import keyword
from nlp.index.store import Store
from nlp.ingestion.local import ingest
from nlp.search.engine import open_index

MODEL = "test/hash-64"


def fts_rows(index: Path) -> dict[int, str]:
    db = sqlite3.connect(index / "store.sqlite")
    try:
        return dict(db.execute("SELECT rowid, terms FROM chunks_fts"))
    finally:
        db.close()


def chunk_rows(index: Path) -> dict[int, tuple[str, str]]:
    db = sqlite3.connect(index / "store.sqlite")
    try:
        return {i: (t, lang) for i, t, lang in db.execute("SELECT id, text, lang FROM chunks")}
    finally:
        db.close()


def assert_in_step(index: Path) -> None:
    fts, chunks = fts_rows(index), chunk_rows(index)
    assert chunks and set(fts) == set(chunks)
    for i, (text, lang) in chunks.items():
        assert fts[i] == keyword.chunk_terms(text, lang)


def make_old(index: Path) -> None:
    """Turn a store into one written before the keyword index existed."""
    db = sqlite3.connect(index / "store.sqlite")
    with db:
        db.execute("DROP TRIGGER chunks_fts_delete")
        db.execute("DROP TABLE chunks_fts")
        db.execute("DELETE FROM meta WHERE key = ?", (keyword.META_KEY,))
    db.close()


def test_store_fts_in_step_with_ingest_replace_and_prune(pdf_dir: Path, tmp_path: Path):
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    assert_in_step(index)
    before = set(fts_rows(index))
    make_pdf(pdf_dir / "brief_en.pdf", TEXTS["en"] + [("Visas", "Tourist visas are free.")],
             title="Changed")
    (pdf_dir / "brief_ru.pdf").unlink()
    report = ingest([pdf_dir], index=index, prune=True, progress=False)
    assert report.replaced == ["brief_en"] and report.removed == ["brief_ru"]
    assert_in_step(index)
    assert set(fts_rows(index)) - before  # the replaced document's new chunks are in
    with open_index(index) as idx:
        assert not idx.search("477-IV", k=5, mode="keyword")  # only brief_ru had it
        assert idx.search("visas", k=1, mode="keyword")[0].doc_id == "brief_en"


def test_store_fts_row_goes_with_any_chunk_delete(pdf_dir: Path, tmp_path: Path):
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    db = sqlite3.connect(index / "store.sqlite")
    with db:  # as nlp doctor drops orphan chunks: plain SQL, no Store method
        db.execute("DELETE FROM chunks WHERE doc_id = 'brief_ru'")
    db.close()
    assert_in_step(index)


def test_store_fts_migration_of_an_old_store(pdf_dir: Path, tmp_path: Path):
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    make_old(index)
    with open_index(index) as idx:
        with pytest.raises(UserError, match=r"no keyword index.*nlp ingest .* --index"):
            idx.search("квота", mode="keyword")
        with pytest.raises(UserError, match="no keyword index"):
            idx.search("квота", mode="hybrid")
        with pytest.warns(UserWarning, match="dense only"):
            assert idx.search("квота", k=2)  # the default still answers, and says why
    report = ingest([pdf_dir], index=index, progress=False)  # every file unchanged
    assert sorted(report.skipped) == ["brief_en", "brief_kk", "brief_ru"]
    assert_in_step(index)
    with open_index(index) as idx:
        assert idx.search("477-IV", k=1, mode="keyword")[0].doc_id == "brief_ru"


def test_store_fts_rebuilt_when_analysis_version_differs(pdf_dir: Path, tmp_path: Path):
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    db = sqlite3.connect(index / "store.sqlite")
    with db:
        db.execute("UPDATE chunks_fts SET terms = 'stale'")
        db.execute("UPDATE meta SET value = '0' WHERE key = ?", (keyword.META_KEY,))
    db.close()
    Store(index / "store.sqlite").close()  # a writer opens it
    assert_in_step(index)


def test_store_fts_migration_is_one_transaction(pdf_dir: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch):
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    make_old(index)
    calls = []

    def failing_add(db, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise KeyboardInterrupt  # a crash half-way through the backfill
        original(db, rows)

    original = keyword.add
    monkeypatch.setattr(keyword, "add", failing_add)
    monkeypatch.setattr(keyword, "BACKFILL_BATCH", 1)
    with pytest.raises(KeyboardInterrupt):
        Store(index / "store.sqlite")
    assert calls == [1, 1]
    db = sqlite3.connect(index / "store.sqlite")
    assert db.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()[0] == 0
    assert not keyword.is_current(db)
    db.close()
    monkeypatch.undo()
    Store(index / "store.sqlite").close()
    assert_in_step(index)


def test_store_fts_readonly_store_is_not_changed(pdf_dir: Path, tmp_path: Path):
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    make_old(index)
    Store(index / "store.sqlite", readonly=True).close()
    db = sqlite3.connect(index / "store.sqlite")
    assert not keyword.is_current(db)
    db.close()


def test_store_fts_doctor_reports_missing_or_out_of_step_and_repairs(pdf_dir: Path,
                                                                     tmp_path: Path):
    from nlp.index.doctor import diagnose, repair

    def keywords(index: Path):
        return next(f for f in diagnose(index) if f.check == "keywords")

    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    assert keywords(index).level == "ok"
    make_old(index)
    found = keywords(index)
    assert (found.level, found.fix) == ("warn", f"nlp doctor --index {index} --repair")
    repair(index)
    assert_in_step(index)
    assert keywords(index).level == "ok"
    db = sqlite3.connect(index / "store.sqlite")
    with db:  # a row lost behind the trigger's back
        db.execute("DELETE FROM chunks_fts WHERE rowid = (SELECT MIN(id) FROM chunks)")
    db.close()
    found = keywords(index)
    assert found.level == "error" and "holds" in found.message
    assert any("rebuilt the keyword index" in f.message for f in repair(index))
    assert_in_step(index)
    assert keywords(index).level == "ok"


def test_store_fts_keyword_search_finds_names_across_scripts(pdf_dir: Path, tmp_path: Path):
    """"Kazakhstan" (en) meets "Казахстан" (ru) through name keys; the kk brief's "Қазақстан"
    opens a sentence, so it has no key. Hybrid's keyword lists (all terms; numbers and codes)
    do not use names."""
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model="test/hash-64", progress=False, entities=False)
    with open_index(index) as idx:
        store = idx.store
        found = [i for i, _ in store.keyword_search("Kazakhstan", 10)]
        assert set(store.langs_of(found).values()) == {"ru", "en"}
        assert store.keyword_search("Kazakhstan", 10, part="neutral") == []
        hybrid_terms = [i for i, _ in store.keyword_search("Kazakhstan", 10, part="terms")]
        assert set(store.langs_of(hybrid_terms).values()) == {"en"}
        assert [lang for lang in store.langs_of(
            [i for i, _ in store.keyword_search("Закон № 477-IV", 10, part="neutral")]).values()
                ] == ["ru"]
