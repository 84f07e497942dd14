from __future__ import annotations

import errno
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlp.app.cli import main

MODEL = "test/hash-64"


@pytest.fixture
def index(pdf_dir: Path, tmp_path: Path) -> str:
    index = str(tmp_path / "idx")
    result = CliRunner().invoke(main, ["ingest", str(pdf_dir), "--index", index, "--model", MODEL])
    assert result.exit_code == 0, result.output
    assert "3 added" in result.output
    return index


def test_cli_search_json_has_hit_fields(index: str):
    result = CliRunner().invoke(main, ["search", "рабочей силы", "--index", index, "--json"])
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.output.splitlines()]
    assert hits and set(hits[0]) == {"rank", "score", "doc_id", "path", "title", "page_start",
                                     "page_end", "lang", "chunk_id", "text", "article",
                                     "section", "act", "also_in",  # of a legal act, else ""
                                     "citation"}
    assert all(h["citation"].endswith(f"p. {h['page_start']}.") or "p. " in h["citation"]
               for h in hits)


def test_cli_search_table_for_people(index: str):
    result = CliRunner().invoke(main, ["search", "квота", "--index", index, "-k", "2"])
    assert result.exit_code == 0
    assert result.output.startswith(" 1. ")


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_cli_entities_export_formats(index: str, tmp_path: Path, fmt: str):
    out = tmp_path / f"entities.{fmt}"
    result = CliRunner().invoke(main, ["entities", "--index", index, "--format", fmt,
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    import pandas as pd

    frame = {"csv": pd.read_csv, "jsonl": lambda p: pd.read_json(p, lines=True),
             "parquet": pd.read_parquet}[fmt](out)
    assert len(frame) > 0 and {"doc_id", "chunk_id", "page", "label", "norm"} <= set(frame)


def test_cli_entities_table_filtered_by_label(index: str):
    result = CliRunner().invoke(main, ["entities", "--index", index, "--label", "LAW"])
    assert result.exit_code == 0 and "477-IV" in result.output


def test_cli_documents_lists_the_collection(index: str, tmp_path: Path):
    result = CliRunner().invoke(main, ["documents", "--index", index])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["doc_id", "lang", "pages", "chunks", "act", "title"]
    assert [line.split()[0] for line in lines[1:]] == ["brief_en", "brief_kk", "brief_ru"]
    out = tmp_path / "docs.csv"
    assert CliRunner().invoke(main, ["documents", "--index", index, "--format", "csv",
                                     "-o", str(out)]).exit_code == 0
    import pandas as pd

    frame = pd.read_csv(out)
    assert len(frame) == 3 and (frame["chunks"] > 0).all() and "path" in frame


def test_cli_unknown_model_is_refused_without_download(tmp_path: Path, pdf_dir: Path):
    result = CliRunner().invoke(main, ["ingest", str(pdf_dir), "--index", str(tmp_path / "i"),
                                       "--model", "no/such-model"])
    assert result.exit_code == 1 and "Unknown embedding model 'no/such-model'" in result.output
    assert "Traceback" not in result.output


def test_cli_info_and_parse(index: str, pdf_dir: Path):
    info = json.loads(CliRunner().invoke(main, ["info", "--index", index, "--json"]).output)
    assert info["documents"] == 3 and info["chunks"] > 0
    parsed = CliRunner().invoke(main, ["parse", str(pdf_dir / "brief_kk.pdf"), "--json"])
    data = json.loads(parsed.output)
    assert data["pages"][0]["blocks"][0]["lang"] == "kk"


@pytest.mark.parametrize("args,message", [
    (["search", "", "--index", "{index}"], "Empty query"),
    (["search", "x", "--index", "{index}", "--lang", "fr"], "Unknown language"),
    (["search", "x", "--index", "{missing}"], "No index at"),
    (["entities", "--index", "{index}", "--label", "FOO"], "Unknown label"),
    (["entities", "--index", "{index}", "--format", "parquet"], "give a file with -o"),
    (["parse", "{missing}"], "no such file"),
    (["ingest", "{missing}", "--index", "{index}"], "No such file"),
    (["entities", "--index", "{index}", "-o", "{folder}"], "it is a folder"),
    (["documents", "--index", "{index}", "-o", "{folder}/no/such/x.csv"], "does not exist"),
])
def test_cli_user_mistakes_one_line_exit_1(index: str, tmp_path: Path, args, message):
    args = [a.format(index=index, missing=tmp_path / "missing.pdf", folder=tmp_path)
            for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_help_does_not_import_torch():
    code = ("import sys; from click.testing import CliRunner; from nlp.app.cli import main; "
            "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0; "
            "print(sorted(m for m in ('torch', 'spacy', 'sentence_transformers', 'faiss') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_api_ingest_stays_callable_after_use(pdf_dir: Path, tmp_path: Path):
    import nlp

    for _ in range(2):  # a submodule import must not shadow the function
        nlp.ingest([pdf_dir], index=tmp_path / "idx", model=MODEL, progress=False)
    assert callable(nlp.ingest) and callable(nlp.open_index)


def test_cli_ingest_no_entities_and_workers(pdf_dir: Path, tmp_path: Path):
    index = str(tmp_path / "bare")
    result = CliRunner().invoke(main, ["ingest", str(pdf_dir), "--index", index, "--model",
                                       MODEL, "--no-entities", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "3 added" in result.output and " 0 entities" in result.output
    bad = CliRunner().invoke(main, ["ingest", str(pdf_dir), "--index", index, "--workers", "0"])
    assert bad.exit_code != 0 and "--workers" in bad.output


@pytest.mark.parametrize("error", [sqlite3.OperationalError("database or disk is full"),
                                   OSError(errno.ENOSPC, "No space left on device")])
def test_cli_a_full_disk_is_one_line_not_a_traceback(error, capsys):
    from nlp.app.options import friendly

    @friendly
    def command():
        raise error

    with pytest.raises(SystemExit) as stop:
        command()
    err = capsys.readouterr().err
    assert stop.value.code == 1 and err.startswith("Error: the disk is full")
    assert len(err.strip().splitlines()) == 1


def test_cli_serve_on_a_busy_port_says_so():
    import socket

    from nlp.app.serve import make_server
    from nlp.errors import UserError

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(UserError, match=f"Cannot serve on 127.0.0.1:{port}: .*--port"):
            make_server(None, port)


def test_cli_parse_runs_in_a_child_under_the_file_budget(tmp_path: Path):
    big = tmp_path / "big.txt"
    big.write_text("\n\n".join(f"Migration policy paragraph {i} " * 40 for i in range(30_000)),
                   encoding="utf-8")
    result = CliRunner().invoke(main, ["parse", str(big), "--file-timeout", "0.5"])
    assert result.exit_code == 1 and "took longer than 0.5 s" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_default_index_from_env_then_config_file(index: str, tmp_path: Path, monkeypatch):
    from nlp.index.layout import DEFAULT_INDEX, default_index

    monkeypatch.delenv("NLP_INDEX", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    assert default_index() == DEFAULT_INDEX
    (tmp_path / "config" / "nlp").mkdir(parents=True)
    (tmp_path / "config" / "nlp" / "config.toml").write_text('index = "/data/user-index"\n')
    assert default_index() == "/data/user-index"
    (tmp_path / "nlp.toml").write_text(f'index = "{Path(index).name}"\n')  # relative: here
    assert default_index() == str(tmp_path / Path(index).name)
    info = CliRunner().invoke(main, ["info", "--json"])
    assert info.exit_code == 0 and json.loads(info.output)["documents"] == 3
    monkeypatch.setenv("NLP_INDEX", str(tmp_path / "elsewhere"))
    assert "No index at " + str(tmp_path / "elsewhere") in CliRunner().invoke(
        main, ["info"]).output
    (tmp_path / "nlp.toml").write_text("index = 5\n")
    monkeypatch.delenv("NLP_INDEX")
    bad = CliRunner().invoke(main, ["info"])
    assert bad.exit_code == 1 and bad.output.strip().splitlines() == [
        'Error: nlp.toml: index must be a folder, e.g. index = "~/nlp-index"']


def test_cli_search_on_the_bundled_demo_says_so(tmp_path: Path):
    from nlp.index.layout import is_demo
    from nlp.ingestion.local import ingest

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    ingest([corpus / "README.md"], index=tmp_path / "demo", model=MODEL, progress=False)
    assert is_demo(tmp_path / "demo")
    result = CliRunner().invoke(main, ["search", "sample", "--index", str(tmp_path / "demo")])
    assert result.exit_code == 0 and "is the bundled demo index" in result.output
    other = tmp_path / "mine.txt"
    other.write_text("My own notes on labour migration quotas.", encoding="utf-8")
    ingest([other], index=tmp_path / "demo", model=MODEL, progress=False)
    assert not is_demo(tmp_path / "demo")


def test_cli_search_exports_csv_with_citations_and_bibtex(index: str, tmp_path: Path):
    import pandas as pd

    out = tmp_path / "hits.csv"
    result = CliRunner().invoke(main, ["search", "квота", "--index", index, "-k", "3",
                                       "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame["rank"]) == [1, 2, 3] and frame["citation"].str.contains("p. ").all()
    bib = CliRunner().invoke(main, ["search", "квота", "--index", index, "-k", "3",
                                    "--format", "bibtex"])
    assert bib.exit_code == 0 and bib.output.count("@misc{") + bib.output.count("@article{") \
        == len(set(frame["doc_id"]))


def test_cli_ingest_off_a_terminal_logs_one_line_per_file(pdf_dir: Path, tmp_path: Path):
    result = CliRunner().invoke(main, ["ingest", str(pdf_dir), "--index", str(tmp_path / "i"),
                                       "--model", MODEL])
    lines = [line for line in result.output.splitlines() if line.startswith("ingest ")]
    assert [line.split(":")[0].split("/")[-1] for line in lines] == [
        "brief_en.pdf", "brief_kk.pdf", "brief_ru.pdf"]
    assert all(line.startswith(f"ingest {n}/3 ") and " chunks, " in line and line.endswith(" s)")
               for n, line in enumerate(lines, 1))
