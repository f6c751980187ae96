"""The service loop: `waitForAbort`, notifications, engine, sync (entry point `service.py`; the
real collaborators come from `easytv.app.composition`)."""

import dataclasses
import logging
import queue
import time
from typing import Any, Callable, List, Optional

from easytv.app.cache import WindowCache
from easytv.app.clock import ServerClock
from easytv.app.engine import Engine
from easytv.app.interfaces import LocalStore
from easytv.app.storage import Storage
from easytv.app.sync import Syncer
from easytv.core import events, properties
from easytv.core.errors import Error, MalformedNotification
from easytv.core.events import SETTINGS_CHANGED
from easytv.core.settings import Settings, fingerprint, shared_values, with_shared_values

LOG = logging.getLogger("EasyTV.service")
STORAGE_LOG = logging.getLogger("EasyTV.storage")
SHAREDDB_LOG = logging.getLogger("EasyTV.shareddb")

TICK_SECONDS = 0.25
"""Loop period: how long `waitForAbort` waits between steps (the service exits within it)."""
PART_BACKOFF_SECONDS = (1.0, 60.0)
"""A step part that raised is skipped for the first value, doubling up to the second (seconds)."""


def drain(inbox: "queue.Queue", engine: Engine, on_settings_changed,
          also: Optional[Callable[[events.Event], None]] = None) -> None:
    """Parse every queued notification into an event and hand it to the engine (and to `also`,
    the playback features of `easytv.app.watching`, when given).

    A malformed payload is logged and skipped; settings changes call `on_settings_changed()`.
    """
    while True:
        try:
            _sender, method, data = inbox.get_nowait()
        except queue.Empty:
            return
        if method == SETTINGS_CHANGED:
            on_settings_changed()
            continue
        try:
            event = events.parse_notification(method, data)
        except MalformedNotification as exc:
            LOG.warning("Ignoring malformed notification: %s", exc)
            continue
        if event is not None:
            LOG.debug("Event %r", event)
            engine.handle(event)
            if also is not None:
                also(event)


class PartGuard:
    """Runs one part of the loop's step; a part that raises is logged ONCE (with its traceback
    if the exception is unexpected) and skipped for a growing delay until it succeeds again
    (STYLE rule 14: log once, back off). `clock` returns monotonic seconds."""

    def __init__(self, name: str, fn: Callable[[], None], clock: Callable[[], float]) -> None:
        self.name = name
        self._fn = fn
        self._clock = clock
        self.failures = 0
        self._skip_until = 0.0

    def run(self) -> None:
        """Run the part unless it is backing off; never raises an `Exception`."""
        if self.failures and self._clock() < self._skip_until:
            return
        try:
            self._fn()
        except Exception as exc:  # noqa: BLE001 - the loop must survive any single failure
            self._failed(exc)
            return
        if self.failures:
            LOG.info("The service loop's %s works again after %d failures", self.name, self.failures)
            self.failures = 0

    def _failed(self, exc: Exception) -> None:
        first, longest = PART_BACKOFF_SECONDS
        delay = min(longest, first * 2 ** self.failures)
        self.failures += 1
        self._skip_until = self._clock() + delay
        if self.failures > 1:
            LOG.debug("The service loop's %s failed again (%s); retrying in %.0f s", self.name, exc, delay)
        elif isinstance(exc, Error):
            LOG.warning("The service loop's %s failed, retrying in %.0f s: %s", self.name, delay, exc)
        else:
            LOG.exception("Unexpected failure in the service loop's %s, retrying in %.0f s", self.name, delay)


