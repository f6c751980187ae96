"""`connect()` against scripted servers on 127.0.0.1 (no MariaDB): a cancel unblocks a connect
stuck in a hung handshake, leaks no socket, and the MySQL 8 `caching_sha2_password` case without
the `cryptography` package gets a reason that says what to do. Runs on every pymysql of the range."""

import os
import socket
import struct
import threading
import time
from typing import Callable, List, Optional

import pymysql
import pytest
from pymysql.constants import CLIENT

from easytv.core.cancel import Cancel
from easytv.core.errors import StoreError, StoreUnavailable
from easytv.core.sync import DatabaseConfig
from easytv.mysql.connection import NEEDS_CRYPTOGRAPHY, Counters, connect, translate

DEADLINE = 10.0  # generous: a liveness bound on a busy machine, not a speed target
UNBLOCKED = 5.0  # cancel() to the connect thread ended (takes milliseconds; generous for a busy machine)
PASSWORD = "pw-never-logged"

try:
    import cryptography  # noqa: F401
    HAS_CRYPTOGRAPHY = True
except ImportError:
    HAS_CRYPTOGRAPHY = False


def packet(seq: int, payload: bytes) -> bytes:
    return struct.pack("<I", len(payload))[:3] + bytes((seq,)) + payload


def greeting(plugin: bytes = b"mysql_native_password", tls: bool = False) -> bytes:
    """A MySQL protocol 10 handshake (the fields pymysql's `_get_server_information` reads)."""
    caps = (CLIENT.LONG_PASSWORD | CLIENT.PROTOCOL_41 | CLIENT.SECURE_CONNECTION | CLIENT.PLUGIN_AUTH
            | CLIENT.MULTI_STATEMENTS | (CLIENT.SSL if tls else 0))
    body = (b"\x0a" + b"8.0.99-scripted\0" + struct.pack("<I", 7) + b"A" * 8 + b"\0"
            + struct.pack("<H", caps & 0xFFFF) + struct.pack("<BHHB", 45, 2, caps >> 16, 21)
            + b"\0" * 10 + b"B" * 12 + b"\0" + plugin + b"\0")
    return packet(0, body)


def read_packet(conn: socket.socket) -> bytes:
    header = b""
    while len(header) < 4:
        chunk = conn.recv(4 - len(header))
        if not chunk:
            raise EOFError
        header += chunk
    size = struct.unpack("<I", header[:3] + b"\0")[0]
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


class ScriptedServer:
    """Listens on 127.0.0.1; each accepted connection runs `script(conn)`, then waits for the
    client to go away (never answering more). `accepted` counts connections; `stop()` closes all."""

    def __init__(self, script: Callable[[socket.socket], None]) -> None:
        self.script = script
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.connections: List[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            self.connections.append(conn)
            try:
                self.script(conn)
                while conn.recv(4096):
                    pass  # stall: read and drop until the client closes
            except (OSError, EOFError):
                pass

    def stop(self) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for conn in self.connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.thread.join(DEADLINE)
        for conn in self.connections:
            conn.close()


def silent(conn: socket.socket) -> None:
    """Accept TCP, never send the greeting."""


def greet_then_stall(conn: socket.socket) -> None:
    conn.sendall(greeting())


def greet_tls_then_stall(conn: socket.socket) -> None:
    conn.sendall(greeting(tls=True))  # the client then starts TLS: its ClientHello gets no answer


def config(port: int, **tls) -> DatabaseConfig:
    return DatabaseConfig(host="127.0.0.1", port=port, user="kodi", password=PASSWORD, **tls)


def open_fds() -> List[str]:
    return sorted(os.listdir("/proc/self/fd"))


def connect_in_thread(cfg: DatabaseConfig, cancel: Cancel) -> dict:
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["conn"] = connect(cfg, Counters(), None, 30, 30, 30, cancel=cancel)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            outcome["error"] = exc

    outcome["thread"] = threading.Thread(target=run, daemon=True)
    outcome["thread"].start()
    return outcome


def wait_for(condition: Callable[[], bool], what: str) -> None:
    event = threading.Event()
    for _ in range(int(DEADLINE / 0.01)):
        if condition():
            return
        event.wait(0.01)
    raise AssertionError("%s not within %.0f s" % (what, DEADLINE))


@pytest.mark.parametrize("script, tls", [(silent, {}), (greet_then_stall, {}),
                                         (greet_tls_then_stall, {"ciphers": "DEFAULT"})],
                         ids=["no-greeting", "greeting-then-stall", "tls-handshake-stall"])
def test_cancel_unblocks_a_connect_to_a_hung_server_and_leaks_no_socket(script, tls):
    before = open_fds()
    server = ScriptedServer(script)
    cancel = Cancel()
    try:
        outcome = connect_in_thread(config(server.port, **tls), cancel)
        wait_for(lambda: server.accepted == 1, "the connection reaching the server")
        outcome["thread"].join(0.3)
        assert outcome["thread"].is_alive(), "connect should be blocked in the handshake: %r" % outcome
        cancel.cancel()
        outcome["thread"].join(UNBLOCKED)
        assert not outcome["thread"].is_alive(), "cancel() did not unblock connect()"
    finally:
        server.stop()
    error = outcome.get("error")
    assert isinstance(error, StoreUnavailable) and "cancelled" in str(error), outcome
    assert PASSWORD not in str(error)
    assert open_fds() == before


@pytest.mark.parametrize("script", [silent, greet_then_stall], ids=["no-greeting", "greeting-then-stall"])
def test_a_stalled_handshake_is_left_after_the_connect_timeout_not_the_read_timeout(script):
    before = open_fds()
    server = ScriptedServer(script)
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="timed out after 0.5 s") as caught:
            connect(config(server.port), Counters(), None, 0.5, 30, 30)
        waited = time.monotonic() - started
    finally:
        server.stop()
    assert server.accepted == 1 and 0.5 <= waited < 30, waited  # read_timeout (30 s) would block longer
    assert PASSWORD not in str(caught.value)
    assert open_fds() == before


