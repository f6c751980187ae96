"""EasyTV's shared tables in MariaDB (README, "The shared tables"), read as root: where they are,
what they hold. Every read is scoped to one video library (the ``library`` column, schema 2)."""

from __future__ import annotations

from dataclasses import dataclass

from .library import VIDEO_DB
from .mariadb import MariaDB

SHOW_COLUMNS = ("tvshowid", "title", "year", "deleted", "revision", "event_time", "device_id",
                "episodeid", "season", "episode", "in_progress", "lastplayed")
INT_COLUMNS = {"tvshowid", "year", "deleted", "revision", "episodeid", "season", "episode",
               "in_progress", "revision_applied"}


@dataclass(frozen=True)
class SharedLocation:
    """Where a device keeps the shared tables: ``database``, a table-name ``prefix``, and the
    video ``library`` whose rows are read (the lane's ``MyVideos121``/``MyVideos131``)."""

    database: str
    prefix: str = ""
    library: str = VIDEO_DB

    def of(self, library: str) -> "SharedLocation":
        """The same tables, read for another video library."""
        return SharedLocation(self.database, self.prefix, library)

    def table(self, name: str) -> str:
        """The quoted ``database.table`` of ``meta``, ``shows`` or ``devices``."""
        return f"`{self.database}`.`{self.prefix}{name}`"

    @property
    def log_line(self) -> str:
        """The ``[EasyTV.storage]`` line a device logs when it uses this location (README,
        "Troubleshooting by log line")."""
        suffix = f", table_prefix={self.prefix}" if self.prefix else ""
        return f"[EasyTV.storage] Using shared database storage, database={self.database}{suffix}"


SHARED_DB = SharedLocation("easytv_myvideos")
"""The user may CREATE DATABASE: EasyTV's own database."""
FALLBACK = SharedLocation(VIDEO_DB, "easytv_")
"""The user may only touch ``MyVideos%``: prefixed tables in the lane's video database."""


def fallback(video_db: str) -> SharedLocation:
    """The fallback location of a device whose Kodi reads ``video_db`` (``MyVideos121`` or
    ``MyVideos131``): ``easytv_`` tables in its own video database."""
    return SharedLocation(video_db, "easytv_", video_db)


def _typed(row: dict[str, str]) -> dict:
    return {k: (None if v == "NULL" else int(v) if k in INT_COLUMNS else v)
            for k, v in row.items()}


def query(db: MariaDB, sql: str, columns: tuple[str, ...]) -> list[dict]:
    """Run ``sql`` as root; return rows as dicts over ``columns`` (ints for INT_COLUMNS)."""
    return [_typed(dict(zip(columns, row))) for row in db.sql(sql)]


def meta(db: MariaDB, loc: SharedLocation = SHARED_DB) -> dict[str, str]:
    """The ``meta`` rows of ``loc``'s library (and the global ``schema_version``) as name -> value
    (``revision``, ``generation``, ...)."""
    return {name: value for name, value in db.sql(
        f"SELECT name, value FROM {loc.table('meta')} WHERE library IN ('{loc.library}', '')")}


def head(db: MariaDB, loc: SharedLocation = SHARED_DB) -> tuple[int, int]:
    """``(generation, revision)`` as the devices compare them."""
    values = meta(db, loc)
    return int(values["generation"]), int(values["revision"])


def shared_shows(db: MariaDB, loc: SharedLocation = SHARED_DB,
                 include_deleted: bool = False) -> list[dict]:
    """Rows of ``shows`` (SHOW_COLUMNS), by tvshowid; tombstones only with ``include_deleted``."""
    where = f" WHERE library = '{loc.library}'" + ("" if include_deleted else " AND deleted = 0")
    return query(db, f"SELECT {', '.join(SHOW_COLUMNS)} FROM {loc.table('shows')}{where} "
                 "ORDER BY tvshowid", SHOW_COLUMNS)


