"""Zero network: ingest, search and a long-lived shell open no socket off this machine.

The commands run under ``strace -f`` (every thread and child process, native code included),
inside a network namespace that has only a downed loopback (``unshare -rn``) where the kernel
allows it. Python-level ``socket`` patches would miss ONNX Runtime's native uploader: its libcurl
thread resolves mobile.events.data.microsoft.com ~9 s after ``import onnxruntime`` unless
``ORT_DISABLE_TELEMETRY=1`` was in the environment before that import. So the shell step stays up
for LINGER_S seconds, and the environment variables that would hide the bug (the variable itself,
and the CI markers that make ORT skip telemetry) are removed from the child's environment: the
project must set the variable itself.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from scripts.netwatch import available, network_violations, traced

pytestmark = [pytest.mark.model, pytest.mark.slow]

NLP = Path(sys.executable).with_name("nlp")
LINGER_S = float(os.environ.get("NLP_OFFLINE_LINGER_S", "15"))  # ORT's first try: ~9.4 s
INJECT = """import os, socket
if os.environ.get("OFFLINE_TEST_INJECT"):
    try:
        socket.getaddrinfo("example.com", 80)
    except OSError:
        pass
"""
DOC = ("Migration policy of Kazakhstan.\n\nThe Law on Migration of the Population regulates "
       "labour migration, quotas and permits for foreign workers. Кандасы получают квоту.\n")


def run_traced(tmp: Path, script: str, *, inject: bool = False):
    """(the finished bash script, its strace output) with the nlp of this environment."""
    if not available():
        pytest.skip("strace (with ptrace permitted) is needed to watch native code")
    env = dict(os.environ, NLP=str(NLP), LINGER=str(LINGER_S))
    if inject:
        (tmp / "inject").mkdir(exist_ok=True)
        (tmp / "inject" / "sitecustomize.py").write_text(INJECT, encoding="utf-8")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp / "inject"),
                                                          env.get("PYTHONPATH")]))
        env["OFFLINE_TEST_INJECT"] = "1"
    trace = tmp / "trace.txt"
    proc = traced(["bash", "-euo", "pipefail", "-c", script], trace, env, cwd=tmp)
    return proc, trace.read_text(encoding="utf-8", errors="replace")


FULL = """
"$NLP" ingest doc.txt --index idx
"$NLP" search "labour migration" --index idx -k 1
{ echo "labour migration"; sleep "$LINGER"; } | "$NLP" shell --index idx -k 1
"""


def test_ingest_search_and_shell_make_no_network_requests(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text(DOC, encoding="utf-8")
    proc, trace = run_traced(tmp_path, FULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("Migration policy") >= 2, proc.stdout  # search and shell found it
    assert len(re.findall(r'execve\("[^"]*/nlp"', trace)) >= 3  # all three ran under strace
    bad = network_violations(trace)
    assert not bad, "network activity:\n" + "\n".join(bad[:20])


def test_the_check_fails_on_a_deliberate_lookup(tmp_path: Path) -> None:
    """Control: a getaddrinfo('example.com') in the nlp processes must be caught."""
    (tmp_path / "doc.txt").write_text(DOC, encoding="utf-8")
    proc, trace = run_traced(tmp_path, '"$NLP" search "x" --index nowhere -k 1 || true',
                             inject=True)
    bad = network_violations(trace)
    assert bad, "the deliberate DNS lookup went unseen"
    assert any("htons(53)" in b for b in bad) or any("AF_INET" in b for b in bad), bad


def test_parser_on_known_lines() -> None:
    trace = "\n".join([
        '7 socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 7',
        '7 bind(7, {sa_family=AF_INET6, sin6_port=htons(0), inet_pton(AF_INET6, "::1", '
        '&sin6_addr), sin6_scope_id=0}, 28) = 0',
        '7 close(7) = 0',
        '9 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 9',
        '9 connect(9, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.53")},'
        ' 16 <unfinished ...>',
        '8 close(3) = 0',
        '9 <... connect resumed>) = -1 ENETUNREACH (Network is unreachable)',
        '5 socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = 4',
        '5 close(4) = 0',
        '812  connect(3, {sa_family=AF_INET, sin_port=htons(53), '  # a short pid is padded
        'sin_addr=inet_addr("10.0.0.54")}, 16) = -1 ENETUNREACH (Network is unreachable)',
    ])
    bad = network_violations(trace)
    assert len(bad) == 4, bad  # the ::1 probe is allowed
    assert any("10.0.0.54" in b for b in bad)
    assert any("10.0.0.53" in b for b in bad)
    assert any(b.startswith("5 socket(AF_INET6") for b in bad)
    assert any(b.startswith("9 socket(AF_INET,") for b in bad)
