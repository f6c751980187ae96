"""`MySQLStore`: the `SharedStore` on Kodi's MySQL/MariaDB server (SPEC §7, §9).

Round trips (counted by the driver wrapper, `round_trips`): `head` 1, `changes_since` 1 (the head
query and the row query in one multi-statement, head first), `write` of one row 2 (the whole
transaction but COMMIT in one multi-statement, then COMMIT), 5,000 rows of about 1 KB 3 round
trips with the one COMMIT (`tools/bench_sync.py`). The revision row of `meta` is updated first in
every write transaction, so it serialises writers: revisions are committed in order and writers
never deadlock on each other.

Faults: a connection the server dropped (idle `wait_timeout`, KILL, restart) is replaced on the
next operation, which is retried once when its first command met the dead connection. `close()`
may be called from another thread and unblocks a read in progress.
"""

import threading
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar

import pymysql

from easytv.core.errors import StoreError, StoreUnavailable
from easytv.core.sync import LOCK_TTL_SECONDS, DatabaseConfig, Device, Head, SharedShow
from easytv.mysql import rows, schema
from easytv.mysql.batches import STATEMENT_BYTES, execute_all, join_statements, pack
from easytv.mysql.connection import Counters, CountingConnection, connect, is_connection_lost, is_timeout, translate
from easytv.mysql.location import Location, resolve
from easytv.mysql.statements import SETTING, SHOW_PLACEHOLDERS, Statements

T = TypeVar("T")


