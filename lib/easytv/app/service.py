"""The service: composition root and the `waitForAbort` loop (entry point `service.py`)."""

import dataclasses
import logging
import os
import queue
import random
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from easytv.app.applied import AppliedFile
from easytv.app.cache import WindowCache
from easytv.app.clock import ServerClock
from easytv.app.engine import Engine
from easytv.app.hints import HintSocket, local_address_toward
from easytv.app.interfaces import LocalStore
from easytv.app.journal import Journal
from easytv.app.storage import Storage
from easytv.app.sync import Syncer
from easytv.app.watching import Watching
from easytv.app.worker import ThreadWorker
from easytv.core import events, properties
from easytv.core.cancel import Cancel
from easytv.core.errors import Error, MalformedNotification
from easytv.core.settings import Settings, fingerprint, shared_values, with_shared_values
from easytv.core.sync import Device
from easytv.kodi import addon, dialogs, jsonrpc, log
from easytv.kodi.library import KodiLibrary
from easytv.kodi.monitor import SETTINGS_CHANGED, Monitor
from easytv.kodi.prompt import KodiAsk, KodiPrompt
from easytv.kodi.settings import read_settings, write_random_order_shows, write_shared_values
from easytv.kodi.window import HomeWindow

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


class SettingsIO:
    """This device's settings in Kodi (`easytv.kodi.settings`): what the service reads and writes."""

    def read(self) -> Settings:
        """The current settings."""
        return read_settings()

    def write_shared_values(self, values: Dict[str, str]) -> None:
        """Store the shared rule-setting values in this device's settings."""
        write_shared_values(values)

    def write_random_order_shows(self, ids: Tuple[int, ...]) -> None:
        """Store the re-keyed `random_order_shows`."""
        write_random_order_shows(ids)


class Service:
    """Everything the loop works with. Only `build()` (the composition root) makes the real Kodi
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
        self.engine.apply_settings(new)
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


# -- the composition root -----------------------------------------------------------------------

def kodi_syncer(service: Service) -> Optional[Syncer]:
    """The real syncer: Kodi's MySQL video database (advancedsettings.xml), or None (reason
    logged; the "pymysql missing" notice is a notification, which never blocks the loop)."""
    try:
        from easytv.mysql.discovery import discover
        from easytv.mysql.store import MySQLStore
    except ImportError as exc:
        LOG.warning("Multi-instance sync needs script.module.pymysql and script.module.defusedxml (%s); "
                    "using window property storage", exc)
        if not _WARNED:
            _WARNED.append(True)
            dialogs.notify(addon.localize(30033), error=True)
        return None
    config = discover(addon.advancedsettings_paths(), addon.read_file)
    if config is None:
        STORAGE_LOG.warning("Multi-instance sync is on, but no advancedsettings.xml names a MySQL video "
                            "database; using window property storage")
        return None
    device = Device(addon.device_id(), addon.friendly_name(), addon.version(), addon.kodi_version(),
                    fingerprint(shared_values(service.settings)))
    service.engine.device_id = device.device_id
    token = Cancel()  # one per syncer: close() cancels it, a later syncer gets a new one

    def open_store() -> MySQLStore:
        store = MySQLStore.open(config, device.device_id, kodi_version=device.kodi_version, cancel=token)
        SHAREDDB_LOG.info("Connected to database, host=%s, port=%d", config.host, config.port)
        STORAGE_LOG.info("Using shared database storage, %s", store.describe_location())
        return store

    hints = open_hints(config.shared_database) if service.settings.sync_hints else None
    return Syncer(service.engine, open_store, device, ThreadWorker(), time.monotonic,
                  poll_seconds=service.settings.sync_poll_seconds,
                  local_settings=lambda: shared_values(service.settings),
                  on_settings=service.on_shared_settings,
                  on_storage=lambda name: service.cache.set_status(properties.STORAGE, name),
                  journal=Journal(os.path.join(addon.profile_path(), "offline_queue.json")),
                  server_clock=service.server_clock, cancel=token,
                  hints=hints, hint_host=lambda: local_address_toward(config.host, config.port),
                  applied_file=AppliedFile(os.path.join(addon.profile_path(), "applied.json")))


def open_hints(scope: str, host: str = "0.0.0.0") -> Optional[HintSocket]:
    """The wake-up hint socket (on `host`: all interfaces, for the LAN peers; an OS-assigned
    port), or None (reason logged: sync then relies on polling alone)."""
    try:
        return HintSocket(scope, host, 0)
    except OSError as exc:
        SHAREDDB_LOG.warning("Cannot listen for wake-up hints (%s); polling only", exc)
        return None


_WARNED: List[bool] = []
"""Whether the "pymysql missing" notice was shown in this run (once per run)."""


def build() -> Service:
    """The composition root: the real Kodi adapters."""
    handler = log.install()
    settings_io = SettingsIO()
    settings = settings_io.read()
    handler.debug_logging = settings.debug_logging
    inbox: "queue.Queue" = queue.Queue()
    cache = WindowCache(HomeWindow())
    server_clock = ServerClock(time.time, time.monotonic)
    holder: List[Service] = []
    engine = Engine(KodiLibrary(jsonrpc.call, jsonrpc.batch), cache, LocalStore(), settings, time.monotonic,
                    random.Random(), wall_clock=server_clock, on_show_ids=lambda ids: holder[0].on_show_ids(ids))
    watching = Watching(HomeWindow(), jsonrpc.call, lambda: holder[0].settings, KodiPrompt(), KodiAsk(),
                        time.monotonic, addon.localize)
    service = Service(settings, engine, cache, Monitor(inbox), inbox, settings_io, kodi_syncer, handler=handler,
                      version=addon.version(), server_clock=server_clock, watching=watching)
    holder.append(service)
    return service


def run() -> None:
    """Entry point of `service.py`."""
    build().run()
