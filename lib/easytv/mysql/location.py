"""Where EasyTV's shared tables live (README, "Multi-instance sync"): its own database, or
prefixed tables in the device's own Kodi video database when the user may not create databases.

The choice is deterministic and existing-first, so two devices of one library never end up in
different places:

1. database `easytv_<name>` exists (and this user can see it) -> use it;
2. else the device's own video database `<name>NNN` (`easytv.core.scope.library_for`) already
   holds `easytv_meta` -> use the `easytv_`-prefixed tables there;
3. else `CREATE DATABASE IF NOT EXISTS easytv_<name>`; refused for a privilege (1044, 1142,
   1227) -> the prefixed tables in the device's own `<name>NNN` (absent -> unavailable); any
   other error -> unavailable (never a fallback).

The fallback is never another Kodi's (for example a newer one's) video database: that is another
library (`easytv.core.scope`). Kodi names its video database `<name>` + its schema version (Kodi
20: `MyVideos121`); names are compared case-insensitively, as on `lower_case_table_names` servers.
"""

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import pymysql

from easytv.core.errors import StoreUnavailable
from easytv.core.scope import library_for, same_library
from easytv.core.sync import DatabaseConfig
from easytv.mysql.connection import PRIVILEGE_ERRORS, error_code, quote_identifier

FALLBACK_PREFIX = "easytv_"


@dataclass(frozen=True)
class Location:
    """A database and the prefix of EasyTV's table names in it (`""` in its own database)."""

    database: str
    table_prefix: str = ""

    def table(self, name: str) -> str:
        """Quoted, database-qualified table name: `` `MyVideos121`.`easytv_meta` ``."""
        return "%s.%s" % (quote_identifier(self.database), quote_identifier(self.table_prefix + name))

    def describe(self) -> str:
        """`database=easytv_myvideos` or `database=MyVideos121, table_prefix=easytv_` (log line of the README)."""
        if self.table_prefix:
            return "database=%s, table_prefix=%s" % (self.database, self.table_prefix)
        return "database=%s" % self.database


def own_video_database(library: str, databases: Sequence[str]) -> Optional[str]:
    """The database among `databases` that is `library` (case-insensitive), or None."""
    for database in databases:
        if same_library(database, library):
            return database
    return None


def list_databases(cursor) -> List[str]:
    """`SHOW DATABASES` (only those this user may see)."""
    cursor.execute("SHOW DATABASES")
    return [row[0] for row in cursor.fetchall()]


def has_fallback_tables(cursor, database: str, table: str = "meta") -> bool:
    """True when `database` holds EasyTV's prefixed table `table` (`easytv_meta`)."""
    cursor.execute("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
                   (database, FALLBACK_PREFIX + table))
    return bool(cursor.fetchone()[0])


def resolve(conn: pymysql.connections.Connection, config: DatabaseConfig, kodi_version: str) -> Tuple[Location, str]:
    """Pick (and if needed create) the location for `config` using `conn` (no database selected);
    return it and this device's library (`MyVideos121`), the scope of what it shares.

    Raises `StoreError` for an unsafe name or a Kodi version whose library is unknown
    (`easytv.core.scope.library_for`), `StoreUnavailable` when CREATE DATABASE fails for another
    reason than privileges, or when it is refused and the device's own `<name>NNN` does not
    exist; pymysql errors of the look-ups propagate (the caller translates them).
    """
    own = config.shared_database
    quoted = quote_identifier(own)
    quote_identifier(config.name)
    with conn.cursor() as cursor:
        databases = list_databases(cursor)
        library = library_for(config.name, kodi_version, databases)
        quote_identifier(library)
        if own in databases:
            return Location(own), library
        video = own_video_database(library, databases)
        if video is not None and has_fallback_tables(cursor, video):
            return Location(video, FALLBACK_PREFIX), library
        try:
            cursor.execute("CREATE DATABASE IF NOT EXISTS %s CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                           % quoted)
            return Location(own), library
        except pymysql.err.MySQLError as exc:
            code = error_code(exc)
            if code not in PRIVILEGE_ERRORS:
                raise StoreUnavailable("cannot create database %s: MySQL error %d: %s"
                                       % (own, code, exc.args[-1])) from None
        if video is None:
            raise StoreUnavailable("user %s may not create database %s and this Kodi's video database %s does not "
                                   "exist for the fallback tables" % (config.user, own, library))
        return Location(video, FALLBACK_PREFIX), library
