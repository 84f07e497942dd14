"""nlp serve (local HTTP server) and nlp shell: the index and model loaded once."""

from __future__ import annotations

import json
import os
import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from conftest import TEXTS, HashEmbedder, make_pdf

from nlp.app.cli import main
from nlp.app.serve import BadRequest, Searcher, make_server, search_options
from nlp.embed import embedders as embed
from nlp.ingestion.local import ingest

MODEL = "test/hash-64"


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    embed.register_embedder(MODEL, HashEmbedder())
    folder = tmp_path_factory.mktemp("docs")
    for lang, sections in TEXTS.items():
        make_pdf(folder / f"brief_{lang}.pdf", sections, title=f"Brief ({lang})")
    root = tmp_path_factory.mktemp("idx") / "idx"
    ingest([folder], index=root, model=MODEL, progress=False)
    return root


@pytest.fixture(scope="module")
def server(index: Path):
    embed.register_embedder(MODEL, HashEmbedder())
    searcher = Searcher(index)
    httpd = make_server(searcher, port=0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    searcher.close()


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _cli_hits(index: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(main, ["search", *args, "--index", str(index), "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def test_serve_search_gives_the_hits_of_nlp_search_json(server: str, index: Path):
    query = "иностранной рабочей силы"
    status, body = _get(f"{server}/search?q={quote(query)}&k=3")
    assert status == 200
    hits = json.loads(body)
    cli = _cli_hits(index, query, "-k", "3")
    for hit in cli:  # the server shows paths relative to the index, not absolute ones
        hit["path"] = os.path.relpath(hit["path"], index)
    assert hits and hits == cli and not any(h["path"].startswith("/") for h in hits)
    assert hits[0]["doc_id"] == "brief_ru" and [h["rank"] for h in hits] == [1, 2, 3][:len(hits)]


def test_serve_filters_by_language_and_document(server: str):
    status, body = _get(f"{server}/search?q=migration&k=5&lang=kk")
    assert status == 200 and {h["lang"] for h in json.loads(body)} == {"kk"}
    status, body = _get(f"{server}/search?q=migration&doc=brief_en")
    assert status == 200 and {h["doc_id"] for h in json.loads(body)} == {"brief_en"}


def test_serve_health_names_the_index_and_model(server: str, index: Path):
    status, body = _get(f"{server}/health")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok" and health["model"] == MODEL
    assert health["chunks"] > 0 and health["index"] == str(index)


@pytest.mark.parametrize("query,message", [
    ("", "missing query"),
    ("q=%20%20", "missing query"),
    ("q=x&k=zero", "k must be a whole number"),
    ("q=x&k=0", "k must be between"),
    ("q=x&lang=de", "Unknown language"),
    ("q=x&doc=nope", "No document"),
    ("q=x&colour=red", "unknown parameter 'colour'"),
])
def test_serve_bad_parameters_get_400_with_one_line_json_error(server: str, query: str,
                                                                message: str):
    status, body = _get(f"{server}/search?{query}")
    assert status == 400
    assert body.count(b"\n") == 0
    error = json.loads(body)["error"]
    assert message in error and "\n" not in error


def test_serve_unknown_path_is_404(server: str):
    status, body = _get(f"{server}/nope")
    assert status == 404 and "/search" in json.loads(body)["error"]


def test_serve_reopens_the_index_after_an_ingest(index: Path, tmp_path: Path):
    index = Path(shutil.copytree(index, tmp_path / "idx"))
    extra = make_pdf(tmp_path / "extra_en.pdf", [("Seasonal work", "Seasonal agricultural "
                                                  "workers from Uzbekistan pick cotton.")])
    searcher = Searcher(index)
    try:
        before = searcher.health()["chunks"]
        ingest([extra], index=index, progress=False)
        assert searcher.health()["chunks"] > before
        assert searcher.search("seasonal agricultural workers", k=1)[0]["doc_id"] == "extra_en"
    finally:
        searcher.close()


def test_serve_search_options_parse_the_query_string():
    text, k, options = search_options({"q": [" work permits "], "k": ["4"], "lang": ["ru"],
                                       "entity": ["LAW:a", "ORG:b"]})
    assert (text, k) == ("work permits", 4)
    assert options["lang"] == "ru" and options["entity"] == ["LAW:a", "ORG:b"]
    assert options["collapse"] is True
    with pytest.raises(BadRequest, match="collapse"):
        search_options({"q": ["x"], "collapse": ["maybe"]})


def test_serve_shell_answers_each_line_with_the_index_opened_once(index: Path, monkeypatch):
    import nlp.search.engine

    opened = []
    original = nlp.search.engine.open_index
    monkeypatch.setattr(nlp.search.engine, "open_index", lambda path: opened.append(path)
                        or original(path))
    queries = ["иностранной рабочей силы", "", "quota for returnees"]
    result = CliRunner().invoke(main, ["shell", "--index", str(index), "-k", "2", "--json"],
                                input="\n".join(queries) + "\n")
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert len(answers) == 2  # the blank line is skipped
    assert len(opened) == 1  # FAISS file and store read once for all the queries
    assert answers[0] == _cli_hits(index, queries[0], "-k", "2")
    assert answers[1] == _cli_hits(index, queries[2], "-k", "2")


def test_serve_shell_reports_a_bad_query_and_goes_on(index: Path):
    result = CliRunner().invoke(main, ["shell", "--index", str(index), "--doc", "nope"],
                                input="first\nsecond\n")
    assert result.exit_code == 0
    assert result.output.count("No document 'nope'") == 2


def test_serve_missing_index_is_one_line_error(tmp_path: Path):
    for command in ("shell", "serve"):
        result = CliRunner().invoke(main, [command, "--index", str(tmp_path / "none")])
        assert result.exit_code == 1 and "Run: nlp ingest" in result.output


def test_serve_refuses_a_foreign_host(server: str):
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(server)
    for host, status in (("evil.example", 403), ("evil.example:80", 403),
                         (f"localhost:{url.port}", 200), (f"127.0.0.1:{url.port}", 200)):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        conn.request("GET", "/health", headers={"Host": host})  # DNS rebinding: a foreign name
        assert conn.getresponse().status == status, host
        conn.close()


def test_serve_health_answers_while_a_search_holds_the_index(server: str, monkeypatch):
    import threading

    from nlp.app.serve import Searcher

    release, entered = threading.Event(), threading.Event()
    original = Searcher._fresh

    def slow(self):  # a search that holds the index (as k=1000 once did for seconds)
        entered.set()
        release.wait(30)
        return original(self)

    monkeypatch.setattr(Searcher, "_fresh", slow)
    search = threading.Thread(target=_get, args=(f"{server}/search?q=migration&k=1000",))
    search.start()
    try:
        assert entered.wait(30)
        status, body = _get(f"{server}/health")
        assert status == 200 and json.loads(body)["status"] == "ok"
    finally:
        release.set()
        search.join()


def test_serve_shell_commands_change_the_search_and_echo_the_query(index: Path):
    lines = [":help", ":lang kk", ":k 1", "рабочей силы", ":lang fr", ":k 0", ":bogus",
             ":lang", ":doc brief_en", ":show", "migration", ":quit", "never searched"]
    result = CliRunner().invoke(main, ["shell", "--index", str(index)],
                                input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert ":lang kk | :lang kk,ru" in out  # the help
    blocks = out.split("=== ")[1:]
    assert [b.splitlines()[0] for b in blocks] == ["рабочей силы", "migration"]
    first, second = blocks
    assert first.count("\n 1. ") + first.startswith(" 1. ") <= 1 and "[kk]" in first
    assert "[ru]" not in first and "brief_en" in second and "brief_kk" not in second
    assert "Unknown language 'fr'" in out and ":k takes a number" in out
    assert "unknown command :bogus" in out and "doc brief_en" in out
    assert "never searched" not in out