def shared_devices(db: MariaDB, loc: SharedLocation = SHARED_DB) -> list[dict]:
    """Rows of ``devices``: device_id, name, addon_version, revision_applied, last_seen."""
    columns = ("device_id", "name", "addon_version", "revision_applied", "last_seen")
    return query(db, f"SELECT {', '.join(columns)} FROM {loc.table('devices')} ORDER BY name",
                 columns)


def shows_with_devices(db: MariaDB, loc: SharedLocation = SHARED_DB) -> list[dict]:
    """Live show rows with the name of the device whose event wrote them, most recent first."""
    columns = ("tvshowid", "title", "season", "episode", "in_progress", "revision", "device",
               "event_time")
    return query(db, "SELECT s.tvshowid, s.title, s.season, s.episode, s.in_progress, "
                 "s.revision, COALESCE(d.name, s.device_id), s.event_time "
                 f"FROM {loc.table('shows')} s LEFT JOIN {loc.table('devices')} d "
                 f"ON d.device_id = s.device_id WHERE s.library = '{loc.library}' AND s.deleted = 0 "
                 "ORDER BY s.revision DESC, s.event_time DESC, s.tvshowid", columns)


def tables_in(db: MariaDB, database: str, like: str = "%") -> set[str]:
    """Names of the tables in ``database`` matching the SQL pattern ``like``."""
    return {row[0] for row in db.sql(
        "SELECT table_name FROM information_schema.tables "
        f"WHERE table_schema = '{database}' AND table_name LIKE '{like}'")}


def table_text(rows: list[dict], columns: tuple[str, ...] | None = None) -> str:
    """A plain-text table of ``rows`` (dicts) with a header line; ``(no rows)`` when empty."""
    if not rows:
        return "(no rows)"
    columns = columns or tuple(rows[0])
    cells = [list(columns)] + [["" if r.get(c) is None else str(r[c]) for c in columns]
                               for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


VOLATILE_COLUMNS = frozenset({"last_seen"})  # the heartbeat moves while devices idle


def snapshot(db: MariaDB, database: str, like: str = "%", skip_tables: tuple[str, ...] = (),
             volatile: frozenset[str] = VOLATILE_COLUMNS) -> dict[str, frozenset[tuple]]:
    """Every row of every table of ``database`` whose name matches ``like`` (except
    ``skip_tables``), as ``table -> frozenset of (column, value) tuples``, without the
    ``volatile`` columns. It does not depend on EasyTV's schema: two snapshots are equal exactly
    when nothing but a volatile column changed."""
    result = {}
    for table in sorted(tables_in(db, database, like)):
        if table in skip_tables:
            continue
        columns = [row[0] for row in db.sql(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            f"'{database}' AND table_name = '{table}' ORDER BY ordinal_position")]
        kept = [c for c in columns if c.lower() not in volatile]
        if not kept:
            continue
        rows = db.sql(f"SELECT {', '.join(f'`{c}`' for c in kept)} FROM `{database}`.`{table}`")
        result[table] = frozenset(tuple(zip(kept, row)) for row in rows)
    return result


def snapshot_changes(before: dict[str, frozenset[tuple]], after: dict[str, frozenset[tuple]]
                     ) -> dict[str, dict[str, list[tuple]]]:
    """Per table, the rows that disappeared (``gone``) and appeared (``new``) between two
    ``snapshot()`` results; tables without a change are left out."""
    changes = {}
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, frozenset()), after.get(table, frozenset())
        if old != new:
            changes[table] = {"gone": sorted(old - new), "new": sorted(new - old)}
    return changes


def rows_written_by(snap: dict[str, frozenset[tuple]], device_id: str) -> dict[str, frozenset[tuple]]:
    """The rows of a ``snapshot()`` whose ``device_id`` column is ``device_id`` (rows a device's
    own events wrote), per table."""
    return {table: frozenset(r for r in rows if dict(r).get("device_id") == device_id)
            for table, rows in snap.items()}
