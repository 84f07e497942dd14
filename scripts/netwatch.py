"""Network activity of processes, native code included, read from ``strace -f``.

``traced(args)`` runs a command under ``strace -f`` (in an empty network namespace when the
kernel allows ``unshare -rn``) and ``network_violations(trace)`` lists the system calls that
reach, or could reach, beyond this machine. Python-level ``socket`` patches would miss native
threads such as ONNX Runtime's telemetry uploader (libcurl). Used by ``tests/test_offline.py``
and ``scripts/hostile.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

# Set by users or CI, these switch ORT telemetry off and would let a regression pass unseen.
MASKING_ENV = ("ORT_DISABLE_TELEMETRY", "ORT_RUNNING_UNIT_TESTS", "CI", "GITHUB_ACTIONS",
               "GITLAB_CI", "TF_BUILD", "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI", "JENKINS_URL",
               "TRAVIS", "CIRCLECI", "APPVEYOR", "BUILDKITE", "TEAMCITY_VERSION",
               "CODEBUILD_BUILD_ID", "BITBUCKET_BUILD_NUMBER")

LOOPBACK = re.compile(r'inet_addr\("127\.|inet_pton\(AF_INET6, "::1"|"::ffff:127\.')
INET_ADDR = re.compile(r"sa_family=AF_INET6?\b")
RESOLVER_SOCKETS = ("/var/run/nscd/socket", "/run/nscd/socket", "/run/systemd/resolve/")


def _can(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _joined(lines: list[str]) -> list[str]:
    """strace -f lines with each '<unfinished ...>' call joined to its '<... resumed>' rest."""
    out, pending = [], {}
    for line in lines:
        pid, rest = _split(line)
        if rest.endswith("<unfinished ...>"):
            pending[pid] = rest[: -len("<unfinished ...>")]
            continue
        m = re.match(r"<\.\.\. \w+ resumed>(.*)", rest)
        if m and pid in pending:
            rest = pending.pop(pid) + m.group(1)
        out.append(f"{pid} {rest}")
    return out


def network_violations(trace: str) -> list[str]:
    """Trace lines that reach, or could reach, beyond this machine.

    - connect/sendto/sendmsg/sendmmsg/bind naming an AF_INET/AF_INET6 address other than
      loopback (attempts count, whatever they returned: in the namespace they fail);
    - socket(AF_INET/AF_INET6) whose fd this thread never binds or connects to loopback before
      closing it (urllib3's import-time IPv6 probe binds ::1 and is allowed);
    - a successful connect to a name-service daemon socket (nscd, systemd-resolved): the lookup
      would leave the machine from a process outside the namespace.
    """
    bad: list[str] = []
    open_inet: dict[tuple[str, str], str] = {}
    for line in _joined(trace.splitlines()):
        pid, call = _split(line)
        name = call.split("(", 1)[0]
        fd_arg = re.match(r"\w+\((\d+),", call)
        key = (pid, fd_arg.group(1)) if fd_arg else None
        if name == "socket" and re.match(r"socket\(AF_INET6?,", call):
            ret = re.search(r"= (\d+)$", call)
            if ret:
                open_inet[(pid, ret.group(1))] = line
        elif name in ("connect", "sendto", "sendmsg", "sendmmsg", "bind"):
            if INET_ADDR.search(call):
                if LOOPBACK.search(call):
                    open_inet.pop(key, None)
                else:
                    bad.append(line)
            elif name == "connect" and any(s in call for s in RESOLVER_SOCKETS) \
                    and call.rstrip().endswith("= 0"):
                bad.append(line)
        elif name == "close" and key:
            if key in open_inet:
                bad.append(open_inet.pop(key))
    return bad + list(open_inet.values())


def _split(line: str) -> tuple[str, str]:
    """(pid, the rest) of an strace -f line; strace pads the pid ("812  connect(...)")."""
    pid, _, rest = line.strip().partition(" ")
    return pid, rest.lstrip()


def can(cmd: list[str]) -> bool:
    """True when ``cmd`` runs and exits 0 within 30 s."""
    try:
        return subprocess.run(cmd, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def available() -> bool:
    """strace is installed and may trace (ptrace permitted)."""
    return bool(shutil.which("strace")) and can(["strace", "-o", "/dev/null", "true"])


def traced(args: list[str], trace: Path, env: dict | None = None, cwd: Path | None = None,
           timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``args`` under ``strace -f`` into ``trace``, without the variables that would
    hide telemetry (``MASKING_ENV``), in an empty network namespace where allowed."""
    env = {k: v for k, v in (env or os.environ).items() if k not in MASKING_ENV}
    netns = ["unshare", "-rn"] if can(["unshare", "-rn", "true"]) else []
    return subprocess.run(["strace", "-f", "-qq", "-e", "trace=network,close,execve", "-o",
                           str(trace), *netns, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
