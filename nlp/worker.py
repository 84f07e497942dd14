"""Parse files in a child process with a time and memory budget.

A hostile or broken PDF can hang MuPDF, eat all memory or crash it; here that costs one
file, not the batch. One child is started per ingest and reused for every file (cheap);
it is replaced after a timeout or a crash. The child lives under ``RLIMIT_AS`` and dies
with its parent. Results come back as JSON lines, never pickle: the child reads untrusted
bytes, so nothing it sends may be able to run code in the parent.

    with ParserProcess(Budget(seconds=60)) as parser:
        parser.submit(path)          # the child starts on it at once...
        doc = parser.result()        # ...and this waits at most the budget
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
import typing
from dataclasses import dataclass
from pathlib import Path

from nlp.errors import ParseError
from nlp.records import Document

DEFAULT_SECONDS = 300.0
DEFAULT_MEMORY_MB = 4096
GRACE_S = 2.0  # to collect a result that was ready while the parent was busy
STARTUP_S = 120.0  # for the child to import and warm up (not part of any file's budget)
SOFT_DEADLINE = 0.8  # the parser is asked to return a partial result by this share of it
MAX_REPLY = 1 << 30  # a reply larger than this is treated as a crash


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
    """The parser raised something other than ``ParseError``: a bug to fix in nlp.parse."""

    kind = "unexpected"


def failure_kind(err: ParseError) -> str:
    """A short type for a failure: timeout, memory, crash, unexpected, or the parser's own."""
    return getattr(err, "kind", None) or type(err).__name__


class ParserProcess:
    """A reusable child process that parses one file at a time under a ``Budget``."""

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self._proc: subprocess.Popen | None = None
        self._pending: tuple[Path, float] | None = None
        self.restarts = 0

    def __enter__(self) -> ParserProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def parse(self, path: str | Path) -> Document:
        """Parse one file (``submit`` + ``result``)."""
        self.submit(path)
        return self.result()

    def submit(self, path: str | Path) -> None:
        """Start parsing ``path`` in the child; collect it with ``result``."""
        if self._pending:
            raise RuntimeError("collect the pending result first")
        proc = self._child()
        request = json.dumps({"path": str(path)}).encode() + b"\n"  # \udcXX escapes survive
        try:
            proc.stdin.write(request)
            proc.stdin.flush()
        except (OSError, AttributeError):
            pass  # the child is gone or never started: result() reports it
        self._pending = (Path(path), time.monotonic())

    def result(self) -> Document:
        """The parsed ``Document``; raises a ``ParseError`` (subclass) on any failure."""
        path, sent = self._pending
        self._pending = None
        try:
            reply = self._read_reply(max(sent + self.budget.seconds, time.monotonic() + GRACE_S))
        except TimeoutError:
            self._stop()
            raise ParseTimeout(path, f"parsing took longer than {self.budget.seconds:g} s "
                                     "(raise the limit with --file-timeout)") from None
        except EOFError:
            raise self._died(path) from None
        return _decode(path, reply)

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
            if self._proc is not None:
                self.restarts += 1
            self._proc = _spawn(self.budget)
            try:  # wait until it is ready, so start-up never counts against a file
                self._read_reply(time.monotonic() + STARTUP_S)
            except (TimeoutError, EOFError):
                self._stop()  # result() then reports the file as failed
        return self._proc

    def _read_reply(self, deadline: float) -> bytes:
        if self._proc is None:
            raise EOFError
        fd, buf = self._proc.stdout.fileno(), bytearray()
        while not buf.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                data = os.read(fd, 1 << 20)
                if not data or len(buf) + len(data) > MAX_REPLY:
                    raise EOFError
                buf += data
        return bytes(buf)

    def _died(self, path: Path) -> ParseError:
        code = self._stop()
        how = f"signal {signal.Signals(-code).name}" if code and code < 0 else f"exit {code}"
        if code in (-signal.SIGKILL, -signal.SIGABRT) and self.budget.memory_mb:
            return ParseOutOfMemory(path, f"parser died ({how}), probably over the "
                                          f"{self.budget.memory_mb} MB budget (raise it with "
                                          "--file-memory)")
        return ParserCrashed(path, f"parser crashed on this file ({how})")

    def _stop(self) -> int | None:
        proc, self._proc = self._proc, None
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


