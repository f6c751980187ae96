"""The pymysql internals `easytv.mysql.connection` relies on, checked against the installed pymysql.

pymysql has no public hook for counting commands or bytes, for a check between the server's
greeting and the credentials, or for shutting the socket down from another thread, so
`CountingConnection` overrides or uses these private names. Each test fails with a message naming
the internal when an installed pymysql lacks it or changed its signature or call site. Runs under
both ends of the declared range (`.venv`: requirements-dev.txt, `.venv-min`: requirements-min.txt).
"""

import inspect

import pymysql
import pytest
from pymysql import _auth
from pymysql.connections import Connection

from easytv.mysql.connection import CountingConnection

VERSION = "pymysql %s" % pymysql.VERSION_STRING


def parameters(function) -> list:
    return list(inspect.signature(function).parameters)


def source(function) -> str:
    return inspect.getsource(function)


@pytest.mark.parametrize("name, expected", [
    ("_execute_command", ["self", "command", "sql"]),   # counts every command sent (round trips)
    ("_read_bytes", ["self", "num_bytes"]),             # counts bytes received
    ("_request_authentication", ["self"]),              # TLS downgrade guard before credentials
    ("_force_close", ["self"]),                         # shutdown(): close without COM_QUIT
])
def test_each_overridden_or_called_method_exists_with_its_signature(name, expected):
    method = getattr(Connection, name, None)
    assert callable(method), "%s: Connection.%s is gone; CountingConnection relies on it" % (VERSION, name)
    assert parameters(method) == expected, (
        "%s: Connection.%s%s changed (expected %s); review CountingConnection"
        % (VERSION, name, inspect.signature(method), expected))


def test_every_command_goes_through_execute_command():
    for caller in (Connection.query, Connection.commit, Connection.rollback):
        assert "self._execute_command(COMMAND.COM_QUERY" in source(caller), (
            "%s: Connection.%s no longer sends through _execute_command: round trips would go uncounted"
            % (VERSION, caller.__name__))


def test_packets_are_read_through_read_bytes():
    assert "self._read_bytes(" in source(Connection._read_packet), (
        "%s: Connection._read_packet no longer reads through _read_bytes: bytes would go uncounted" % VERSION)


def test_authentication_comes_after_the_greeting_that_sets_server_capabilities():
    connect = source(Connection.connect)
    greeting, auth = connect.find("self._get_server_information()"), connect.find("self._request_authentication()")
    assert 0 <= greeting < auth, (
        "%s: Connection.connect no longer calls _get_server_information() then _request_authentication(): "
        "the TLS downgrade guard would not run before credentials are sent" % VERSION)
    assert "self.server_capabilities" in source(Connection._get_server_information), (
        "%s: _get_server_information no longer sets server_capabilities (read by the TLS guard)" % VERSION)


def test_the_socket_lives_in_sock():
    assert "_sock" in vars(Connection), "%s: Connection._sock is gone (CountingConnection.shutdown)" % VERSION
    assert "self._sock = sock" in source(Connection.connect), (
        "%s: Connection.connect no longer keeps its socket in _sock" % VERSION)


def test_the_public_api_connect_uses_exists():
    assert parameters(Connection.connect) == ["self", "sock"], (
        "%s: Connection.connect(sock=None) changed: connect() hands pymysql its own socket" % VERSION)
    init = parameters(Connection.__init__)
    for name in ("ssl", "ssl_disabled", "init_command", "defer_connect", "client_flag", "connect_timeout",
                 "read_timeout", "write_timeout"):
        assert name in init, "%s: Connection(%s=...) is gone" % (VERSION, name)


def test_the_cryptography_message_translate_recognises():
    assert "'cryptography' package is required" in source(_auth.sha2_rsa_encrypt), (
        "%s: _auth.sha2_rsa_encrypt's RuntimeError text changed; update connection.translate" % VERSION)


def test_counting_connection_overrides_exactly_these():
    own = {name for name in vars(CountingConnection) if name.startswith("_") and not name.startswith("__")}
    assert own == {"_execute_command", "_read_bytes", "_request_authentication"}, (
        "CountingConnection overrides %s: keep this test and the checks above in step" % sorted(own))