class MySQLStore:
    """A `SharedStore` over one pymysql connection (thread-safe; one operation at a time)."""

    def __init__(self, config: DatabaseConfig, device_id: str, location: Location, conn: CountingConnection,
                 counters: Counters, timeouts: Tuple[float, float, float], packet_budget: int) -> None:
        self.config = config
        self.device_id = device_id
        self.location = location
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
             write_timeout: float = 10) -> "MySQLStore":
        """Connect, pick the location (`easytv.mysql.location`), create or migrate the schema.

        Timeouts are seconds. Raises `SchemaTooNew` for a newer shared schema, `StoreUnavailable`
        when the server cannot be reached or used (no password in the reason), `StoreError` for
        an unsafe database name.
        """
        counters = Counters()
        timeouts = (connect_timeout, read_timeout, write_timeout)
        conn = connect(config, counters, None, *timeouts)
        try:
            location = resolve(conn, config)
            schema.ensure(conn, schema.Tables(location))
            conn.select_db(location.database)
            with conn.cursor() as cursor:
                cursor.execute("SELECT @@max_allowed_packet")
                max_packet = int(cursor.fetchone()[0])
        except StoreError:
            conn.shutdown()
            raise
        except (pymysql.err.MySQLError, OSError) as exc:
            conn.shutdown()
            raise translate(exc, config.password, "open shared database") from None
        return cls(config, device_id, location, conn, counters, timeouts, min(max_packet // 2, 4 << 20))

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
        """`database=easytv_myvideos` or `database=MyVideos121, table_prefix=easytv_` (SPEC §8)."""
        return self.location.describe()

    # -- connection handling -----------------------------------------------------------------

    def _connection(self) -> CountingConnection:
        if self._closed:
            raise StoreUnavailable("shared database store is closed")
        if self._conn is None or not self._conn.open:
            self._conn = None
            self._conn = connect(self.config, self._counters, self.location.database, *self._timeouts)
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
        values = {name: value for name, value in records}
        try:
            schema.check_version(int(values.get("schema_version", "0")))
            revision, generation = int(values["revision"]), int(values["generation"])
        except (KeyError, ValueError):
            raise StoreError("shared meta table lacks a numeric schema_version, revision or generation") from None
        settings = {k[len(SETTING):]: v for k, v in values.items() if k.startswith(SETTING)}
        return Head(revision, generation, settings)

    def head(self) -> Head:
        """Revision, generation and shared settings: one round trip. Raises `SchemaTooNew` when
        another device migrated the database beyond this version."""
        def run(cursor: Any) -> Head:
            cursor.execute(self._sql.head)
            return self._head_from(cursor.fetchall())
        return self._run("read head", run)

    def changes_since(self, revision: int) -> Tuple[Head, List[SharedShow]]:
        """The head and the rows (tombstones included) with a revision above `revision`, by
        tvshowid: one round trip. The head is read first, so the rows are never older than it
        (a row newer than the head is pulled again next time, harmlessly)."""
        def run(cursor: Any) -> Tuple[Head, List[SharedShow]]:
            head_rows, show_rows = execute_all(cursor, self._sql.changes_since, (int(revision),))
            return self._head_from(head_rows.rows), rows.shows_from_rows(show_rows.rows)
        return self._run("pull changes", run)

    def shows(self) -> List[SharedShow]:
        """Every row, tombstones included, by tvshowid: one round trip."""
        def run(cursor: Any) -> List[SharedShow]:
            cursor.execute(self._sql.select_shows)
            return rows.shows_from_rows(cursor.fetchall())
        return self._run("read shows", run)

    def write(self, shows: Sequence[SharedShow], settings: Optional[Mapping[str, str]] = None) -> int:
        """Upsert rows (conflict rule in SQL, see `easytv.mysql.statements`) and settings in one
        transaction that bumps the revision once; return the new revision.

        One row: 2 round trips (everything but COMMIT in one multi-statement, then COMMIT).
        Many rows: INSERTs of up to 500 rows, packed into round trips of at most half the
        server's `max_allowed_packet` (4 MiB at most), then one COMMIT. Nothing to write: the
        current revision (1 round trip). On failure the transaction is rolled back and
        `StoreUnavailable`/`StoreError` raised.
        """
        if not shows and not settings:
            return self.head().revision
        sql = self._sql
        show_params = [rows.show_params(show) for show in shows]
        setting_params = [(SETTING + name, str(value)) for name, value in (settings or {}).items()]

        def run(cursor: Any) -> int:
            statements = [sql.begin_write]
            statements += pack(cursor, sql.upsert_settings_prefix, "(%s, %s)", sql.upsert_settings_suffix,
                               setting_params)
            statements += pack(cursor, sql.upsert_shows_prefix, SHOW_PLACEHOLDERS, sql.upsert_shows_suffix,
                               show_params, min(STATEMENT_BYTES, self._packet_budget))
            revision = None
            for packet in join_statements(statements, self._packet_budget):
                results = execute_all(cursor, packet)
                if revision is None:
                    if results[1].rowcount != 1:
                        raise StoreError("shared meta table has no revision row")
                    revision = int(results[3].rows[0][0])
            cursor.connection.commit()
            return int(revision or 0)
        return self._run("write", run, transaction=True)

    def seed_settings(self, settings: Mapping[str, str]) -> Dict[str, str]:
        """Store each setting that has no shared value yet (INSERT IGNORE); return every shared
        value. One round trip."""
        def run(cursor: Any) -> Dict[str, str]:
            statements = pack(cursor, self._sql.seed_settings_prefix, "(%s, %s)", "",
                              [(SETTING + name, str(value)) for name, value in settings.items()])
            results = execute_all(cursor, "; ".join(statements + [self._sql.head]))
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
            self._sql.try_lock, (owner, int(ttl_seconds), owner)) == 1)

    def release_lock(self, owner: str) -> None:
        """Free the population lock if `owner` holds it. One round trip."""
        self._run("release lock", lambda cursor: cursor.execute(self._sql.release_lock, (owner,)))

    def clear(self) -> Head:
        """Delete every show row, set the revision to 0 and increment the generation, in one
        transaction (2 round trips, 1 COMMIT); return the new head."""
        def run(cursor: Any) -> Head:
            head = self._head_from(execute_all(cursor, self._sql.clear)[-1].rows)
            cursor.connection.commit()
            return head
        return self._run("clear", run, transaction=True)

    def register_device(self, device: Device) -> None:
        """Insert or update this device's registry row; `last_seen` = server time. One round trip."""
        self._run("register device", lambda cursor: cursor.execute(self._sql.register_device,
                                                                   rows.device_params(device)))

    def server_time(self) -> float:
        """The database server's clock, seconds since the epoch (`UNIX_TIMESTAMP(NOW(6))`)."""
        def run(cursor: Any) -> float:
            cursor.execute("SELECT UNIX_TIMESTAMP(NOW(6))")
            return float(cursor.fetchone()[0])
        return self._run("read server time", run)

    def devices(self) -> List[Device]:
        """Every registered device, by device_id. One round trip."""
        def run(cursor: Any) -> List[Device]:
            cursor.execute(self._sql.select_devices)
            return [rows.device_from_row(row) for row in cursor.fetchall()]
        return self._run("read devices", run)
