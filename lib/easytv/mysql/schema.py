"""The shared tables and their forward migrations (columns documented in the README, "The shared
tables").

Since version 2 every row belongs to one Kodi video library (`library` = `MyVideos121`, ...;
`easytv.core.scope`). `meta` holds (library, name, value) rows: `schema_version` (library ""),
and per library `revision` (starts at 0), `generation` (a random 62-bit number drawn when the
library's rows are created and at every clear, so a re-created or restored database never
repeats one), `population_lock` (`owner|expiry`, expiry in server seconds since the epoch, ""
when free) and `setting.<id>` for each shared setting. `shows` has one row per (library, tracked
show) (`deleted` = 1 is a tombstone), stamped with the library's `revision` that last changed it.
`devices` is one registry for every library, with the library each device last registered from.

`MIGRATIONS[v]` takes a database from version v to v + 1; version 0 is "only `meta` exists".
Every step must be safe to run twice (a device may die half-way; DDL commits implicitly), so
each ALTER checks `information_schema.COLUMNS` first and each data step only touches rows not
yet moved. The steps run under the named lock `GET_LOCK` (MySQL 8.0 manual, "Locking
Functions"), which needs no privilege. Only syntax MySQL 8.0 and MariaDB share is used.
"""

import hashlib
import secrets
from typing import Any, Callable, List

import pymysql

from easytv.core.errors import SchemaTooNew, StoreError, StoreUnavailable
from easytv.core.scope import VIDEO_SCHEMA, library_for
from easytv.core.sync import SCHEMA_VERSION
from easytv.mysql.location import Location, list_databases

TABLE_OPTIONS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
MIGRATION_LOCK_SECONDS = 10
LOCK_NAME_LENGTH = 64
"""MySQL rejects `GET_LOCK` names longer than 64 characters (MySQL 8.0 manual, "Locking Functions")."""

TITLE_LENGTH = 1000
"""Characters kept of a show title (`shows.title` is VARCHAR(1000))."""

NAME_LENGTH = 255
"""Characters kept of device names and versions (VARCHAR(255) columns)."""

HINT_HOST_LENGTH = 64
"""Characters kept of a device's wake-up hint host (an IPv4 or IPv6 address)."""

LIBRARY_COLUMN = "library VARCHAR(64) NOT NULL DEFAULT ''"
"""A video database name (a MySQL identifier: at most 64 characters)."""


class Tables:
    """Quoted, database-qualified names of the three tables of one `Location`."""

    def __init__(self, location: Location) -> None:
        self.location = location
        self.meta = location.table("meta")
        self.shows = location.table("shows")
        self.devices = location.table("devices")


def new_generation() -> int:
    """A fresh `generation`: 62 random bits (`secrets.randbits`), so no creation or clear repeats one."""
    return secrets.randbits(62)


def lock_name(prefix: str, database: str) -> str:
    """`prefix` + `database` (lower-cased), or + the first 16 hex digits of its SHA-1 when that
    would exceed MySQL's 64-character limit for lock names."""
    name = prefix + database.lower()
    if len(name) <= LOCK_NAME_LENGTH:
        return name
    return prefix + hashlib.sha1(database.lower().encode("utf-8")).hexdigest()[:16]


def _create_meta(tables: Tables) -> List[str]:
    # The version-1 shape; `_version_2` adds the library column. Only `schema_version` is seeded
    # here (it works on both shapes); each library's rows come from `library_rows`.
    return [
        "CREATE TABLE IF NOT EXISTS %s (name VARCHAR(191) NOT NULL PRIMARY KEY, value TEXT NOT NULL) %s"
        % (tables.meta, TABLE_OPTIONS),
        "INSERT IGNORE INTO %s (name, value) VALUES ('schema_version', '0')" % tables.meta,  # noqa: S608 - quoted
    ]


