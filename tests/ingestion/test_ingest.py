from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import TESTS, TEXTS, make_pdf

from nlp.embed.embedders import HashEmbedder
from nlp.errors import IndexMismatch, IndexNotFound, UserError
from nlp.ingestion.local import ingest
from nlp.search.engine import open_index

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


def test_ingest_without_entities_stores_the_same_chunks_and_no_entities(pdf_dir: Path,
                                                                       tmp_path: Path):
    full = ingest([pdf_dir], index=tmp_path / "full", model=MODEL, progress=False)
    bare = ingest([pdf_dir], index=tmp_path / "bare", model=MODEL, progress=False,
                  entities=False, workers=1)
    assert full.entities > 0 and bare.entities == 0 and bare.chunks == full.chunks
    with open_index(tmp_path / "full") as a, open_index(tmp_path / "bare") as b:
        assert list(a.chunks()["text"]) == list(b.chunks()["text"])
        assert len(b.entities()) == 0
        assert b.search("477-IV", k=1)[0].chunk_id == a.search("477-IV", k=1)[0].chunk_id


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
    assert sorted(Path(f.path).name for f in report.failed) == ["broken.pdf", "empty.pdf"]
    assert all(f.kind and f.reason for f in report.failed)
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
                                       "page_end", "lang", "chunk_id", "text", "article",
                                       "section", "act", "also_in", "citation",
                                       "best_sentence"]
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


# --- crash safety, the writer lock, nlp doctor ------------------------------------------

KILL_CHILD = r"""
import os, signal, sys
sys.path.insert(0, sys.argv[4])
from conftest import HashEmbedder
from nlp.embed import embedders as embed
embed.register_embedder("test/hash-64", HashEmbedder())
import nlp.index.atomic, nlp.index.layout, nlp.ingestion.local
from nlp.index.store import Store
from nlp.index.vectors import VectorIndex

point, seen = sys.argv[1], []

def die_on(owner, name, when):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        seen.append(name)
        if when(seen.count(name), args):
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)
    setattr(owner, name, wrapper)

if point == "inside_first_transaction":  # rows inserted, not committed
    original = Store.add_document
    def add(self, *a, **k):
        original(self, *a, **k)
        os.kill(os.getpid(), signal.SIGKILL)
    Store.add_document = add
elif point == "after_second_commit":  # store has it, FAISS (in memory and on disk) not
    die_on(VectorIndex, "add", lambda n, a: n == 2)
elif point == "after_faiss_save":  # new FAISS file, old manifest
    die_on(nlp.index.layout, "write_manifest", lambda n, a: bool(a[3]))
elif point == "manifest_rename":  # new manifest written to its temporary file, not renamed
    die_on(nlp.index.atomic.os, "replace",
           lambda n, a: str(a[1]).endswith("manifest.json") and n > 2)
nlp.ingestion.local.ingest([sys.argv[2]], index=sys.argv[3], model="test/hash-64", progress=False)
"""


def _state(index: Path) -> dict:
    with open_index(index) as idx:
        docs = idx.documents().set_index("doc_id")
        chunks, ents = idx.chunks(), idx.entities()
        assert sorted(idx.vectors.ids()) == sorted(idx.store.vector_ids())
        return {d: (docs.loc[d, "sha256"], tuple(sorted(chunks[chunks.doc_id == d]["text"])),
                    int((ents.doc_id == d).sum())) for d in docs.index}


@pytest.mark.parametrize("point", ["inside_first_transaction", "after_second_commit",
                                   "after_faiss_save", "manifest_rename"])
def test_ingest_sigkill_at_each_step_loses_nothing_committed(pdf_dir: Path, tmp_path: Path,
                                                              point: str):
    import subprocess
    import sys

    from nlp.index.doctor import diagnose

    index, reference = tmp_path / "idx", tmp_path / "ref"
    if point == "after_second_commit":  # a replace: the old version's vectors must go
        ingest([pdf_dir], index=index, model=MODEL, progress=False)
        make_pdf(pdf_dir / "brief_kk.pdf", TEXTS["kk"][::-1], title="Changed")
        make_pdf(pdf_dir / "brief_ru.pdf", TEXTS["ru"] + TEXTS["en"], title="Changed")
    child = subprocess.run([sys.executable, "-c", KILL_CHILD, point, str(pdf_dir), str(index),
                            str(TESTS)], capture_output=True, timeout=300)
    assert child.returncode == -9, child.stderr.decode()[-2000:]
    if (index / "manifest.json").exists():
        partial = _state(index)  # opens, and vectors equal the store's chunks
        with open_index(index) as idx:
            assert idx.search("квота", k=2) or not partial
    else:  # only before anything was committed
        import sqlite3

        with sqlite3.connect(index / "store.sqlite") as db:
            assert db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0
    report = ingest([pdf_dir], index=index, progress=False)
    assert any("recovered the lock" in n for n in report.notes), report.notes
    ingest([pdf_dir], index=reference, model=MODEL, progress=False)
    assert _state(index) == _state(reference)
    assert not [f for f in diagnose(index) if f.level != "ok"]
    assert not list(index.glob(".tmp-*"))


