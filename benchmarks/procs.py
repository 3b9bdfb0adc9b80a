"""Timed child processes: wall time of one command, bounded by a timeout (never hangs)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path


def calcgraph_command() -> list[str]:
    """The installed console script next to this interpreter (not a pyenv shim), else -m."""
    script = Path(sys.executable).with_name("calcgraph")
    if script.exists():
        return [str(script)]
    found = shutil.which("calcgraph")
    return [found] if found else [sys.executable, "-m", "calcgraph"]


def run_bounded(cmd: list[str], timeout: float, cwd: str | None = None,
                stdout: int = subprocess.DEVNULL) -> tuple[int | None, bytes]:
    """(exit code, stdout) of cmd, or (None, what it printed) when killed at the timeout.

    The command runs in its own process group and the whole group is killed at the
    timeout, so a Graphviz that a child process started does not outlive it.
    """
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=stdout,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out or b""
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, out or b""


def timed_run(cmd: list[str], timeout: float, cwd: str | None = None) -> float | None:
    """Seconds from spawn to exit; None on timeout or a non-zero exit."""
    start = time.perf_counter()
    code, _ = run_bounded(cmd, timeout, cwd)
    elapsed = time.perf_counter() - start
    return elapsed if code == 0 else None
