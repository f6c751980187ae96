"""The shared tables and their forward migrations (SPEC §7; columns documented in the README).

`meta` holds name/value rows: `schema_version`, `revision` (starts at 0), `generation` (starts
at 1), `population_lock` (`owner|expiry`, expiry in server seconds since the epoch, "" when free)
and `setting.<id>` for each shared setting. `shows` has one row per tracked show (`deleted` = 1
is a tombstone), stamped with the `revision` that last changed it. `devices` is the registry.

`MIGRATIONS[v]` takes a database from version v to v + 1; version 0 is "only `meta` exists".
Every step must be safe to run twice, because devices may start at the same moment; the steps
run under the named lock `GET_LOCK` (MySQL 8.0 manual, "Locking Functions"), which needs no privilege.
"""

from typing import Callable, List

import pymysql

from easytv.core.errors import SchemaTooNew, StoreUnavailable
from easytv.core.sync import SCHEMA_VERSION
from easytv.mysql.location import Location

TABLE_OPTIONS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
MIGRATION_LOCK_SECONDS = 10

TITLE_LENGTH = 1000
"""Characters kept of a show title (`shows.title` is VARCHAR(1000))."""

NAME_LENGTH = 255
"""Characters kept of device names and versions (VARCHAR(255) columns)."""


class Tables:
    """Quoted, database-qualified names of the three tables of one `Location`."""

    def __init__(self, location: Location) -> None:
        self.location = location
        self.meta = location.table("meta")
        self.shows = location.table("shows")
        self.devices = location.table("devices")


META_DEFAULTS = "('schema_version', '0'), ('revision', '0'), ('generation', '1'), ('population_lock', '')"
"""The `meta` rows every database starts with (INSERT IGNORE: never overwrites)."""


def _create_meta(tables: Tables) -> List[str]:
    return [
        "CREATE TABLE IF NOT EXISTS %s (name VARCHAR(191) NOT NULL PRIMARY KEY, value TEXT NOT NULL) %s"
        % (tables.meta, TABLE_OPTIONS),
        "INSERT IGNORE INTO %s (name, value) VALUES %s" % (tables.meta, META_DEFAULTS),  # noqa: S608 - constants
    ]


def _version_1(tables: Tables) -> List[str]:
    """Shows (with the display fields other tools read) and the device registry."""
    return [
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
        ") %s" % (tables.shows, TITLE_LENGTH, TABLE_OPTIONS),
        "CREATE TABLE IF NOT EXISTS %s ("
        " device_id VARCHAR(191) NOT NULL PRIMARY KEY,"
        " name VARCHAR(%d) NOT NULL DEFAULT '',"
        " addon_version VARCHAR(%d) NOT NULL DEFAULT '',"
        " kodi_version VARCHAR(%d) NOT NULL DEFAULT '',"
        " settings_fingerprint VARCHAR(%d) NOT NULL DEFAULT '',"
        " revision_applied BIGINT UNSIGNED NOT NULL DEFAULT 0,"
        " last_seen DOUBLE NOT NULL DEFAULT 0"
        ") %s" % (tables.devices, NAME_LENGTH, NAME_LENGTH, NAME_LENGTH, NAME_LENGTH, TABLE_OPTIONS),
    ]


MIGRATIONS: List[Callable[[Tables], List[str]]] = [_version_1]
"""`MIGRATIONS[v]` returns the statements taking version v to v + 1 (one per `SCHEMA_VERSION`)."""


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


def ensure(conn: pymysql.connections.Connection, tables: Tables) -> int:
    """Create or migrate the tables to `SCHEMA_VERSION`; return the version found before.

    Fast path (schema current): three short statements, no lock. Raises `SchemaTooNew` for a newer database,
    `StoreUnavailable` when the migration lock is not granted within 10 s; pymysql errors
    propagate (the caller translates them).
    """
    with conn.cursor() as cursor:
        for statement in _create_meta(tables):
            cursor.execute(statement)
        found = _read_version(cursor, tables)
        check_version(found)
        if found == SCHEMA_VERSION:
            return found
        lock_name = "easytv_schema." + tables.location.database
        cursor.execute("SELECT GET_LOCK(%s, %s)", (lock_name, MIGRATION_LOCK_SECONDS))
        if cursor.fetchone()[0] != 1:
            raise StoreUnavailable("another device is migrating the shared tables (lock %s)" % lock_name)
        try:
            version = _read_version(cursor, tables)
            check_version(version)
            while version < SCHEMA_VERSION:
                for statement in MIGRATIONS[version](tables):
                    cursor.execute(statement)
                version += 1
                cursor.execute("UPDATE %s SET value = %%s WHERE name = 'schema_version'" % tables.meta,  # noqa: S608
                               (str(version),))
        finally:
            cursor.execute("SELECT RELEASE_LOCK(%s)", (lock_name,))
            cursor.fetchall()
        return found
