"""Shared-database sync, the pure part: rows, the staleness answer, and the store interface.

A `SharedShow` is one row of the shared `shows` table: a show's computed state (or a tombstone
when the show is finished or gone), the time and device of the event that produced it, and the
revision that last changed it. Every committed change bumps the database's revision in the same
transaction and stamps the rows it changed, so a device that applied revision R pulls exactly
the rows with revision > R. `generation` is a new unique value whenever the shared data is
created or cleared, so an old revision number is never mistaken for the current one. Everything
is scoped to one Kodi video library (`easytv.core.scope`).
"""

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from easytv.core.models import ShowState

try:
    from typing import Protocol
except ImportError:  # pragma: no cover - Python < 3.8
    Protocol = object  # type: ignore[assignment,misc]

SCHEMA_VERSION = 2
"""The schema version this code writes and understands (2: rows, settings, revision, generation and
lock scoped per Kodi video library)."""

LOCK_TTL_SECONDS = 300
"""Population lock lifetime (server time); renewed while populating, taken over when expired."""

SHARED_SETTINGS = ("include_positioned_specials", "random_order_shows")
"""Setting ids whose value lives in the shared database while sync is on (README, "Settings")."""


@dataclass(frozen=True)
class SharedShow:
    """One shared show row.

    `state` None is a tombstone (show finished or removed). `event_time` is seconds since the
    epoch of the event that caused the change (a newer event always wins); `revision` is the
    database revision that last changed the row (0 before it is written).
    """

    tvshowid: int
    title: str
    year: int
    state: Optional[ShowState]
    event_time: float
    device_id: str
    revision: int = 0

    @property
    def deleted(self) -> bool:
        """True for a tombstone."""
        return self.state is None


@dataclass(frozen=True)
class Head:
    """The answer of the one-round-trip staleness check.

    `settings` maps each id of `SHARED_SETTINGS` that has a shared value to that value as a
    string (`"true"`, `"3,12"`); missing ids were never seeded. `server_time` is the database
    server's clock when the head was read (seconds since the epoch, UTC), carried by the same
    query at no extra round trip; 0.0 when the store cannot tell. `generation` is an opaque
    value, unique per creation of the tables and per clear: compare it for equality only.
    """

    revision: int
    generation: int
    settings: Mapping[str, str] = field(default_factory=dict)
    server_time: float = 0.0


@dataclass(frozen=True)
class Device:
    """One row of the device registry. `last_seen` is seconds since the epoch (server clock).

    `library` is the video library (`MyVideos121`) the device last registered from; the registry
    lists the devices of every library, the store fills it in when registering ("" unknown).
    `hint_host`/`hint_port`: where the device listens for wake-up hints (UDP; README,
    "Multi-instance sync"); "" and 0 when it does not, or the store does not keep them.
    """

    device_id: str
    name: str
    addon_version: str = ""
    kodi_version: str = ""
    settings_fingerprint: str = ""
    revision_applied: int = 0
    last_seen: float = 0.0
    library: str = ""
    hint_host: str = ""
    hint_port: int = 0


class SharedStore(Protocol):
    """The shared database. Implementations: `MemoryStore` (tests) and the MySQL store.

    Every method raises `easytv.core.errors.StoreError` (or a subclass) on failure and leaves
    the database unchanged when it fails.
    """

    def head(self) -> Head:
        """Revision, generation, shared settings and the server's time: one round trip."""

    def changes_since(self, revision: int) -> Tuple[Head, List[SharedShow]]:
        """The head and every row (tombstones included) with a revision above `revision`."""

    def shows(self) -> List[SharedShow]:
        """Every row, tombstones included."""

    def write(self, shows: Sequence[SharedShow], settings: Optional[Mapping[str, str]] = None) -> int:
        """Write rows (and shared settings) in one transaction that bumps the revision once.

        A row replaces the stored one only when its `event_time` is not older than the stored
        row's; rows that lose are left as they were (not stamped). Returns the new revision.
        Writing nothing (no rows, no settings) is a no-op that returns the current revision.
        """

    def seed_settings(self, settings: Mapping[str, str]) -> Dict[str, str]:
        """Store each given setting only if it has no shared value yet; return the shared values."""

    def try_lock(self, owner: str, ttl_seconds: int = LOCK_TTL_SECONDS) -> bool:
        """Take or renew the population lock for `owner`; False while another owner holds it."""

    def release_lock(self, owner: str) -> None:
        """Give the lock back if `owner` holds it."""

    def clear(self) -> Head:
        """Delete every show row, set the revision to 0 and give the generation a new unique value."""

    def register_device(self, device: Device) -> None:
        """Insert or update this device's registry row (last seen = now, server clock; library =
        the store's library, whatever `device.library` says)."""

    def devices(self) -> List[Device]:
        """Every registered device, of every library (`Device.library` tells which)."""

    def server_time(self) -> float:
        """The database server's clock in seconds since the epoch: every device stamps its
        event times on this clock, so the conflict rule holds even when a device's own clock
        is wrong."""


def is_newer(candidate: float, stored: float) -> bool:
    """The conflict rule: a change replaces the stored one unless its event is older."""
    return candidate >= stored


@dataclass(frozen=True)
class DatabaseConfig:
    """Kodi's MySQL video-database settings from `advancedsettings.xml` (`<videodatabase>`).

    Defaults are Kodi's own (xbmc/settings/AdvancedSettings.cpp): host `localhost`, port 3306,
    name `MyVideos`. TLS fields hold Kodi's `key, cert, ca, capath, ciphers` tags ("" when
    absent). `source` is the file it came from. The password never appears in `repr()` or
    `describe()`.
    """

    host: str = "localhost"
    port: int = 3306
    user: str = ""
    password: str = field(default="", repr=False)
    name: str = "MyVideos"
    key: str = ""
    cert: str = ""
    ca: str = ""
    capath: str = ""
    ciphers: str = ""
    source: str = ""

    @property
    def shared_database(self) -> str:
        """Name of EasyTV's own database: `easytv_` + lower-cased `name` (`easytv_myvideos`)."""
        return "easytv_" + self.name.lower()

    @property
    def uses_tls(self) -> bool:
        """True when any TLS tag is set."""
        return any((self.key, self.cert, self.ca, self.capath, self.ciphers))

    def describe(self) -> str:
        """`host=..., port=..., user=..., name=...` for logs (no password)."""
        return "host=%s, port=%d, user=%s, name=%s%s" % (self.host, self.port, self.user, self.name,
                                                        ", tls=on" if self.uses_tls else "")
