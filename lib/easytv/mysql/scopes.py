"""The two places where one library's store looks beyond its own scope: the device registries
of the other libraries (Sync status lists them) and, once, the previous library of a device
whose Kodi was upgraded (its shared settings and rows are carried over). See `easytv.core.scope`."""

import logging
from typing import Any, Dict, List

from easytv.core.scope import library_number, numbered_databases, same_library
from easytv.core.sync import Device
from easytv.mysql import rows
from easytv.mysql.batches import execute_all
from easytv.mysql.location import FALLBACK_PREFIX, Location
from easytv.mysql.statements import Statements

LOG = logging.getLogger("EasyTV.shareddb")


def every_device(cursor: Any, sql: Statements, name: str, location: Location) -> List[Device]:
    """Every device of the store's registry and, in the fallback location, of the registries of
    the other `<name>NNN` databases this user can see; each device once (its most recently seen
    row), by device_id."""
    cursor.execute(sql.select_devices)
    found = [rows.device_from_row(row) for row in cursor.fetchall()]
    if location.table_prefix:
        found += other_registries(cursor, name, location.database)
    newest: Dict[str, Device] = {}
    for device in found:
        if device.device_id not in newest or device.last_seen > newest[device.device_id].last_seen:
            newest[device.device_id] = device
    return [newest[key] for key in sorted(newest)]


def other_registries(cursor: Any, name: str, own: str) -> List[Device]:
    """The devices in `easytv_devices` of every other `<name>NNN` database, labelled with that
    database as their library, without hint endpoints (only the columns version 1 already had, so an
    unmigrated one reads too; hints never cross libraries)."""
    cursor.execute("SELECT TABLE_SCHEMA FROM information_schema.TABLES WHERE TABLE_NAME = %s",
                   (FALLBACK_PREFIX + "devices",))
    others = [db for db in numbered_databases(name, [row[0] for row in cursor.fetchall()]).values()
              if not same_library(db, own)]
    found: List[Device] = []
    for database in others:
        table = Location(database, FALLBACK_PREFIX).table("devices")
        cursor.execute("SELECT device_id, name, addon_version, kodi_version, settings_fingerprint, "  # noqa: S608
                       "revision_applied, %%s, '', 0, last_seen FROM %s" % table, (database,))
        found += [rows.device_from_row(row) for row in cursor.fetchall()]
    return found


def carry_over(cursor: Any, sql: Statements, name: str, library: str, previous: str) -> bool:
    """When this device last registered from an older library and `library` has no rows and no
    settings yet, copy the old library's settings and rows into it in one transaction (the old
    one untouched); True when copied. Kodi copies the video library at upgrade, so the tvshowids
    match at first; the engine's rebuild logic re-keys by title and year afterwards."""
    old, new = library_number(name, previous or ""), library_number(name, library)
    if old is None or new is None or old >= new:
        return False
    results = execute_all(cursor, sql.begin_upgrade, (library,) * 4)
    if results[1].rowcount != 1 or int(results[3].rows[0][0]) != 0:
        cursor.connection.rollback()
        return False
    copied = execute_all(cursor, sql.copy_library, (library, previous, library, previous))
    cursor.connection.commit()
    LOG.info("Kodi upgraded from library %s to %s: copied %d shared settings and %d show rows",
             previous, library, copied[0].rowcount, copied[1].rowcount)
    return True
