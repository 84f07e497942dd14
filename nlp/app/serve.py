"""Keep an index and its model loaded for repeated queries: a local HTTP server and a shell.

    nlp serve --index DIR [--port 8765]     GET /search?q=...&k=10&lang=kk,ru&doc=ID&mode=
                                                &year=&entity=&by_lang=&collapse=&expand=
                                            GET /health                            -> JSON object
                                            GET / , /documents, /entities, /file/ID -> the web
                                            page (nlp.app.web), CSV at /documents.csv and
                                            /entities.csv
    nlp shell --index DIR [the options of nlp search] [--json]
                                            one query per line on stdin, its hits after it
                                            (--json: one JSON list of hits per query line)

Both take the options of ``nlp search`` with its defaults (``nlp.search.request.make_request``);
hits are the dicts of ``nlp search --json``. The server listens on 127.0.0.1 only; a bad
parameter gets status 400 and ``{"error": "..."}`` (one line). All searches run on one
thread that owns the index (SQLite connections stay in their thread) and reopen it when
an ingest has rewritten the manifest. Only click and the standard library are imported
here, so ``nlp --help`` stays instant.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import threading
import time
from pathlib import Path

import click

from nlp.app.options import demo_note, friendly, index_option, request_options, with_search_options
from nlp.errors import UserError
from nlp.text.printable import printable

DEFAULT_PORT = 8765
HOST = "127.0.0.1"
MAX_K = 1000
PARAMS = {"q", "k", "lang", "doc", "mode", "year", "entity", "article", "collapse", "by_lang",
          "expand"}
WARM_UP_QUERY = "migration"
MAX_PENDING = 16  # requests in the server at once; more are told to retry (503)
LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}  # Host names a local page may use


class BadRequest(ValueError):
    """A request the server refuses with status 400."""


class Searcher:
    """An open index on a thread of its own; ``search`` may be called from any thread."""

    def __init__(self, index: str | Path) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.path = Path(index)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlp-search")
        self._index, self._stamp = None, None
        try:
            self._call(self._open)
        except BaseException:
            self._thread.shutdown()
            raise

    def search(self, query: str, k: int = 10, **options) -> list[dict]:
        """The hits of ``query`` as ``nlp search --json`` dicts."""
        return self._call(lambda: [h.to_dict() for h in self._fresh().search(query, k=k,
                                                                            **options)])

    def run(self, func):
        """``func(index)`` on the index's thread (the index reopened first if it changed)."""
        return self._call(lambda: func(self._fresh()))

    def health(self) -> dict:
        """Status, index, model and chunk count, from the manifest: answered at once, never
        behind a running search."""
        from nlp.index.layout import read_manifest

        manifest = read_manifest(self.path)
        return {"status": "ok", "index": str(self.path), "model": manifest["model"],
                "chunks": manifest.get("chunks")}

    def warm_up(self) -> float:
        """Load the model now (a first query), so no request pays for it; seconds taken."""
        clock = time.perf_counter()
        self.search(WARM_UP_QUERY, k=1)
        return time.perf_counter() - clock

    def close(self) -> None:
        self._call(self._close)
        self._thread.shutdown()

    def _call(self, func):
        return self._thread.submit(func).result()

    def _open(self) -> None:
        from nlp.search.engine import open_index

        self._stamp = self._manifest_stamp()
        self._index = open_index(self.path)

    def _close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    def _fresh(self):
        """The open index, reopened first if an ingest has written a new manifest."""
        if self._manifest_stamp() != self._stamp:
            self._close()
            self._open()
        return self._index

    def _manifest_stamp(self) -> tuple[int, int] | None:
        try:
            stat = (self.path / "manifest.json").stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size


