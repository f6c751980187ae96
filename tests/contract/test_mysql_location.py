"""Where the MySQL store puts its tables (README, "Multi-instance sync"), schema versions, and how it refuses."""

import threading
import time

import pytest

from e2e.harness.procs import free_port
from easytv.core.errors import SchemaTooNew, StoreError, StoreUnavailable
from easytv.core.sync import SCHEMA_VERSION, SharedShow
from easytv.mysql.connection import ssl_options
from easytv.mysql.location import own_video_database
from easytv.mysql.store import MySQLStore

from .conftest import KODI20, KODI21, PASSWORDS

pytestmark = pytest.mark.mariadb


def tables(server, database):
    return sorted(r[0] for r in server.execute(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '%s'" % database))


def databases(server):
    return {r[0] for r in server.execute("SHOW DATABASES")}


def tombstone(tvshowid):
    return SharedShow(tvshowid, "Show%d" % tvshowid, 2001, None, 100.0, "device-a")


@pytest.mark.parametrize("names,expected", [
    (["MyVideos119", "MyVideos121", "MyVideos131", "MyMusic83"], "MyVideos121"),  # its own, not the highest
    (["myvideos121"], "myvideos121"),  # lower_case_table_names servers
    (["MyVideos", "MyVideos1210", "MyVideos121a", "MyVideos131", "easytv_myvideos"], None),
    ([], None),
])
def test_the_fallback_database_is_the_devices_own_video_database(names, expected):
    assert own_video_database("MyVideos121", names) == expected


def test_a_user_who_may_create_databases_gets_easytv_myvideos(server, open_store):
    store = open_store("kodi_all")
    assert store.describe_location() == "database=easytv_myvideos"
    assert (store.location.database, store.location.table_prefix) == ("easytv_myvideos", "")
    assert tables(server, "easytv_myvideos") == ["devices", "meta", "shows"]
    assert tables(server, "MyVideos121") == []


@pytest.mark.parametrize("kodi_version,own", [(KODI20, "MyVideos121"), (KODI21, "MyVideos131")])
def test_a_limited_user_gets_prefixed_tables_in_its_own_video_database(server, open_store, kodi_version, own):
    store = open_store("kodi_limited", kodi_version=kodi_version)
    assert store.describe_location() == "database=%s, table_prefix=easytv_" % own
    assert store.library == own
    assert tables(server, own) == ["easytv_devices", "easytv_meta", "easytv_shows"]
    for other in {"MyVideos119", "MyVideos121", "MyVideos131"} - {own}:
        assert tables(server, other) == []
    assert "easytv_myvideos" not in databases(server)


def test_kodi_20_devices_never_move_into_kodi_21s_fallback_tables(server, open_store):
    omega = open_store("kodi_limited", device_id="device-b", kodi_version=KODI21)
    omega.write([tombstone(5)])
    nexus = open_store("kodi_limited", device_id="device-a", kodi_version=KODI20)
    assert nexus.describe_location() == "database=MyVideos121, table_prefix=easytv_"
    assert nexus.shows() == [] and [s.tvshowid for s in omega.shows()] == [5]


def test_a_refused_create_without_the_devices_own_video_database_is_unavailable(server):
    server.execute("DROP DATABASE `MyVideos131`")
    try:
        with pytest.raises(StoreUnavailable, match="this Kodi's video database MyVideos131 does not exist"):
            MySQLStore.open(server.config("kodi_limited"), "device-a", kodi_version=KODI21)
    finally:
        server.execute("CREATE DATABASE `MyVideos131`")
    assert tables(server, "MyVideos121") == []


def test_once_the_fallback_tables_exist_every_device_uses_them(server, open_store):
    limited = open_store("kodi_limited", device_id="device-a")
    limited.write([tombstone(7)])
    full = open_store("kodi_all", device_id="device-b")
    assert full.describe_location() == "database=MyVideos121, table_prefix=easytv_"
    assert [s.tvshowid for s in full.shows()] == [7]
    assert "easytv_myvideos" not in databases(server)


def test_an_existing_own_database_is_used_first(server, open_store):
    open_store("kodi_all")
    server.execute("CREATE TABLE `MyVideos121`.`easytv_meta` (name VARCHAR(10))")  # a later stray table
    assert open_store("kodi_all").describe_location() == "database=easytv_myvideos"


def test_a_refused_create_without_any_video_database_is_unavailable(server):
    with pytest.raises(StoreUnavailable, match="video database MyVideosX121 does not exist"):
        MySQLStore.open(server.config("kodi_limited", name="MyVideosX"), "device-a", kodi_version=KODI20)


def test_a_refusal_that_is_not_about_privileges_never_falls_back(server):
    # A user who may create databases but is not exempt from read_only gets error 1290.
    server.db.sql("CREATE USER 'kodi_ro'@'%' IDENTIFIED BY 'ro-pw'; CREATE USER 'kodi_ro'@'localhost' IDENTIFIED BY "
                  "'ro-pw'; GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER ON *.* TO 'kodi_ro'@'%', "
                  "'kodi_ro'@'localhost'; SET GLOBAL read_only = 1")
    try:
        config = server.config("kodi_all", user="kodi_ro", password="ro-pw")
        with pytest.raises(StoreUnavailable, match="cannot create database easytv_myvideos: MySQL error 1290"):
            MySQLStore.open(config, "device-a")
    finally:
        server.db.sql("SET GLOBAL read_only = 0; DROP USER 'kodi_ro'@'%'; DROP USER 'kodi_ro'@'localhost'")
    assert tables(server, "MyVideos121") == []


def test_a_wrong_password_is_unavailable_and_never_shows_the_password(server):
    password = "WrongPassword-9f3b"
    with pytest.raises(StoreUnavailable) as raised:
        MySQLStore.open(server.config("kodi_all", password=password), "device-a")
    assert "1045" in raised.value.reason
    assert password not in str(raised.value) and password not in repr(raised.value)
    assert PASSWORDS["kodi_all"] not in str(raised.value)
    assert "easytv_myvideos" not in databases(server)


def test_an_unreachable_server_is_unavailable(server):
    with pytest.raises(StoreUnavailable, match="2003"):
        MySQLStore.open(server.config("kodi_all", port=free_port()), "device-a", connect_timeout=2)


def test_tls_that_the_server_does_not_offer_is_refused_not_downgraded(server):
    with pytest.raises(StoreUnavailable, match="2026"):
        MySQLStore.open(server.config("kodi_all", ciphers="HIGH"), "device-a")


def test_kodi_tls_tags_become_pymysql_ssl_options(server):
    assert ssl_options(server.config()) is None
    assert ssl_options(server.config(ca="/etc/ca.pem", cert="/c.pem", key="/k.pem", ciphers="HIGH")) == {
        "ca": "/etc/ca.pem", "cert": "/c.pem", "key": "/k.pem", "cipher": "HIGH", "check_hostname": False,
        "verify_mode": True}
    assert ssl_options(server.config(capath="/etc/ssl/certs"))["verify_mode"] is True
    assert ssl_options(server.config(cert="/c.pem", key="/k.pem"))["verify_mode"] is False


def test_identifiers_are_quoted(server, open_store):
    store = open_store("kodi_all", name="My_Videos")
    assert store.describe_location() == "database=easytv_my_videos"
    store.write([tombstone(1)])
    assert [s.tvshowid for s in store.shows()] == [1]


@pytest.mark.parametrize("name", ["My`Videos", "MyVideos'; DROP DATABASE mysql; --", "My Videos", ""])
def test_an_unsafe_name_is_refused(server, name):
    with pytest.raises(StoreError, match="not a safe database identifier"):
        MySQLStore.open(server.config("kodi_all", name=name), "device-a")
    assert not {d for d in databases(server) if d.startswith("easytv_")}


def test_a_newer_schema_makes_the_store_refuse(server, open_store):
    store = open_store("kodi_all")
    server.execute("UPDATE easytv_myvideos.meta SET value = '%d' WHERE name = 'schema_version'" % (SCHEMA_VERSION + 1))
    with pytest.raises(SchemaTooNew):
        MySQLStore.open(server.config("kodi_all"), "device-b")
    with pytest.raises(SchemaTooNew):
        store.head()  # a device already running notices at its next poll


def test_a_version_0_database_is_migrated(server, open_store):
    server.execute("CREATE DATABASE easytv_myvideos",
                   "CREATE TABLE easytv_myvideos.meta (name VARCHAR(191) NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
                   "INSERT INTO easytv_myvideos.meta VALUES ('schema_version', '0'), ('revision', '0'), "
                   "('generation', '1'), ('population_lock', '')")
    store = open_store("kodi_all")
    assert store.head().revision == 0
    assert tables(server, "easytv_myvideos") == ["devices", "meta", "shows"]
    assert server.execute("SELECT value FROM easytv_myvideos.meta WHERE name = 'schema_version'") == [
        (str(SCHEMA_VERSION),)]


def test_devices_creating_the_schema_at_the_same_time_agree(server):
    stores, errors = [], []
    barrier = threading.Barrier(4)

    def start(n):
        barrier.wait()
        try:
            stores.append(MySQLStore.open(server.config("kodi_all"), "device-%d" % n))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        assert errors == []
        assert {s.describe_location() for s in stores} == {"database=easytv_myvideos"}
        assert {s.head().generation for s in stores} == {stores[0].head().generation}
        meta = server.execute("SELECT library, name, value FROM easytv_myvideos.meta WHERE library IN ('', "
                              "'MyVideos121') ORDER BY library, name")
        assert [(library, name) for library, name, _ in meta] == [
            ("", "schema_version"), ("MyVideos121", "generation"), ("MyVideos121", "population_lock"),
            ("MyVideos121", "revision")]
        assert [value for _, name, value in meta if name != "generation"] == [str(SCHEMA_VERSION), "", "0"]
    finally:
        for store in stores:
            store.close()


def test_the_cancel_token_is_kept_and_handed_to_every_connect_that_takes_it(server, monkeypatch):
    from easytv.core.cancel import Cancel
    from easytv.mysql import store as store_module

    token = Cancel()
    store = MySQLStore.open(server.config("kodi_all"), "device-a", kodi_version=KODI20, cancel=token)
    try:  # today's connect() has no cancel keyword: accepted and kept for later
        assert store._cancel is token and store.head().revision == 0
    finally:
        store.close()
    seen = []
    real = store_module.connect

    def connect(config, counters, database=None, connect_timeout=5, read_timeout=10, write_timeout=10, cancel=None):
        seen.append((database, cancel))
        return real(config, counters, database, connect_timeout, read_timeout, write_timeout)

    monkeypatch.setattr(store_module, "connect", connect)
    store = MySQLStore.open(server.config("kodi_all"), "device-a", kodi_version=KODI20, cancel=token)
    try:
        killed = store.connection_id()
        server.execute("KILL %d" % killed)
        deadline = time.monotonic() + 10
        while server.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE ID = %d" % killed):
            assert time.monotonic() < deadline, "the killed connection is still listed after 10 s"
            time.sleep(0.05)
        store.head()  # reconnects
        assert seen == [(None, token), ("easytv_myvideos", token)]
    finally:
        store.close()
