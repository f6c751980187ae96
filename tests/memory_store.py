"""`MemoryStore`: the reference `SharedStore` in memory, for unit tests and the contract suite.

Mirrors the MySQL store's semantics (revision stamping, conflict rule, lock with TTL, clear
with generation) with an injectable clock standing in for the server's.
"""

import copy
import dataclasses
import time
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from easytv.core.errors import StoreUnavailable
from easytv.core.sync import LOCK_TTL_SECONDS, Device, Head, SharedShow, is_newer


class MemoryStore:
    """A `SharedStore` whose database is a few dicts. Set `down = True` to simulate an outage."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self.revision = 0
        self.generation = 1
        self.rows: Dict[int, SharedShow] = {}
        self.settings: Dict[str, str] = {}
        self.lock: Tuple[str, float] = ("", 0.0)
        self.device_rows: Dict[str, Device] = {}
        self.down = False
        self.round_trips = 0
        self.commits = 0

    def _trip(self) -> None:
        if self.down:
            raise StoreUnavailable("memory store is down")
        self.round_trips += 1

    def head(self) -> Head:
        self._trip()
        return Head(self.revision, self.generation, dict(self.settings))

    def changes_since(self, revision: int) -> Tuple[Head, List[SharedShow]]:
        head = self.head()
        self._trip()
        rows = sorted((r for r in self.rows.values() if r.revision > revision), key=lambda r: r.tvshowid)
        return head, rows

    def shows(self) -> List[SharedShow]:
        self._trip()
        return sorted(self.rows.values(), key=lambda r: r.tvshowid)

    def write(self, shows: Sequence[SharedShow], settings: Optional[Mapping[str, str]] = None) -> int:
        self._trip()
        if not shows and not settings:
            return self.revision
        new_revision = self.revision + 1
        for row in shows:
            stored = self.rows.get(row.tvshowid)
            if stored is None or is_newer(row.event_time, stored.event_time):
                self.rows[row.tvshowid] = dataclasses.replace(row, revision=new_revision)
        if settings:
            self.settings.update(settings)
        self.revision = new_revision
        self._trip()  # COMMIT
        self.commits += 1
        return new_revision

    def seed_settings(self, settings: Mapping[str, str]) -> Dict[str, str]:
        self._trip()
        for name, value in settings.items():
            self.settings.setdefault(name, value)
        return dict(self.settings)

    def try_lock(self, owner: str, ttl_seconds: int = LOCK_TTL_SECONDS) -> bool:
        self._trip()
        holder, expires = self.lock
        now = self._clock()
        if holder in ("", owner) or expires < now:
            self.lock = (owner, now + ttl_seconds)
            return True
        return False

    def release_lock(self, owner: str) -> None:
        self._trip()
        if self.lock[0] == owner:
            self.lock = ("", 0.0)

    def clear(self) -> Head:
        self._trip()
        self.rows.clear()
        self.revision = 0
        self.generation += 1
        return Head(self.revision, self.generation, dict(self.settings))

    def register_device(self, device: Device) -> None:
        self._trip()
        self.device_rows[device.device_id] = dataclasses.replace(device, last_seen=self._clock())

    def server_time(self) -> float:
        self._trip()
        return self._clock()

    def devices(self) -> List[Device]:
        self._trip()
        return [copy.copy(d) for d in sorted(self.device_rows.values(), key=lambda d: d.device_id)]
