"""The pymysql connection the store uses: counted, with timeouts and TLS, and error translation.

`CountingConnection` is a `pymysql.connections.Connection` that counts what crosses the wire
(`Counters`: commands sent, COMMITs, bytes received) so the contract tests and `tools/bench_sync.py`
report measured round trips, not estimates. `translate()` turns every driver error into our
`StoreError` hierarchy with a reason that never contains the password.

Works with pymysql 1.1.0 (addon.xml's minimum) through 1.2.x. Counting and the TLS downgrade guard
override pymysql internals (`_execute_command`, `_read_bytes`, `_request_authentication`; `shutdown`
uses `_sock` and `_force_close`) because pymysql has no public hook for them;
tests/test_pymysql_internals.py fails loudly when an installed pymysql changes one of them.
"""

import re
import socket
import threading
from typing import Any, Optional

import pymysql
from pymysql.constants import CLIENT, CR, ER

from easytv.core.cancel import Cancel
from easytv.core.errors import StoreError, StoreUnavailable
from easytv.core.sync import DatabaseConfig
from easytv.mysql.sockets import open_socket
from easytv.mysql.tls import ssl_options, tls_arguments  # noqa: F401 - ssl_options: re-exported

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

UTC_SESSION = "SET time_zone = '+00:00'"
"""Run by pymysql right after every (re)connect (`init_command`): event times come from
`UNIX_TIMESTAMP(NOW(6))`, which is ambiguous in a daylight-saving fall-back hour under the
server's default `SYSTEM` zone. A numeric offset needs no time-zone tables, so it works on every
MariaDB and MySQL 8 server (MySQL 8.0 reference, "MySQL Server Time Zone Support"). One round trip
per connect."""

NEEDS_CRYPTOGRAPHY = ("the server asks for caching_sha2_password (MySQL 8), which needs TLS (add <ca> to "
                      "advancedsettings.xml) or a user created WITH mysql_native_password")
"""The reason given when pymysql cannot authenticate without the `cryptography` package, which
Kodi's script.module.pymysql does not bring (pymysql `_auth.sha2_rsa_encrypt` raises RuntimeError
"'cryptography' package is required for sha256_password or caching_sha2_password auth methods",
the same text in 1.1.0 and 1.2.x)."""

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
    tls_required = False
    """True when the user set a TLS tag: then a server that offers no TLS is refused."""

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
        # pymysql 1.1 silently stays in clear text when TLS is asked for but the server does not
        # offer it (connections.py, `if self.ssl and self.server_capabilities & CLIENT.SSL`);
        # refuse the downgrade before any credentials are sent. Based on the user's tags, not
        # on `self.ssl`: pymysql 1.2 sets that True without any TLS option ("preferred" mode).
        if self.tls_required and not self.server_capabilities & CLIENT.SSL:
            raise pymysql.err.OperationalError(CR.CR_SSL_CONNECTION_ERROR,
                                               "TLS is configured but the server does not offer it")
        super()._request_authentication()

    def shutdown(self) -> None:
        """Shut the socket down (unblocks a thread reading from it), then close it. Idempotent.

        Not the public `close()`: that writes COM_QUIT, which must not race another thread's
        read on a TLS socket."""
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._force_close()


