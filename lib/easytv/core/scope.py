"""Which Kodi video library a device is on: the scope of everything it shares (pure).

Kodi names its video database `<name>` + the schema version of its release (`MyVideos121`),
and two Kodi releases on one MySQL server therefore keep two separate libraries, with their own
tvshowids, playcounts and resume points. Kodi copies the old database into the new one once, at
the first start of the newer release; after that they drift apart. A device shares rows,
settings, random picks, the revision and the population lock only with devices on the same
library (README, "Multi-instance sync").

The schema versions are `CVideoDatabase::GetSchemaVersion()` in xbmc/video/VideoDatabase.cpp of
each release branch (Matrix 119, Nexus 121, Omega 131); the project's test notes confirm Kodi 20
creates `MyVideos121` and Kodi 21 `MyVideos131` on a real server.
"""

import re
from typing import Dict, Optional, Sequence

from easytv.core.errors import StoreError

VIDEO_SCHEMA = {19: 119, 20: 121, 21: 131}
"""Kodi major version -> video database schema version (see the module docstring)."""

DEFAULT_KODI_VERSION = "20.1 (20.1.0)"
"""The Kodi version assumed where a caller passes none: tests and benches only (Kodi 20's
library, `<name>121`). Production code always passes Kodi's `System.BuildVersion`."""

_MAJOR = re.compile(r"^\s*([0-9]{1,3})(?:\.|\s|-|$)")


def kodi_major(build_version: str) -> Optional[int]:
    """The major version of Kodi's `System.BuildVersion` (`"20.1 (20.1.0) Git:20230311-..."` -> 20,
    `"21.2 (21.2.0) Debian package version: ..."` -> 21), or None when it does not start with one."""
    match = _MAJOR.match(build_version or "")
    return int(match.group(1)) if match else None


def numbered_databases(name: str, databases: Sequence[str]) -> Dict[int, str]:
    """`{NNN: database}` for every `<name>NNN` among `databases` (case-insensitive, like Kodi on
    servers with `lower_case_table_names`; the suffix compared as an integer)."""
    pattern = re.compile("^%s([0-9]+)$" % re.escape(name), re.IGNORECASE)
    found: Dict[int, str] = {}
    for database in databases:
        match = pattern.match(database)
        if match:
            found[int(match.group(1))] = database
    return found


def library_for(name: str, kodi_version: str, databases: Sequence[str]) -> str:
    """This device's video database name, the key of its scope (`"MyVideos121"` for Kodi 20).

    Known releases (`VIDEO_SCHEMA`) map to `<name>` + their schema version, whether or not that
    database is in `databases` yet. A release newer than every known one uses the highest
    `<name>NNN` in `databases` above the newest known schema (Kodi creates its database before
    add-ons start), never an older library. Compare the result case-insensitively.

    Raises `StoreError` (sync then stays local) for an unparseable version, a release older than
    Kodi 19, or a newer release whose database is not among `databases`.
    """
    major = kodi_major(kodi_version)
    if major is None:
        raise StoreError("cannot tell the Kodi version from %r; the video library is unknown, so sync stays off"
                         % (kodi_version,))
    if major in VIDEO_SCHEMA:
        return "%s%d" % (name, VIDEO_SCHEMA[major])
    newest = max(VIDEO_SCHEMA)
    if major < min(VIDEO_SCHEMA):
        raise StoreError("Kodi %d is older than EasyTV supports (Kodi %d or newer)" % (major, min(VIDEO_SCHEMA)))
    newer = {n: db for n, db in numbered_databases(name, databases).items() if n > VIDEO_SCHEMA[newest]}
    if not newer:
        raise StoreError("Kodi %d is newer than this EasyTV knows and no %sNNN database above %s%d exists; "
                         "sync stays off rather than join another Kodi's library" % (major, name, name,
                                                                                      VIDEO_SCHEMA[newest]))
    return "%s%d" % (name, max(newer))


def same_library(a: str, b: str) -> bool:
    """True when two library names name the same database (case-insensitive)."""
    return a.lower() == b.lower()


def library_number(name: str, library: str) -> Optional[int]:
    """The schema number of `library` (`"MyVideos121"` -> 121), or None when it is not `<name>NNN`."""
    numbers = list(numbered_databases(name, [library]))
    return numbers[0] if numbers else None
