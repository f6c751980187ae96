"""The SQL text of every store operation, built once per location.

Identifiers come only from `Tables` (validated and backtick-quoted by `quote_identifier`) and from
constants of this package; every value is a `%s` parameter. The multi-row INSERTs (`SHOW_PLACEHOLDERS`,
`setting_placeholders`) are filled by `easytv.mysql.batches.literal` instead of the driver: text as
a hex literal of its UTF-8 bytes (`X'..'`, digits only), numbers as digits, so no value
from input ever enters SQL text except through that encoding (no escaping involved; the cost of
escaping 5,000 show states was most of a populate). Hence the `S608` waivers.
Every statement is scoped to one video library: its first `%s` parameters are the store's
`library` (see each attribute), except the device registry, which lists every library.

The conflict rule (`easytv.core.sync.is_newer`: a row replaces the stored one unless its event is
older) is decided by the database inside the INSERT ... ON DUPLICATE KEY UPDATE: every column is
`IF(VALUES(event_time) >= event_time, VALUES(col), col)`, and `event_time` is assigned last, so
every IF compares with the stored event time (assignments are evaluated left to right, each
seeing the columns already assigned: MySQL 8.0 manual, "UPDATE Statement"; MariaDB behaves the
same unless SIMULTANEOUS_ASSIGNMENT is set; with `>=` the outcome is the same in either case). A
losing row keeps its old revision stamp. Two rows for one show in one statement are applied in
order, the second under the same rule.

An event time is never stored more than 60 s ahead of the server's clock: each inserted value is
`LEAST(value, @easytv_event_limit)`, the limit taken from `SERVER_NOW + 60` when the
write transaction starts, so `VALUES(event_time)` above is already the clamped value (the README:
"an event time more than a minute in the server's future is never written").
"""

from easytv.mysql.schema import Tables, library_rows

REVISION_VARIABLE = "@easytv_revision"
"""Session variable holding the revision a write transaction stamps on its rows."""

EVENT_LIMIT_VARIABLE = "@easytv_event_limit"
"""Session variable: the latest event time a write transaction may store (server time + 60 s, DOUBLE)."""

EVENT_AHEAD_SECONDS = 60
"""How far ahead of the server's clock an event time may be."""

SETTING = "setting."
"""Prefix of the `meta` rows holding shared settings (`setting.<id>`)."""

SHOW_COLUMNS = ("library", "tvshowid", "title", "year", "deleted", "revision", "device_id", "episodeid", "season",
                "episode", "in_progress", "lastplayed", "state", "event_time")
"""Columns written by the show upsert; `event_time` last (see the module docstring)."""

SHOW_PLACEHOLDERS = ("(%s, %s, %s, %s, %s, " + REVISION_VARIABLE + ", %s, %s, %s, %s, %s, %s, %s, LEAST(%s, "
                     + EVENT_LIMIT_VARIABLE + "))")
"""One row of the show upsert (library first), each `%s` a `batches.literal` (`rows.show_rows`):
the revision comes from the transaction's session variable, the event time is clamped to the
transaction's limit."""

READ_COLUMNS = "tvshowid, title, year, deleted, state, event_time, device_id, revision"

DEVICE_COLUMNS = ("device_id", "name", "addon_version", "kodi_version", "settings_fingerprint", "revision_applied",
                  "library", "hint_host", "hint_port", "last_seen")
"""The registry's columns; `last_seen` last (the upsert sets it to the server's time)."""

LOCK_OWNER = "SUBSTRING_INDEX(value, '|', 1)"
LOCK_EXPIRY = "CAST(SUBSTRING_INDEX(value, '|', -1) AS DECIMAL(20, 6))"
SERVER_NOW = "(UNIX_TIMESTAMP() + MICROSECOND(NOW(6)) * 0.000001)"
"""The server's clock in seconds since the epoch, to the microsecond, whatever the session's
`time_zone`: `UNIX_TIMESTAMP()` without an argument is the epoch itself, and `NOW(6)` of the same
statement shares its start instant (MySQL 8.0 manual, "Date and Time Functions"), whose
microseconds no time zone offset changes. (`UNIX_TIMESTAMP(NOW(6))` converts local time back and
is ambiguous in the repeated hour when daylight saving time ends.)"""