def _version_1(cursor: Any, tables: Tables, name: str) -> None:
    """Shows (with the display fields other tools read) and the device registry."""
    meta_rows = "('revision', '0'), ('generation', %s), ('population_lock', '')"
    cursor.execute("INSERT IGNORE INTO %s (name, value) VALUES %s" % (tables.meta, meta_rows),  # noqa: S608
                   (str(new_generation()),))
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS %s ("
        " tvshowid INT NOT NULL PRIMARY KEY,"
        " title VARCHAR(%d) NOT NULL DEFAULT '',"
        " year INT NOT NULL DEFAULT 0,"
        " deleted TINYINT(1) NOT NULL DEFAULT 0,"
        " revision BIGINT UNSIGNED NOT NULL DEFAULT 0,"
        " event_time DOUBLE NOT NULL DEFAULT 0,"
        " device_id VARCHAR(191) NOT NULL DEFAULT '',"
        " episodeid INT NULL, season INT NULL, episode INT NULL,"
        " in_progress TINYINT(1) NOT NULL DEFAULT 0,"
        " lastplayed VARCHAR(32) NOT NULL DEFAULT '',"
        " state MEDIUMTEXT NULL,"
        " KEY revision (revision),"
        " KEY title_year (title(191), year)"
        ") %s" % (tables.shows, TITLE_LENGTH, TABLE_OPTIONS))
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS %s ("
        " device_id VARCHAR(191) NOT NULL PRIMARY KEY,"
        " name VARCHAR(%d) NOT NULL DEFAULT '',"
        " addon_version VARCHAR(%d) NOT NULL DEFAULT '',"
        " kodi_version VARCHAR(%d) NOT NULL DEFAULT '',"
        " settings_fingerprint VARCHAR(%d) NOT NULL DEFAULT '',"
        " revision_applied BIGINT UNSIGNED NOT NULL DEFAULT 0,"
        " last_seen DOUBLE NOT NULL DEFAULT 0"
        ") %s" % (tables.devices, NAME_LENGTH, NAME_LENGTH, NAME_LENGTH, NAME_LENGTH, TABLE_OPTIONS))


def _has_column(cursor: Any, location: Location, table: str, column: str) -> bool:
    cursor.execute("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s "
                   "AND COLUMN_NAME = %s", (location.database, location.table_prefix + table, column))
    return bool(cursor.fetchone()[0])


def _library_of(name: str, kodi_version: str, databases: List[str]) -> str:
    """The library a version-1 writer was on; `<name>121` (Kodi 20, the only release version 1
    was tested with) when its Kodi version tells none."""
    try:
        return library_for(name, kodi_version, databases)
    except StoreError:
        return "%s%d" % (name, VIDEO_SCHEMA[20])


def _version_2(cursor: Any, tables: Tables, name: str) -> None:
    """Scope everything per library. Existing rows go to the library of the device that wrote
    them (`shows.device_id` -> its registry row's Kodi version), unknown writers to `<name>121`;
    the old revision, settings and lock are copied to every library that has rows or devices
    (or to `<name>121`), each with a new generation so every device reconciles once."""
    location = tables.location
    if not _has_column(cursor, location, "meta", "library"):
        cursor.execute("ALTER TABLE %s ADD COLUMN %s FIRST, DROP PRIMARY KEY, ADD PRIMARY KEY (library, name)"
                       % (tables.meta, LIBRARY_COLUMN))
    if not _has_column(cursor, location, "shows", "library"):
        cursor.execute("ALTER TABLE %s ADD COLUMN %s FIRST, DROP PRIMARY KEY, ADD PRIMARY KEY (library, tvshowid), "
                       "DROP KEY revision, ADD KEY revision (library, revision)" % (tables.shows, LIBRARY_COLUMN))
    if not _has_column(cursor, location, "devices", "library"):
        cursor.execute("ALTER TABLE %s ADD COLUMN %s" % (tables.devices, LIBRARY_COLUMN))
    if not _has_column(cursor, location, "devices", "hint_port"):
        # Where the device listens for wake-up hints (UDP host and port; "" and 0: it does not).
        cursor.execute("ALTER TABLE %s ADD COLUMN hint_host VARCHAR(%d) NOT NULL DEFAULT '', "
                       "ADD COLUMN hint_port INT NOT NULL DEFAULT 0" % (tables.devices, HINT_HOST_LENGTH))
    databases = list_databases(cursor)
    cursor.execute("SELECT device_id, kodi_version FROM %s WHERE library = ''" % tables.devices)  # noqa: S608
    for device_id, kodi_version in cursor.fetchall():
        cursor.execute("UPDATE %s SET library = %%s WHERE device_id = %%s" % tables.devices,  # noqa: S608
                       (_library_of(name, kodi_version, databases), device_id))
    cursor.execute("UPDATE %s AS s JOIN %s AS d ON d.device_id = s.device_id SET s.library = d.library "  # noqa: S608
                   "WHERE s.library = '' AND d.library <> ''" % (tables.shows, tables.devices))
    default = "%s%d" % (name, VIDEO_SCHEMA[20])
    cursor.execute("UPDATE %s SET library = %%s WHERE library = ''" % tables.shows, (default,))  # noqa: S608
    # Plain reads and parameterised INSERTs rather than INSERT ... SELECT from the same table or
    # UNION DISTINCT, which make the server build internal temporary tables.
    cursor.execute("SELECT DISTINCT library FROM %s" % tables.shows)  # noqa: S608 - the primary key's prefix
    found = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT library FROM %s WHERE library <> ''" % tables.devices)  # noqa: S608
    found += [row[0] for row in cursor.fetchall()]
    libraries = list({library.lower(): library for library in reversed(found)}.values()) or [default]
    cursor.execute("SELECT name, value FROM %s WHERE library = '' AND name <> 'schema_version'" % tables.meta)  # noqa: S608
    old = list(cursor.fetchall())
    for library in libraries:
        generation = str(new_generation())
        copied = [(library, key, generation if key == "generation" else value) for key, value in old]
        if copied:
            cursor.executemany("INSERT IGNORE INTO %s (library, name, value) VALUES (%%s, %%s, %%s)"  # noqa: S608
                               % tables.meta, copied)
    cursor.execute("DELETE FROM %s WHERE library = '' AND name <> 'schema_version'" % tables.meta)  # noqa: S608


