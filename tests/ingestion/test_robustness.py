"""Bad input everywhere: the PDF zoo, the per-file budget, odd paths, odd queries, security."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, TEXTS, make_pdf

from nlp.app.cli import main
from nlp.errors import IndexMismatch, UserError
from nlp.index.atomic import atomic_path
from nlp.ingestion.children import (
    Budget,
    ParseOutOfMemory,
    ParserCrashed,
    ParserProcess,
    ParseTimeout,
)
from nlp.ingestion.codec import from_dict, to_json
from nlp.ingestion.local import ingest
from nlp.search.engine import open_index
from scripts import pdf_zoo

MODEL = "test/hash-64"
NLP = ROOT / "nlp"
CONTAINED = {"timeout", "memory", "crash", "unexpected"}  # kinds that mean a parser problem


@pytest.fixture(scope="module")
def zoo(tmp_path_factory) -> dict[str, Path]:
    return pdf_zoo.build(tmp_path_factory.mktemp("zoo"), pages=300, image_side=4000)


@pytest.fixture(scope="module")
def zoo_index(zoo: dict[str, Path], tmp_path_factory):
    from conftest import HashEmbedder

    from nlp.embed import embedders as embed

    embed.register_embedder(MODEL, HashEmbedder())
    index = tmp_path_factory.mktemp("zooidx") / "idx"
    return ingest([next(iter(zoo.values())).parent], index=index, model=MODEL,
                  progress=False), index


def test_robustness_zoo_batch_goes_on_and_every_failure_is_typed(zoo, zoo_index):
    report, index = zoo_index
    failed = {Path(f.path).name: f for f in report.failed}
    assert len(report.added) + len(failed) == len(zoo)
    must_fail = {"zero_byte.pdf", "whitespace.pdf", "header_only.pdf", "html.pdf", "png.pdf",
                 "encrypted.pdf"}
    assert must_fail <= set(failed)
    must_load = {"many_pages.pdf", "encrypted_owner_only.pdf", "active_content.pdf",
                 "huge_image.pdf", "huge_page.pdf", "corrupt_xref.pdf", "bad_utf8.txt"}
    assert not must_load & set(failed), [failed[n] for n in must_load & set(failed)]
    for f in failed.values():
        assert f.kind not in CONTAINED and f.reason, f  # a clear, typed message
    assert "password" in failed["encrypted.pdf"].reason
    with open_index(index) as idx:
        assert len(idx.vectors) == len(idx.chunks())
        assert idx.info()["pages"] >= 300
        assert idx.search("work permits and quotas", k=3)


def test_robustness_active_content_is_never_run_followed_or_indexed(zoo, zoo_index, monkeypatch):
    from nlp.parse.document import parse_pdf

    def refuse(*args, **kwargs):
        raise AssertionError(f"parsing tried to reach out: {args[:2]}")

    import socket
    import subprocess

    for obj, name in ((socket.socket, "connect"), (subprocess, "Popen"), (os, "system"),
                      (os, "execv"), (os, "execve"), (os, "posix_spawn"), (os, "startfile")):
        if hasattr(obj, name):
            monkeypatch.setattr(obj, name, refuse)
    doc = parse_pdf(zoo["active_content.pdf"])
    assert "Migration policy" in doc.text and "ATTACHMENTSECRET" not in doc.text
    assert not (zoo["active_content.pdf"].parent / "LAUNCHED").exists()
    _, index = zoo_index
    with open_index(index) as idx:
        assert not idx.chunks()["text"].str.contains("ATTACHMENTSECRET").any()


def test_worker_timeout_kills_the_file_and_the_next_one_parses(tmp_path: Path):
    slow = tmp_path / "slow.txt"
    slow.write_text("\n\n".join(f"Абзац {i} о миграции и квотах." for i in range(200_000)))
    good = make_pdf(tmp_path / "good.pdf", TEXTS["en"])
    with ParserProcess(Budget(seconds=0.5)) as parser:
        parser.parse(good)  # the child is up: its start-up is not part of any budget
        start = time.monotonic()
        with pytest.raises(ParseTimeout, match="--file-timeout"):
            parser.parse(slow)
        assert time.monotonic() - start < 0.5 + 3  # the budget plus the grace, not more
        assert "Educational" in parser.parse(good).text


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_worker_memory_budget_fails_the_file_not_the_batch(tmp_path: Path):
    good = make_pdf(tmp_path / "good.pdf", TEXTS["en"])
    with ParserProcess() as parser:
        parser.parse(good)
        status = Path(f"/proc/{parser._proc.pid}/status").read_text()
    vm_mb = int(re.search(r"VmSize:\s+(\d+)", status)[1]) // 1024
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * (40 << 20))  # 200 MB: far over the head-room below
    with ParserProcess(Budget(memory_mb=vm_mb + 96)) as parser:
        assert parser.parse(good).text  # the budget leaves room for ordinary files
        with pytest.raises(ParseOutOfMemory, match="--file-memory"):
            parser.parse(big)
        assert parser.parse(good).text


def test_worker_crash_is_contained(tmp_path: Path):
    slow = tmp_path / "slow.txt"
    slow.write_text("\n\n".join(f"Paragraph {i} on labour migration." for i in range(200_000)))
    good = make_pdf(tmp_path / "good.pdf", TEXTS["en"])
    with ParserProcess(Budget(seconds=60)) as parser:
        parser.parse(good)
        pid = parser._proc.pid
        threading.Timer(0.3, os.kill, (pid, signal.SIGSEGV)).start()
        with pytest.raises(ParserCrashed, match="SIGSEGV"):
            parser.parse(slow)
        assert parser.parse(good).text and parser._proc.pid != pid


def test_worker_documents_travel_as_json(tmp_path: Path):
    from nlp.parse.document import parse_pdf

    doc = parse_pdf(make_pdf(tmp_path / "kk.pdf", TEXTS["kk"]))
    back = from_dict(type(doc), json.loads(to_json(doc)))
    assert back == doc and isinstance(back.pages[0].blocks[0].bbox, tuple)


def test_robustness_nothing_is_unpickled():
    risky = re.compile(r"\bpickle\b|torch\.load\(|allow_pickle\s*=\s*True|read_pickle|joblib|"
                       r"shelve|marshal\.loads?")
    found = [f"{p.name}:{n}" for p in NLP.rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if risky.search(line) and not line.lstrip().startswith("#")
             and "never pickle" not in line and "not pickle" not in line]
    assert not found


def test_atomic_path_is_private_while_written_and_leaves_nothing_on_failure(tmp_path: Path):
    target = tmp_path / "manifest.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        assert stat.S_IMODE(tmp.stat().st_mode) == 0o600
        raise RuntimeError("killed half-way")
    assert target.read_text() == "old" and sorted(tmp_path.iterdir()) == [target]
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new" and sorted(tmp_path.iterdir()) == [target]
    assert stat.S_IMODE(target.stat().st_mode) & 0o600 == 0o600


def test_ingest_non_utf8_and_space_paths(tmp_path: Path):
    folder = tmp_path / "my docs #1"
    folder.mkdir()
    odd = folder / os.fsdecode(b"caf\xe9 brief.pdf")  # a Latin-1 name: not UTF-8
    os.rename(make_pdf(tmp_path / "ru.pdf", TEXTS["ru"]), odd)
    make_pdf(folder / "with space.pdf", TEXTS["en"])
    index = tmp_path / "index dir ? #x"
    report = ingest([folder], index=index, model=MODEL, progress=False)
    assert len(report.added) == 2 and not report.failed
    with open_index(index) as idx:
        paths = sorted(idx.documents()["path"])
        assert any(p.endswith("caf\\xe9 brief.pdf") for p in paths)
        hits = idx.search("иностранной рабочей силы", k=2)
        json.dumps([h.to_dict() for h in hits])  # every path is valid text
    assert sorted(ingest([folder], index=index, prune=True, progress=False).skipped) == sorted(
        report.added)
    odd.unlink()
    assert len(ingest([folder], index=index, prune=True, progress=False).removed) == 1


@pytest.fixture
def small_index(pdf_dir: Path, tmp_path: Path) -> Path:
    index = tmp_path / "idx"
    ingest([pdf_dir], index=index, model=MODEL, progress=False)
    return index


@pytest.mark.parametrize("query", ["", "   \n\t ", "\x00\x01\x1b", "\x7f\x85"])
def test_index_empty_or_control_queries_are_refused(small_index: Path, query: str):
    with open_index(small_index) as idx, pytest.raises(UserError, match="Empty query"):
        idx.search(query)


@pytest.mark.parametrize("query", ["квота\x00 2022\x1b[31m", "x" * 100_000,
                                   "work permits \udcff", "🙂 migration 🙂"])
def test_index_odd_queries_still_answer(small_index: Path, query: str):
    with open_index(small_index) as idx:
        start = time.perf_counter()
        hits = idx.search(query, k=3)
        assert time.perf_counter() - start < 5 and len(hits) <= 3


@pytest.mark.parametrize("kwargs,message", [
    ({"k": "3"}, "k must be"), ({"k": True}, "k must be"), ({"k": -1}, "k must be"),
    ({"lang": "de"}, "Unknown language"), ({"lang": 5}, "Unknown language"),
    ({"doc": "../../etc/passwd"}, "No document"),
])
def test_index_invalid_filters_are_refused(small_index: Path, kwargs: dict, message: str):
    with open_index(small_index) as idx, pytest.raises(UserError, match=message):
        idx.search("quota", **kwargs)


def test_index_filters_are_case_insensitive_and_k_may_exceed_the_index(small_index: Path):
    with open_index(small_index) as idx:
        assert {h.lang for h in idx.search("квота", k=10**6, lang="KK")} == {"kk"}
        assert len(idx.entities(label="law")) == len(idx.entities(label="LAW")) > 0
        with pytest.raises(UserError, match="Unknown label"):
            idx.entities(label="NOPE")


@pytest.mark.parametrize("args,message", [
    (["search", "   "], "Empty query"), (["search", "x", "--lang", "xx"], "Unknown language"),
    (["entities", "--label", "FOO"], "Unknown label"), (["search", "x", "-k", "0"], "k must"),
])
def test_cli_mistakes_print_one_line(small_index: Path, args: list[str], message: str):
    result = CliRunner().invoke(main, [*args, "--index", str(small_index)])
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_export_writes_only_the_requested_file(small_index: Path, tmp_path: Path):
    before = {p for p in tmp_path.rglob("*") if ".lock" not in p.name}
    out = tmp_path / "exports" / "laws.csv"
    out.parent.mkdir()
    result = CliRunner().invoke(main, ["entities", "--index", str(small_index), "--format",
                                       "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    after = {p for p in tmp_path.rglob("*") if ".lock" not in p.name}
    sqlite_own = {small_index / "store.sqlite-wal", small_index / "store.sqlite-shm"}
    assert after - before - sqlite_own == {out.parent, out}


def test_index_refuses_a_model_that_changed_dimension(small_index: Path):
    from nlp.embed import embedders as embed

    class Wider:
        model_id, dim = MODEL, 32

        def embed_queries(self, texts):
            import numpy as np

            return np.ones((len(texts), 32), dtype="float32") / 32 ** 0.5

    embed.register_embedder(MODEL, Wider())
    with open_index(small_index) as idx, pytest.raises(IndexMismatch, match="nlp ingest .*--index"):
        idx.search("quota")


def test_cli_ingest_budget_flags_reach_the_parser(pdf_dir: Path, tmp_path: Path):
    (pdf_dir / "slow.txt").write_text(
        "\n\n".join(f"Параграф {i} о квотах." for i in range(200_000)))
    result = CliRunner().invoke(main, ["ingest", str(pdf_dir), "--index", str(tmp_path / "i"),
                                       "--model", MODEL, "--file-timeout", "0.5"])
    assert result.exit_code == 0, result.output
    assert "3 added" in result.output
    assert "slow.txt: parsing took longer than 0.5 s" in result.output
