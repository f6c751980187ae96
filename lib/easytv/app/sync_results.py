"""The syncer's handling of what the first sync and the polls return (a base class of
`easytv.app.sync.Syncer`, as `easytv.app.remote` is of the engine). Loop side only."""

import dataclasses
import logging
from typing import Callable, Dict, List, Mapping, Optional, Tuple

from easytv.app import sync_ops
from easytv.app.applied import Kept
from easytv.app.clock import ServerClock, clamp_ahead
from easytv.app.engine import Engine
from easytv.app.hints import HintLink
from easytv.core.sync import Head, SharedShow

LOG = logging.getLogger("EasyTV.shareddb")


class SyncResults:
    """The syncer state these handlers work on (set by `Syncer.__init__`) and the handlers."""

    _engine: Engine
    _clock: Callable[[], float]
    _server_clock: Optional[ServerClock]
    _from_journal: Dict[int, SharedShow]
    _resuming: bool
    poll_seconds: float
    applied: Optional[Tuple[int, int]]
    pending: Dict[int, SharedShow]
    synced: bool
    kept: Kept
    link: HintLink
    _next_poll: float

    def _start_first_sync(self) -> None:
        raise NotImplementedError

    def _start_populate(self, rows: List[SharedShow]) -> None:
        raise NotImplementedError

    def _persist(self, always: bool = False) -> None:
        raise NotImplementedError

    _on_settings: Callable[[Dict[str, str]], None]
    shared_settings: Dict[str, str]

    def _handle_first_sync(self, head: Head, rows: List[SharedShow], complete: bool) -> None:
        self._adopt_settings(head.settings)
        resumed = self._resuming
        if resumed:  # a restart: the kept position is used (or refused) once
            self._resuming, self.kept.resume = False, None
            if not complete and not self.kept.matches(self._engine.states, rows):
                self._start_first_sync()  # this device's shows changed meanwhile: pull every row
                return
        if complete:
            # Reconcile pushes every real difference; of the rows queued before now keep
            # only those that would still change the shared row (offline changes newer
            # than it), so a restart does not rewrite every row.
            self.pending = sync_ops.still_newer(self.pending, rows)
            snapshot = self._engine.snapshot_rows()
            if sync_ops.needs_population(len(rows), len(snapshot)):
                # Empty, or nearly (a write that landed after a clear, before the repopulation):
                # the lock decides which one device writes its snapshot; the others pull (and
                # reconcile, which pushes whatever of this device's states is newer).
                self.pending.clear()  # the snapshot covers them
                self._start_populate(snapshot)
                return
            pushed = self._engine.reconcile(rows)
            LOG.info("Pulled %d shared shows (revision %d); pushing %d newer here", len(rows),
                     head.revision, pushed)
            self.kept.reset(head.generation, head.revision, rows)
        else:
            self._engine.apply_remote(rows)
            self.kept.advance(head.generation, head.revision, rows)
            if resumed:  # the recompute queued every show: keep only real changes
                self.pending = self.kept.still_newer(self.pending)
        self.applied = (head.generation, head.revision)
        self.synced = True
        self._persist()

    def _adopt_offset(self, offset: Optional[float]) -> None:
        clock = self._server_clock
        if clock is None or offset is None:
            return
        if clock.measured:
            clock.adopt(offset)
            return
        # States computed (and rows queued) before the first connect were stamped with the
        # local clock alone; journal rows from an earlier run already use the server clock.
        delta = clock.adopt(offset)
        self._engine.shift_times(delta)
        self.pending = {i: r if r is self._from_journal.get(i) else dataclasses.replace(
            r, event_time=r.event_time + delta) for i, r in self.pending.items()}
        if abs(delta) > 5:
            LOG.info("This device's clock is %.1f s off the database server's; event times use the server's",
                     -delta)

    def _handle_poll(self, head: Head, rows: Optional[List[SharedShow]], offset: Optional[float]) -> None:
        if self.applied is None or head.generation != self.applied[0] or head.revision != self.applied[1]:
            self.link.arrival.found(head.generation, head.revision)
        self._next_poll = self._clock() + (0.0 if self.link.wake else self.link.poll_seconds(self.poll_seconds))
        if offset is not None and self._server_clock is not None and self._server_clock.measured:
            self._server_clock.adopt(offset)  # re-measured at every poll, no extra round trip
        self._adopt_settings(head.settings)
        if sync_ops.starts_over(self.applied, head):
            LOG.info("Shared data was cleared (generation %d), re-created or restored (revision %d); "
                     "repopulating or pulling", head.generation, head.revision)
            # Forget the old position entirely: the first sync then pulls everything and, on an
            # empty table, populates under the lock (exactly one device wins it).
            self.applied = None
            self.synced = False
            self.kept.forget()
            return
        if rows is not None and self.applied is not None:
            adopted = self._engine.apply_remote(rows)
            LOG.debug("Pulled %d rows since revision %d (%d adopted)", len(rows), self.applied[1], adopted)
            self.applied = (head.generation, head.revision)
            self.kept.advance(head.generation, head.revision, rows)

    def _clamped(self, rows: List[SharedShow]) -> List[SharedShow]:
        """`rows` with no event time more than a minute ahead of the server's clock."""
        if self._server_clock is None or not self._server_clock.measured:
            return rows
        rows, fixed = clamp_ahead(rows, self._server_clock)
        if fixed:
            LOG.warning("%d event times were more than a minute ahead of the database server's clock; "
                        "writing them at the server's time", len(fixed))
            self._engine.times.update((i, t) for i, t in fixed.items() if self._engine.times.get(i, 0.0) > t)
        return rows

    def _adopt_settings(self, shared: Mapping[str, str]) -> None:
        if dict(shared) != self.shared_settings:
            self.shared_settings = dict(shared)
            self._on_settings(dict(shared))
