"""`MySQLStore`: the `SharedStore` on Kodi's MySQL/MariaDB server (README, "Multi-instance sync").

A store serves one Kodi video library (`library`, e.g. `MyVideos121`, from the Kodi version given
to `open`): it reads and writes only that library's rows, settings, revision and lock
(`easytv.core.scope`); the device registry lists every library's devices.

Round trips (counted by the driver wrapper, `round_trips`): `head` 1, `changes_since` 1 (the head
query and the row query in one multi-statement, head first), `write` of one row 2 (the whole
transaction but COMMIT in one multi-statement, then COMMIT), 5,000 rows of about 1 KB 11 round
trips (one per 500 rows) with the one COMMIT (`tools/bench_sync.py`). The revision row of `meta` is updated first in
every write transaction, so it serialises writers: revisions are committed in order and writers
never deadlock on each other.

Faults: a connection the server dropped (idle `wait_timeout`, KILL, restart) is replaced on the
next operation, which is retried once when its first command met the dead connection. `close()`
may be called from another thread and unblocks a read in progress.
"""

import inspect
import threading
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, TypeVar

import pymysql

from easytv.core.cancel import Cancel
from easytv.core.errors import StoreError, StoreUnavailable
from easytv.core.scope import DEFAULT_KODI_VERSION
from easytv.core.sync import LOCK_TTL_SECONDS, DatabaseConfig, Device, Head, SharedShow
from easytv.mysql import batches, rows, schema
from easytv.mysql.connection import Counters, CountingConnection, connect, is_connection_lost, is_timeout, translate
from easytv.mysql.location import Location, resolve
from easytv.mysql.scopes import carry_over, every_device
from easytv.mysql.statements import SERVER_NOW, SETTING, Statements

T = TypeVar("T")


def _connect(config: DatabaseConfig, counters: Counters, database: Optional[str], timeouts: Tuple[float, float, float],
             cancel: Optional[Cancel]) -> CountingConnection:
    """`connect(...)`, passing `cancel=` on when the connection module's `connect` takes it."""
    extra: Dict[str, Any] = {}
    if cancel is not None and "cancel" in inspect.signature(connect).parameters:
        extra["cancel"] = cancel
    return connect(config, counters, database, *timeouts, **extra)