def _spawn(budget: Budget) -> subprocess.Popen:
    root = str(Path(__file__).resolve().parents[1])  # so the child imports this same nlp
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    quiet = os.environ.get("NLP_WORKER_STDERR") != "1"
    return subprocess.Popen(
        [sys.executable, "-m", "nlp.worker", str(budget.memory_mb), str(budget.seconds),
         str(os.getpid())], env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else None, close_fds=True)  # never inherit the lock


def _decode(path: Path, reply: bytes) -> Document:
    try:
        msg = json.loads(reply)
    except ValueError:
        raise ParserCrashed(path, "parser sent an unreadable reply") from None
    if msg.get("ok"):
        return from_dict(Document, msg["doc"])
    cls = {"timeout": ParseTimeout, "memory": ParseOutOfMemory,
           "unexpected": ParserBug}.get(msg.get("kind"), ParseError)
    err = cls(path, str(msg.get("reason", "unknown error")))
    if cls is ParseError and msg.get("kind"):
        err.kind = msg["kind"]  # the parser's own type (EncryptedPDF, ...), kept by name
    raise err


# --- records <-> JSON ------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def to_json(doc: Document) -> bytes:
    """A ``Document`` as UTF-8 JSON; undecodable path bytes shown as ``\\xNN``."""
    text = json.dumps(dataclasses.asdict(doc), ensure_ascii=False, default=str)
    return _SURROGATE.sub(_show_surrogate, text).encode()


def from_dict(cls: type, data: dict):
    """Rebuild a (nested) record dataclass from ``dataclasses.asdict`` output."""
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: _value(hints[f.name], data[f.name])
                  for f in dataclasses.fields(cls) if f.name in data})


def _value(hint, value):
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list and args and dataclasses.is_dataclass(args[0]):
        return [from_dict(args[0], v) for v in value]
    if dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return from_dict(hint, value)
    if origin is tuple and isinstance(value, list):
        return tuple(value)
    return value


def _show_surrogate(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


# --- the child ---------------------------------------------------------------------------

def _serve(memory_mb: int, seconds: float, parent: int) -> None:
    """Child main loop: one JSON request per line in, one JSON reply per line out."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, not into the replies
    _die_with_parent(parent)
    parse_pdf = _parse_function(seconds)
    _warm_up()
    _limit_memory(memory_mb)  # after the imports: the budget is for parsing
    out.write(b'{"ready": true}\n')
    out.flush()
    for line in sys.stdin.buffer:
        out.write(_handle(parse_pdf, json.loads(line)["path"]) + b"\n")
        out.flush()


def _handle(parse_pdf, path: str) -> bytes:
    try:
        return b'{"ok": true, "doc": ' + to_json(parse_pdf(Path(path))) + b"}"
    except ParseError as err:
        reply = {"ok": False, "kind": failure_kind(err), "reason": err.reason}
    except MemoryError:
        reply = {"ok": False, "kind": "memory", "reason": "out of memory while parsing "
                 "(raise the limit with --file-memory)"}
    except RecursionError:
        reply = {"ok": False, "kind": "nesting", "reason": "structure nested too deeply"}
    except Exception as err:  # a parser bug: reported as such, and the batch goes on
        reply = {"ok": False, "kind": "unexpected", "reason": f"{type(err).__name__}: {err}"}
    return json.dumps(reply).encode()


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
    from nlp import parse

    settings_cls = getattr(parse, "ParseSettings", None)
    if settings_cls and "deadline_s" in {f.name for f in dataclasses.fields(settings_cls)}:
        settings = settings_cls(deadline_s=max(1.0, seconds * SOFT_DEADLINE))
        return lambda path: parse.parse_pdf(path, settings=settings)
    return parse.parse_pdf


def _warm_up() -> None:
    """Load PyMuPDF and the language profiles now, outside the memory budget."""
    try:
        import pymupdf

        pymupdf.TOOLS.mupdf_display_errors(False)
        pymupdf.TOOLS.mupdf_display_warnings(False)
        from nlp.language import detect_batch

        detect_batch(["Migration policy and work permits", "Миграционная политика"])
    except Exception:  # noqa: BLE001 - warming up is only an optimisation
        pass


def _limit_memory(memory_mb: int) -> None:
    if memory_mb > 0:
        import resource

        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


if __name__ == "__main__":
    _serve(int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]))
