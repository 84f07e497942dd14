"""Parse files in a child process with a time and memory budget.

A hostile or broken PDF can hang MuPDF, eat all memory or crash it; here that costs one
file, not the batch. One child is started per ingest and reused for every file (cheap);
it is replaced after a timeout or a crash. The child lives under ``RLIMIT_AS`` and dies
with its parent. Results come back as JSON lines, never pickle: the child reads untrusted
bytes, so nothing it sends may be able to run code in the parent.

    with ParserProcess(Budget(seconds=60)) as parser:
        parser.submit(path)          # the child starts on it at once...
        doc = parser.result()        # ...and this waits at most the budget

``AnalyserProcess`` children also chunk the document and find its entities (the spaCy
pipelines load once per child, outside the per-file budget); ``nlp.ingestion.pool`` keeps
several of them busy, handing results back in submission order to the one writer.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from nlp.errors import ModelError, ParseError
from nlp.ingestion.codec import analysed_dict, analysed_from_dict, dumps, from_dict, to_json
from nlp.ingestion.pipeline import analyse_document
from nlp.records import Document

DEFAULT_SECONDS = 300.0
DEFAULT_MEMORY_MB = 4096
GRACE_S = 2.0  # to collect a result that was ready while the parent was busy
STARTUP_S = 120.0  # for the child to import and warm up (not part of any file's budget)
SOFT_DEADLINE = 0.8  # the parser is asked to return a partial result by this share of it
MAX_REPLY = 1 << 30  # a reply larger than this is treated as a crash
PARSED = b'{"parsed": true}\n'  # an analyser child's word that parsing is done


@dataclass(frozen=True)
class Budget:
    """Per-file limits: wall-clock seconds and address space in MB (0 = no limit)."""

    seconds: float = DEFAULT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB


class ParseTimeout(ParseError):
    kind = "timeout"


class ParseOutOfMemory(ParseError):
    kind = "memory"


class ParserCrashed(ParseError):
    kind = "crash"


class ParserBug(ParseError):
    """The parser raised something other than ``ParseError``: a bug to fix in nlp.parse.document."""

    kind = "unexpected"


def failure_kind(err: ParseError) -> str:
    """A short type for a failure: timeout, memory, crash, unexpected, or the parser's own."""
    return getattr(err, "kind", None) or type(err).__name__