def test_ingest_stale_faiss_file_never_serves_vectors_of_deleted_chunks(pdf_dir: Path,
                                                                        tmp_path: Path):
    import shutil

    import numpy as np

    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    for name in ("vectors.faiss", "manifest.json"):
        shutil.copy(index / name, tmp_path / name)
    make_pdf(pdf_dir / "brief_ru.pdf", [("Другой текст", "Совсем другой текст о визах.")])
    ingest([pdf_dir], index=index, progress=False)  # replaces the document with the last ids
    for name in ("vectors.faiss", "manifest.json"):  # as if killed before the new ones landed
        shutil.copy(tmp_path / name, index / name)
    with open_index(index) as idx:
        ids, vecs = idx.store.vectors()
        got = np.vstack([idx.vectors.index.reconstruct(int(i)) for i in ids])
        assert np.array_equal(got, vecs)
        assert idx.search("Совсем другой текст о визах", k=1)[0].doc_id == "brief_ru"


def test_lock_second_writer_is_told_who_writes_and_readers_go_on(pdf_dir: Path, tmp_path: Path):
    import os

    from nlp.errors import IndexLocked
    from nlp.index.lock import writer_lock

    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    with writer_lock(index):
        with pytest.raises(IndexLocked, match=f"being written by PID {os.getpid()} .*kill"):
            ingest([pdf_dir], index=index, progress=False)
        with open_index(index) as idx:
            assert idx.search("квота", k=1)
    assert ingest([pdf_dir], index=index, progress=False).skipped


def test_lock_of_a_killed_writer_is_recovered(tmp_path: Path):
    import subprocess
    import sys
    import time

    from nlp.index.lock import holder, stale_record, writer_lock

    tmp_path.joinpath("x").mkdir()
    holder_code = ("import sys, time; from nlp.index.lock import writer_lock\n"
                   "with writer_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", holder_code, str(tmp_path / "x")],
                            stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"held"
    assert holder(tmp_path / "x")["pid"] == proc.pid
    proc.kill()
    proc.wait()
    time.sleep(0.1)
    assert holder(tmp_path / "x") is None and stale_record(tmp_path / "x")["pid"] == proc.pid
    with writer_lock(tmp_path / "x") as stale:
        assert stale["pid"] == proc.pid
    assert stale_record(tmp_path / "x") is None


