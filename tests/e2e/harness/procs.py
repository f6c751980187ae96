"""Process, port and polling primitives shared by the e2e harness (stdlib only)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")


class HarnessError(Exception):
    """Base error of the e2e harness."""


class WaitTimeout(HarnessError):
    """A condition polled with a deadline did not become true in time."""


def wait_until(fn: Callable[[], T], timeout: float, interval: float = 0.05, what: str = "",
               fatal: tuple[type[BaseException], ...] = ()) -> T:
    """Call ``fn`` until it returns a truthy value; return that value.

    ``timeout`` and ``interval`` are seconds. Exceptions raised by ``fn`` count as "not yet"
    (except those in ``fatal``, which propagate at once); the last one is chained to the
    ``WaitTimeout`` raised when the deadline passes.
    """
    deadline = time.monotonic() + timeout
    last_exc: BaseException | None = None
    last_value: object = None
    while True:
        try:
            last_value = fn()
            if last_value:
                return last_value
        except fatal:
            raise
        except Exception as exc:  # noqa: BLE001 - polling: any failure means "not ready yet"
            last_exc = exc
        if time.monotonic() >= deadline:
            label = what or getattr(fn, "__name__", "condition")
            raise WaitTimeout(
                f"{label} not met within {timeout:.1f} s (last value {last_value!r}, "
                f"last error {last_exc!r})"
            ) from last_exc
        time.sleep(interval)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_state(pid: int) -> str | None:
    """Return the one-letter ``State:`` of /proc/PID/status, or None when the process is gone.

    A zombie ("Z") or dead ("X") process counts as exited for callers; see ``is_running``.
    """
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return line.split()[1]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return None


def is_running(pid: int) -> bool:
    """True while ``pid`` exists and is neither a zombie nor dead (``kill -0`` lies for zombies)."""
    return process_state(pid) not in (None, "Z", "X")


def terminate(pid: int, timeout: float = 10.0, popen: subprocess.Popen | None = None) -> bool:
    """Stop ``pid``: SIGTERM, wait up to ``timeout`` s, then SIGKILL. Return True if SIGTERM sufficed.

    Pass the ``Popen`` that started it, if any, so the zombie is reaped.
    """
    def gone() -> bool:
        if popen is not None:
            popen.poll()
        return not is_running(pid)

    if gone():
        return True
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    try:
        wait_until(gone, timeout, what=f"exit of pid {pid} after SIGTERM")
        return True
    except WaitTimeout:
        pass
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    wait_until(gone, 10.0, what=f"exit of pid {pid} after SIGKILL")
    return False
