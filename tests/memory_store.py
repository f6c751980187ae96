"""`MemoryStore`: the reference `SharedStore` in memory, for unit tests and the contract suite.

Mirrors the MySQL store's semantics (revision stamping, conflict rule, lock with TTL, clear with
a new unique generation, the event-time clamp, one scope per video library, the carry-over of an
upgraded device's previous library) with an injectable clock standing in for the server's. A
`MemoryServer` holds every library's data and the one device registry; several `MemoryStore`s
on one server are devices on one database server.
"""

import copy
import dataclasses
import secrets
import time
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from easytv.core.errors import StoreUnavailable
from easytv.core.scope import library_number
from easytv.core.sync import LOCK_TTL_SECONDS, Device, Head, SharedShow, is_newer

DEFAULT_LIBRARY = "MyVideos121"
EVENT_AHEAD_SECONDS = 60.0


class Scope:
    """One library's shared data."""

    def __init__(self) -> None:
        self.revision = 0
        self.generation = secrets.randbits(62)
        self.rows: Dict[int, SharedShow] = {}
        self.settings: Dict[str, str] = {}
        self.lock: Tuple[str, float] = ("", 0.0)


class MemoryServer:
    """Every library's `Scope` (by lower-cased name, like a case-insensitive collation) and the registry."""

    def __init__(self) -> None:
        self.scopes: Dict[str, Scope] = {}
        self.device_rows: Dict[str, Device] = {}

    def scope(self, library: str) -> Scope:
        return self.scopes.setdefault(library.lower(), Scope())


class MemoryStore:
    """A `SharedStore` whose database is a few dicts. Set `down = True` to simulate an outage.

    `library` is the store's scope; `server` another store's `server` to share it; `device_id`
    (as `MySQLStore.open` takes it) triggers the carry-over from its previous library.
    """

    def __init__(self, clock: Callable[[], float] = time.time, library: str = DEFAULT_LIBRARY,
                 server: Optional[MemoryServer] = None, device_id: str = "") -> None:
        self._clock = clock
        self.library = library
        self.server = server if server is not None else MemoryServer()
        self.scope = self.server.scope(library)
        self.down = False
        self.round_trips = 0
        self.commits = 0
        previous = self.server.device_rows.get(device_id)
        if previous is not None:
            self._carry_over(previous.library)

    def _carry_over(self, previous: str) -> None:
        old, new = library_number("MyVideos", previous), library_number("MyVideos", self.library)
        if old is None or new is None or old >= new or self.scope.rows or self.scope.settings:
            return
        source = self.server.scope(previous)
        self.scope.revision += 1
        self.scope.settings.update(source.settings)
        self.scope.rows = {k: dataclasses.replace(r, revision=self.scope.revision) for k, r in source.rows.items()}

    # Read access for tests, as before scopes existed.
    revision = property(lambda self: self.scope.revision)
    generation = property(lambda self: self.scope.generation)
    rows = property(lambda self: self.scope.rows)
    settings = property(lambda self: self.scope.settings)
    lock = property(lambda self: self.scope.lock)
    device_rows = property(lambda self: self.server.device_rows)

    def _trip(self) -> None:
        if self.down:
            raise StoreUnavailable("memory store is down")
        self.round_trips += 1

    def _head(self) -> Head:
        scope = self.scope
        return Head(scope.revision, scope.generation, dict(scope.settings), float(self._clock()))

    def head(self) -> Head:
        self._trip()
        return self._head()

    def changes_since(self, revision: int) -> Tuple[Head, List[SharedShow]]:
        head = self.head()
        self._trip()
        rows = sorted((r for r in self.scope.rows.values() if r.revision > revision), key=lambda r: r.tvshowid)
        return head, rows

    def shows(self) -> List[SharedShow]:
        self._trip()
        return sorted(self.scope.rows.values(), key=lambda r: r.tvshowid)

    def write(self, shows: Sequence[SharedShow], settings: Optional[Mapping[str, str]] = None) -> int:
        self._trip()
        scope = self.scope
        if not shows and not settings:
            return scope.revision
        new_revision = scope.revision + 1
        limit = self._clock() + EVENT_AHEAD_SECONDS
        for row in shows:
            row = dataclasses.replace(row, event_time=min(row.event_time, limit), revision=new_revision)
            stored = scope.rows.get(row.tvshowid)
            if stored is None or is_newer(row.event_time, stored.event_time):
                scope.rows[row.tvshowid] = row
        if settings:
            scope.settings.update(settings)
        scope.revision = new_revision
        self._trip()  # COMMIT
        self.commits += 1
        return new_revision

    def seed_settings(self, settings: Mapping[str, str]) -> Dict[str, str]:
        self._trip()
        for name, value in settings.items():
            self.scope.settings.setdefault(name, value)
        return dict(self.scope.settings)

    def try_lock(self, owner: str, ttl_seconds: int = LOCK_TTL_SECONDS) -> bool:
        self._trip()
        holder, expires = self.scope.lock
        now = self._clock()
        if holder in ("", owner) or expires < now:
            self.scope.lock = (owner, now + ttl_seconds)
            return True
        return False

    def release_lock(self, owner: str) -> None:
        self._trip()
        if self.scope.lock[0] == owner:
            self.scope.lock = ("", 0.0)

    def clear(self) -> Head:
        self._trip()
        self.scope.rows.clear()
        self.scope.revision = 0
        self.scope.generation = secrets.randbits(62)
        return self._head()

    def register_device(self, device: Device) -> None:
        self._trip()
        self.server.device_rows[device.device_id] = dataclasses.replace(device, last_seen=self._clock(),
                                                                        library=self.library)

    def server_time(self) -> float:
        self._trip()
        return self._clock()

    def devices(self) -> List[Device]:
        self._trip()
        return [copy.copy(d) for d in sorted(self.server.device_rows.values(), key=lambda d: d.device_id)]