MIGRATIONS: List[Callable[[Any, Tables, str], None]] = [_version_1, _version_2]
"""`MIGRATIONS[v](cursor, tables, name)` takes version v to v + 1 (one per `SCHEMA_VERSION`);
`name` is Kodi's database `<name>` (`MyVideos`)."""


def library_rows(tables: Tables) -> str:
    """INSERT IGNORE of a library's own `meta` rows (args: library, library, generation, library):
    revision 0, a new generation, a free lock. Never overwrites."""
    return ("INSERT IGNORE INTO %s (library, name, value) VALUES (%%s, 'revision', '0'), "  # noqa: S608 - quoted
            "(%%s, 'generation', %%s), (%%s, 'population_lock', '')" % tables.meta)


def _read_version(cursor, tables: Tables) -> int:
    cursor.execute("SELECT value FROM %s WHERE name = 'schema_version'" % tables.meta)  # noqa: S608 - quoted
    row = cursor.fetchone()
    try:
        return int(row[0]) if row else 0
    except ValueError:
        raise SchemaTooNew("schema_version is %r, not a number this EasyTV knows" % (row[0],)) from None


def check_version(version: int) -> None:
    """Raise `SchemaTooNew` when `version` is newer than `SCHEMA_VERSION`."""
    if version > SCHEMA_VERSION:
        raise SchemaTooNew("shared database schema %d is newer than this EasyTV's %d; staying local"
                           % (version, SCHEMA_VERSION))


def ensure(conn: pymysql.connections.Connection, tables: Tables, name: str) -> int:
    """Create or migrate the tables to `SCHEMA_VERSION`; return the version found before.

    `name` is Kodi's database `<name>` (`MyVideos`), for assigning old rows to libraries. Fast
    path (schema current): three short statements, no lock. Raises `SchemaTooNew` for a newer
    database, `StoreUnavailable` when the migration lock is not granted within 10 s; pymysql
    errors propagate (the caller translates them).
    """
    with conn.cursor() as cursor:
        for statement in _create_meta(tables):
            cursor.execute(statement)
        found = _read_version(cursor, tables)
        check_version(found)
        if found == SCHEMA_VERSION:
            return found
        lock = lock_name("easytv_schema.", tables.location.database)
        cursor.execute("SELECT GET_LOCK(%s, %s)", (lock, MIGRATION_LOCK_SECONDS))
        if cursor.fetchone()[0] != 1:
            raise StoreUnavailable("another device is migrating the shared tables (lock %s)" % lock)
        try:
            version = _read_version(cursor, tables)
            check_version(version)
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](cursor, tables, name)
                version += 1
                cursor.execute("UPDATE %s SET value = %%s WHERE name = 'schema_version'" % tables.meta,  # noqa: S608
                               (str(version),))
        finally:
            cursor.execute("SELECT RELEASE_LOCK(%s)", (lock,))
            cursor.fetchall()
        return found