class Service:
    """Everything the loop works with. Only `easytv.app.composition.build()` makes the real Kodi
    adapters; tests pass their own (STYLE rule 9). `make_syncer(service)` returns a `Syncer` or
    None (reason logged); `monitor` has Kodi's `waitForAbort(seconds)`; `clock` is monotonic."""

    def __init__(self, settings: Settings, engine: Engine, cache: WindowCache, monitor: Any,
                 inbox: "queue.Queue", settings_io: Any, make_syncer: Callable[["Service"], Optional[Syncer]],
                 handler: Any = None, clock: Callable[[], float] = time.monotonic, version: str = "",
                 server_clock: Optional[ServerClock] = None, watching: Any = None) -> None:
        self.handler = handler
        self.watching = watching
        """The playback features (`easytv.app.watching.Watching`: `handle(event)`, `tick()`,
        `close()`), or None."""
        self.server_clock = server_clock or ServerClock()
        """The event clock the engine stamps with (the syncer measures the server's offset)."""
        self.settings = settings
        self.engine = engine
        self.cache = cache
        self.monitor = monitor
        self.inbox = inbox
        self._settings_io = settings_io
        self._make_syncer = make_syncer
        self.version = version
        self.storage = Storage(self.engine, self.cache, self.make_syncer)
        self.parts: List[PartGuard] = [
            PartGuard("notifications", lambda: drain(self.inbox, self.engine, self.on_settings_changed,
                                                     watching.handle if watching is not None else None), clock),
            PartGuard("engine", lambda: self.engine.step(), clock),
            PartGuard("sync", lambda: self.storage.tick(), clock)]
        if watching is not None:
            self.parts.append(PartGuard("playback features", watching.tick, clock))

    def _set_debug_logging(self, on: bool) -> None:
        if self.handler is not None:
            self.handler.debug_logging = on

    # -- settings ----------------------------------------------------------------------------

    def on_settings_changed(self) -> None:
        """Re-read the settings; share rule-setting changes made here; switch storage."""
        new = self._settings_io.read()
        self._set_debug_logging(new.debug_logging)
        syncer = self.storage.syncer
        if syncer is not None and syncer.shared_settings:
            shared = shared_values(with_shared_values(new, syncer.shared_settings))
            if shared_values(new) != shared:
                LOG.info("Rule settings changed on this device; sharing them")
                syncer.push_settings(shared_values(new))
        self.settings = new
        self.engine.apply_settings(new)
        self.storage.apply(new.multi_instance_sync)
        self._refresh_fingerprint()

    def on_shared_settings(self, values) -> None:
        """Adopt the shared database's rule settings (the shared value wins: README, "Multi-instance sync")."""
        new = with_shared_values(self.settings, values)
        if new == self.settings:
            return
        LOG.info("Adopting shared settings: %s", ", ".join("%s=%s" % kv for kv in sorted(values.items())))
        self.settings = new
        self.engine.apply_settings(new, adopted=True)
        self._settings_io.write_shared_values(values)
        self._refresh_fingerprint()

    def on_show_ids(self, ids) -> None:
        """The engine re-keyed `random_order_shows` after a library rebuild (a sorted tuple of
        tvshowids): store it in this device's settings and share it."""
        self.settings = dataclasses.replace(self.settings, random_order_shows=tuple(ids))
        self._settings_io.write_random_order_shows(ids)
        syncer = self.storage.syncer
        if syncer is not None:
            syncer.push_settings(shared_values(self.settings))
        self._refresh_fingerprint()

    def _refresh_fingerprint(self) -> None:
        """Keep this device's registry row showing its current rule settings (drift check)."""
        syncer = self.storage.syncer
        if syncer is not None:
            syncer.device = dataclasses.replace(syncer.device,
                                                settings_fingerprint=fingerprint(shared_values(self.settings)))

    def make_syncer(self) -> Optional[Syncer]:
        """A syncer for the shared database, or None (reason logged) when sync can't run."""
        return self._make_syncer(self)

    # -- the loop ----------------------------------------------------------------------------

    def run(self) -> None:
        """Run until Kodi asks the service to abort; no single failure ends it."""
        LOG.info("Service started, version=%s", self.version)
        STORAGE_LOG.info("Using window property storage")
        self.cache.set_status(properties.STORAGE, LocalStore.name)
        self.cache.set_status(properties.SERVICE, "running")
        self.engine.start()
        try:
            try:
                self.storage.apply(self.settings.multi_instance_sync)
            except Exception:  # noqa: BLE001 - the service runs on with local storage
                LOG.exception("Could not start multi-instance sync; using window property storage")
            while True:
                self.step()
                if self.monitor.waitForAbort(TICK_SECONDS):
                    break
        finally:
            if self.watching is not None:
                self.watching.close()
            self.storage.close()
            self.cache.set_status(properties.SERVICE, "")
            LOG.info("Service stopped")

    def step(self) -> None:
        """One pass: notifications, engine work, sync progress; logs and survives any failure
        (a part that fails is logged once and backs off, see `PartGuard`)."""
        for part in self.parts:
            part.run()


def run() -> None:
    """Entry point of `service.py`: the composition root (`easytv.app.composition`) builds the
    real Kodi adapters, then the loop runs until Kodi asks the service to stop."""
    from easytv.app.composition import build
    build().run()
