"""Runs store operations one at a time off the service loop, so a slow or hung database never
delays the loop (nor its exit within 1 s of Kodi's abort request)."""

import logging
import queue
import threading
from typing import Any, Callable, Optional, Tuple

LOG = logging.getLogger("EasyTV.shareddb")

Result = Tuple[str, Any, Optional[BaseException]]
"""(operation name, return value, exception raised or None)."""


def run_job(name: str, fn: Callable[[], Any]) -> Result:
    """Run one operation and capture its outcome; the loop decides what a failure means."""
    try:
        return name, fn(), None
    except BaseException as exc:  # noqa: BLE001 - handed to the loop, which decides
        return name, None, exc


class _Results:
    """Finished operations waiting for the loop."""

    def __init__(self) -> None:
        self._results: "queue.Queue[Result]" = queue.Queue()

    def poll(self) -> Optional[Result]:
        """A finished operation's result, or None if none is ready (never blocks)."""
        try:
            return self._results.get_nowait()
        except queue.Empty:
            return None


class ThreadWorker(_Results):
    """One background thread executing submitted callables in order; results come back via `poll`."""

    def __init__(self) -> None:
        super().__init__()
        self._jobs: "queue.Queue[Optional[Tuple[str, Callable[[], Any]]]]" = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="EasyTV.shareddb", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            self._results.put(run_job(*job))

    def submit(self, name: str, fn: Callable[[], Any]) -> None:
        """Queue `fn` to run on the worker thread."""
        self._jobs.put((name, fn))

    def stop(self, timeout: float = 0.5) -> bool:
        """Drop the jobs not started yet, ask the thread to finish after its current job, and
        wait up to `timeout` seconds for it to end.

        Returns False when the thread is still busy (e.g. blocked on a hung database): the
        caller must first make the blocked operation fail (cancel its connect, close its
        connection; see `Syncer.close`), so that the thread ends within the wait.
        """
        while True:
            try:
                self._jobs.get_nowait()
            except queue.Empty:
                break
        self._jobs.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        """True while the worker thread runs."""
        return self._thread.is_alive()


class InlineWorker(_Results):
    """Runs each submitted callable at once on the caller's thread (unit tests, scripts)."""

    def submit(self, name: str, fn: Callable[[], Any]) -> None:
        """Run `fn` now and keep its result for `poll`."""
        self._results.put(run_job(name, fn))

    def stop(self, timeout: float = 0.5) -> bool:
        """Nothing runs in the background."""
        return True
