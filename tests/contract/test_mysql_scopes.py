"""Library scopes on a real MariaDB: the migration of today's (version 1) tables, unique
generations across a dropped and re-created database, newer Kodi releases, and the registry of
every library in the fallback location."""

import dataclasses
import subprocess
import threading

import pymysql
import pytest

from easytv.core.codec import state_to_json
from easytv.core.errors import StoreError
from easytv.core.sync import SCHEMA_VERSION, Device
from easytv.mysql import schema
from easytv.mysql.location import Location
from easytv.mysql.statements import SERVER_NOW
from easytv.mysql.store import MySQLStore

from .conftest import KODI20, KODI21
from .test_store_contract import row

pytestmark = pytest.mark.mariadb

V1_DDL = (
    "CREATE TABLE {meta} (name VARCHAR(191) NOT NULL PRIMARY KEY, value TEXT NOT NULL) "
    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
    "CREATE TABLE {shows} (tvshowid INT NOT NULL PRIMARY KEY, title VARCHAR(1000) NOT NULL DEFAULT '', "
    "year INT NOT NULL DEFAULT 0, deleted TINYINT(1) NOT NULL DEFAULT 0, revision BIGINT UNSIGNED NOT NULL DEFAULT 0, "
    "event_time DOUBLE NOT NULL DEFAULT 0, device_id VARCHAR(191) NOT NULL DEFAULT '', episodeid INT NULL, "
    "season INT NULL, episode INT NULL, in_progress TINYINT(1) NOT NULL DEFAULT 0, "
    "lastplayed VARCHAR(32) NOT NULL DEFAULT '', state MEDIUMTEXT NULL, KEY revision (revision), "
    "KEY title_year (title(191), year)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
    "CREATE TABLE {devices} (device_id VARCHAR(191) NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL DEFAULT '', "
    "addon_version VARCHAR(255) NOT NULL DEFAULT '', kodi_version VARCHAR(255) NOT NULL DEFAULT '', "
    "settings_fingerprint VARCHAR(255) NOT NULL DEFAULT '', revision_applied BIGINT UNSIGNED NOT NULL DEFAULT 0, "
    "last_seen DOUBLE NOT NULL DEFAULT 0) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
)
"""Version 1 of the shared tables exactly as the EasyTV releases before scopes created them (frozen here)."""

LOCATIONS = {"kodi_all": Location("easytv_myvideos"), "kodi_limited": Location("MyVideos121", "easytv_")}


def build_version_1(server, location):
    """Today's users' tables: settings, revision 5, generation 3, and rows written by a Kodi 20
    device, a Kodi 21 device, a device without a version and one missing from the registry."""
    tables = schema.Tables(location)
    if not location.table_prefix:
        server.execute("CREATE DATABASE `%s`" % location.database)
    server.execute(*[ddl.format(meta=tables.meta, shows=tables.shows, devices=tables.devices) for ddl in V1_DDL])
    with server.admin() as conn, conn.cursor() as cursor:
        cursor.executemany("INSERT INTO %s (name, value) VALUES (%%s, %%s)" % tables.meta, [
            ("schema_version", "1"), ("revision", "5"), ("generation", "3"), ("population_lock", ""),
            ("setting.random_order_shows", "3"), ("setting.include_positioned_specials", "true")])
        cursor.executemany("INSERT INTO %s (device_id, name, kodi_version, revision_applied, last_seen) "
                           "VALUES (%%s, %%s, %%s, 5, 1000)" % tables.devices, [
                               ("d20", "Living Room", KODI20), ("d21", "Bedroom", KODI21), ("dx", "Attic", "")])
        shows = [(1, "d20", 3), (2, "d21", 5), (3, "gone-device", 4), (4, "dx", 2)]
        cursor.executemany("INSERT INTO %s (tvshowid, title, year, revision, event_time, device_id, state) "
                           "VALUES (%%s, %%s, 2001, %%s, 100.5, %%s, %%s)" % tables.shows,
                           [(i, row(i, 100.5).title, revision, device, state_to_json(row(i, 100.5).state))
                            for i, device, revision in shows])


