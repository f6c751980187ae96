"""Simulated Kodi devices for the fault suite: the real `Engine` + `Syncer` + `MySQLStore` over a
`FakeLibrary` shared by every device (as Kodi's MySQL video database is), with a strictly
increasing wall clock, a log of every event the engines produced (the oracle), a trace of every
store operation, and a tick that records any exception escaping it (a "service death").
"""

import dataclasses
import inspect
import logging
import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import easytv.app.sync as app_sync
from easytv.app.cache import WindowCache
from easytv.app.clock import ServerClock
from easytv.app.engine import Engine
from easytv.app.journal import Journal
from easytv.app.sync import Syncer
from easytv.app.worker import InlineWorker, ThreadWorker
from easytv.core.cancel import Cancel
from easytv.core.models import ShowState
from easytv.core.settings import Settings, shared_values, with_shared_values
from easytv.core.sync import DatabaseConfig
from easytv.core.sync import Device as DeviceRow
from easytv.mysql.store import MySQLStore
from fakes import FakeLibrary, FakeWindow


class EventClock:
    """Seconds since the epoch, strictly increasing across every caller (1 ms apart at least),
    so that no two events of the run share a time and "the newest event" is always defined."""

    def __init__(self) -> None:
        self._last = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            self._last = max(time.time(), self._last + 0.001)
            return self._last


@dataclass
class Event:
    """One row an engine produced: the show's state (None = finished/gone) at `event_time`."""

    tvshowid: int
    event_time: float
    state: Optional[ShowState]
    device: str


class EventLog:
    """Every row any engine handed to its store (local events and re-pushes of adopted ones)."""

    def __init__(self) -> None:
        self.events: List[Event] = []

    def newest(self) -> Dict[int, Event]:
        """Per show, the event with the highest event time."""
        best: Dict[int, Event] = {}
        for event in self.events:
            known = best.get(event.tvshowid)
            if known is None or event.event_time > known.event_time:
                best[event.tvshowid] = event
        return best

    def latest_different(self) -> Dict[int, float]:
        """Per show, the time of the latest event whose state differs from the newest event's."""
        newest = self.newest()
        latest: Dict[int, float] = {}
        for event in self.events:
            if event.state != newest[event.tvshowid].state:
                latest[event.tvshowid] = max(event.event_time, latest.get(event.tvshowid, 0.0))
        return latest


class Recorder:
    """The engine's `Store`: logs each row as an event, then hands it to the syncer.

    Rows saved before the device first measured the server's clock carry its local clock only;
    the syncer re-stamps them on the server clock at the first connect, so they are logged with
    that correction once it is known (until then they are provisional).
    """

    def __init__(self, log: EventLog, device: str, syncer: Syncer, server_clock: ServerClock) -> None:
        self._log, self._device, self._syncer, self._clock = log, device, syncer, server_clock
        self._provisional: List[Any] = []

    def save(self, rows: Sequence[Any]) -> None:
        self.flush()
        for row in rows:
            if self._clock.measured:
                self._log.events.append(Event(row.tvshowid, row.event_time, row.state, self._device))
            else:
                self._provisional.append(row)
        self._syncer.save(rows)

    def flush(self) -> None:
        """Log the provisional rows once the server clock is known."""
        if self._clock.measured and self._provisional:
            for row in self._provisional:
                self._log.events.append(Event(row.tvshowid, row.event_time + self._clock.first_shift, row.state,
                                              self._device))
            self._provisional = []


@dataclass
class Op:
    """One store operation: name, monotonic start/end, outcome, and the wire counters it used."""

    name: str
    started: float
    rows: int = 0
    ended: Optional[float] = None
    error: Optional[BaseException] = None
    round_trips: int = 0
    commits: int = 0

    @property
    def ok(self) -> bool:
        return self.ended is not None and self.error is None


TRACED = frozenset(("head", "changes_since", "shows", "write", "seed_settings", "try_lock", "release_lock",
                    "clear", "register_device", "devices"))