def search_options(query: dict[str, list[str]]) -> tuple[str, int, dict]:
    """(q, k, options for ``Index.search``) from a parsed query string; ``BadRequest``."""
    unknown = sorted(set(query) - PARAMS)
    if unknown:
        raise BadRequest(f"unknown parameter {unknown[0]!r}; use {', '.join(sorted(PARAMS))}")
    one = {name: values[-1] for name, values in query.items() if name != "entity"}
    text = one.get("q", "").strip()
    if not text:
        raise BadRequest("missing query: add ?q=some+words")
    try:
        k = int(one.get("k", "10"))
    except ValueError:
        raise BadRequest(f"k must be a whole number, got {one['k']!r}") from None
    if not 1 <= k <= MAX_K:
        raise BadRequest(f"k must be between 1 and {MAX_K}, got {k}")
    options = {name: one[name] or None for name in ("doc", "mode", "year", "article")
               if name in one}
    options["lang"] = ",".join(query.get("lang", [])) or None  # lang=kk&lang=ru or lang=kk,ru
    options["entity"] = query.get("entity") or None
    for name, default in (("collapse", "1"), ("by_lang", "0"), ("expand", "1")):
        flag = one.get(name, default).lower()
        if flag not in ("0", "1", "true", "false"):
            raise BadRequest(f"{name} is 1 or 0, got {one[name]!r}")
        options[name] = flag in ("1", "true")  # defaults as nlp search
    return text, k, options


