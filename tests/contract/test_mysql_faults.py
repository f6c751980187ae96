"""The MySQL store under connection faults: killed and timed-out connections come back by
themselves, failed transactions leave nothing behind, `close()` unblocks a hung read, and
concurrent writers get distinct, gap-free revisions."""

import threading
import time

import pytest

from easytv.core.errors import StoreError, StoreUnavailable
from easytv.core.sync import SharedShow
from easytv.mysql.store import MySQLStore

pytestmark = pytest.mark.mariadb


def show(tvshowid, event_time=100.0, device="device-a"):
    return SharedShow(tvshowid, "Show%d" % tvshowid, 2001, None, event_time, device)


def wait_for(condition, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within %.1f s" % timeout)
        time.sleep(interval)


def connected(server, connection_id):
    return bool(server.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE ID = %d" % connection_id))


@pytest.mark.parametrize("operation", ["head", "write", "changes_since", "try_lock", "clear"])
def test_a_killed_connection_is_replaced_on_the_next_operation(server, open_store, operation):
    store = open_store()
    store.write([show(1)])
    killed = store.connection_id()
    server.execute("KILL %d" % killed)
    wait_for(lambda: not connected(server, killed), 5)
    calls = {"head": lambda: store.head(), "write": lambda: store.write([show(2)]),
             "changes_since": lambda: store.changes_since(0), "try_lock": lambda: store.try_lock("device-a"),
             "clear": lambda: store.clear()}
    calls[operation]()
    assert store.connection_id() not in (None, killed)
    assert store.head().revision == {"write": 2, "clear": 0}.get(operation, 1)


def test_an_idle_connection_dropped_by_wait_timeout_is_replaced(server, open_store):
    default = server.execute("SELECT @@GLOBAL.wait_timeout")[0][0]
    server.execute("SET GLOBAL wait_timeout = 1")  # the store's session inherits it when it connects
    try:
        store = open_store()
    finally:
        server.execute("SET GLOBAL wait_timeout = %d" % int(default))
    first = store.connection_id()
    store.write([show(1)])
    wait_for(lambda: not connected(server, first), 10)
    assert store.write([show(2)]) == 2
    assert [s.tvshowid for s in store.changes_since(1)[1]] == [2]
    assert store.connection_id() != first


def test_a_failed_transaction_leaves_nothing_behind(server, open_store):
    store = open_store()
    store.write([show(1)])
    bad = SharedShow(3, "Show3", 2001, None, 100.0, "x" * 300)  # device_id longer than the column
    with pytest.raises(StoreError) as raised:
        store.write([show(1, 500.0), show(2), bad], settings={"random_order_shows": "1"})
    assert "1406" in raised.value.reason
    head = store.head()
    assert (head.revision, dict(head.settings)) == (1, {})
    assert [(s.tvshowid, s.event_time) for s in store.shows()] == [(1, 100.0)]
    assert store.write([show(2)]) == 2  # and the connection is still usable


def running_statement(server, connection_id):
    rows = server.execute("SELECT INFO FROM information_schema.PROCESSLIST WHERE ID = %d" % connection_id)
    return bool(rows) and rows[0][0] is not None


def hold_revision_row(server):
    """An admin transaction holding the revision row's lock (every write waits for it)."""
    conn = server.admin()
    cursor = conn.cursor()
    cursor.execute("START TRANSACTION")
    cursor.execute("SELECT value FROM easytv_myvideos.meta WHERE name = 'revision' FOR UPDATE")
    return conn


def test_a_read_timeout_fails_without_a_retry_and_the_store_recovers(server):
    store = MySQLStore.open(server.config(), "device-a", read_timeout=1)
    blocker = hold_revision_row(server)
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="timed out"):
            store.write([show(1)])
        elapsed = time.monotonic() - started
        assert 0.9 <= elapsed < 1.9  # one read timeout, not two
    finally:
        blocker.rollback()
        blocker.close()
    try:
        assert store.write([show(1)]) == 1
    finally:
        store.close()


def test_close_unblocks_an_operation_waiting_for_the_server(server, open_store):
    store = open_store()
    blocker = hold_revision_row(server)
    outcome = []

    def write():
        try:
            store.write([show(1)])
            outcome.append("written")
        except StoreUnavailable as exc:
            outcome.append(exc.reason)

    thread = threading.Thread(target=write)
    try:
        thread.start()
        # The write has reached the lock wait when the server shows its connection running a
        # statement (no result is possible before close: the blocker holds the lock).
        connection_id = store.connection_id()
        wait_for(lambda: running_statement(server, connection_id), 30)
        assert thread.is_alive()
        started = time.monotonic()
        store.close()
        thread.join(2)
        assert not thread.is_alive()
        assert time.monotonic() - started < 1.0
        assert outcome == ["shared database store is closed"]
    finally:
        blocker.rollback()
        blocker.close()
    with pytest.raises(StoreUnavailable, match="closed"):
        store.head()


def test_a_server_restart_is_survived(server, open_store):
    store = open_store()
    store.write([show(1)])
    server.db.stop()
    try:
        with pytest.raises(StoreUnavailable):
            store.head()
    finally:
        server.db.start()
    assert store.write([show(2)]) == 2


def test_concurrent_writers_get_distinct_gap_free_revisions(server, open_store):
    stores = [open_store(device_id="device-%d" % n) for n in range(3)]
    revisions, errors = [], []

    def work(store, n):
        try:
            for i in range(15):
                revisions.append(store.write([show(n * 100 + i, device=store.device_id), show(999, 100.0 + i)]))
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s, n)) for n, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(revisions) == list(range(1, 46))
    rows = {s.tvshowid: s for s in stores[0].shows()}
    assert len(rows) == 46
    assert rows[999].event_time == 114.0  # the newest event won whatever the commit order


def test_a_large_write_respects_a_small_max_allowed_packet(server, open_store):
    default = server.execute("SELECT @@GLOBAL.max_allowed_packet")[0][0]
    server.execute("SET GLOBAL max_allowed_packet = %d" % (64 * 1024))  # new sessions see it
    try:
        store = open_store()
    finally:
        server.execute("SET GLOBAL max_allowed_packet = %d" % int(default))
    shows = [SharedShow(i, "Show %d %s" % (i, "é" * 200), 2001, None, 100.0, "device-a") for i in range(1, 2001)]
    before, commits = store.round_trips, store.commits
    assert store.write(shows) == 1
    assert store.commits - commits == 1
    assert store.round_trips - before > 10  # split to fit 64 KiB packets
    assert len(store.shows()) == 2000
