"""Timed child processes: wall time, CPU time and peak RSS of one command, bounded by a timeout.

The parent blocks in os.wait4 until the child exits, so a time is not rounded up to a
polling interval (Popen.communicate(timeout=...) polls waitpid with sleeps of up to 50 ms),
and wait4 hands back the child's own CPU time (and ru_maxrss, see Finished).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Finished:
    """How one child process ended."""

    code: int | None  # exit code; None when it was killed at the timeout
    out: bytes  # its stdout, when asked for
    wall_s: float  # spawn to exit
    cpu_s: float  # user + system CPU time of the child (and what it waited for)
    # the kernel's ru_maxrss; on Linux it includes this process's pages the child shared
    # before exec, so it reads at least this process's size (rss.py reads VmHWM instead)
    maxrss_bytes: int


def calcgraph_command() -> list[str]:
    """The installed console script next to this interpreter (not a pyenv shim), else -m."""
    script = Path(sys.executable).with_name("calcgraph")
    if script.exists():
        return [str(script)]
    found = shutil.which("calcgraph")
    return [found] if found else [sys.executable, "-m", "calcgraph"]


def run_child(cmd: list[str], timeout: float, cwd: str | None = None,
              capture: bool = False) -> Finished:
    """Run cmd to its end (or kill its process group at the timeout) and say how it went.

    The command runs in its own process group and the whole group is killed at the
    timeout, so a Graphviz that a child process started does not outlive it.
    """
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    out_to = subprocess.PIPE if capture else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out_to,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        out = proc.stdout.read() if capture else b""  # EOF when the child (group) ends
        _pid, status, usage = os.wait4(proc.pid, 0)  # blocks: no polling
    finally:
        timer.cancel()
        if proc.stdout:
            proc.stdout.close()
    wall = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)  # Popen must not wait again
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return Finished(None if killed.is_set() else code, out or b"", wall,
                    usage.ru_utime + usage.ru_stime, usage.ru_maxrss * scale)


def run_bounded(cmd: list[str], timeout: float, cwd: str | None = None,
                stdout: int = subprocess.DEVNULL) -> tuple[int | None, bytes]:
    """(exit code, stdout) of cmd, or (None, what it printed) when killed at the timeout."""
    done = run_child(cmd, timeout, cwd, capture=stdout == subprocess.PIPE)
    return done.code, done.out


def timed_run(cmd: list[str], timeout: float, cwd: str | None = None) -> float | None:
    """Seconds from spawn to exit; None on timeout or a non-zero exit."""
    done = run_child(cmd, timeout, cwd)
    return done.wall_s if done.code == 0 else None
