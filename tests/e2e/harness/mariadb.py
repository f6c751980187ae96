"""A private MariaDB server in a temporary datadir, driven through the ``mariadb`` CLI."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from .procs import HarnessError, free_port, is_running, terminate, wait_until


class MariaDBError(HarnessError):
    """A MariaDB command failed; ``stderr`` holds the server's message."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(f"{message}: {stderr.strip()}" if stderr else message)
        self.stderr = stderr


class MariaDB:
    """One ``mariadbd`` on 127.0.0.1 with root reachable through its unix socket only.

    ``base_dir`` is created if needed; the datadir, socket and log live under it. ``extra_args``
    are appended to the ``mariadbd`` command line (e.g. ``--ssl-ca=...``).
    """

    def __init__(self, base_dir: Path, port: int | None = None, extra_args: Sequence[str] = ()) -> None:
        self.extra_args = list(extra_args)
        self.base_dir = Path(base_dir)
        self.datadir = self.base_dir / "data"
        self.socket = self.base_dir / "data" / "sock"
        self.log_path = self.base_dir / "mariadbd.log"
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.pid: int | None = None
        self._popen: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> None:
        """Initialise the datadir (first time only), start the server on ``port`` and wait until
        root can run ``SELECT 1``. After ``stop()`` this restarts the same server and data (a
        database outage for the clients).

        Raises ``MariaDBError`` if install fails or the server exits, ``WaitTimeout`` after
        ``timeout`` seconds.
        """
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if not (self.datadir / "mysql").exists():
            self._install()
        self._launch(timeout)

    def _install(self) -> None:
        install = subprocess.run(
            ["mariadb-install-db", "--no-defaults", "--user=root", f"--datadir={self.datadir}",
             "--auth-root-authentication-method=socket", "--skip-test-db"],
            capture_output=True, text=True, check=False,
        )
        if install.returncode != 0:
            raise MariaDBError("mariadb-install-db failed", install.stderr or install.stdout)

    def _launch(self, timeout: float) -> None:
        with open(self.log_path, "ab") as log:
            self._popen = subprocess.Popen(
                ["mariadbd", "--no-defaults", "--user=root", f"--datadir={self.datadir}",
                 f"--port={self.port}", "--bind-address=127.0.0.1", f"--socket={self.socket}",
                 "--skip-log-bin", "--innodb-buffer-pool-size=64M", "--performance-schema=OFF",
                 *self.extra_args],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid = self._popen.pid

        def ready() -> bool:
            if self._popen is not None and self._popen.poll() is not None:
                raise MariaDBError(f"mariadbd exited with {self._popen.returncode}",
                                   self.log_tail())
            try:
                return self.sql("SELECT 1") == [["1"]]
            except MariaDBError:
                return False  # socket not there yet

        try:
            wait_until(ready, timeout, what="MariaDB accepting connections",
                       fatal=(MariaDBError,))
        except Exception:
            self.stop()
            raise

    def sql(self, statement: str, database: str | None = None) -> list[list[str]]:
        """Run SQL as root over the socket; return rows as lists of strings (NULL -> "NULL").

        Raises ``MariaDBError`` with the server's message when the statement fails.
        """
        cmd = ["mariadb", "--no-defaults", "-uroot", f"--socket={self.socket}",
               "--batch", "--skip-column-names", "--raw", "-e", statement]
        if database:
            cmd.append(database)
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=60)
        if done.returncode != 0:
            raise MariaDBError(f"SQL failed ({statement[:80]!r})", done.stderr)
        return [line.split("\t") for line in done.stdout.splitlines()]

    def create_user(self, user: str, password: str, grant_on: str = "*.*") -> None:
        """Create ``user``@'%' and ``'localhost'`` with ``password`` and ``GRANT ALL ON grant_on``.

        ``grant_on`` is the raw GRANT target: ``*.*`` (may CREATE DATABASE) or
        ``` `MyVideos%`.* ``` (the realistic user without CREATE DATABASE for other names).
        """
        statements = []
        for host in ("%", "localhost", "127.0.0.1"):
            statements.append(
                f"CREATE USER IF NOT EXISTS '{user}'@'{host}' IDENTIFIED BY '{password}';"
                f"GRANT ALL ON {grant_on} TO '{user}'@'{host}';"
            )
        self.sql("".join(statements) + "FLUSH PRIVILEGES;")

    def database_exists(self, name: str) -> bool:
        """True when a database called ``name`` exists."""
        return bool(self.sql(
            f"SELECT 1 FROM information_schema.schemata WHERE schema_name = '{name}'"))

    def running(self) -> bool:
        """True while the server process is alive (not a zombie)."""
        if self._popen is not None:
            self._popen.poll()
        return self.pid is not None and is_running(self.pid)

    def log_tail(self, lines: int = 30) -> str:
        """Return the last ``lines`` lines of the server log ("" if none)."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server we started (SIGTERM, then SIGKILL after ``timeout`` s). Idempotent."""
        if self.pid is not None:
            terminate(self.pid, timeout, self._popen)
