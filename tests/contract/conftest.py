"""Fixtures of the `SharedStore` contract suite: the in-memory reference and a private MariaDB.

One MariaDB per session (`tests/e2e/harness/mariadb.py`) with Kodi's video databases of three
releases (`MyVideos119`, `MyVideos121` of Kodi 20, `MyVideos131` of Kodi 21, empty as Kodi would
leave them without a library) and three users: `kodi_all` (`GRANT ALL ON *.*`: gets database
`easytv_myvideos`), `kodi_limited` (only `` `MyVideos%`.* ``: CREATE DATABASE easytv_myvideos is
refused with 1044, so it falls back to `easytv_` tables in the device's own `MyVideos121` or
`MyVideos131`) and `contract_admin` (resets the shared location between tests, kills
connections). Every test starts with no EasyTV location at all.
"""

import os
import tempfile
from pathlib import Path
from typing import Callable, Iterator, List

import pymysql
import pytest

from e2e.harness.mariadb import MariaDB
from easytv.core.scope import library_for
from easytv.core.sync import DatabaseConfig
from easytv.mysql.store import MySQLStore
from memory_store import MemoryServer, MemoryStore
from sql_admin import run_statements

KODI20 = "20.1 (20.1.0) Git:20230311-5a2a9ea5d7"
KODI21 = "21.2 (21.2.0) Debian package version: 2:21.2+dfsg-4"
PASSWORDS = {"kodi_all": "s3cret-all-pw", "kodi_limited": "s3cret-limited-pw", "contract_admin": "admin-pw"}
VIDEO_DATABASES = ("MyVideos119", "MyVideos121", "MyVideos131")
FALLBACK_TABLES = ("easytv_meta", "easytv_shows", "easytv_devices")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mariadb: needs the private MariaDB server (mariadbd) the tests start")


class Server:
    """The session's MariaDB: `config(user)` builds Kodi-style settings, `admin()` a root-like
    pymysql connection, `reset()` removes every EasyTV location."""

    def __init__(self, db: MariaDB) -> None:
        self.db = db
        self.host, self.port = db.host, db.port

    def config(self, login: str = "kodi_all", name: str = "MyVideos", **overrides) -> DatabaseConfig:
        fields = dict(host=self.host, port=self.port, user=login, password=PASSWORDS.get(login, ""), name=name)
        fields.update(overrides)
        return DatabaseConfig(**fields)

    def admin(self, database=None) -> pymysql.connections.Connection:
        return pymysql.connect(host=self.host, port=self.port, user="contract_admin",
                               password=PASSWORDS["contract_admin"], database=database, autocommit=True)

    def execute(self, *statements: str) -> List[tuple]:
        """Run statements as the admin; return the rows of the last one."""
        return run_statements(self.admin(), statements)

    def reset(self) -> None:
        """No EasyTV database, no fallback tables, no other database than Kodi's two."""
        with self.admin() as conn, conn.cursor() as cursor:
            cursor.execute("SHOW DATABASES")
            for (name,) in cursor.fetchall():
                if name.lower().startswith("easytv_") or name.startswith("My_Videos"):
                    cursor.execute("DROP DATABASE `%s`" % name)
            for database in VIDEO_DATABASES:
                for table in FALLBACK_TABLES:
                    cursor.execute("DROP TABLE IF EXISTS `%s`.`%s`" % (database, table))


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[Server]:
    """The private MariaDB of this session (stopped at the end)."""
    base = Path(tempfile.mkdtemp(prefix="easytv-contract-"))
    db = MariaDB(base)
    db.start()
    try:
        db.create_user("kodi_all", PASSWORDS["kodi_all"], grant_on="*.*")
        db.create_user("kodi_limited", PASSWORDS["kodi_limited"], grant_on="`MyVideos%`.*")
        db.create_user("contract_admin", PASSWORDS["contract_admin"], grant_on="*.*")
        db.sql("".join("CREATE DATABASE IF NOT EXISTS `%s`;" % name for name in VIDEO_DATABASES))
        yield Server(db)
    finally:
        db.stop()
        if os.environ.get("EASYTV_KEEP_CONTRACT_DB") != "1":
            import shutil
            shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def server(mariadb_server: Server) -> Iterator[Server]:
    """The session's MariaDB with no EasyTV location (reset before and after the test)."""
    mariadb_server.reset()
    yield mariadb_server
    mariadb_server.reset()


@pytest.fixture
def open_store(server: Server) -> Iterator[Callable[..., MySQLStore]]:
    """`open_store(user=..., device_id=..., **config_overrides)`: a MySQLStore, closed after the test."""
    opened: List[MySQLStore] = []

    def make(user: str = "kodi_all", device_id: str = "device-a", kodi_version: str = KODI20,
             **overrides) -> MySQLStore:
        store = MySQLStore.open(server.config(user, **overrides), device_id, kodi_version=kodi_version)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


BACKENDS = ["memory", "mariadb-all", "mariadb-limited"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items) -> None:
    """Mark the MariaDB variants of the contract tests `mariadb` (so `-m "not mariadb"` works)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and str(callspec.params.get("store_factory", "")).startswith("mariadb"):
            item.add_marker("mariadb")


class Factory:
    """`factory(device_id="device-a", kodi_version=KODI20)`: a store on one fresh shared database
    server; calling it again opens another device (or the same one again) on the same server.
    `kodi_copies_library(old, new)` does what Kodi does at its first start after an upgrade
    (copies every table of the old video database into the new one, EasyTV's fallback tables
    included)."""

    def __init__(self, request) -> None:
        self.backend = request.param
        if self.backend == "memory":
            self.memory = MemoryServer()
        else:
            self.open_store = request.getfixturevalue("open_store")
            self.server = request.getfixturevalue("server")

    def __call__(self, device_id: str = "device-a", kodi_version: str = KODI20):
        if self.backend == "memory":
            library = library_for("MyVideos", kodi_version, [])
            return MemoryStore(library=library, server=self.memory, device_id=device_id)
        user = "kodi_all" if self.backend == "mariadb-all" else "kodi_limited"
        return self.open_store(user=user, device_id=device_id, kodi_version=kodi_version)

    def kodi_copies_library(self, old: str, new: str) -> None:
        if self.backend != "mariadb-limited":
            return
        for table in FALLBACK_TABLES:
            self.server.execute("CREATE TABLE `%s`.`%s` LIKE `%s`.`%s`" % (new, table, old, table),
                                "INSERT INTO `%s`.`%s` SELECT * FROM `%s`.`%s`" % (new, table, old, table))


@pytest.fixture(params=BACKENDS)
def store_factory(request) -> Iterator[Factory]:
    """A `Factory` for the backend of this parameter."""
    yield Factory(request)