class MySQLStore:
    """A `SharedStore` over one pymysql connection (thread-safe; one operation at a time)."""

    def __init__(self, config: DatabaseConfig, device_id: str, location: Location, conn: CountingConnection,
                 counters: Counters, timeouts: Tuple[float, float, float], packet_budget: int, library: str,
                 cancel: Optional[Cancel] = None) -> None:
        self.config = config
        self.device_id = device_id
        self.location = location
        self.library = library
        """This store's video library (`MyVideos121`): the scope of everything it reads and writes."""
        self._cancel = cancel
        self.tables = schema.Tables(location)
        self._conn: Optional[CountingConnection] = conn
        self._counters = counters
        self._timeouts = timeouts
        self._packet_budget = packet_budget
        self._lock = threading.RLock()
        self._closed = False
        self._sql = Statements(self.tables)

    @classmethod
    def open(cls, config: DatabaseConfig, device_id: str, connect_timeout: float = 5, read_timeout: float = 10,
             write_timeout: float = 10, *, kodi_version: Optional[str] = None,
             cancel: Optional[Cancel] = None) -> "MySQLStore":
        """Connect, pick the location (`easytv.mysql.location`) and this device's library, create
        or migrate the schema, create the library's rows, and carry an upgraded device's shared
        settings and rows over from its previous library (`easytv.mysql.scopes.carry_over`).

        `kodi_version` is Kodi's `System.BuildVersion` (`"21.2 (21.2.0) ..."`); production code
        must pass it. None (tests, benches) means `DEFAULT_KODI_VERSION` (Kodi 20, `<name>121`);
        an unparseable or unknown one raises `StoreError` (`easytv.core.scope.library_for`).
        `cancel` (an `easytv.core.cancel.Cancel`) is handed to every connect, reconnects included,
        once the connection module accepts it. Timeouts are seconds. Raises `SchemaTooNew` for a
        newer shared schema, `StoreUnavailable` when the server cannot be reached or used (no
        password in the reason), `StoreError` for an unsafe database name.
        """
        counters = Counters()
        timeouts = (connect_timeout, read_timeout, write_timeout)
        version = DEFAULT_KODI_VERSION if kodi_version is None else kodi_version
        conn = _connect(config, counters, None, timeouts, cancel)
        try:
            location, library = resolve(conn, config, version)
            tables = schema.Tables(location)
            schema.ensure(conn, tables, config.name)
            conn.select_db(location.database)
            sql = Statements(tables)
            with conn.cursor() as cursor:
                results = batches.execute_all(cursor, sql.open_library + "; SELECT @@max_allowed_packet",
                                      (library, library, str(schema.new_generation()), library, device_id))
                previous = results[1].rows[0][0] if results[1].rows else ""
                max_packet = int(results[2].rows[0][0])
                carry_over(cursor, sql, config.name, library, previous)
        except StoreError:
            conn.shutdown()
            raise
        except (pymysql.err.MySQLError, OSError) as exc:
            conn.shutdown()
            raise translate(exc, config.password, "open shared database") from None
        return cls(config, device_id, location, conn, counters, timeouts, min(max_packet // 2, 4 << 20), library,
                   cancel)

    # -- measurement -------------------------------------------------------------------------

    @property
    def round_trips(self) -> int:
        """Commands sent to the server so far (connects and reconnects included)."""
        return self._counters.round_trips

    @property
    def commits(self) -> int:
        """COMMIT commands sent so far."""
        return self._counters.commits

    @property
    def bytes_received(self) -> int:
        """Bytes read from the server so far."""
        return self._counters.bytes_received

    def connection_id(self) -> Optional[int]:
        """The server's id of the current connection (`CONNECTION_ID()`, what `KILL` takes), or
        None when not connected. For diagnostics and fault tests."""
        conn = self._conn
        return conn.thread_id() if conn is not None and conn.open else None

    def describe_location(self) -> str:
        """`database=easytv_myvideos` or `database=MyVideos121, table_prefix=easytv_` (README log line)."""
        return self.location.describe()

    # -- connection handling -----------------------------------------------------------------

    def _connection(self) -> CountingConnection:
        if self._closed:
            raise StoreUnavailable("shared database store is closed")
        if self._conn is None or not self._conn.open:
            self._conn = None
            self._conn = _connect(self.config, self._counters, self.location.database, self._timeouts, self._cancel)
        return self._conn

    def _run(self, doing: str, operation: Callable[[Any], T], transaction: bool = False) -> T:
        """Run `operation(cursor)`; reconnect and retry once when its first command found the
        connection dead; translate driver errors (ROLLBACK first when `transaction`)."""
        with self._lock:
            for attempt in (1, 2):
                conn = self._connection()
                before = self._counters.round_trips
                try:
                    with conn.cursor() as cursor:
                        return operation(cursor)
                except StoreError:
                    self._rollback(conn, transaction)
                    raise
                except (pymysql.err.MySQLError, OSError) as exc:
                    if self._closed:
                        raise StoreUnavailable("shared database store is closed") from None
                    first_command = self._counters.round_trips - before <= 1
                    if attempt == 1 and first_command and is_connection_lost(exc) and not is_timeout(exc):
                        conn.shutdown()
                        continue
                    self._rollback(conn, transaction)
                    raise translate(exc, self.config.password, doing) from None
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _rollback(conn: CountingConnection, transaction: bool) -> None:
        if not transaction or not conn.open:
            return
        try:
            conn.rollback()
        except Exception:  # noqa: BLE001 - best effort; a dead connection rolls back on the server
            conn.shutdown()

    def close(self) -> None:
        """Close the connection; safe from any thread, also while another one waits for the server
        (its socket is shut down, so that read fails at once). Later operations raise `StoreUnavailable`."""
        self._closed = True
        conn = self._conn
        if conn is None:
            return
        if self._lock.acquire(blocking=False):
            try:
                if conn.open:
                    conn.close()  # sends COM_QUIT
            except Exception:  # noqa: BLE001 - closing anyway
                conn.shutdown()
            finally:
                self._lock.release()
        else:
            conn.shutdown()

    # -- SharedStore -------------------------------------------------------------------------

    def _head_from(self, records: Sequence[Sequence[Any]]) -> Head:
        values = {record[0]: record[1] for record in records}
        try:
            schema.check_version(int(values.get("schema_version", "0")))
            revision, generation = int(values["revision"]), int(values["generation"])
            server_time = float(records[0][2]) if records else 0.0
        except (KeyError, ValueError):
            raise StoreError("shared meta table lacks a numeric schema_version, revision or generation for %s"
                             % self.library) from None
        settings = {k[len(SETTING):]: v for k, v in values.items() if k.startswith(SETTING)}
        return Head(revision, generation, settings, server_time)

    def head(self) -> Head:
        """This library's revision, generation and shared settings, and the server's clock
        (`statements.SERVER_NOW`, seconds): one round trip. Raises `SchemaTooNew` when another
        device migrated the database beyond this version. When the library's rows are gone (a
        device of another library re-created the database), they are created again, with a new
        generation, in a second round trip."""
        def run(cursor: Any) -> Head:
            cursor.execute(self._sql.head, (self.library,))
            records = cursor.fetchall()
            if not any(record[0] == "revision" for record in records):
                cursor.execute(schema.library_rows(self.tables) + "; " + self._sql.head,
                               (self.library, self.library, str(schema.new_generation()), self.library, self.library))
                while cursor.nextset():
                    records = cursor.fetchall()
            return self._head_from(records)
        return self._run("read head", run)

    def changes_since(self, revision: int) -> Tuple[Head, List[SharedShow]]:
        """The head and the rows (tombstones included) with a revision above `revision`, by
        tvshowid: one round trip. The head is read first, so the rows are never older than it
        (a row newer than the head is pulled again next time, harmlessly)."""
        def run(cursor: Any) -> Tuple[Head, List[SharedShow]]:
            head_rows, show_rows = batches.execute_all(cursor, self._sql.changes_since,
                                               (self.library, self.library, int(revision)))
            pulled = sorted(show_rows.rows, key=lambda record: int(record[0]))
            return self._head_from(head_rows.rows), rows.shows_from_rows(pulled)
        return self._run("pull changes", run)

    def shows(self) -> List[SharedShow]:
        """Every row, tombstones included, by tvshowid: one round trip."""
        def run(cursor: Any) -> List[SharedShow]:
            cursor.execute(self._sql.select_shows, (self.library,))
            return rows.shows_from_rows(cursor.fetchall())
        return self._run("read shows", run)

    def write(self, shows: Sequence[SharedShow], settings: Optional[Mapping[str, str]] = None) -> int:
        """Upsert rows (conflict rule in SQL, see `easytv.mysql.statements`) and settings in one
        transaction that bumps the revision once; return the new revision.

        One row: 2 round trips (everything but COMMIT in one multi-statement, then COMMIT).
        More: one round trip per INSERT of up to 500 rows (values as hex/number literals,
        `batches.literal`; above 500 rows the first INSERT has 100), encoded while the server runs
        the previous ones (`batches.execute_each`), then one COMMIT. A row that cannot be stored (NaN event time)
        raises `StoreError`, and nothing is written. Nothing to write: the
        current revision (1 round trip). On failure the transaction is rolled back and
        `StoreUnavailable`/`StoreError` raised.
        """
        if not shows and not settings:
            return self.head().revision
        sql, library = self._sql, self.library
        setting_rows = [batches.values_row(sql.setting_placeholders, (library, SETTING + name, str(value)))
                        for name, value in (settings or {}).items()]
        limit, step = min(batches.STATEMENT_BYTES, self._packet_budget), batches.ROWS_PER_STATEMENT

        def packets(cursor: Any) -> Iterator[str]:
            # Rows are encoded 500 at a time (the first 100 alone, so the server starts early), as
            # each packet is needed (`batches.execute_each`).
            statements = [cursor.mogrify(sql.begin_write, (library, library))]
            statements += batches.pack(sql.upsert_settings_prefix, setting_rows, sql.upsert_settings_suffix)
            first = batches.FIRST_ROWS if len(shows) > step else step
            bounds = [0, *range(first, len(shows), step), len(shows)]
            for start, end in zip(bounds, bounds[1:]):
                chunk = rows.show_rows(shows[start:end], library)
                statements += batches.pack(sql.upsert_shows_prefix, chunk, sql.upsert_shows_suffix, limit)
                yield from batches.join_statements(statements, self._packet_budget)
                statements = []

        def run(cursor: Any) -> int:
            revision: List[int] = []

            def check(index: int, results: List[batches.Result]) -> None:
                if index == 0:
                    if results[1].rowcount != 1:
                        raise StoreError("shared meta table has no revision row")
                    revision.append(int(results[3].rows[0][0]))

            batches.execute_each(cursor, packets(cursor), check, overlap=len(shows) > step)
            cursor.connection.commit()
            return revision[0]
        return self._run("write", run, transaction=True)

    def seed_settings(self, settings: Mapping[str, str]) -> Dict[str, str]:
        """Store each setting that has no shared value yet (INSERT IGNORE); return every shared
        value. One round trip."""
        def run(cursor: Any) -> Dict[str, str]:
            values = [batches.values_row(self._sql.setting_placeholders, (self.library, SETTING + name, str(value)))
                      for name, value in settings.items()]
            statements = batches.pack(self._sql.seed_settings_prefix, values, "")
            head = cursor.mogrify(self._sql.head, (self.library,))
            results = batches.execute_all(cursor, "; ".join(statements + [head]))
            return dict(self._head_from(results[-1].rows).settings)
        return self._run("seed settings", run)

    def try_lock(self, owner: str, ttl_seconds: int = LOCK_TTL_SECONDS) -> bool:
        """Take the population lock, renew it (same owner) or take it over (expired): one atomic
        UPDATE decided by the database in server time (`ttl_seconds` from now). True when
        `owner` now holds it. Raises `StoreError` for an owner containing `|`."""
        if "|" in owner:
            raise StoreError("lock owner must not contain '|': %r" % (owner,))
        # CLIENT.FOUND_ROWS: a renewal that changes nothing still counts as a matched row.
        return self._run("take lock", lambda cursor: cursor.execute(
            self._sql.try_lock, (owner, int(ttl_seconds), self.library, owner)) == 1)

    def release_lock(self, owner: str) -> None:
        """Free the population lock if `owner` holds it. One round trip."""
        self._run("release lock", lambda cursor: cursor.execute(self._sql.release_lock, (self.library, owner)))

    def clear(self) -> Head:
        """Delete this library's show rows, set its revision to 0 and give its generation a new
        random value (`schema.new_generation`), in one transaction (2 round trips, 1 COMMIT);
        return the new head."""
        library = self.library

        def run(cursor: Any) -> Head:
            args = (library, str(schema.new_generation()), library, library, library)
            head = self._head_from(batches.execute_all(cursor, self._sql.clear, args)[-1].rows)
            cursor.connection.commit()
            return head
        return self._run("clear", run, transaction=True)

    def register_device(self, device: Device) -> None:
        """Insert or update this device's registry row, on this store's library; `last_seen` =
        server time. One round trip."""
        self._run("register device", lambda cursor: cursor.execute(self._sql.register_device,
                                                                   rows.device_params(device, self.library)))

    def server_time(self) -> float:
        """The database server's clock, seconds since the epoch (`statements.SERVER_NOW`)."""
        def run(cursor: Any) -> float:
            cursor.execute("SELECT " + SERVER_NOW)
            return float(cursor.fetchone()[0])
        return self._run("read server time", run)

    def devices(self) -> List[Device]:
        """Every registered device of every library, by device_id. One round trip; in the fallback
        location also the registries of the other `<name>NNN` databases (`scopes.every_device`)."""
        return self._run("read devices", lambda cursor: every_device(cursor, self._sql, self.config.name,
                                                                     self.location))