class Statements:
    """SQL for one location's tables. Attributes are complete statements (or fragments where
    named so); those meant for `cursor.execute(sql, args)` with args have `%s` placeholders
    (and `%%` for a literal percent sign)."""

    def __init__(self, tables: Tables) -> None:
        meta, shows, devices = tables.meta, tables.shows, tables.devices
        self.head = (
            "SELECT name, value, %s FROM %s WHERE (library = %%s AND (name IN ('revision', 'generation') "  # noqa: S608
            "OR name LIKE '%s%%%%')) OR (library = '' AND name = 'schema_version')" % (SERVER_NOW, meta, SETTING))
        """Args (library): (name, value, server time) rows of the revision, generation, `setting.*`
        and the schema version; every row carries the server's clock (the schema row always exists)."""

        self.begin_write = (
            "START TRANSACTION; UPDATE %s SET value = CAST(value AS UNSIGNED) + 1 "  # noqa: S608
            "WHERE library = %%s AND name = 'revision'; SELECT CAST(value AS UNSIGNED), %s + %d.0e0 INTO %s, %s "
            "FROM %s WHERE library = %%s AND name = 'revision'; SELECT %s"
            % (meta, SERVER_NOW, EVENT_AHEAD_SECONDS, REVISION_VARIABLE, EVENT_LIMIT_VARIABLE, meta,
               REVISION_VARIABLE))
        """Args (library, library). Four statements: begin, bump the revision (locks its row until
        COMMIT), keep it and the event-time limit in session variables, return the revision.
        Result 1's rowcount is 1 when the revision row exists."""

        assignments = ", ".join("%s = IF(VALUES(event_time) >= event_time, VALUES(%s), %s)" % (c, c, c)
                                for c in SHOW_COLUMNS[2:])
        self.upsert_shows_prefix = "INSERT INTO %s (%s) VALUES " % (shows, ", ".join(SHOW_COLUMNS))  # noqa: S608
        self.upsert_shows_suffix = " ON DUPLICATE KEY UPDATE " + assignments

        self.setting_placeholders = "(%s, %s, %s)"
        """One (library, name, value) row of the settings upserts (`batches.values_row`)."""
        self.upsert_settings_prefix = "INSERT INTO %s (library, name, value) VALUES " % meta  # noqa: S608
        self.upsert_settings_suffix = " ON DUPLICATE KEY UPDATE value = VALUES(value)"
        self.seed_settings_prefix = "INSERT IGNORE INTO %s (library, name, value) VALUES " % meta  # noqa: S608

        self.select_shows = "SELECT %s FROM %s WHERE library = %%s ORDER BY tvshowid" % (READ_COLUMNS, shows)  # noqa: S608
        """Args (library)."""
        self.changes_since = "%s; SELECT %s FROM %s WHERE library = %%s AND revision > %%s" % (  # noqa: S608
            self.head, READ_COLUMNS, shows)
        """Args (library, library, revision): the head first, then the rows above the revision: one
        round trip. No ORDER BY: sorting by tvshowid would let the server walk the primary key
        (every row of the library) instead of the (library, revision) index; the store sorts."""

        self.try_lock = (
            "UPDATE %s SET value = CONCAT(%%s, '|', %s + %%s) WHERE library = %%s AND name = 'population_lock' "  # noqa: S608
            "AND (value = '' OR %s = %%s OR %s < %s)" % (meta, SERVER_NOW, LOCK_OWNER, LOCK_EXPIRY, SERVER_NOW))
        """Args (owner, ttl seconds, library, owner): matches (1 row) when free, held by owner, or expired."""

        self.release_lock = ("UPDATE %s SET value = '' WHERE library = %%s AND name = 'population_lock' "  # noqa: S608
                             "AND %s = %%s" % (meta, LOCK_OWNER))
        """Args (library, owner)."""

        self.clear = (
            "START TRANSACTION; UPDATE %s SET value = '0' WHERE library = %%s AND name = 'revision'; "  # noqa: S608
            "UPDATE %s SET value = %%s WHERE library = %%s AND name = 'generation'; "
            "DELETE FROM %s WHERE library = %%s; %s" % (meta, meta, shows, self.head))
        """Args (library, new generation, library, library, library). Everything but the COMMIT;
        the last result is the new head."""

        self.register_device = "INSERT INTO %s (%s) VALUES (%s, %s) ON DUPLICATE KEY UPDATE %s" % (  # noqa: S608
            devices, ", ".join(DEVICE_COLUMNS), ", ".join(["%s"] * (len(DEVICE_COLUMNS) - 1)), SERVER_NOW,
            ", ".join("%s = VALUES(%s)" % (c, c) for c in DEVICE_COLUMNS[1:]))
        """Args: `rows.device_params` (library included); `last_seen` is server time."""
        self.select_devices = "SELECT %s FROM %s ORDER BY device_id" % (", ".join(DEVICE_COLUMNS), devices)  # noqa: S608
        """Every library's devices (no args)."""

        self.open_library = "%s; SELECT library FROM %s WHERE device_id = %%s" % (  # noqa: S608
            library_rows(tables), devices)
        """Args (library, library, generation, library, device id): create this library's meta
        rows if missing, then the library this device last registered from (no row: new device)."""

        self.begin_upgrade = (
            "START TRANSACTION; UPDATE %s SET value = CAST(value AS UNSIGNED) + 1 "  # noqa: S608
            "WHERE library = %%s AND name = 'revision'; SELECT CAST(value AS UNSIGNED) INTO %s FROM %s "
            "WHERE library = %%s AND name = 'revision'; SELECT (SELECT COUNT(*) FROM %s WHERE library = %%s) + "
            "(SELECT COUNT(*) FROM %s WHERE library = %%s AND name LIKE '%s%%%%')"
            % (meta, REVISION_VARIABLE, meta, shows, meta, SETTING))
        """Args (new library x 4): lock the new library's revision row, bump it, count its rows and
        settings (read after the lock, so a concurrent upgrade's copy is seen). Copy only on 0."""

        copied = ", ".join(REVISION_VARIABLE if c == "revision" else c for c in SHOW_COLUMNS[1:])
        self.copy_library = (
            "INSERT INTO %s (library, name, value) SELECT %%s, name, value FROM %s "  # noqa: S608
            "WHERE library = %%s AND name LIKE '%s%%%%'; INSERT INTO %s (%s) SELECT %%s, %s FROM %s WHERE library = %%s"
            % (meta, meta, SETTING, shows, ", ".join(SHOW_COLUMNS), copied,
               shows))
        """Args (new, old, new, old): the old library's settings and rows into the new one, the rows
        stamped with the new library's bumped revision (inside `begin_upgrade`'s transaction)."""
