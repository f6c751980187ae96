"""``ListingWatcher``: poll a widget listing on a thread and keep every change with its time."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from .easytv import NEXT_EPISODES, episode_no
from .kodi import KodiInstance
from .procs import HarnessError, WaitTimeout


@dataclass(frozen=True)
class Snapshot:
    """One distinct listing: ``time`` is ``time.monotonic()`` when its answer arrived."""

    time: float
    items: list[dict]

    def summary(self) -> list[tuple[str, str]]:
        """``[(showtitle, SxxEyy), ...]`` in listing order."""
        return [(i.get("showtitle", ""), episode_no(i)) for i in self.items]


Predicate = Callable[[list[dict]], bool]


class ListingWatcher:
    """Calls ``Files.GetDirectory(url)`` on ``kodi`` every ``interval`` s on a background thread,
    as a widget would, and records each listing that differs from the previous one.

    Use as a context manager (``start()``/``stop()``). ``history`` holds the first listing and
    every change; ``polls`` counts answers (the latest at ``last_poll``), ``errors`` failed
    calls (polling goes on).
    """

    def __init__(self, kodi: KodiInstance, url: str = NEXT_EPISODES, interval: float = 0.1
                 ) -> None:
        self.kodi = kodi
        self.url = url
        self.interval = interval
        self.history: list[Snapshot] = []
        self.polls = 0
        self.last_poll = 0.0  # time.monotonic() of the latest answer
        self.errors: list[str] = []
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ListingWatcher:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, timeout: float = 30.0) -> ListingWatcher:
        """Start polling; return once the first listing arrived (``WaitTimeout`` otherwise)."""
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"watch-{self.kodi.name}")
        self._thread.start()
        with self._cond:
            if not self._cond.wait_for(lambda: self.history, timeout):
                self.stop()
                raise WaitTimeout(f"{self.kodi.name}: no answer from {self.url} within "
                                  f"{timeout:.0f} s; errors {self.errors[-3:]}")
        return self

    def stop(self) -> None:
        """Stop polling and wait for the thread (at most one call in flight)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=35)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                items = self.kodi.get_directory(self.url)
            except HarnessError as exc:
                with self._cond:
                    self.errors.append(str(exc))
            else:
                arrived = time.monotonic()
                with self._cond:
                    self.polls += 1
                    self.last_poll = arrived
                    if not self.history or self.history[-1].items != items:
                        self.history.append(Snapshot(arrived, items))
                    self._cond.notify_all()
            self._stop.wait(self.interval)

    # ------------------------------------------------------------------------ queries
    @property
    def latest(self) -> Snapshot:
        """The listing seen last."""
        with self._cond:
            return self.history[-1]

    def wait_for(self, predicate: Predicate, timeout: float, since: float | None = None
                 ) -> tuple[Snapshot, float]:
        """Wait for a listing matching ``predicate`` that was current at or after ``since``
        (default: now); return it and its latency, seconds from ``since`` to its arrival
        (0 when the listing current at ``since`` already matched). The deadline is
        ``since + timeout``; raises ``WaitTimeout`` showing the last listing."""
        since = time.monotonic() if since is None else since
        deadline = since + timeout
        with self._cond:
            index = max((i for i, s in enumerate(self.history) if s.time <= since), default=0)
            while True:
                while index < len(self.history):
                    snap = self.history[index]
                    if predicate(snap.items):
                        return snap, max(0.0, snap.time - since)
                    index += 1
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not (self._thread and self._thread.is_alive()):
                    raise WaitTimeout(
                        f"{self.kodi.name}: {self.url} did not match within {timeout:.1f} s "
                        f"({self.polls} polls); last listing {self.history[-1].summary()}; "
                        f"errors {self.errors[-3:]}")
                self._cond.wait(remaining)

    def assert_unchanged(self, seconds: float, since: float | None = None,
                         min_polls: int = 3, key: Callable[[Snapshot], object] | None = None) -> Snapshot:
        """Watch for ``seconds`` after ``since`` (default: now); fail if the listing changed in
        that window or fewer than ``min_polls`` answers arrived in it (nothing to tell from).
        With ``key`` (e.g. ``Snapshot.summary``), only a change of ``key(listing)`` counts; the
        failure names the fields that changed either way.
        On a loaded machine a listing can take seconds: the window is then extended (up to
        four times ``seconds`` more) until ``min_polls`` answers arrived; a longer window only
        makes the check stricter. Returns the listing. A negative check: it waits out the
        whole window by design."""
        since = time.monotonic() if since is None else since
        deadline = since + seconds
        polls_before = self.polls
        with self._cond:
            while (remaining := deadline - time.monotonic()) > 0:
                self._cond.wait(remaining)
            longest = deadline + 4 * seconds
            while self.polls - polls_before < min_polls and (remaining := longest - time.monotonic()) > 0:
                self._cond.wait(remaining)
        with self._cond:
            history = list(self.history)
        for before, after in zip(history, history[1:]):
            if after.time <= since or (key is not None and key(before) == key(after)):
                continue
            raise AssertionError(f"{self.kodi.name}: {self.url} changed {after.time - since:.2f} s into "
                                 f"the {seconds} s window: {after.summary()}; {listing_diff(before, after)}")
        if self.polls - polls_before < min_polls:
            raise AssertionError(f"{self.kodi.name}: only {self.polls - polls_before} answers in "
                                 f"{seconds} s; errors {self.errors[-3:]}")
        return self.latest


def listing_diff(before: Snapshot, after: Snapshot, limit: int = 6) -> str:
    """What differs between two listings: the items' order, or per position the fields that
    changed (``field: old -> new``, at most ``limit`` of them)."""
    if before.summary() != after.summary():
        return f"was {before.summary()}"
    changes = [f"{item.get('showtitle', '')} {key}: {old.get(key)!r} -> {item.get(key)!r}"
               for old, item in zip(before.items, after.items)
               for key in sorted(set(old) | set(item)) if old.get(key) != item.get(key)]
    return "fields changed: " + "; ".join(changes[:limit]) + (" ..." if len(changes) > limit else "")
