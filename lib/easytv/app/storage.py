"""Switches the engine between local and shared storage at runtime (`multi_instance_sync`)."""

import logging
from typing import Callable, Optional

from easytv.app.cache import WindowCache
from easytv.app.engine import Engine
from easytv.app.interfaces import LocalStore
from easytv.app.sync import Syncer
from easytv.core import properties

STORAGE_LOG = logging.getLogger("EasyTV.storage")


class Storage:
    """Owns the current `Syncer` (sync on) or none (sync off) and keeps the engine pointed at it.

    `make_syncer()` builds a syncer, or returns None when sync cannot run (no pymysql, no MySQL
    configuration); it reports why itself.
    """

    def __init__(self, engine: Engine, cache: WindowCache, make_syncer: Callable[[], Optional[Syncer]]) -> None:
        self._engine = engine
        self._cache = cache
        self._make_syncer = make_syncer
        self.syncer: Optional[Syncer] = None
        self._wanted = False

    def apply(self, sync_on: bool) -> None:
        """Turn sync on or off; a no-op when it is already as asked."""
        if sync_on == self._wanted:
            return
        self._wanted = sync_on
        if sync_on:
            syncer = self._make_syncer()
            if syncer is None:
                return
            self.syncer = syncer
            self._engine.store = syncer
            return
        syncer, self.syncer = self.syncer, None
        self._engine.store = LocalStore()
        if syncer is not None:
            syncer.close()
        self._cache.set_status(properties.STORAGE, LocalStore.name)
        STORAGE_LOG.info("Using window property storage")

    def tick(self) -> None:
        """Let the syncer make progress (never blocks)."""
        if self.syncer is not None:
            self.syncer.tick()

    def close(self) -> None:
        """Stop syncing (service exit)."""
        if self.syncer is not None:
            self.syncer.close()