def test_doctor_finds_and_repairs_damage(pdf_dir: Path, tmp_path: Path):
    from nlp.index.doctor import diagnose, repair, worst

    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    assert worst(diagnose(index)) == "ok"
    data = bytearray((index / "vectors.faiss").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (index / "vectors.faiss").write_bytes(bytes(data))
    (index / ".tmp-manifest.json-x").write_text("{")
    found = {f.check: f for f in diagnose(index)}
    assert found["vectors"].level == "error" and "--repair" in found["vectors"].fix
    assert found["leftovers"].level == "warn"
    assert worst(repair(index)) == "ok" and worst(diagnose(index)) == "ok"
    (index / "manifest.json").write_text('{"format_version": 1, "mod')
    with pytest.raises(Exception, match="nlp doctor --index .* --repair"):
        open_index(index)
    assert worst(repair(index)) == "ok"  # the store knows its model, dimension, chunking
    with open_index(index) as idx:
        assert idx.manifest["model"] == MODEL and idx.search("квота", k=1)


def test_doctor_reports_a_damaged_store_with_the_rebuild_command(pdf_dir: Path,
                                                                  tmp_path: Path):
    from click.testing import CliRunner

    from nlp.app.cli import main
    from nlp.errors import IndexCorrupt

    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    assert CliRunner().invoke(main, ["doctor", "--index", str(index)]).exit_code == 0
    with (index / "store.sqlite").open("r+b") as fh:
        fh.write(b"garbage!" * 16)
    result = CliRunner().invoke(main, ["doctor", "--index", str(index)])
    assert result.exit_code == 1 and "fix: Rebuild" in result.output
    assert f"nlp ingest <your files> --index {index}-new" in result.output  # store unreadable
    with pytest.raises(IndexCorrupt, match="nlp doctor"):
        open_index(index)


def test_ingest_refuses_other_format_with_the_command_that_rebuilds(pdf_dir: Path,
                                                                     tmp_path: Path):
    import json

    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    manifest = json.loads((index / "manifest.json").read_text())
    (index / "manifest.json").write_text(json.dumps({**manifest, "format_version": 99}))
    with pytest.raises(IndexMismatch, match=f"newer nlp.*nlp ingest {pdf_dir} --index {index}-new"):
        open_index(index)
    with pytest.raises(IndexMismatch, match="format version 99"):
        ingest([pdf_dir], index=index, progress=False)


def test_index_reader_opened_before_a_replace_keeps_answering(pdf_dir: Path, tmp_path: Path):
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    with open_index(index) as before:
        make_pdf(pdf_dir / "brief_ru.pdf", [("Визы", "Совсем другой текст о визах.")])
        ingest([pdf_dir], index=index, progress=False)
        hits = before.search("иностранной рабочей силы", k=5)  # its old chunks are gone
        assert all(h.doc_id != "brief_ru" or "визах" in h.text for h in hits)
    with open_index(index) as after:
        assert after.search("визах", k=1)[0].doc_id == "brief_ru"


def test_index_reconcile_reads_one_snapshot_while_a_writer_deletes(pdf_dir: Path,
                                                                   tmp_path: Path):
    from nlp.index.store import Store
    from nlp.search.engine import load_vectors

    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    (index / "vectors.faiss").unlink()  # the reader must fetch every vector from the store
    reader = Store(index / "store.sqlite", readonly=True)
    read_ids, before = reader.vector_ids, reader.vector_ids()

    def ids_then_a_writer_commits():
        ids = read_ids()
        writer = Store(index / "store.sqlite")
        with writer.db:
            writer.delete_document("brief_ru")
        writer.close()
        return ids

    reader.vector_ids = ids_then_a_writer_commits
    try:
        vectors = load_vectors(index, reader, 64)
        assert sorted(vectors.ids()) == sorted(before)  # the state it started from
    finally:
        reader.close()
    with open_index(index) as idx:
        assert "brief_ru" not in set(idx.documents()["doc_id"])


# --- chunk vectors kept across versions of a file ---------------------------------------

class CountingEmbedder(HashEmbedder):
    """The hash embedder under its own name, recording every text it embeds."""

    model_id = "test/count-64"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed_passages(self, texts):
        self.seen += texts
        return super().embed_passages(texts)


def test_ingest_changed_file_embeds_only_new_chunk_texts(pdf_dir: Path, tmp_path: Path):
    from nlp.embed import embedders as embed
    from nlp.index.store import Store

    counting = CountingEmbedder()
    embed.register_embedder(counting.model_id, counting)
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=counting.model_id, progress=False)
    with open_index(index) as idx:
        old = set(idx.chunks().query("doc_id == 'brief_en'")["sha256"])
    counting.seen.clear()
    added = ("Seasonal work", "Seasonal agricultural workers from Uzbekistan pick cotton in "
             "the Turkestan region every autumn under simplified rules.")
    make_pdf(pdf_dir / "brief_en.pdf", [*TEXTS["en"], added], title="Brief (en)")
    report = ingest([pdf_dir], index=index, progress=False)
    assert report.replaced == ["brief_en"]
    with open_index(index) as idx:
        chunks = idx.chunks().query("doc_id == 'brief_en'")
    new = chunks[~chunks["sha256"].isin(old)]
    assert 0 < len(new) < len(chunks)  # the change touched some chunks, not all
    assert sorted(counting.seen) == sorted(new["text"])  # only those were embedded
    assert report.reused_vectors == len(chunks) - len(new) and "kept their vectors" in (
        report.summary())
    store = Store(index / "store.sqlite", readonly=True)
    try:  # every stored vector, reused or new, is the vector of its chunk's text
        rows = store.db.execute("SELECT text, vector FROM chunks").fetchall()
    finally:
        store.close()
    for text, blob in rows:
        assert np.array_equal(np.frombuffer(blob, dtype=np.float32),
                              counting.embed_passages([text])[0])


# --- analyser children: parse, chunk and entities in parallel, stored in order ------------

def test_ingest_pool_keeps_children_busy_past_a_long_file_and_yields_in_order(
        tmp_path: Path, monkeypatch):
    import nlp.ingestion.pool
    from nlp.ingestion.children import AnalyserProcess, Budget
    from nlp.ingestion.pool import AnalyserPool

    monkeypatch.setattr(nlp.ingestion.pool, "GROW_AFTER_S", 0.0)  # a second child at once
    small = [make_pdf(tmp_path / f"s{i}.pdf", [TEXTS[lang][0]])
             for i, lang in enumerate(["en", "ru", "kk", "en", "ru"])]
    long = tmp_path / "long.txt"
    long.write_text("\n\n".join(f"Параграф {i}: квота для кандасов в Алматы составила "
                                  f"{i} человек." for i in range(4000)), encoding="utf-8")
    collected = []
    result = AnalyserProcess.result

    def recording(self):
        collected.append(self._pending[0].name)
        return result(self)

    with AnalyserPool(Budget(seconds=120), workers=2) as pool:
        assert len(list(pool.imap(small[:2]))) == 2  # both children started and warm
        monkeypatch.setattr(AnalyserProcess, "result", recording)
        order = [small[0], long, *small[1:]]
        out = list(pool.imap(order))
    assert [Path(a.doc.path).name for a in out] == [p.name for p in order]
    assert all(a.chunks for a in out)
    # the other child went on with the small files while the long one was analysed
    assert collected.index("long.txt") > collected.index("s1.pdf")