class ParserProcess:
    """A reusable child process that parses one file at a time under a ``Budget``."""

    analyse = False  # children of this class only parse

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self._proc: subprocess.Popen | None = None
        self._pending: tuple[Path, float] | None = None
        self._buf = bytearray()  # what the child sent after the last line read
        self._parsed_at: float | None = None
        self.restarts = 0

    def __enter__(self) -> ParserProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def parse(self, path: str | Path, **options) -> Document:
        """Parse one file (``submit`` + ``result``); ``options``: ``password``, ``ocr``."""
        self.submit(path, options=options)
        return self.result()

    def submit(self, path: str | Path, **options) -> None:
        """Start parsing ``path`` in the child; collect it with ``result``."""
        if self._pending:
            raise RuntimeError("collect the pending result first")
        proc = self._child()
        request = json.dumps({"path": str(path), **options}).encode() + b"\n"  # \udcXX survive
        try:
            proc.stdin.write(request)
            proc.stdin.flush()
        except (OSError, AttributeError):
            pass  # the child is gone or never started: result() reports it
        self._pending = (Path(path), time.monotonic())
        self._parsed_at = None  # when the child said parsing was done

    def result(self) -> Document:
        """The parsed ``Document``; raises a ``ParseError`` (subclass) on any failure.

        ``AnalyserProcess`` gives an ``Analysed``; a missing NER model raises ``ModelError``.
        The budget's seconds are for the whole file: parsing, chunks and entities.
        """
        path, sent = self._pending
        self._pending = None
        stage = "parsing"
        deadline = sent + self.budget.seconds  # for the whole file, entities included
        try:
            reply = self._read_reply(max(deadline, time.monotonic() + GRACE_S))
            if reply == PARSED:  # an analyser child has parsed; what is left is the entities'
                stage = "finding entities"
                reply = self._read_reply(max(deadline, time.monotonic() + GRACE_S))
        except TimeoutError:
            self._stop()
            raise ParseTimeout(path, f"{stage} took longer than {self.budget.seconds:g} s "
                                     "(raise the limit with --file-timeout)") from None
        except EOFError:
            raise self._died(path) from None
        return _decode(path, reply)

    def poll(self) -> bool:
        """True when ``result`` will not wait: the pending file's last reply is here, or the
        child is gone (``result`` then reports it). Reads what the child has sent so far."""
        if self._proc is None:
            return True
        fd = self._proc.stdout.fileno()
        while select.select([fd], [], [], 0)[0]:
            data = os.read(fd, 1 << 20)
            if not data or len(self._buf) + len(data) > MAX_REPLY:
                return True
            self._buf += data
        parsed = self._buf.startswith(PARSED)
        if parsed and self._parsed_at is None:
            self._parsed_at = time.monotonic()  # the analysis's own budget starts here
        lines = self._buf.count(b"\n")
        return lines >= 2 or (lines == 1 and not parsed)

    def overdue(self) -> bool:
        """True when the pending file's current stage (parsing, or the analysis after it)
        has had its budget and the grace: ``result`` then reports the timeout at once."""
        if not self._pending:
            return False
        return time.monotonic() > (self._parsed_at or self._pending[1]) + (
            self.budget.seconds + GRACE_S)

    @property
    def busy(self) -> bool:
        """True while a submitted file's result is not collected."""
        return self._pending is not None

    def abandon(self) -> None:
        """Stop the child on the pending file, whose answer is of no use any more."""
        self._stop()
        self._pending = None

    def fileno(self) -> int | None:
        """The pipe the child replies on (for ``select``), None if it is not running."""
        return None if self._proc is None else self._proc.stdout.fileno()

    def start(self) -> None:
        """Start the child now (from the thread that will outlive it, see ``_launch``);
        ``wait_ready`` then waits for it, in any thread."""
        self._launch()

    def wait_ready(self) -> None:
        """Wait until a started child is ready (start-up never counts against a file)."""
        self._wait_ready()

    def close(self) -> None:
        """Stop the child."""
        if self._proc is not None:
            try:
                self._proc.stdin.close()
                self._proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self._stop()

    def _child(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            self._launch()
            self._wait_ready()
        return self._proc

    def _launch(self) -> None:
        """Start the child. Call from the thread that will outlive it: the child gets
        SIGKILL when the thread that started it ends (Linux ``PR_SET_PDEATHSIG``)."""
        if self._proc is not None:
            self.restarts += 1
        self._proc = _spawn(self.budget, self.analyse)

    def _wait_ready(self) -> None:
        """Wait until the child is ready, so start-up never counts against a file."""
        try:
            self._read_reply(time.monotonic() + STARTUP_S)
        except (TimeoutError, EOFError):
            self._stop()  # result() then reports the file as failed

    def _read_reply(self, deadline: float) -> bytes:
        """The child's next line (replies are one line each)."""
        if self._proc is None:
            raise EOFError
        fd, buf = self._proc.stdout.fileno(), self._buf
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                data = os.read(fd, 1 << 20)
                if not data or len(buf) + len(data) > MAX_REPLY:
                    raise EOFError
                buf += data
        line, _, rest = bytes(buf).partition(b"\n")
        self._buf = bytearray(rest)
        return line + b"\n"

    def _died(self, path: Path) -> ParseError:
        code = self._stop()
        how = f"signal {signal.Signals(-code).name}" if code and code < 0 else f"exit {code}"
        if code in (-signal.SIGKILL, -signal.SIGABRT) and self.budget.memory_mb:
            return ParseOutOfMemory(path, f"parser died ({how}), probably over the "
                                          f"{self.budget.memory_mb} MB budget (raise it with "
                                          "--file-memory)")
        return ParserCrashed(path, f"parser crashed on this file ({how})")

    def _stop(self) -> int | None:
        proc, self._proc, self._buf = self._proc, None, bytearray()
        if proc is None:
            return None
        if proc.poll() is None:
            proc.kill()
        code = proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        return code


class AnalyserProcess(ParserProcess):
    """A parser child that also chunks and finds entities: ``result`` gives ``Analysed``.

        with AnalyserProcess(Budget()) as child:
            child.submit(path, ChunkSettings())
            doc, chunks, found, seconds = child.result()
    """

    analyse = True

    def submit(self, path: str | Path, settings=None, entities: bool = True) -> None:
        from nlp.text.chunk import ChunkSettings

        analyse = {**dataclasses.asdict(settings or ChunkSettings()), "entities": entities}
        super().submit(path, analyse=analyse)


def _spawn(budget: Budget, analyse: bool = False) -> subprocess.Popen:
    root = str(Path(__file__).resolve().parents[2])  # so the child imports this same nlp
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    quiet = os.environ.get("NLP_WORKER_STDERR") != "1"
    return subprocess.Popen(
        [sys.executable, "-m", "nlp.ingestion.children", str(budget.memory_mb), str(budget.seconds),
         str(os.getpid()), *(["analyse"] if analyse else [])], env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else None, close_fds=True)  # never inherit the lock


def _decode(path: Path, reply: bytes) -> Document:
    try:
        msg = json.loads(reply)
    except ValueError:
        raise ParserCrashed(path, "parser sent an unreadable reply") from None
    if msg.get("ok"):
        return analysed_from_dict(msg) if "chunks" in msg else from_dict(Document, msg["doc"])
    if msg.get("kind") == "model":
        raise ModelError(str(msg.get("reason")))
    cls = {"timeout": ParseTimeout, "memory": ParseOutOfMemory,
           "unexpected": ParserBug}.get(msg.get("kind"), ParseError)
    err = cls(path, str(msg.get("reason", "unknown error")))
    if cls is ParseError and msg.get("kind"):
        err.kind = msg["kind"]  # the parser's own type (EncryptedPDF, ...), kept by name
    raise err


# --- the child ---------------------------------------------------------------------------

def _serve(memory_mb: int, seconds: float, parent: int, analyse: bool = False) -> None:
    """Child main loop: one JSON request per line in, one JSON reply per line out."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, not into the replies
    _die_with_parent(parent)
    parse_pdf = _parse_function(seconds)
    _warm_up()
    models_mb = _load_pipelines() if analyse else 0
    _limit_memory(memory_mb + models_mb if memory_mb else 0)  # the budget is for one file
    out.write(b'{"ready": true}\n')
    out.flush()
    for line in sys.stdin.buffer:
        request = json.loads(line)
        out.write(_handle(parse_pdf, request["path"], request.get("analyse"), out,
                          request.get("options")) + b"\n")
        out.flush()


def _handle(parse_pdf, path: str, analyse: dict | None = None, out=None,
            options: dict | None = None) -> bytes:
    try:
        clock = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            doc = parse_pdf(Path(path), **(options or {}))
        if caught:  # for the one who asked (nlp parse shows them)
            doc.meta["warnings"] = list(dict.fromkeys(str(w.message) for w in caught))
        if analyse is None:
            return b'{"ok": true, "doc": ' + to_json(doc) + b"}"
        seconds = {"parse": time.perf_counter() - clock}
        if out is not None:  # the parent gives the analysis a budget of its own
            out.write(PARSED)
            out.flush()
        return _analyse_reply(doc, analyse, seconds)
    except ParseError as err:
        reply = {"ok": False, "kind": failure_kind(err), "reason": err.reason}
    except MemoryError:
        reply = {"ok": False, "kind": "memory", "reason": "out of memory while parsing "
                 "(raise the limit with --file-memory)"}
    except RecursionError:
        reply = {"ok": False, "kind": "nesting", "reason": "structure nested too deeply"}
    except ModelError as err:  # a missing NER model stops the batch in the parent
        reply = {"ok": False, "kind": "model", "reason": str(err)}
    except Exception as err:  # a parser bug: reported as such, and the batch goes on
        reply = {"ok": False, "kind": "unexpected", "reason": f"{type(err).__name__}: {err}"}
    return json.dumps(reply).encode()


def _analyse_reply(doc: Document, analyse: dict, seconds: dict) -> bytes:
    """Chunks and entities of ``doc`` as the reply; an analysis bug costs this file only."""
    from nlp.text.chunk import ChunkSettings

    options = dict(analyse)
    entities = options.pop("entities", True)
    try:
        chunks, found = analyse_document(doc, ChunkSettings(**options), seconds, entities)
    except (ModelError, MemoryError):
        raise
    except Exception as err:  # noqa: BLE001 - a bug on odd text must not stop the batch
        return json.dumps({"ok": False, "kind": "unexpected", "reason": f"analysis failed "
                           f"({type(err).__name__}: {err})"}).encode()
    return dumps({"ok": True, **analysed_dict(doc, chunks, found),
                  "seconds": {k: round(v, 4) for k, v in seconds.items()}})


def _die_with_parent(parent: int) -> None:
    """Linux: get SIGKILL when the parent dies (an orphan must not parse on forever)."""
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core dumps of hostile input
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)


def _parse_function(seconds: float):
    """``parse_pdf``, asked for a partial result before the hard limit if it can do that."""
    from nlp.parse import document as parse

    settings_cls = getattr(parse, "ParseSettings", None)
    if settings_cls and "deadline_s" in {f.name for f in dataclasses.fields(settings_cls)}:
        settings = settings_cls(deadline_s=max(1.0, seconds * SOFT_DEADLINE))

        def parse_with_deadline(path, password: str | None = None, ocr: str | None = None):
            wanted = dataclasses.replace(settings, ocr=ocr) if ocr else settings
            return parse.parse_pdf(path, password=password, settings=wanted)

        return parse_with_deadline
    return parse.parse_pdf


def _warm_up() -> None:
    """Load PyMuPDF and the language profiles now, outside the memory budget."""
    try:
        import pymupdf

        pymupdf.TOOLS.mupdf_display_errors(False)
        pymupdf.TOOLS.mupdf_display_warnings(False)
        from nlp.text.language import detect_batch

        detect_batch(["Migration policy and work permits", "Миграционная политика"])
    except Exception:  # noqa: BLE001 - warming up is only an optimisation
        pass


def _load_pipelines() -> int:
    """Load every NER pipeline now; the MB of address space they took (0 if they failed)."""
    before = _address_space_mb()
    try:
        from nlp.entities.pipeline import LANGS, get_pipeline

        for lang in (*LANGS, "und"):
            get_pipeline(lang)
    except Exception:  # noqa: BLE001 - the first file then reports the problem
        return 0
    return max(0, _address_space_mb() - before)


def _address_space_mb() -> int:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    found = re.search(r"VmSize:\s+(\d+)", status)
    return int(found[1]) // 1024 if found else 0


def _limit_memory(memory_mb: int) -> None:
    if memory_mb > 0:
        import resource

        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


if __name__ == "__main__":
    _serve(int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), "analyse" in sys.argv[4:])