def test_an_already_cancelled_token_never_reaches_the_server():
    server = ScriptedServer(silent)
    cancel = Cancel()
    cancel.cancel()
    try:
        with pytest.raises(StoreUnavailable, match="cancelled"):
            connect(config(server.port), Counters(), cancel=cancel)
    finally:
        server.stop()
    assert server.accepted == 0


def test_a_cancel_during_a_tcp_connect_unblocks_it():
    # A listener with a full backlog drops further SYNs, so a connect to it blocks in the kernel.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: List[socket.socket] = []
    blocked: Optional[socket.socket] = None
    try:
        for _ in range(8):
            probe = socket.socket()
            probe.settimeout(0.5)
            try:
                probe.connect(("127.0.0.1", port))
                fillers.append(probe)
            except OSError:
                blocked = probe  # the backlog is full: this one timed out
                break
        if blocked is None:
            pytest.skip("this kernel did not drop SYNs on a full backlog")
        blocked.close()
        cancel = Cancel()
        outcome = connect_in_thread(config(port), cancel)
        outcome["thread"].join(0.3)
        assert outcome["thread"].is_alive(), "connect should be blocked in the TCP connect: %r" % outcome
        cancel.cancel()
        outcome["thread"].join(UNBLOCKED)
        assert not outcome["thread"].is_alive(), "cancel() did not unblock the TCP connect"
        assert isinstance(outcome.get("error"), StoreUnavailable) and "cancelled" in str(outcome["error"])
    finally:
        for probe in fillers:
            probe.close()
        listener.close()


def test_the_tls_guard_follows_the_users_tags_not_the_drivers_default():
    server = ScriptedServer(greet_then_stall)  # offers no TLS
    try:
        with pytest.raises(StoreUnavailable, match="TLS is configured but the server does not offer it"):
            connect(config(server.port, ciphers="DEFAULT"), Counters(), None, 30, 30, 30)
    finally:
        server.stop()


# -- caching_sha2_password without the cryptography package ---------------------------------------

CRYPTOGRAPHY_MESSAGE = ("'cryptography' package is required for sha256_password or"
                        " caching_sha2_password auth methods")
"""pymysql `_auth.sha2_rsa_encrypt`'s RuntimeError, the same text in 1.1.0 and 1.2.4."""


def test_the_cryptography_error_becomes_one_line_saying_what_to_do():
    error = translate(RuntimeError(CRYPTOGRAPHY_MESSAGE), PASSWORD, "connect to db:3306")
    assert isinstance(error, StoreUnavailable)
    assert str(error) == "connect to db:3306 failed: " + NEEDS_CRYPTOGRAPHY
    assert "<ca>" in str(error) and "mysql_native_password" in str(error)


def test_other_runtime_errors_stay_statement_errors():
    error = translate(RuntimeError("something else"), PASSWORD, "write")
    assert type(error) is StoreError


def caching_sha2_full_auth(conn: socket.socket) -> None:
    """MySQL 8 with a user of caching_sha2_password whose hash is not cached: full authentication
    over plain TCP needs the server's RSA key (pymysql `_auth.caching_sha2_password_auth`)."""
    conn.sendall(greeting(plugin=b"caching_sha2_password"))
    read_packet(conn)                           # handshake response with the fast-auth scramble
    conn.sendall(packet(2, b"\x01\x04"))        # perform full authentication
    read_packet(conn)                           # b"\x02": request public key
    conn.sendall(packet(4, b"\x01-----BEGIN PUBLIC KEY-----\nMII\n-----END PUBLIC KEY-----\n"))


@pytest.mark.skipif(HAS_CRYPTOGRAPHY, reason="the cryptography package is installed here")
def test_a_mysql8_caching_sha2_server_without_cryptography_says_what_to_do():
    assert pymysql.VERSION_STRING  # whichever end of the range this venv has
    server = ScriptedServer(caching_sha2_full_auth)
    try:
        with pytest.raises(StoreUnavailable) as caught:
            connect(config(server.port), Counters(), None, 30, 30, 30)
    finally:
        server.stop()
    assert str(caught.value).endswith(NEEDS_CRYPTOGRAPHY)
    assert PASSWORD not in str(caught.value)


def test_an_unreadable_tls_file_is_named_in_the_reason(tmp_path):
    missing = tmp_path / "no-such-ca.pem"
    with pytest.raises(StoreUnavailable) as caught:
        connect(config(1, ca=str(missing)), Counters())
    reason = str(caught.value)
    assert "TLS" in reason and str(missing) in reason, reason
    assert "MySQL error" not in reason, reason  # an errno is not a MySQL error number
    assert PASSWORD not in reason
