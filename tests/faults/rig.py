"""Fault-injection rig: one private MariaDB whose process we kill, stop and restart by PID, and a
TCP relay that cuts one device off the network.

Everything listens on 127.0.0.1 only. `FaultServer.stop()` continues a stopped server before
stopping it, so a test that fails while the server is SIGSTOPped still leaves no process behind.
"""

import logging
import os
import shutil
import signal
import socket
import tempfile
import threading
from pathlib import Path
from typing import List, Optional, Set

import pymysql

from e2e.harness.mariadb import MariaDB
from e2e.harness.procs import free_port, process_state, wait_until
from easytv.core.sync import DatabaseConfig
from sql_admin import run_statements

USER, PASSWORD = "kodi", "fault-kodi-pw"
ADMIN, ADMIN_PASSWORD = "fault_admin", "fault-admin-pw"
SHARED_DATABASE = "easytv_myvideos"


class FaultServer:
    """A private `mariadbd` (the e2e harness' `MariaDB`) with a Kodi user and an admin user.

    `kill()` SIGKILLs the process we started (InnoDB recovers on `restart()`, same datadir and
    port); `pause()`/`resume()` SIGSTOP/SIGCONT it (a hung server). Only our own PID is signalled.
    """

    def __init__(self, base_dir: Optional[Path] = None) -> None:
        self._owns_dir = base_dir is None
        self.base_dir = Path(base_dir or tempfile.mkdtemp(prefix="easytv-faults-"))
        self.db = MariaDB(self.base_dir)
        self.default_wait_timeout = 28800

    @property
    def port(self) -> int:
        return self.db.port

    @property
    def pid(self) -> int:
        assert self.db.pid is not None, "server not started"
        return self.db.pid

    def start(self) -> "FaultServer":
        """Start the server and create the users (first start only)."""
        self.db.start(timeout=60)
        self.db.create_user(USER, PASSWORD, grant_on="*.*")
        self.db.create_user(ADMIN, ADMIN_PASSWORD, grant_on="*.*")
        self.default_wait_timeout = int(self.execute("SELECT @@GLOBAL.wait_timeout")[0][0])
        return self

    def config(self, port: Optional[int] = None) -> DatabaseConfig:
        """Kodi's `<videodatabase>` settings for this server (or for a relay on `port`)."""
        return DatabaseConfig(host="127.0.0.1", port=port or self.port, user=USER, password=PASSWORD,
                              name="MyVideos")

    def admin(self) -> pymysql.connections.Connection:
        """A fresh admin connection (autocommit), for inspection and KILL."""
        return pymysql.connect(host="127.0.0.1", port=self.port, user=ADMIN, password=ADMIN_PASSWORD,
                               autocommit=True, connect_timeout=5, read_timeout=30, write_timeout=30)

    def execute(self, *statements: str) -> List[tuple]:
        """Run statements as the admin on a fresh connection; return the rows of the last one."""
        return run_statements(self.admin(), statements)

    def connection_alive(self, connection_id: Optional[int]) -> bool:
        """True while the server lists connection `connection_id` (a thread id)."""
        if connection_id is None:
            return False
        return bool(self.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE ID = %d" % connection_id))

    def reset(self) -> None:
        """No EasyTV database, the default `wait_timeout`, no client connection but the admin's."""
        self.ensure_running()
        with self.admin() as conn, conn.cursor() as cursor:
            cursor.execute("SET GLOBAL wait_timeout = %d" % self.default_wait_timeout)
            cursor.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = %s", (USER,))
            for (thread_id,) in cursor.fetchall():
                try:
                    cursor.execute("KILL %d" % thread_id)
                except pymysql.err.MySQLError:
                    pass  # it ended by itself meanwhile
            cursor.execute("DROP DATABASE IF EXISTS `%s`" % SHARED_DATABASE)

    # -- process faults ---------------------------------------------------------------------

    def kill(self) -> None:
        """SIGKILL the server and wait until it is gone (no clean shutdown, no flush)."""
        self.signal_kill()
        self.wait_gone()

    def signal_kill(self) -> None:
        """Send SIGKILL to the server (safe from any thread); `wait_gone()` waits for the exit."""
        os.kill(self.pid, signal.SIGKILL)

    def wait_gone(self) -> None:
        wait_until(lambda: not self.db.running(), 15, what="mariadbd gone after SIGKILL")

    def restart(self) -> None:
        """Start the server again on the same datadir and port; returns once it answers."""
        self.db.start(timeout=90)

    def pause(self) -> None:
        """SIGSTOP: the server keeps its sockets but answers nothing (a hung database)."""
        os.kill(self.pid, signal.SIGSTOP)
        wait_until(lambda: process_state(self.pid) == "T", 5, what="mariadbd stopped")

    def resume(self) -> None:
        """SIGCONT after `pause()`."""
        if self.db.pid is not None and process_state(self.db.pid) in ("T", "t"):
            os.kill(self.db.pid, signal.SIGCONT)

    def ensure_running(self) -> None:
        """Continue a stopped server, start a dead one (a failed test left it so)."""
        self.resume()
        if not self.db.running():
            self.restart()

    def stop(self) -> None:
        """Stop the server we started and remove its directory (if we made it)."""
        try:
            self.resume()
            self.db.stop()
        finally:
            if self._owns_dir and os.environ.get("EASYTV_KEEP_FAULT_DB") != "1":
                shutil.rmtree(self.base_dir, ignore_errors=True)


class Relay:
    """A TCP relay 127.0.0.1:`port` → 127.0.0.1:`target_port`: the network path of one device.

    `stop()` cuts every relayed connection and refuses new ones (the device is offline);
    `start()` listens again on the same port.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._listener: Optional[socket.socket] = None
        self._sockets: Set[socket.socket] = set()
        self._threads: List[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.1)
        self._listener = listener
        self._spawn(self._accept, listener)

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="fault-relay")
        self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            self._spawn(self._pump, client, upstream)
            self._spawn(self._pump, upstream, client)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self) -> None:
        """Refuse new connections and cut the relayed ones; wait (bounded) for the threads."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            sockets, self._sockets = set(self._sockets), set()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(2)
        alive = [t for t in threads if t.is_alive()]
        if alive:
            logging.getLogger("faults").warning("%d relay threads still running after stop", len(alive))
