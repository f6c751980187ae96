"""Multi-instance sync: a state machine on the service loop, store operations on a worker.

Each `tick()` collects at most one finished operation and starts at most one new one, by
priority: connect (after the backoff), the first sync (pull everything, or populate an empty
database under the lock), writes of queued rows, the device heartbeat, the revision poll.
Nothing here blocks on the database.

With wake-up hints (`easytv.app.hints`), each commit is announced to the peers and a peer's
hint makes the next tick poll; polling slows to `easytv.core.hints.SLOW_POLL_SECONDS` while
hints are known to arrive, and is the fallback (every `poll_seconds`) while they are not.
"""

import dataclasses
import logging
import threading
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from easytv.app import sync_ops
from easytv.app.applied import AppliedFile, Kept
from easytv.app.clock import ServerClock
from easytv.app.engine import Engine
from easytv.app.hints import HintLink
from easytv.app.journal import Journal
from easytv.app.sync_results import SyncResults
from easytv.core.cancel import Cancel
from easytv.core.errors import StoreUnavailable
from easytv.core.sync import Device, SharedShow, SharedStore

LOG = logging.getLogger("EasyTV.shareddb")
STORAGE_LOG = logging.getLogger("EasyTV.storage")

BACKOFF_SECONDS = 30.0
"""After a failed operation: local cache only, next attempt after this many seconds."""
SCHEMA_RETRY_SECONDS = 600.0
"""After finding a newer schema: how long to stay local before looking again (seconds)."""
HEARTBEAT_SECONDS = 900.0
"""How often the device registry row is refreshed (seconds; one commit per 15 min, so
`last_seen` is that coarse). A changed registration (settings fingerprint, hint endpoint) is
written at once."""

STOP_SECONDS = 0.5
"""How long `close()` waits for the worker thread to end (part of Kodi's 1 s exit budget)."""


