"""The composition root of the service: the only place that builds the real Kodi adapters, the
MySQL store and the syncer (STYLE rule 9); `easytv.app.service` works on what it is given."""

import logging
import os
import queue
import random
import time
from typing import Dict, List, Optional, Tuple

from easytv.app.applied import AppliedFile
from easytv.app.cache import WindowCache
from easytv.app.clock import ServerClock
from easytv.app.engine import Engine
from easytv.app.hints import hint_scope, local_address_toward, open_hints
from easytv.app.identity import device_id
from easytv.app.interfaces import LocalStore
from easytv.app.journal import Journal
from easytv.app.service import Service
from easytv.app.sync import Syncer
from easytv.app.watching import Watching
from easytv.app.worker import ThreadWorker
from easytv.core import properties
from easytv.core.cancel import Cancel
from easytv.core.settings import Settings, fingerprint, shared_values
from easytv.core.sync import Device
from easytv.kodi import addon, dialogs, jsonrpc, log
from easytv.kodi.library import KodiLibrary
from easytv.kodi.monitor import Monitor
from easytv.kodi.prompt import KodiAsk, KodiPrompt
from easytv.kodi.settings import read_settings, write_random_order_shows, write_shared_values
from easytv.kodi.window import HomeWindow

LOG = logging.getLogger("EasyTV.service")
STORAGE_LOG = logging.getLogger("EasyTV.storage")
SHAREDDB_LOG = logging.getLogger("EasyTV.shareddb")


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
    device = Device(device_id(addon.profile_path()), addon.friendly_name(), addon.version(), addon.kodi_version(),
                    fingerprint(shared_values(service.settings)))
    service.engine.device_id = device.device_id
    token = Cancel()  # one per syncer: close() cancels it, a later syncer gets a new one

    def open_store() -> MySQLStore:
        store = MySQLStore.open(config, device.device_id, kodi_version=device.kodi_version, cancel=token)
        SHAREDDB_LOG.info("Connected to database, host=%s, port=%d", config.host, config.port)
        STORAGE_LOG.info("Using shared database storage, %s", store.describe_location())
        return store

    hints = open_hints(hint_scope(config.name, device.kodi_version, config.shared_database)) \
        if service.settings.sync_hints else None
    return Syncer(service.engine, open_store, device, ThreadWorker(), time.monotonic,
                  poll_seconds=service.settings.sync_poll_seconds,
                  local_settings=lambda: shared_values(service.settings),
                  on_settings=service.on_shared_settings,
                  on_storage=lambda name: service.cache.set_status(properties.STORAGE, name),
                  journal=Journal(os.path.join(addon.profile_path(), "offline_queue.json")),
                  server_clock=service.server_clock, cancel=token,
                  hints=hints, hint_host=lambda: local_address_toward(config.host, config.port),
                  applied_file=AppliedFile(os.path.join(addon.profile_path(), "applied.json")))


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
