"""`easytv.mysql.connection.connect` against the private MariaDB (plain text, no TLS on it), on
whichever pymysql the venv has: both ends of the declared range run this file (`.venv` with
requirements-dev.txt, `.venv-min` with requirements-min.txt)."""

import os
import threading
import time

import pytest

from easytv.core.cancel import Cancel
from easytv.core.errors import StoreUnavailable
from easytv.mysql.connection import Counters, connect

pytestmark = pytest.mark.mariadb


def scalar(conn, sql):
    with conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_a_config_without_tls_tags_connects_to_a_plain_text_server(server):
    # pymysql 1.2 defaults to "TLS preferred" (Connection.ssl True without any TLS option);
    # the downgrade guard must follow the user's tags, not that default.
    conn = connect(server.config(), Counters())
    try:
        assert scalar(conn, "SELECT 1") == 1
    finally:
        conn.close()


def test_without_tls_tags_the_link_is_plain_text_like_kodis_own_client(server):
    conn = connect(server.config(), Counters())
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
            assert cursor.fetchone()[1] == ""
    finally:
        conn.close()


def test_every_connection_runs_in_utc(server):
    counters = Counters()
    conn = connect(server.config(), counters)
    try:
        assert scalar(conn, "SELECT @@session.time_zone") == "+00:00"
        assert scalar(conn, "SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW())") == 0
    finally:
        conn.close()


def test_the_store_reconnects_in_utc_after_its_connection_is_killed(server, open_store):
    store = open_store()
    store.head()
    server.execute("KILL %d" % store.connection_id())
    store.head()  # reconnects
    conn = store._connection()
    assert scalar(conn, "SELECT @@session.time_zone") == "+00:00"



class CancelAsTheHandshakeEnds(Cancel):
    """A cancel that arrives just after the handshake finished, before `connect()` returns."""

    def register(self, hook):
        unregister = super().register(hook)

        def late() -> None:
            self.cancel()
            unregister()
        return late


def test_a_connection_finished_as_the_cancel_came_is_closed_not_returned(server):
    server.db.create_user("late_probe", "late-pw", grant_on="`MyVideos%`.*")
    before = sorted(os.listdir("/proc/self/fd"))
    config = server.config("late_probe", password="late-pw")
    with pytest.raises(StoreUnavailable, match="cancelled"):
        connect(config, Counters(), cancel=CancelAsTheHandshakeEnds())
    assert sorted(os.listdir("/proc/self/fd")) == before
    sessions = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'late_probe'"
    deadline = time.monotonic() + 20
    while server.execute(sessions)[0][0] != 0:
        assert time.monotonic() < deadline, "the late connection is still open on the server"
        threading.Event().wait(0.05)
