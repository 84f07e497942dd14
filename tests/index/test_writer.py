"""IndexWriter, the one write path, and the numbered migrations of the store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from conftest import sha

from nlp.errors import IndexMismatch, UserError
from nlp.index import keyword, migrations
from nlp.index.layout import FORMAT_VERSION
from nlp.index.merge import merge_indexes
from nlp.index.store import Store
from nlp.index.writer import IndexWriter
from nlp.records import Chunk, Document, Entity, Page
from nlp.search.engine import open_index

CONFIG = {"format_version": FORMAT_VERSION, "model": "test/hash-64", "dim": 4,
          "chunking": {"max_chars": 1000, "overlap_chars": 150, "min_chars": 120}}


def document(doc_id: str, texts: list[str]) -> tuple[Document, list[Chunk], np.ndarray, list]:
    chunks = [Chunk(f"{doc_id}:c{i:04d}", doc_id, i, t, 0, len(t), 1, 1, "en", "", sha(t))
              for i, t in enumerate(texts)]
    vectors = np.eye(4, dtype=np.float32)[[i % 4 for i in range(len(texts))]]
    found = [(chunks[0], 1, Entity(0, 5, "ORG", texts[0][:5], texts[0][:5]))]
    return Document(doc_id, f"/docs/{doc_id}.txt", sha(doc_id), [Page(1)]), chunks, vectors, found


def build(root: Path, *docs: tuple[str, list[str]]) -> Path:
    """A saved index at ``root`` of documents (doc_id, chunk texts)."""
    with IndexWriter(root) as writer:
        writer.configure(CONFIG)
        for doc_id, texts in docs:
            writer.add(*document(doc_id, texts))
        writer.save()
    return root


def test_writer_index_opens_after_the_first_document_and_saves_in_step(tmp_path: Path):
    root = tmp_path / "idx"
    with IndexWriter(root) as writer:
        writer.configure(CONFIG)
        writer.add(*document("a", ["Alpha migration policy", "Beta quota"]))
        manifest = json.loads((root / "manifest.json").read_text())
        assert manifest["model"] == "test/hash-64" and not manifest["files"]  # opens already
        writer.add(*document("b", ["Gamma permits"]))
        writer.save()
    with open_index(root) as idx:
        assert idx.info()["chunks"] == 3 and len(idx.vectors) == 3
        assert list(idx.entities()["label"]) == ["ORG", "ORG"]


def test_writer_replaces_and_deletes_documents_with_their_vectors(tmp_path: Path):
    root = tmp_path / "idx"
    with IndexWriter(root) as writer:
        writer.configure(CONFIG)
        writer.add(*document("a", ["one", "two"]))
        writer.add(*document("b", ["three"]))
        writer.save()
    with IndexWriter(root) as writer:  # an existing index: its config is read back
        assert writer.config == CONFIG
        doc, chunks, vectors, found = document("a", ["one again"])
        writer.add(doc, chunks, vectors, found, replaces="a")
        writer.delete("b")
        writer.save()
        assert len(writer.vectors) == 1
    with open_index(root) as idx:
        assert list(idx.chunks()["text"]) == ["one again"]


def test_writer_refuses_another_configuration(tmp_path: Path):
    build(tmp_path / "idx", ("a", ["one"]))
    with IndexWriter(tmp_path / "idx") as writer, pytest.raises(IndexMismatch):
        writer.configure({**CONFIG, "dim": 8})


def test_writer_merge_refuses_an_existing_index(tmp_path: Path):
    build(tmp_path / "idx", ("a", ["one"]))
    with pytest.raises(UserError, match="already holds an index"):
        merge_indexes([tmp_path / "idx"], tmp_path / "idx")


def test_migrations_bring_an_old_store_up_to_date(tmp_path: Path):
    root = tmp_path / "idx"
    build(root, ("a", ["Alpha migration policy", "Beta quota"]))
    db = sqlite3.connect(root / "store.sqlite")  # as an nlp from before the list left it
    with db:
        db.execute("DROP TRIGGER chunks_fts_delete")
        db.execute("DROP TABLE chunks_fts")
        db.execute("DELETE FROM meta WHERE key IN (?, ?, 'lang_stats')",
                   (keyword.META_KEY, migrations.META_KEY))
    assert migrations.version(db) == 0
    db.close()
    store = Store(root / "store.sqlite")  # a writer's open applies them
    try:
        assert migrations.version(store.db) == len(migrations.MIGRATIONS)
        assert store.has_keyword_index() and keyword.in_step(store.db) == (2, 2)
        assert set(store.lang_stats()) == {"en"}
        assert migrations.migrate(store.db) == []  # nothing left to apply
    finally:
        store.close()


def test_migrations_upgrade_an_old_config():
    old = {**CONFIG, "chunking": {"max_chars": 1000, "overlap_chars": 150}}
    assert migrations.upgrade_config(old)["chunking"]["min_chars"] == 0
    assert migrations.upgrade_config(CONFIG) == CONFIG


def test_writer_index_entities_filter_by_languages_as_search_does(tmp_path: Path):
    build(tmp_path / "idx", ("a", ["Alpha migration policy"]))
    with open_index(tmp_path / "idx") as idx:
        assert len(idx.entities(lang="EN")) == len(idx.entities(lang="kk,en")) == 1
        assert idx.entities(lang="kk").empty
        with pytest.raises(UserError, match="Unknown language"):
            idx.entities(lang="fr")


def test_migrations_add_the_legal_parts_and_readers_cope_before(tmp_path: Path):
    root = tmp_path / "idx"
    build(root, ("a", ["Alpha migration policy", "Beta quota"]))
    db = sqlite3.connect(root / "store.sqlite")  # a store from before article and chapter
    with db:
        db.execute("ALTER TABLE chunks DROP COLUMN article")
        db.execute("ALTER TABLE chunks DROP COLUMN chapter")
        db.execute("UPDATE meta SET value = '3' WHERE key = ?", (migrations.META_KEY,))
    db.close()
    with open_index(root) as idx:  # a reader cannot migrate: the parts read as ""
        assert list(idx.chunks()["article"]) == ["", ""]
        assert idx.search("Alpha", k=1, mode="keyword")[0].article == ""
    Store(root / "store.sqlite").close()  # a writer's open migrates
    db = sqlite3.connect(root / "store.sqlite")
    assert {"article", "chapter"} <= {r[1] for r in db.execute("PRAGMA table_info(chunks)")}
    assert migrations.version(db) == len(migrations.MIGRATIONS)
    db.close()


@pytest.mark.parametrize("sql", [
    "CREATE VIEW spin AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) "
    "SELECT x FROM r",
    "CREATE TRIGGER spy AFTER INSERT ON documents BEGIN DELETE FROM chunks; END",
])
def test_store_with_a_view_or_a_foreign_trigger_is_refused_not_run(tmp_path: Path, sql):
    from nlp.errors import IndexCorrupt

    root = build(tmp_path / "idx", ("a", ["Alpha migration policy"]))
    with sqlite3.connect(root / "store.sqlite") as db:
        db.execute(sql)
    with pytest.raises(IndexCorrupt, match="that nlp never makes"):
        open_index(root)
    with pytest.raises(IndexCorrupt, match="that nlp never makes"), IndexWriter(root):
        pass


def test_writer_refuses_an_index_path_that_is_a_file(tmp_path: Path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(UserError, match="is a file, not an index folder"), \
            IndexWriter(tmp_path / "afile"):
        pass