@pytest.mark.parametrize("user", ["kodi_all", "kodi_limited"])
def test_todays_tables_are_migrated_and_each_row_goes_to_the_library_that_wrote_it(server, open_store, user):
    location = LOCATIONS[user]
    build_version_1(server, location)
    nexus = open_store(user, device_id="d20", kodi_version=KODI20)
    assert nexus.location == location
    head = nexus.head()
    settings = {"random_order_shows": "3", "include_positioned_specials": "true"}
    assert (head.revision, dict(head.settings)) == (5, settings)
    assert head.generation != 3  # every device reconciles once with its new scope
    assert [(s.tvshowid, s.device_id, s.revision, s.state) for s in nexus.shows()] == [
        (i, d, r, row(i, 100.5).state) for i, d, r in [(1, "d20", 3), (3, "gone-device", 4), (4, "dx", 2)]]
    assert [(d.device_id, d.library) for d in nexus.devices()] == [
        ("d20", "MyVideos121"), ("d21", "MyVideos131"), ("dx", "MyVideos121")]
    tables = schema.Tables(location)
    assert server.execute("SELECT library, value FROM %s WHERE name = 'schema_version'" % tables.meta) == [
        ("", str(SCHEMA_VERSION))]
    if user == "kodi_all":  # both libraries' devices share this database
        omega = open_store(user, device_id="d21", kodi_version=KODI21)
        assert [(s.tvshowid, s.revision) for s in omega.shows()] == [(2, 5)]
        assert omega.head().revision == 5 and dict(omega.head().settings) == dict(head.settings)
        assert omega.head().generation not in (3, head.generation)
    before = server.execute("SELECT * FROM %s ORDER BY library, name" % tables.meta,)
    shows = server.execute("SELECT library, tvshowid, revision FROM %s ORDER BY library, tvshowid" % tables.shows)
    with server.admin(location.database) as conn, conn.cursor() as cursor:
        schema.MIGRATIONS[1](cursor, tables, "MyVideos")  # a second run (another device, a retry) changes nothing
    assert server.execute("SELECT * FROM %s ORDER BY library, name" % tables.meta) == before
    assert server.execute("SELECT library, tvshowid, revision FROM %s ORDER BY library, tvshowid" % tables.shows) \
        == shows


def test_a_migration_that_died_after_its_first_alter_is_finished_by_the_next_device(server, open_store):
    location = LOCATIONS["kodi_all"]
    build_version_1(server, location)
    tables = schema.Tables(location)
    server.execute("ALTER TABLE %s ADD COLUMN %s FIRST, DROP PRIMARY KEY, ADD PRIMARY KEY (library, name)"
                   % (tables.meta, schema.LIBRARY_COLUMN))
    store = open_store("kodi_all", kodi_version=KODI20)
    assert [s.tvshowid for s in store.shows()] == [1, 3, 4] and store.head().revision == 5


@pytest.mark.parametrize("user", ["kodi_all", "kodi_limited"])
def test_a_dropped_and_re_created_database_gets_a_new_generation(server, open_store, user):
    running = open_store(user, device_id="device-a")
    running.write([row(1, 100.0)])
    before = running.head()
    location = running.location
    if location.table_prefix:
        server.execute(*["DROP TABLE `%s`.`easytv_%s`" % (location.database, t) for t in ("meta", "shows", "devices")])
    else:
        server.execute("DROP DATABASE `%s`" % location.database)
    fresh = open_store(user, device_id="device-b")
    after = running.head()  # the device that kept running sees the new database at its next poll
    assert (after.revision, fresh.head().generation) == (0, after.generation)
    assert after.generation != before.generation


def test_a_kodi_newer_than_every_known_release_uses_its_own_newer_database(server, open_store):
    server.execute("CREATE DATABASE `MyVideos140`")
    try:
        store = open_store("kodi_limited", kodi_version="22.0 (22.0.0) Git:20270101-abc")
        assert (store.library, store.location.database) == ("MyVideos140", "MyVideos140")
    finally:
        server.execute("DROP DATABASE `MyVideos140`")


@pytest.mark.parametrize("kodi_version", ["22.0 (22.0.0) Git:20270101-abc", "", "not a version"])
def test_an_unknown_library_keeps_the_device_local_and_creates_nothing(server, kodi_version):
    with pytest.raises(StoreError, match="sync stays off"):
        MySQLStore.open(server.config("kodi_all"), "device-a", kodi_version=kodi_version)
    assert not [d for (d,) in server.execute("SHOW DATABASES") if d.startswith("easytv_")]