def make_server(searcher: Searcher, port: int = DEFAULT_PORT):
    """A ``ThreadingHTTPServer`` on 127.0.0.1:``port`` (0: any free port) using ``searcher``."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    handler = type("Handler", (_Handler, BaseHTTPRequestHandler),
                   {"searcher": searcher, "slots": threading.BoundedSemaphore(MAX_PENDING)})
    try:
        server = ThreadingHTTPServer((HOST, port), handler)
    except OSError as err:
        hint = (f"; another program uses it, choose another with --port (e.g. --port {port + 1})"
                if err.errno == errno.EADDRINUSE else "")
        raise UserError(f"Cannot serve on {HOST}:{port}: {err.strerror or err}{hint}") from None
    server.daemon_threads = True
    return server


class _Handler:
    """The request handling of ``make_server`` (mixed into ``BaseHTTPRequestHandler``)."""

    searcher: Searcher
    slots: threading.BoundedSemaphore  # requests in the server at once
    server_version = "nlp"
    timeout = 60  # seconds a client may take to send its request

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if not self._local_host():  # a page elsewhere, through DNS rebinding
            return self._send(403, {"error": "Host must be 127.0.0.1 or localhost"})
        if not self.slots.acquire(blocking=False):
            return self._send(503, {"error": f"busy: {MAX_PENDING} requests in progress; "
                                             "retry in a moment"})
        try:
            self._answer()
        finally:
            self.slots.release()

    def _local_host(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in LOOPBACK

    def _answer(self) -> None:
        from urllib.parse import parse_qs, urlsplit

        from nlp.errors import NlpError

        url = urlsplit(self.path)
        try:
            if url.path == "/health":
                return self._send(200, self.searcher.health())
            page = PAGES.get(url.path) or (_file if url.path.startswith("/file/") else None)
            if page is not None:
                return self._reply(*page(self.searcher, url.path,
                                         parse_qs(url.query, keep_blank_values=True)))
            if url.path != "/search":
                return self._send(404, {"error": f"no such path {url.path!r}; use /, /search "
                                                 "or /health"})
            text, k, options = search_options(parse_qs(url.query, keep_blank_values=True))
            hits = self.searcher.search(text, k, **options)
            for hit in hits:  # no absolute path of this machine leaves the server
                hit["path"] = os.path.relpath(hit["path"], self.searcher.path)
            return self._send(200, hits)
        except (BadRequest, UserError) as err:
            return self._send(400, {"error": _one_line(err)})
        except NlpError as err:
            return self._send(500, {"error": _one_line(err)})
        except Exception as err:  # a bug: one line in the log and to the client, no traceback
            sys.stderr.write(f"error on {_one_line(self.path)[:200]}: {type(err).__name__}: "
                             f"{_one_line(err)[:300]}\n")
            return self._send(500, {"error": f"internal error ({type(err).__name__}); see the "
                                             "server's log"})

    def _send(self, status: int, body) -> None:
        self._reply(status, "application/json; charset=utf-8",
                    json.dumps(body, ensure_ascii=False).encode())

    def _reply(self, status: int, kind: str, data: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if kind.startswith("text/html"):  # nothing but our own form and inline style
            self.send_header("Content-Security-Policy", "default-src 'none'; style-src "
                             "'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's name
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())


# --- the web page (nlp.app.web renders; these gather what it shows) --------------------------

HTML = "text/html; charset=utf-8"
FORM = ("q", "lang", "doc", "year", "entity", "article", "k", "mode")
FACET_LABELS = ("ORG", "LAW", "GPE", "LOC")
MAX_ENTITY_ROWS = 500  # groups on the entities page
MAX_DOCUMENT_CHOICES = 300  # documents offered in a list; more: a box for the doc_id


def _search_page(searcher: Searcher, path: str, query: dict) -> tuple:
    from nlp.app import web
    from nlp.index.layout import holds_demo
    from nlp.search.rank import best_sentence

    form = {name: query[name][-1].strip() for name in FORM if name in query and name != "lang"}
    form["lang"] = [lg for lg in query.get("lang", []) if lg]
    documents = searcher.run(lambda idx: idx.document_titles(MAX_DOCUMENT_CHOICES))
    hits, facets, error, status = None, [], "", 200
    if form.get("q"):
        wanted = {name: ([value] if isinstance(value, str) else value)
                  for name, value in form.items() if value}
        try:
            text, k, options = search_options(wanted)
            hits = searcher.search(text, k, **options)
        except (BadRequest, UserError) as err:
            error, status = _one_line(err), 400
        for hit in hits or []:
            hit["best"], hit["_query"] = best_sentence(hit["text"], text, hit["lang"]), text
        if hits:
            facets = searcher.run(lambda idx: idx.entity_counts(
                [h["chunk_id"] for h in hits], FACET_LABELS))
    demo = searcher.run(lambda idx: holds_demo(idx.store))
    body = web.search_page(form, hits, facets, error, documents, demo)
    return status, HTML, body.encode()


def _documents_page(searcher: Searcher, path: str, query: dict) -> tuple:
    from nlp.app import web

    frame = searcher.run(lambda idx: idx.documents())
    if path.endswith(".csv"):
        return _csv(frame, "documents.csv")
    return 200, HTML, web.documents_page(frame.to_dict("records")).encode()


def _entities_page(searcher: Searcher, path: str, query: dict) -> tuple:
    from nlp.app import web

    label = (query.get("label", [""])[-1] or "LAW").upper()
    doc = query.get("doc", [""])[-1] or None
    try:
        frame = searcher.run(lambda idx: idx.entities(label=label, doc=doc))
    except UserError as err:
        return 400, HTML, web.page("Entities", f"<p class=error>{web.e(_one_line(err))}</p>"
                                   ).encode()
    if path.endswith(".csv"):
        return _csv(frame, f"entities-{label.lower()}.csv")
    groups = []
    if len(frame):
        frame = frame.assign(key=frame["canonical_id"].fillna(frame["norm"]).fillna(frame["text"]))
        for key, rows in sorted(frame.groupby("key"), key=lambda kv: -len(kv[1])):
            canonical = rows["canonical_id"].dropna()
            groups.append((key, " ".join(str(rows["text"].iloc[0]).split()), len(rows),
                           rows["doc_id"].nunique(), canonical.iloc[0] if len(canonical) else None))
    documents = searcher.run(lambda idx: idx.document_titles(MAX_DOCUMENT_CHOICES))
    body = web.entities_page(groups[:MAX_ENTITY_ROWS], label, doc or "", documents)
    return 200, HTML, body.encode()


def _csv(frame, name: str) -> tuple:
    return (200, "text/csv; charset=utf-8", frame.to_csv(index=False).encode(),
            {"Content-Disposition": f'attachment; filename="{name}"'})


FILE_TYPES = {".pdf": "application/pdf", ".txt": "text/plain", ".md": "text/plain"}


def _file(searcher: Searcher, path: str, query: dict) -> tuple:
    """The file the index recorded for a document: only documents it holds, only as stored."""
    from urllib.parse import unquote

    doc_id = unquote(path.removeprefix("/file/"))
    meta = searcher.run(lambda idx: idx.document_meta([doc_id])).get(doc_id)
    file = Path(meta["path"]) if meta else None
    if file is None or not file.is_file() or file.suffix.lower() not in FILE_TYPES:
        return 404, "application/json", json.dumps(
            {"error": f"no file for document {doc_id!r} (see /documents)"}).encode()
    return (200, FILE_TYPES[file.suffix.lower()], file.read_bytes(),
            {"Content-Disposition": "inline"})


PAGES = {"/": _search_page, "/documents": _documents_page, "/documents.csv": _documents_page,
         "/entities": _entities_page, "/entities.csv": _entities_page}


# --- commands (registered on the ``nlp`` group at the end of nlp/app/cli.py) ------------------

@click.command("serve")
@index_option
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free port).")
@friendly
def serve_cli(index, port) -> None:
    """Serve searches over HTTP on 127.0.0.1, the model loaded once: GET /search?q=..."""
    searcher = Searcher(index)
    demo_note(index)
    seconds = searcher.warm_up()
    server = make_server(searcher, port)
    host, port = server.server_address[:2]
    click.echo(f"Serving {index} on http://{host}:{port}/search?q=... (model loaded in "
               f"{seconds:.1f} s; Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        searcher.close()


@click.command("shell")
@index_option
@with_search_options
@click.option("--json", "as_json", is_flag=True, help="One JSON list of hits per query.")
@friendly
def shell_cli(index, k, as_json, **options) -> None:
    """Search interactively: one query per line on stdin, the model loaded once."""
    from nlp.errors import UserError

    searcher = Searcher(index)
    demo_note(index)
    prompt = sys.stdin.isatty()
    state = {"k": k, **options}
    if prompt:
        click.echo("One query per line; :help for commands, :quit (or Ctrl-D) to leave.",
                   err=True)
    try:
        for line in _lines(prompt):
            if line.startswith(":"):
                if _command(line, state) == "quit":
                    return
                continue
            try:
                hits = searcher.search(line, state["k"], **request_options(
                    **{name: state[name] for name in options}))
            except UserError as err:
                click.echo(printable(f"Error: {err}", one_line=True), err=True)
                continue
            if not as_json:  # the query echoed, each answer set apart
                click.echo(printable(f"=== {line}", one_line=True))
            click.echo(_render(hits, line, as_json))
            if not as_json:
                click.echo("")
    finally:
        searcher.close()


SHELL_HELP = """Commands (the rest of a line is a query):
  :lang kk | :lang kk,ru | :lang       languages to search (none: all)
  :k 20                                hits per query
  :doc ID | :doc                       one document (none: all)
  :year 2021 | :year 2019-2022 | :year documents of those years
  :entity LAW:law:477-IV | :entity     chunks that mention it
  :article 37 | :article               that article of a legal act
  :mode dense|keyword|hybrid           how to rank
  :show                                the settings now
  :help                                this list
  :quit                                leave (or Ctrl-D)"""
SHELL_SETTINGS = {"lang": "lang", "doc": "doc", "year": "year", "entity": "entities",
                  "article": "article", "mode": "mode"}


def _command(line: str, state: dict) -> str | None:
    """Apply a ``:command``; "quit" to leave. Settings are checked as a search would."""
    from nlp.errors import UserError
    from nlp.search.request import make_request

    name, _, value = line[1:].strip().partition(" ")
    name, value = name.lower(), value.strip()
    if name in ("q", "quit", "exit"):
        return "quit"
    if name in ("h", "help", "?"):
        click.echo(SHELL_HELP, err=True)
    elif name == "show":
        click.echo(printable(", ".join(f"{key} {state[key]}" for key in
                                       ("k", *SHELL_SETTINGS.values()) if key in state)), err=True)
    elif name == "k":
        if not value.isdigit() or not 1 <= int(value) <= MAX_K:
            click.echo(f"Error: :k takes a number from 1 to {MAX_K}", err=True)
        else:
            state["k"] = int(value)
    elif name in SHELL_SETTINGS:
        key = SHELL_SETTINGS[name]
        new = (tuple(value.split()) if key == "entities" else value) or (
            () if key == "entities" else None)
        try:  # checked now, not at the next search
            make_request("x", **{("entity" if key == "entities" else key): new or None})
        except UserError as err:
            click.echo(printable(f"Error: {err}", one_line=True), err=True)
            return None
        state[key] = new
    else:
        click.echo(printable(f"Error: unknown command :{name}; :help lists them",
                             one_line=True), err=True)
    return None


def _lines(prompt: bool):
    """Non-empty stripped lines of stdin, with a prompt on a terminal; stops at EOF."""
    while True:
        if prompt:
            click.echo("> ", nl=False, err=True)
        line = sys.stdin.readline()
        if not line:
            return
        if line.strip():
            yield line.strip()


def _render(hits: list[dict], query: str, as_json: bool) -> str:
    if as_json:
        return json.dumps(hits, ensure_ascii=False)
    from nlp.app.show import hits_table
    from nlp.records import Hit

    return hits_table([Hit(**h) for h in hits], query) if hits else "No hits."