class TracedStore:
    """A transparent wrapper of a `MySQLStore` that appends an `Op` per `SharedStore` call."""

    def __init__(self, store: MySQLStore, ops: List[Op], on_start: Optional[Callable[[Op], None]] = None) -> None:
        self.store = store
        self._ops = ops
        self._on_start = on_start

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.store, name)
        if name not in TRACED:
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            store = self.store
            rows = len(args[0]) if name == "write" and args else 0
            op = Op(name, time.monotonic(), rows)
            trips, commits = store.round_trips, store.commits
            self._ops.append(op)
            if self._on_start is not None:
                self._on_start(op)
            try:
                return attr(*args, **kwargs)
            except BaseException as exc:
                op.error = exc
                raise
            finally:
                op.round_trips, op.commits = store.round_trips - trips, store.commits - commits
                op.ended = time.monotonic()
        return call


def cancel_keywords(token: Cancel) -> Dict[str, Any]:
    """`cancel=token` for `MySQLStore.open` once it takes one (the connection engineer's branch),
    else nothing: the rig runs before and after that merge (tests/faults/test_fault_hang.py has
    the strict xfail that flips when it lands)."""
    return {"cancel": token} if OPEN_TAKES_CANCEL else {}


OPEN_TAKES_CANCEL = "cancel" in inspect.signature(MySQLStore.open).parameters


TIMEOUTS = (5.0, 10.0, 10.0)
"""A device's (connect, read, write) timeouts in seconds unless a scenario sets its own."""


class Device:
    """One Kodi: engine, window, syncer on a real `MySQLStore` (`ThreadWorker` unless `inline`).

    `config()` is asked at every connect (so a test can point it elsewhere); `barrier`, if
    given, holds the first connect until every device reaches it (simultaneous start).
    With `settings`, the rule settings are shared as the service shares them (seeded, adopted,
    and `random_order_shows` re-keyed after a library rebuild pushed back).
    """

    def __init__(self, name: str, library: FakeLibrary, config: Callable[[], DatabaseConfig], log: EventLog,
                 wall_clock: Callable[[], float], clock: Callable[[], float] = time.monotonic,
                 inline: bool = False, poll_seconds: float = 0.2, journal_path: Optional[str] = None,
                 timeouts: Tuple[float, float, float] = TIMEOUTS,
                 barrier: Optional[threading.Barrier] = None, settings: Optional[Settings] = None) -> None:
        self.name = name
        self.config = config
        self.timeouts = timeouts
        self.barrier = barrier
        self.on_op_start: Optional[Callable[[Op], None]] = None
        """Called on the worker thread as each store operation starts (fault triggers)."""
        self.ops: List[Op] = []
        self.opens: List[Op] = []
        self.stores: List[MySQLStore] = []
        self.deaths: List[BaseException] = []
        self.window = FakeWindow()
        # Wired as the service wires it: events are stamped on the database server's clock.
        self.server_clock = ServerClock(wall_clock)
        self.settings = settings or Settings()
        shares = settings is not None
        self.engine = Engine(library, WindowCache(self.window), None, self.settings, clock, random.Random(name),
                             wall_clock=self.server_clock, device_id=name,
                             on_show_ids=self._on_show_ids if shares else lambda ids: None)
        self.cancel = Cancel()
        self.worker = InlineWorker() if inline else ThreadWorker()
        self.syncer = Syncer(self.engine, self._open_store, DeviceRow(name, name),
                             self.worker, clock, poll_seconds=poll_seconds, cancel=self.cancel,
                             journal=Journal(journal_path) if journal_path else None,
                             server_clock=self.server_clock,
                             local_settings=(lambda: shared_values(self.settings)) if shares else dict,
                             on_settings=self._on_settings if shares else lambda values: None)
        self.recorder = Recorder(log, name, self.syncer, self.server_clock)
        self.engine.store = self.recorder
        self.engine.start()

    def _on_settings(self, values: Dict[str, str]) -> None:
        self.settings = with_shared_values(self.settings, values)
        self.engine.apply_settings(self.settings, adopted=True)

    def _on_show_ids(self, ids: Tuple[int, ...]) -> None:
        self.settings = dataclasses.replace(self.settings, random_order_shows=tuple(ids))
        self.syncer.push_settings(shared_values(self.settings))

    def _open_store(self) -> TracedStore:
        op = Op("open", time.monotonic())
        self.opens.append(op)
        try:
            if self.barrier is not None:
                barrier, self.barrier = self.barrier, None
                barrier.wait(30)
            store = MySQLStore.open(self.config(), self.name, *self.timeouts, **cancel_keywords(self.cancel))
        except BaseException as exc:
            op.error = exc
            raise
        finally:
            op.ended = time.monotonic()
        self.stores.append(store)
        return TracedStore(store, self.ops, lambda op: self.on_op_start and self.on_op_start(op))

    def tick(self) -> None:
        """One loop pass (engine, then syncer); an exception escaping either is recorded."""
        for part in (self.engine.step, self.syncer.tick):
            try:
                part()
            except Exception as exc:  # noqa: BLE001 - a service death, counted and reported
                self.deaths.append(exc)
        self.recorder.flush()

    def step_engine(self) -> None:
        try:
            self.engine.step()
        except Exception as exc:  # noqa: BLE001 - a service death, counted and reported
            self.deaths.append(exc)

    @property
    def store(self) -> Optional[MySQLStore]:
        """The store of the current connection, if connected."""
        return self.stores[-1] if self.stores and self.syncer.connected else None

    def in_flight(self, name: Optional[str] = None) -> List[Op]:
        """Operations started and not yet finished (of one `name`, if given)."""
        recent = self.ops[-2:] + self.opens[-1:]
        return [op for op in recent if op.ended is None and (name is None or op.name == name)]

    def settled(self, revision: int) -> bool:
        """Connected, first sync done, nothing queued, and revision `revision` applied."""
        syncer = self.syncer
        # `syncer.in_flight`: an operation submitted but not started yet (the worker thread has
        # not run; on a busy machine for a while) is not over either (issue 8, bug 10: a write
        # submitted but not begun looked "settled", and the audit ran before it).
        return (syncer.connected and syncer.synced and not syncer.pending and syncer.applied is not None
                and syncer.applied[1] == revision and not self.in_flight() and syncer.in_flight is None)

    def close(self) -> float:
        """`syncer.close()` as the service does on abort; returns the seconds it took. Then
        closes every store this device opened (also late ones)."""
        started = time.monotonic()
        self.syncer.close()
        took = time.monotonic() - started
        for store in self.stores:
            store.close()
        return took


