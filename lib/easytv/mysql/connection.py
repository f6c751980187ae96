"""The pymysql connection the store uses: counted, with timeouts and TLS, and error translation.

`CountingConnection` is a `pymysql.connections.Connection` that counts what crosses the wire
(`Counters`: commands sent, COMMITs, bytes received) so the contract tests and `tools/bench_sync.py`
report measured round trips, not estimates. `translate()` turns every driver error into our
`StoreError` hierarchy with a reason that never contains the password.
"""

import re
import socket
from typing import Any, Dict, Optional

import pymysql
from pymysql.constants import CLIENT, CR, ER

from easytv.core.errors import StoreError, StoreUnavailable
from easytv.core.sync import DatabaseConfig

PRIVILEGE_ERRORS = frozenset((ER.DBACCESS_DENIED_ERROR, ER.TABLEACCESS_DENIED_ERROR,
                              ER.SPECIFIC_ACCESS_DENIED_ERROR))
"""1044, 1142, 1227: the server refused for lack of a privilege (MySQL 8.0 error reference,
"Server Error Message Reference"; the same numbers in MariaDB)."""

CONNECTION_LOST = frozenset((
    CR.CR_SERVER_GONE_ERROR,  # 2006 "MySQL server has gone away" (write to a dead socket)
    CR.CR_SERVER_LOST,        # 2013 "Lost connection to MySQL server during query"
    1927,                     # MariaDB ER_CONNECTION_KILLED "Connection was killed"
    4031,                     # MySQL 8.0.24+ ER_CLIENT_INTERACTION_TIMEOUT (idle wait_timeout)
))
"""Errors after which the connection is dead but the server may be fine: reconnect and retry."""

IDENTIFIER = re.compile(r"^[A-Za-z0-9_]+$")


def quote_identifier(name: str) -> str:
    """`name` in backticks, after checking it is made of `[A-Za-z0-9_]` only (1-64 characters,
    MySQL's identifier limit). Raises `StoreError` for anything else."""
    if not IDENTIFIER.match(name or "") or len(name) > 64:
        raise StoreError("not a safe database identifier: %r" % (name,))
    return "`%s`" % name


class Counters:
    """What one store sent and received, across reconnects.

    `round_trips`: commands sent to the server (each COM_QUERY, COM_INIT_DB, COM_PING ...; one
    multi-statement query is one); `commits`: COMMIT commands; `bytes_received`: bytes read
    from the socket (MySQL protocol packets, headers included).
    """

    def __init__(self) -> None:
        self.round_trips = 0
        self.commits = 0
        self.bytes_received = 0


class CountingConnection(pymysql.connections.Connection):
    """A pymysql connection that records its traffic in `counters` (shared by reconnects)."""

    counters: Counters

    def _execute_command(self, command: int, sql: Any) -> None:
        self.counters.round_trips += 1
        if sql in ("COMMIT", b"COMMIT"):
            self.counters.commits += 1
        super()._execute_command(command, sql)

    def _read_bytes(self, num_bytes: int) -> bytes:
        data: bytes = super()._read_bytes(num_bytes)
        self.counters.bytes_received += len(data)
        return data

    def _request_authentication(self) -> None:
        # pymysql silently stays in clear text when TLS is asked for but the server does not
        # offer it (connections.py, `if self.ssl and self.server_capabilities & CLIENT.SSL`);
        # refuse the downgrade before any credentials are sent.
        if self.ssl and not self.server_capabilities & CLIENT.SSL:
            raise pymysql.err.OperationalError(CR.CR_SSL_CONNECTION_ERROR,
                                               "TLS is configured but the server does not offer it")
        super()._request_authentication()

    def shutdown(self) -> None:
        """Shut the socket down (unblocks a thread reading from it), then close it. Idempotent."""
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._force_close()


def ssl_options(config: DatabaseConfig) -> Optional[Dict[str, Any]]:
    """pymysql's `ssl` dict from Kodi's TLS tags, or None when no tag is set.

    Like Kodi's client library (MariaDB Connector/C `mysql_ssl_set`), the link is encrypted
    whenever a tag is set; with `ca`/`capath` the server certificate must chain to it, but the
    host name is not checked (Kodi does not check it either, so a setup that works in Kodi works here).
    """
    if not config.uses_tls:
        return None
    options: Dict[str, Any] = {"check_hostname": False}
    for tag, key in (("ca", "ca"), ("capath", "capath"), ("cert", "cert"), ("key", "key"),
                     ("ciphers", "cipher")):
        value = getattr(config, tag)
        if value:
            options[key] = value
    options["verify_mode"] = bool(config.ca or config.capath)
    return options


def connect(config: DatabaseConfig, counters: Counters, database: Optional[str] = None,
            connect_timeout: float = 5, read_timeout: float = 10,
            write_timeout: float = 10) -> CountingConnection:
    """Open one connection (utf8mb4, autocommit on, multi-statements, found-rows); timeouts in seconds.

    Autocommit is on so that a lone SELECT never leaves a transaction (and its REPEATABLE READ
    snapshot and metadata locks) open between polls; writes run in explicit
    `START TRANSACTION ... COMMIT`. CLIENT.FOUND_ROWS makes UPDATE report matched rows (the lock
    renewal relies on it). Raises `StoreUnavailable`/`StoreError` via `translate`.
    """
    try:
        conn = CountingConnection(
            host=config.host, port=config.port, user=config.user, password=config.password,
            database=database, charset="utf8mb4", autocommit=True,
            client_flag=CLIENT.MULTI_STATEMENTS | CLIENT.FOUND_ROWS, connect_timeout=connect_timeout,
            read_timeout=read_timeout, write_timeout=write_timeout, ssl=ssl_options(config),
            defer_connect=True)
        conn.counters = counters
        conn.connect()
        return conn
    except Exception as exc:  # noqa: BLE001 - pymysql also raises OSError/ssl errors: translate all
        raise translate(exc, config.password, "connect to %s:%s" % (config.host, config.port)) from None


def error_code(exc: BaseException) -> int:
    """The MySQL error number of a pymysql error (0 when it has none)."""
    args = getattr(exc, "args", ())
    if args and isinstance(args[0], int):
        return args[0]
    return 0


def is_connection_lost(exc: BaseException) -> bool:
    """True when `exc` means the connection (not the statement) failed: 2006, 2013, killed,
    idle-timeout, or use of a socket pymysql already closed (InterfaceError 0)."""
    if isinstance(exc, pymysql.err.InterfaceError):
        return True
    return isinstance(exc, pymysql.err.OperationalError) and error_code(exc) in CONNECTION_LOST


def is_timeout(exc: BaseException) -> bool:
    """True when the connection was lost because a read or write timed out (the server hangs)."""
    return "timed out" in str(exc)


def translate(exc: BaseException, password: str, doing: str) -> StoreError:
    """Our error for a driver error met while `doing` (e.g. "write"): `StoreUnavailable` when
    the server cannot be used now (connect/network/timeout, lock wait, deadlock, access denied),
    `StoreError` when it refused the statement. The reason never contains `password`."""
    code = error_code(exc)
    detail = exc.args[1] if len(getattr(exc, "args", ())) > 1 else str(exc) or type(exc).__name__
    reason = "%s failed: %s%s" % (doing, "MySQL error %d: " % code if code else "", detail)
    if password:
        reason = reason.replace(password, "***")
    if isinstance(exc, (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError)):
        return StoreUnavailable(reason)
    return StoreError(reason)
