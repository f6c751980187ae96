"""The SQL text of every store operation, built once per location.

Identifiers come only from `Tables` (validated and backtick-quoted by `quote_identifier`) and from
constants of this package; every value is a `%s` parameter (or, for multi-row INSERTs, escaped by
the driver's parameter substitution in `easytv.mysql.batches.pack`). Hence the `S608` waivers.

The conflict rule (`easytv.core.sync.is_newer`: a row replaces the stored one unless its event is
older) is decided by the database inside the INSERT ... ON DUPLICATE KEY UPDATE: every column is
`IF(VALUES(event_time) >= event_time, VALUES(col), col)`, and `event_time` is assigned last, so
every IF compares with the stored event time (assignments are evaluated left to right, each
seeing the columns already assigned: MySQL 8.0 manual, "UPDATE Statement"; MariaDB behaves the
same unless SIMULTANEOUS_ASSIGNMENT is set; with `>=` the outcome is the same in either case). A
losing row keeps its old revision stamp. Two rows for one show in one statement are applied in
order, the second under the same rule.
"""

from easytv.mysql.schema import Tables

REVISION_VARIABLE = "@easytv_revision"
"""Session variable holding the revision a write transaction stamps on its rows."""

SETTING = "setting."
"""Prefix of the `meta` rows holding shared settings (`setting.<id>`)."""

SHOW_COLUMNS = ("tvshowid", "title", "year", "deleted", "revision", "device_id", "episodeid", "season", "episode",
                "in_progress", "lastplayed", "state", "event_time")
"""Columns written by the show upsert; `event_time` last (see the module docstring)."""

SHOW_PLACEHOLDERS = "(%s, %s, %s, %s, " + REVISION_VARIABLE + ", %s, %s, %s, %s, %s, %s, %s, %s)"
"""One row of the show upsert: the revision comes from the transaction's session variable."""

READ_COLUMNS = "tvshowid, title, year, deleted, state, event_time, device_id, revision"

DEVICE_COLUMNS = ("device_id", "name", "addon_version", "kodi_version", "settings_fingerprint", "revision_applied",
                  "last_seen")

LOCK_OWNER = "SUBSTRING_INDEX(value, '|', 1)"
LOCK_EXPIRY = "CAST(SUBSTRING_INDEX(value, '|', -1) AS DECIMAL(20, 6))"
SERVER_NOW = "UNIX_TIMESTAMP(NOW(6))"


class Statements:
    """SQL for one location's tables. Attributes are complete statements (or fragments where
    named so); those meant for `cursor.execute(sql, args)` with args have `%s` placeholders."""

    def __init__(self, tables: Tables) -> None:
        meta, shows, devices = tables.meta, tables.shows, tables.devices
        self.head = ("SELECT name, value FROM %s WHERE name IN ('revision', 'generation', 'schema_version') "  # noqa: S608
                     "OR name LIKE '%s%%'" % (meta, SETTING))
        """Revision, generation, schema version and `setting.*` rows (no parameters)."""

        self.head_escaped = self.head.replace("%", "%%")
        """`head` for a statement list that has parameters."""

        self.begin_write = (
            "START TRANSACTION; UPDATE %s SET value = CAST(value AS UNSIGNED) + 1 WHERE name = 'revision'; "  # noqa: S608
            "SELECT CAST(value AS UNSIGNED) INTO %s FROM %s WHERE name = 'revision'; SELECT %s"
            % (meta, REVISION_VARIABLE, meta, REVISION_VARIABLE))
        """Four statements: begin, bump the revision (locks its row until COMMIT), keep it in the
        session variable, return it. Result 1's rowcount is 1 when the revision row exists."""

        assignments = ", ".join("%s = IF(VALUES(event_time) >= event_time, VALUES(%s), %s)" % (c, c, c)
                                for c in SHOW_COLUMNS[1:])
        self.upsert_shows_prefix = "INSERT INTO %s (%s) VALUES " % (shows, ", ".join(SHOW_COLUMNS))  # noqa: S608
        self.upsert_shows_suffix = " ON DUPLICATE KEY UPDATE " + assignments

        self.upsert_settings_prefix = "INSERT INTO %s (name, value) VALUES " % meta  # noqa: S608
        self.upsert_settings_suffix = " ON DUPLICATE KEY UPDATE value = VALUES(value)"
        self.seed_settings_prefix = "INSERT IGNORE INTO %s (name, value) VALUES " % meta  # noqa: S608

        self.select_shows = "SELECT %s FROM %s ORDER BY tvshowid" % (READ_COLUMNS, shows)  # noqa: S608
        self.changes_since = "%s; SELECT %s FROM %s WHERE revision > %%s ORDER BY tvshowid" % (  # noqa: S608
            self.head_escaped, READ_COLUMNS, shows)
        """Head first, then the rows above the `%s` revision: one round trip."""

        self.try_lock = (
            "UPDATE %s SET value = CONCAT(%%s, '|', %s + %%s) WHERE name = 'population_lock' "  # noqa: S608
            "AND (value = '' OR %s = %%s OR %s < %s)" % (meta, SERVER_NOW, LOCK_OWNER, LOCK_EXPIRY, SERVER_NOW))
        """Args (owner, ttl seconds, owner): matches (1 row) when free, held by owner, or expired."""

        self.release_lock = "UPDATE %s SET value = '' WHERE name = 'population_lock' AND %s = %%s" % (  # noqa: S608
            meta, LOCK_OWNER)

        self.clear = (
            "START TRANSACTION; UPDATE %s SET value = '0' WHERE name = 'revision'; "  # noqa: S608
            "UPDATE %s SET value = CAST(value AS UNSIGNED) + 1 WHERE name = 'generation'; DELETE FROM %s; %s"
            % (meta, meta, shows, self.head))
        """Everything but the COMMIT; the last result is the new head."""

        self.register_device = "INSERT INTO %s (%s) VALUES (%s, %s) ON DUPLICATE KEY UPDATE %s" % (  # noqa: S608
            devices, ", ".join(DEVICE_COLUMNS), ", ".join(["%s"] * (len(DEVICE_COLUMNS) - 1)), SERVER_NOW,
            ", ".join("%s = VALUES(%s)" % (c, c) for c in DEVICE_COLUMNS[1:]))
        self.select_devices = "SELECT %s FROM %s ORDER BY device_id" % (", ".join(DEVICE_COLUMNS), devices)  # noqa: S608