def test_the_fallback_registry_lists_the_devices_of_every_library(server, open_store):
    nexus = open_store("kodi_limited", device_id="device-a", kodi_version=KODI20)
    omega = open_store("kodi_limited", device_id="device-b", kodi_version=KODI21)
    nexus.register_device(Device("device-a", "Living Room", "1.0.0", KODI20))
    omega.register_device(Device("device-b", "Bedroom", "1.0.0", KODI21))
    for store in (nexus, omega):
        assert [(d.device_id, d.name, d.library) for d in store.devices()] == [
            ("device-a", "Living Room", "MyVideos121"), ("device-b", "Bedroom", "MyVideos131")]


def test_a_name_as_long_as_mysql_allows_gets_its_database_and_lock(server, open_store):
    name = "V" * 57  # easytv_ + 57 = 64 characters, the longest database name
    store = open_store("kodi_all", name=name)
    assert store.describe_location() == "database=easytv_" + name.lower()
    store.write([row(1, 100.0)])
    assert store.head().revision == 1


def test_the_servers_clock_reads_the_same_in_every_session_time_zone(server):
    zone = subprocess.run(["mariadb-tzinfo-to-sql", "/usr/share/zoneinfo/Europe/Berlin", "Europe/Berlin"],
                          capture_output=True, text=True, check=True).stdout
    if not server.execute("SELECT 1 FROM mysql.time_zone_name WHERE Name = 'Europe/Berlin'"):
        server.db.sql(zone, database="mysql")
    with server.admin() as conn, conn.cursor() as cursor:
        cursor.execute("SET time_zone = 'Europe/Berlin'")
        cursor.execute("SET timestamp = 1792891800.25")  # 2026-10-25 02:30:00.25 CET: the second 02:30 that night
        cursor.execute("SELECT %s, UNIX_TIMESTAMP(NOW(6))" % SERVER_NOW)
        ours, naive = cursor.fetchone()
    assert float(ours) == 1792891800.25
    if server.db.version == "10.11":
        # The premise, on 10.11: converting local time back is off by the repeated hour
        # (MariaDB 11.8 answers UNIX_TIMESTAMP(NOW(6)) right in that hour; ours is right on both).
        assert float(naive) != 1792891800.25


def test_a_running_device_recreates_its_librarys_rows_when_another_library_re_created_the_database(server,
                                                                                                   open_store):
    omega = open_store("kodi_all", device_id="device-a", kodi_version=KODI21)
    omega.write([row(1, 100.0)])
    before = omega.head()
    server.execute("DROP DATABASE easytv_myvideos")
    open_store("kodi_all", device_id="device-b", kodi_version=KODI20)
    after = omega.head()
    assert (after.revision, omega.shows()) == (0, []) and after.generation != before.generation
    assert omega.head().generation == after.generation


def test_devices_migrating_todays_tables_at_the_same_time_agree(server):
    build_version_1(server, LOCATIONS["kodi_all"])
    stores, errors = [], []
    barrier = threading.Barrier(4)

    def start(n):
        barrier.wait()
        try:
            stores.append(MySQLStore.open(server.config("kodi_all"), "d2%d" % (n % 2),
                                          kodi_version=(KODI20, KODI21)[n % 2]))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert errors == [] and len(stores) == 4
        assert sorted((s.library, tuple(r.tvshowid for r in s.shows()), s.head().revision) for s in stores) == [
            ("MyVideos121", (1, 3, 4), 5)] * 2 + [("MyVideos131", (2,), 5)] * 2
        assert len({(s.library, s.head().generation) for s in stores}) == 2
    finally:
        for store in stores:
            store.close()


def test_a_pull_reads_the_changed_rows_by_the_revision_index_not_the_whole_library(server, open_store):
    store = open_store("kodi_all")
    template = row(1, 100.0)
    store.write([dataclasses.replace(template, tvshowid=i) for i in range(1, 3001)])
    store.write([dataclasses.replace(template, tvshowid=1234, event_time=200.0)])
    pull = store._sql.changes_since.split("; ")[-1]
    with server.admin("easytv_myvideos") as conn, conn.cursor(pymysql.cursors.DictCursor) as cursor:
        cursor.execute("EXPLAIN " + pull, (store.library, 1))
        plan = cursor.fetchall()
    assert [(step["key"], step["type"]) for step in plan] == [("revision", "range")]
    assert [s.tvshowid for s in store.changes_since(1)[1]] == [1234]
    assert [s.tvshowid for s in store.changes_since(0)[1]] == list(range(1, 3001))  # still by tvshowid
