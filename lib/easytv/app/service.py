"""The service: composition root and the `waitForAbort` loop (entry point `service.py`)."""

import logging
import queue
import random
import time

from easytv.app.cache import WindowCache
from easytv.app.engine import Engine
from easytv.app.interfaces import LocalStore
from easytv.core import events, properties
from easytv.core.errors import Error, MalformedNotification
from easytv.kodi import addon, jsonrpc, log
from easytv.kodi.library import KodiLibrary
from easytv.kodi.monitor import SETTINGS_CHANGED, Monitor
from easytv.kodi.settings import read_settings
from easytv.kodi.window import HomeWindow

LOG = logging.getLogger("EasyTV.service")
STORAGE_LOG = logging.getLogger("EasyTV.storage")

TICK_SECONDS = 0.25
"""Loop period: how long `waitForAbort` waits between steps (the service exits within it)."""


def drain(inbox: "queue.Queue", engine: Engine, on_settings_changed) -> None:
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


def run() -> None:
    """Run the service until Kodi asks it to abort; never lets one failure end it."""
    handler = log.install()
    settings = read_settings()
    handler.debug_logging = settings.debug_logging
    inbox: "queue.Queue" = queue.Queue()
    monitor = Monitor(inbox)
    cache = WindowCache(HomeWindow())
    store = LocalStore()
    engine = Engine(KodiLibrary(jsonrpc.call), cache, store, settings, time.monotonic, random.Random())
    LOG.info("Service started, version=%s", addon.version())
    STORAGE_LOG.info("Using window property storage")
    cache.set_status(properties.STORAGE, store.name)
    cache.set_status(properties.SERVICE, "running")

    def on_settings_changed() -> None:
        new = read_settings()
        handler.debug_logging = new.debug_logging
        engine.apply_settings(new)

    engine.start()
    try:
        while True:
            try:
                drain(inbox, engine, on_settings_changed)
                engine.step()
            except Error as exc:
                LOG.warning("Step failed, continuing: %s", exc)
            except Exception:  # noqa: BLE001 - the loop must survive any single failure
                LOG.exception("Unexpected failure in the service loop, continuing")
            if monitor.waitForAbort(TICK_SECONDS):
                break
    finally:
        cache.set_status(properties.SERVICE, "")
        LOG.info("Service stopped")
