"""The TCP socket of a MySQL connection, opened by us so that a cancel can unblock it.

pymysql opens its socket inside `Connection.connect()`, out of reach of another thread until the
handshake ends; `connect()` in `easytv.mysql.connection` opens it here instead and hands it to
pymysql's public `Connection.connect(sock)`.
"""

import functools
import socket
from typing import Callable, Optional, Tuple

import pymysql
from pymysql.constants import CR

from easytv.core.cancel import Cancel


def _nothing() -> None:
    pass


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # not connected (yet, or any more): the blocked call fails by itself


def _guard(sock: socket.socket, cancel: Optional[Cancel]) -> Callable[[], None]:
    """Register `cancel`'s hook on a duplicate of `sock`; return what unregisters and closes it."""
    if cancel is None:
        return _nothing
    guard = sock.dup()
    unregister = cancel.register(functools.partial(_shut, guard))

    def release() -> None:
        unregister()
        guard.close()
    return release


def open_socket(host: str, port: int, timeout: float,
                cancel: Optional[Cancel]) -> Tuple[socket.socket, Callable[[], None]]:
    """A TCP socket connected to `host:port` (each address of `getaddrinfo` in turn, like
    `socket.create_connection`; `timeout` seconds per address), and its `release()`.

    Until `release()`, `cancel.cancel()` from another thread shuts the connection down, which
    makes a connect or a read on it fail at once (Linux also wakes a connect in progress). The
    hook shuts down a duplicate descriptor of its own (`socket.dup`, the same open connection):
    TLS wraps the socket in an `SSLSocket` that detaches the original object, and the duplicate
    cannot be reused by another socket before `release()` closes it. The owning thread closes
    the socket itself. Raises pymysql's `OperationalError` 2003, as pymysql does for its own
    connect (`Can't connect to MySQL server on ...`), also when cancelled.
    """
    error: OSError = OSError("no address")
    try:
        addresses = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except OSError as exc:
        addresses, error = [], exc
    for family, kind, proto, _, address in addresses:
        sock = socket.socket(family, kind, proto)
        try:
            release = _guard(sock, cancel)
        except OSError:
            sock.close()  # no descriptor left for the duplicate (EMFILE)
            raise
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            return sock, release
        except OSError as exc:
            release()
            sock.close()
            error = exc
            if cancel is not None and cancel.cancelled:
                break
    raise pymysql.err.OperationalError(CR.CR_CONN_HOST_ERROR,
                                       "Can't connect to MySQL server on %r (%s)" % (host, error))
