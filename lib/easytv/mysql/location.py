"""Where EasyTV's shared tables live (SPEC §7 "Where"): its own database, or prefixed tables in
Kodi's video database when the user may not create databases.

The choice is deterministic and existing-first, so two devices never end up in different places:

1. database `easytv_<name>` exists (and this user can see it) -> use it;
2. else Kodi's highest-numbered video database `<name>NNN` already holds `easytv_meta` -> use
   the `easytv_`-prefixed tables there;
3. else `CREATE DATABASE IF NOT EXISTS easytv_<name>`; refused for a privilege (1044, 1142,
   1227) -> the prefixed tables in the highest `<name>NNN` (none -> unavailable); any other
   error -> unavailable (never a fallback).

Kodi names its video database `<name>` + its schema version (Kodi 20: `MyVideos121`) and probes
from the highest version down (xbmc/dbwrappers/Database.cpp `CDatabase::Update`); the suffix is
compared as an integer.
"""

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence

import pymysql

from easytv.core.errors import StoreUnavailable
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
        """`database=easytv_myvideos` or `database=MyVideos121, table_prefix=easytv_` (SPEC §8)."""
        if self.table_prefix:
            return "database=%s, table_prefix=%s" % (self.database, self.table_prefix)
        return "database=%s" % self.database


def video_database(name: str, databases: Sequence[str]) -> Optional[str]:
    """The highest-numbered `<name>NNN` among `databases` (case-insensitive, like Kodi on
    servers with `lower_case_table_names`), or None."""
    pattern = re.compile("^%s([0-9]+)$" % re.escape(name), re.IGNORECASE)
    numbered = [(int(m.group(1)), db) for db in databases for m in [pattern.match(db)] if m]
    return max(numbered)[1] if numbered else None


def _databases(cursor) -> List[str]:
    cursor.execute("SHOW DATABASES")
    return [row[0] for row in cursor.fetchall()]


def _has_fallback_tables(cursor, database: str) -> bool:
    cursor.execute("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
                   (database, FALLBACK_PREFIX + "meta"))
    return bool(cursor.fetchone()[0])


def resolve(conn: pymysql.connections.Connection, config: DatabaseConfig) -> Location:
    """Pick (and if needed create) the location for `config` using `conn` (no database selected).

    Raises `StoreUnavailable` when CREATE DATABASE fails for another reason than privileges, or
    when it is refused and there is no `<name>NNN` database to fall back to; `StoreError` for an
    unsafe name; pymysql errors of the look-ups propagate (the caller translates them).
    """
    own = config.shared_database
    quoted = quote_identifier(own)
    quote_identifier(config.name)
    with conn.cursor() as cursor:
        databases = _databases(cursor)
        if own in databases:
            return Location(own)
        video = video_database(config.name, databases)
        if video is not None and _has_fallback_tables(cursor, video):
            return Location(video, FALLBACK_PREFIX)
        try:
            cursor.execute("CREATE DATABASE IF NOT EXISTS %s CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                           % quoted)
            return Location(own)
        except pymysql.err.MySQLError as exc:
            code = error_code(exc)
            if code not in PRIVILEGE_ERRORS:
                raise StoreUnavailable("cannot create database %s: MySQL error %d: %s"
                                       % (own, code, exc.args[-1])) from None
        if video is None:
            raise StoreUnavailable("user %s may not create database %s and no %sNNN video database exists "
                                   "for the fallback tables" % (config.user, own, config.name))
        return Location(video, FALLBACK_PREFIX)
