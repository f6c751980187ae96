"""The service: composition root and the `waitForAbort` loop (entry point `service.py`)."""

import dataclasses
import logging
import os
import queue
import random
import time
from typing import Optional

from easytv.app.cache import WindowCache
from easytv.app.clock import ServerClock
from easytv.app.engine import Engine
from easytv.app.interfaces import LocalStore
from easytv.app.journal import Journal
from easytv.app.storage import Storage
from easytv.app.sync import Syncer
from easytv.app.watching import Watching
from easytv.app.worker import ThreadWorker
from easytv.core import events, properties
from easytv.core.errors import Error, MalformedNotification
from easytv.core.settings import fingerprint, shared_values, with_shared_values
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


def drain(inbox: "queue.Queue", engine: Engine, on_settings_changed, also=None) -> None:
    """Parse every queued notification into an event and hand it to the engine.

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


class Service:
    """Everything the loop works with, built from the real Kodi adapters."""

    def __init__(self) -> None:
        self.handler = log.install()
        self.settings = read_settings()
        self.handler.debug_logging = self.settings.debug_logging
        self.inbox: "queue.Queue" = queue.Queue()
        self.monitor = Monitor(self.inbox)
        self.cache = WindowCache(HomeWindow())
        self.server_clock = ServerClock(time.time)
        library = KodiLibrary(jsonrpc.call, jsonrpc.batch)
        self.engine = Engine(library, self.cache, LocalStore(), self.settings, time.monotonic,
                             random.Random(), wall_clock=self.server_clock, on_show_ids=self.on_show_ids)
        self.storage = Storage(self.engine, self.cache, self.make_syncer)
        self._pymysql_warned = False
        self.watching = Watching(HomeWindow(), jsonrpc.call, lambda: self.settings, KodiPrompt(), KodiAsk(),
                                 time.monotonic, addon.localize)

    # -- settings ----------------------------------------------------------------------------

    def on_settings_changed(self) -> None:
        """Re-read the settings; share rule-setting changes made here; switch storage."""
        new = read_settings()
        self.handler.debug_logging = new.debug_logging
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
        """Adopt the shared database's rule settings (the shared value wins, SPEC §6)."""
        new = with_shared_values(self.settings, values)
        if new == self.settings:
            return
        LOG.info("Adopting shared settings: %s", ", ".join("%s=%s" % kv for kv in sorted(values.items())))
        self.settings = new
        self.engine.apply_settings(new)
        write_shared_values(values)
        self._refresh_fingerprint()

    def on_show_ids(self, ids) -> None:
        """The engine re-keyed `random_order_shows` after a library rebuild (a sorted tuple of
        tvshowids): store it in this device's settings and share it."""
        self.settings = dataclasses.replace(self.settings, random_order_shows=tuple(ids))
        write_random_order_shows(ids)
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

    # -- sync --------------------------------------------------------------------------------

    def make_syncer(self) -> Optional[Syncer]:
        """A syncer for Kodi's MySQL video database, or None (reason logged) when sync can't run."""
        try:
            from easytv.mysql.discovery import discover
            from easytv.mysql.store import MySQLStore
        except ImportError as exc:
            LOG.warning("Multi-instance sync needs script.module.pymysql and script.module.defusedxml (%s); "
                        "using window property storage", exc)
            if not self._pymysql_warned:
                self._pymysql_warned = True
                dialogs.ok(addon.localize(30033))
            return None
        config = discover(addon.advancedsettings_paths(), addon.read_file)
        if config is None:
            STORAGE_LOG.warning("Multi-instance sync is on, but no advancedsettings.xml names a MySQL video "
                                "database; using window property storage")
            return None
        device = Device(addon.device_id(), addon.friendly_name(), addon.version(), addon.kodi_version(),
                        fingerprint(shared_values(self.settings)))
        self.engine.device_id = device.device_id

        def open_store() -> MySQLStore:
            store = MySQLStore.open(config, device.device_id)
            SHAREDDB_LOG.info("Connected to database, host=%s, port=%d", config.host, config.port)
            STORAGE_LOG.info("Using shared database storage, %s", store.describe_location())
            return store

        return Syncer(self.engine, open_store, device, ThreadWorker(), time.monotonic,
                      poll_seconds=self.settings.sync_poll_seconds,
                      local_settings=lambda: shared_values(self.settings),
                      on_settings=self.on_shared_settings,
                      on_storage=lambda name: self.cache.set_status(properties.STORAGE, name),
                      journal=Journal(os.path.join(addon.profile_path(), "offline_queue.json")),
                      server_clock=self.server_clock)

    # -- the loop ----------------------------------------------------------------------------

    def run(self) -> None:
        """Run until Kodi asks the service to abort; no single failure ends it."""
        LOG.info("Service started, version=%s", addon.version())
        STORAGE_LOG.info("Using window property storage")
        self.cache.set_status(properties.STORAGE, LocalStore.name)
        self.cache.set_status(properties.SERVICE, "running")
        self.engine.start()
        try:
            self.storage.apply(self.settings.multi_instance_sync)
            while True:
                self.step()
                if self.monitor.waitForAbort(TICK_SECONDS):
                    break
        finally:
            self.watching.close()
            self.storage.close()
            self.cache.set_status(properties.SERVICE, "")
            LOG.info("Service stopped")

    def step(self) -> None:
        """One pass: notifications, engine work, sync progress; logs and survives any failure."""
        for part in (lambda: drain(self.inbox, self.engine, self.on_settings_changed, self.watching.handle),
                     self.engine.step, self.storage.tick, self.watching.tick):
            try:
                part()
            except Error as exc:
                LOG.warning("Step failed, continuing: %s", exc)
            except Exception:  # noqa: BLE001 - the loop must survive any single failure
                LOG.exception("Unexpected failure in the service loop, continuing")


def run() -> None:
    """Entry point of `service.py`."""
    Service().run()