def test_ingest_two_workers_store_what_one_worker_stores(pdf_dir: Path, tmp_path: Path,
                                                         monkeypatch):
    import nlp.ingestion.local
    import nlp.ingestion.pool

    (pdf_dir / "brief_fr.pdf").write_bytes(b"%PDF-1.4 garbage")  # fails between good files
    make_pdf(pdf_dir / "brief_x.pdf", TEXTS["ru"] + TEXTS["kk"], title="Mixed")
    one = ingest([pdf_dir], index=tmp_path / "one", model=MODEL, progress=False, workers=1)
    monkeypatch.setattr(nlp.ingestion.pool, "GROW_AFTER_S", 0.0)  # a second child at once
    two = ingest([pdf_dir], index=tmp_path / "two", model=MODEL, progress=False, workers=2)
    assert len(nlp.ingestion.pool._SHARED["pool"]._children) == 2
    assert two.added == one.added == ["brief_en", "brief_kk", "brief_ru", "brief_x"]
    assert [(Path(f.path).name, f.kind) for f in two.failed] == [
        (Path(f.path).name, f.kind) for f in one.failed] and len(two.failed) == 1
    assert (two.pages, two.chunks, two.entities) == (one.pages, one.chunks, one.entities)
    assert _state(tmp_path / "two") == _state(tmp_path / "one")
    with open_index(tmp_path / "two") as a, open_index(tmp_path / "one") as b:
        columns = ["chunk_id", "page", "start", "end", "label", "text", "norm", "source"]
        assert a.entities()[columns].equals(b.entities()[columns])
    again = ingest([pdf_dir], index=tmp_path / "again", model=MODEL, progress=False, workers=2)
    assert again.added == one.added and len(again.failed) == 1  # the same children, reused
    assert _state(tmp_path / "again") == _state(tmp_path / "one")


def test_ingest_keeps_an_old_index_chunking_without_joining_small_runs(pdf_dir: Path,
                                                                       tmp_path: Path):
    """An index built before ``min_chars`` existed goes on chunking as it did (min_chars 0)."""
    import json
    import sqlite3

    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False, entities=False)
    db = sqlite3.connect(index / "store.sqlite")
    with db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'chunking'",
                   (json.dumps({"max_chars": 1000, "overlap_chars": 150}),))
    db.close()
    extra = tmp_path / "more"
    extra.mkdir()
    shutil.copy(next(pdf_dir.glob("*.pdf")), extra / "copy.pdf")
    report = ingest([pdf_dir, extra], index=index, model=MODEL, progress=False, entities=False)
    assert report.added == ["copy"]
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["chunking"] == {"max_chars": 1000, "overlap_chars": 150, "min_chars": 0}
    fresh = ingest([pdf_dir], index=tmp_path / "new", model=MODEL, progress=False,
                   entities=False)
    assert fresh.chunks > 0
    new = json.loads((tmp_path / "new" / "manifest.json").read_text(encoding="utf-8"))
    assert new["chunking"]["min_chars"] == 120


def test_ingest_reports_files_with_no_text_and_refuses_binary_text(tmp_path: Path):
    import pymupdf as fitz

    docs = tmp_path / "docs"
    docs.mkdir()
    blank = fitz.open()
    for _ in range(3):
        blank.new_page()
    blank.save(docs / "blank.pdf")
    (docs / "noise.txt").write_bytes(bytes(range(256)) * 200)
    (docs / "ok.txt").write_bytes("Закон о миграции населения действует.".encode("cp1251"))
    report = ingest([docs], index=tmp_path / "idx", model=MODEL, progress=False, workers=1)
    assert sorted(report.added) == ["blank", "ok"]
    assert [(Path(p).name, why) for p, why in report.no_text] == [
        ("blank.pdf", "3 page(s), all blank; the file is recorded, so an unchanged re-run "
                      "skips it")]
    assert [(Path(f.path).name, f.reason.split(" (")[0]) for f in report.failed] == [
        ("noise.txt", "not a text file")]
    lines = report.summary().splitlines()
    assert "1 with no text to search" in lines[0]
    assert any(line.startswith("  no text: ") and "blank.pdf" in line for line in lines)
    with open_index(tmp_path / "idx") as idx:
        assert "миграции" in " ".join(idx.chunks()["text"])