def connect(config: DatabaseConfig, counters: Counters, database: Optional[str] = None,
            connect_timeout: float = 5, read_timeout: float = 10,
            write_timeout: float = 10, cancel: Optional[Cancel] = None) -> CountingConnection:
    """Open one connection (utf8mb4, UTC session, autocommit on, multi-statements, found-rows);
    timeouts in seconds.

    Autocommit is on so that a lone SELECT never leaves a transaction (and its REPEATABLE READ
    snapshot and metadata locks) open between polls; writes run in explicit
    `START TRANSACTION ... COMMIT`. CLIENT.FOUND_ROWS makes UPDATE report matched rows (the lock
    renewal relies on it). The session runs `UTC_SESSION`.

    `cancel`: while the TCP connect and the MySQL/TLS handshake run, `cancel.cancel()` from another
    thread makes this raise `StoreUnavailable("... cancelled")` at once (already cancelled: raises
    without connecting). The hook is removed when the handshake ends; a blocked read on the live
    connection is the store's to unblock (`CountingConnection.shutdown`). A connection whose
    handshake finished as the cancel came is closed, never returned. The socket is ours, handed to
    pymysql's public `Connection.connect(sock)` (1.1.0 and 1.2.x), which closes it on failure.
    Raises `StoreUnavailable`/`StoreError` via `translate`.
    """
    doing = "connect to %s:%s" % (config.host, config.port)
    cancelled = StoreUnavailable("%s failed: cancelled" % doing)
    if cancel is not None and cancel.cancelled:
        raise cancelled
    try:  # tls_arguments loads the TLS files: OSError, ssl.SSLError (an OSError), ValueError
        conn = CountingConnection(
            host=config.host, port=config.port, user=config.user, password=config.password,
            database=database, charset="utf8mb4", autocommit=True, init_command=UTC_SESSION,
            client_flag=CLIENT.MULTI_STATEMENTS | CLIENT.FOUND_ROWS, connect_timeout=connect_timeout,
            read_timeout=read_timeout, write_timeout=write_timeout, defer_connect=True,
            **tls_arguments(config))
    except (OSError, ValueError) as exc:
        files = ", ".join("<%s>%s</%s>" % (tag, getattr(config, tag), tag)
                          for tag in ("ca", "capath", "cert", "key", "ciphers") if getattr(config, tag))
        detail = getattr(exc, "strerror", None) or (str(exc.args[-1]) if exc.args else type(exc).__name__)
        raise StoreUnavailable("%s failed: cannot use the TLS settings %s: %s" % (doing, files, detail)) from None
    sock: Optional[socket.socket] = None
    # The whole connect (TCP, handshake, TLS, authentication, init_command) is bounded by
    # `connect_timeout`, as the MySQL client's connect timeout bounds the handshake: a server
    # that accepts but stalls the handshake (one still starting after a crash) is left after
    # `connect_timeout` seconds, not after pymysql's `read_timeout` per read.
    attempt = Cancel()
    unlink = cancel.register(attempt.cancel) if cancel is not None else (lambda: None)
    stalled = threading.Event()

    def give_up() -> None:
        stalled.set()
        attempt.cancel()
    timer = threading.Timer(connect_timeout, give_up)
    timer.daemon = True
    timer.start()
    try:
        conn.counters = counters
        conn.tls_required = config.uses_tls
        sock, release = open_socket(config.host, config.port, connect_timeout, attempt)
        conn.host_info = "socket %s:%d" % (config.host, config.port)
        try:
            conn.connect(sock)
        finally:
            release()
    except Exception as exc:  # noqa: BLE001 - pymysql also raises OSError/ssl errors: translate all
        # pymysql 1.2 closes its socket when the handshake fails; 1.1.0 closes only the plain
        # socket it was given, not the TLS socket that replaced it (`_sock`). Both idempotent.
        conn.shutdown()
        if sock is not None:
            sock.close()
        if cancel is not None and cancel.cancelled:
            raise cancelled from None
        if stalled.is_set():
            raise StoreUnavailable("%s failed: the connect timed out after %g s (the server accepted "
                                   "but did not finish the handshake)" % (doing, connect_timeout)) from None
        raise translate(exc, config.password, doing) from None
    finally:
        timer.cancel()
        unlink()
    if cancel is not None and cancel.cancelled:
        conn.shutdown()
        raise cancelled
    return conn


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
    the server cannot be used now (connect/network/timeout, lock wait, deadlock, access denied,
    an authentication that needs the `cryptography` package: `NEEDS_CRYPTOGRAPHY`), `StoreError`
    when it refused the statement. The reason never contains `password`."""
    code = error_code(exc)
    if isinstance(exc, RuntimeError) and "cryptography" in str(exc):
        return StoreUnavailable("%s failed: %s" % (doing, NEEDS_CRYPTOGRAPHY))
    detail = exc.args[1] if len(getattr(exc, "args", ())) > 1 else str(exc) or type(exc).__name__
    reason = "%s failed: %s%s" % (doing, "MySQL error %d: " % code if code else "", detail)
    if password:
        reason = reason.replace(password, "***")
    if isinstance(exc, (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError)):
        return StoreUnavailable(reason)
    return StoreError(reason)