class LogCapture(logging.Handler):
    """Keeps the `EasyTV.*` log records of a scenario (INFO and up)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def count(self, text: str, since: int = 0) -> int:
        return sum(1 for r in self.records[since:] if text in r.getMessage())

    def errors(self) -> List[str]:
        return [r.getMessage() for r in self.records if r.levelno >= logging.ERROR]


@contextmanager
def captured_logs() -> Iterator[LogCapture]:
    logger = logging.getLogger("EasyTV")
    capture, level = LogCapture(), logger.level
    logger.addHandler(capture)
    logger.setLevel(logging.INFO)
    try:
        yield capture
    finally:
        logger.removeHandler(capture)
        logger.setLevel(level)


@contextmanager
def backoff(seconds: float) -> Iterator[None]:
    """`easytv.app.sync.BACKOFF_SECONDS` = `seconds` meanwhile (the fast suite's short backoff)."""
    saved = app_sync.BACKOFF_SECONDS
    app_sync.BACKOFF_SECONDS = seconds
    try:
        yield
    finally:
        app_sync.BACKOFF_SECONDS = saved


@dataclass
class Loop:
    """Ticks devices like the service loop does (every `period` seconds) until a condition holds."""

    devices: List[Device]
    period: float = 0.005
    during: Optional[Callable[[], None]] = None
    iterations: int = field(default=0)

    def until(self, condition: Callable[[], bool], timeout: float, what: str = "condition") -> float:
        """Tick until `condition()`; return the seconds it took. Raises `TimeoutError` after `timeout`."""
        started = time.monotonic()
        deadline = started + timeout
        while True:
            if self.during is not None:
                self.during()
            for device in self.devices:
                device.tick()
            self.iterations += 1
            if condition():
                return time.monotonic() - started
            if time.monotonic() >= deadline:
                raise TimeoutError("%s not met within %.1f s; %s" % (what, timeout, describe(self.devices)))
            time.sleep(self.period)


def describe(devices: Sequence[Device]) -> str:
    """One line per device for timeout messages."""
    return "; ".join("%s: connected=%s synced=%s pending=%d applied=%s in_flight=%s deaths=%d" % (
        d.name, d.syncer.connected, d.syncer.synced, len(d.syncer.pending), d.syncer.applied,
        [op.name for op in d.in_flight()], len(d.deaths)) for d in devices)