class Syncer(SyncResults):
    """The engine's `Store` while sync is on: queues local rows and keeps the cache in step.

    `open_store()` runs on the worker and returns a connected `SharedStore` (raising
    `StoreError`). `on_settings(values)` is called on the loop with the shared settings
    whenever they differ from what was last seen. `on_storage(name)` reports `shared`/`local`.
    `cancel` is the token `open_store` and the store's reconnects give up on: `close()` cancels
    it, so a worker blocked connecting to a hung server ends at once.

    `hints` (an `easytv.app.hints.HintSocket`, or None for none) is owned from here on: closed
    by `close()`. `hint_host()` runs on the worker at each connect and returns the address peers
    reach this device at ("" when unknown: the device then registers no hint endpoint).
    `applied_file` keeps the applied position across restarts (`easytv.app.applied`).
    """

    name = "shared"

    def __init__(self, engine: Engine, open_store: Callable[[], SharedStore], device: Device, worker: Any,
                 clock: Callable[[], float], poll_seconds: float = 2.0,
                 local_settings: Callable[[], Dict[str, str]] = dict,
                 on_settings: Callable[[Dict[str, str]], None] = lambda values: None,
                 on_storage: Callable[[str], None] = lambda name: None,
                 journal: Optional[Journal] = None, server_clock: Optional[ServerClock] = None,
                 cancel: Optional[Cancel] = None, hints: Any = None,
                 hint_host: Callable[[], str] = lambda: "", applied_file: Optional[AppliedFile] = None) -> None:
        self._engine = engine
        self._open_store = open_store
        self.device = device
        self._worker = worker
        self._clock = clock
        self.poll_seconds = poll_seconds
        self._local_settings = local_settings
        self._on_settings = on_settings
        self._on_storage = on_storage
        self.store: Optional[SharedStore] = None
        self.applied: Optional[Tuple[int, int]] = None  # (generation, revision)
        self.shared_settings: Dict[str, str] = {}
        self.pending: Dict[int, SharedShow] = {}
        self.pending_settings: Dict[str, str] = {}
        self.synced = False
        self._in_flight: Optional[str] = None
        self._retry_at = clock()
        self._next_poll = 0.0
        self._next_heartbeat = 0.0
        self._first_sync_at = 0.0
        self._writing: Tuple[List[SharedShow], Dict[str, str]] = ([], {})
        self._journal = journal
        self._offline = False  # an operation failed: the database is known to be away
        self._server_clock = server_clock
        self._cancel = cancel
        self._closed = False
        self._lock = threading.Lock()  # guards _closed and _opened (loop and worker)
        self._opened: List[Any] = []
        self._from_journal: Dict[int, SharedShow] = {}
        self.link = HintLink(hints, hint_host)
        self._registered: Optional[Device] = None  # the registration last written
        self.kept = Kept(applied_file)
        self._resuming = False  # the first sync under way starts from the kept position
        if journal is not None:
            queued = journal.read()
            self.save(queued.rows)
            self.pending_settings.update(queued.settings)
            if queued.server_clock:  # already on the server's clock: not shifted at the first connect
                self._from_journal = dict(self.pending)

    # -- the engine's Store ------------------------------------------------------------------

    def save(self, rows: Sequence[SharedShow]) -> None:
        """Queue rows for the next write, keeping the newest event per show."""
        for row in rows:
            queued = self.pending.get(row.tvshowid)
            if queued is None or row.event_time >= queued.event_time:
                self.pending[row.tvshowid] = row
        if self._offline:
            self._persist()  # the database is away: keep the changes on disk until it is back

    def _persist(self, always: bool = False) -> None:
        """The offline queue := every change not known to be committed (queued or being written).
        While the database is there (and not `always`, as at close) the file is only refreshed
        or removed if it exists: queued rows on their way to a live database are not written."""
        if self._journal is None or not (always or self._offline or self._journal.exists()):
            return
        writing = self._writing if self._in_flight == "write" else ([], {})
        rows, settings = sync_ops.unconfirmed(self.pending, self.pending_settings, *writing)
        measured = self._server_clock is None or self._server_clock.measured
        self._journal.store(rows, settings, server_clock=measured)

    def push_settings(self, values: Mapping[str, str]) -> None:
        """Queue shared-setting values changed on this device."""
        changed = {k: v for k, v in values.items() if self.shared_settings.get(k) != v}
        self.pending_settings.update(changed)
        if changed and self._offline:
            self._persist()

    @property
    def connected(self) -> bool:
        """True while a store is open and no failure is being backed off."""
        return self.store is not None

    @property
    def in_flight(self) -> Optional[str]:
        """The operation submitted to the worker and not yet handled here, or None."""
        return self._in_flight

    # -- the loop ----------------------------------------------------------------------------

    def tick(self) -> None:
        """Handle a finished operation, then start the next one that is due (never blocks)."""
        if self._closed:
            return
        result = self._worker.poll()
        if result is not None:
            self._in_flight = None
            self._handle(*result)
        now = self._clock()
        if self.link.take(self.applied if self.synced else None, now):
            self._next_poll = min(self._next_poll, now)
        self.kept.save_due(now)
        if self._in_flight is not None:
            return
        if self.store is None:
            if now >= self._retry_at:
                self._submit("connect", self._connect_op)
        elif not self._engine.full_done:
            return
        elif not self.synced:
            if now >= self._first_sync_at:
                self._start_first_sync()
        elif self.pending or self.pending_settings:
            self._start_write()
        elif now >= self._next_heartbeat or not sync_ops.same_registration(self._registered, self.device):
            device = dataclasses.replace(self.device, revision_applied=self.applied[1] if self.applied else 0)
            self._submit("heartbeat", sync_ops.heartbeat(self.store, device, self.link.on))
        elif now >= self._next_poll:
            store, applied = self.store, self.applied
            monotonic = self._server_clock.monotonic if self._server_clock is not None else None
            self.link.wake = False
            self._submit("poll", lambda: sync_ops.poll(store, applied, monotonic))

    def close(self) -> None:
        """Service exit (within Kodi's 1 s budget): journal every change not known to be
        committed, cancel a connect under way, close the connection so a read blocked on a hung
        server fails, stop the hint listener, and wait up to `STOP_SECONDS` for the worker
        thread (and as long for the listener's) to end."""
        self._persist(always=True)  # first: nothing below may lose what is queued or being written
        self.kept.flush()
        with self._lock:
            self._closed = True
            stores, self._opened = self._opened, []
        self.store = None
        if self._cancel is not None:
            self._cancel.cancel()
        self.link.shutdown()
        for store in stores:
            sync_ops.close_quietly(store)
        if not self._worker.stop(STOP_SECONDS):
            LOG.warning("The database worker did not end within %.1f s of the exit", STOP_SECONDS)
        if not self.link.close(STOP_SECONDS):
            LOG.warning("The hint listener did not end within %.1f s of the exit", STOP_SECONDS)

    def _submit(self, name: str, fn: Callable[[], Any]) -> None:
        self._in_flight = name
        self._worker.submit(name, fn)

    # -- operations (run on the worker) -----------------------------------------------------

    def _connect_op(self) -> Tuple[SharedStore, Dict[str, str], Optional[float], Device, Optional[List[Device]]]:
        store = self._open_store()
        with self._lock:
            closed = self._closed
            if not closed:
                self._opened.append(store)  # close() closes it, also if the loop never sees it
        if closed:  # the service stopped while this connect was under way
            sync_ops.close_quietly(store)
            raise StoreUnavailable("sync was stopped while connecting")
        offset = None
        if self._server_clock is not None:
            offset = self._server_clock.measure(store.server_time)
        shared = store.seed_settings(self._local_settings())
        device = self.link.endpoint(self.device)
        store.register_device(device)
        devices = store.devices() if self.link.on else None
        return store, shared, offset, device, devices

    def _start_first_sync(self) -> None:
        store, applied = self.store, self.applied
        assert store is not None
        self._resuming = applied is None and self.kept.resume is not None
        if self._resuming:
            applied = self.kept.resume
        self._submit("first_sync", lambda: sync_ops.first_sync(store, applied))

    def _start_populate(self, rows: List[SharedShow]) -> None:
        store, owner = self.store, self.device.device_id
        assert store is not None
        link = self.link

        def job() -> Optional[Tuple[int, int, int]]:
            done = sync_ops.populate(store, owner, self._clamped(rows))
            if done is not None:
                link.send(done[0], done[2])  # at once, from the worker
            return done
        self._submit("populate", job)

    def _start_write(self) -> None:
        store = self.store
        assert store is not None
        rows = self._clamped(sorted(self.pending.values(), key=lambda r: r.tvshowid))
        settings = dict(self.pending_settings)
        self.pending.clear()
        self.pending_settings.clear()
        self._writing = (rows, settings)
        link, own = self.link, self.device.device_id
        generation = self.applied[0] if self.applied is not None else None

        def job() -> Tuple[int, Optional[List[Device]]]:
            # The registry is re-read at each write (a peer may have joined or moved), and the
            # hint sent at once from the worker, not at the loop's next tick.
            revision, devices = sync_ops.write(store, rows, settings, link.on)
            link.adopt_peers(devices, own)
            if generation is not None:
                link.send(generation, revision)
            return revision, devices
        self._submit("write", job)

    # -- results (on the loop) --------------------------------------------------------------

    def _handle(self, name: str, value: Any, error: Optional[BaseException]) -> None:
        if error is not None:
            self._failed(name, error)
            return
        if name == "connect":
            self.store, shared, offset, registered, devices = value
            self._registered = registered
            self.device = dataclasses.replace(self.device, hint_host=registered.hint_host,
                                              hint_port=registered.hint_port)
            self.link.adopt_peers(devices, self.device.device_id)
            self._next_heartbeat = self._clock() + HEARTBEAT_SECONDS
            self._offline = False
            self._adopt_offset(offset)
            self.synced = False
            self._on_storage(self.name)
            self._adopt_settings(shared)
        elif name == "first_sync":
            self._handle_first_sync(*value)
        elif name == "populate":
            if value is None:
                LOG.info("Another device is populating the shared database; pulling instead")
                self._first_sync_at = self._clock() + self.poll_seconds  # let it finish first
                return
            # The revision seen before the snapshot was written, not the one it made: a peer's
            # commit in between is pulled by the next poll (with our own rows, harmlessly).
            generation, before, written = value
            self.applied = (generation, before)
            self.kept.reset(generation, before, [])
            self.synced = True
            self.link.committed(generation, written)
            self._persist()
            LOG.info("Populated the shared database with %d shows (revision %d)", len(self._engine.states),
                     written)
        elif name == "write":
            # `applied` stays where it was: the next poll pulls these rows back, and with them
            # any row where another device's newer event won over ours.
            self._writing = ([], {})
            self._persist()
            revision, _devices = value
            if self.applied is not None:
                self.link.committed(self.applied[0], revision)
        elif name == "heartbeat":
            self._registered, devices = value
            self.link.adopt_peers(devices, self.device.device_id)
            self._next_heartbeat = self._clock() + HEARTBEAT_SECONDS
        elif name == "poll":
            self._handle_poll(*value)

    def _failed(self, name: str, error: BaseException) -> None:
        store, self.store = self.store, None
        if name == "write":
            rows, settings = self._writing
            self._writing = ([], {})
            self.save(rows)
            for key, value in settings.items():
                self.pending_settings.setdefault(key, value)
        delay = sync_ops.log_failure(name, error, BACKOFF_SECONDS, SCHEMA_RETRY_SECONDS)  # once per cycle
        self.synced = False
        self._offline = True
        self._retry_at = self._clock() + delay
        self._persist()  # the database is away: keep the changes on disk until it is back
        if store is not None:
            with self._lock:
                self._opened = [s for s in self._opened if s is not store]
            sync_ops.close_quietly(store)
            self._on_storage("local")
            STORAGE_LOG.info("Using window property storage")
