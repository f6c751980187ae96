"""A private MariaDB server in a temporary datadir, driven through the ``mariadb`` CLI.

Two server versions: Debian 12's MariaDB 10.11 on the host (default) and Debian 13's 11.8
from the trixie chroot (``chroot.py``, built by ``tools/kodi21_chroot.sh``), chosen per server
or for a whole run with ``EASYTV_MARIADB=10.11|11.8``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Sequence

from .chroot import chroot_command
from .procs import HarnessError, free_port, is_running, terminate, wait_until

HOST_VERSION = "10.11"  # Debian 12 (bookworm), on the host
CHROOT_VERSION = "11.8"  # Debian 13 (trixie), in build/trixie
VERSIONS = (HOST_VERSION, CHROOT_VERSION)
_CHROOT_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "HOME": "/root", "LANG": "C.UTF-8"}


def selected_version(version: str | None = None) -> str:
    """``version``, else ``$EASYTV_MARIADB``, else 10.11. Raises ``HarnessError`` unless it is
    10.11 or 11.8."""
    chosen = version or os.environ.get("EASYTV_MARIADB") or HOST_VERSION
    if chosen not in VERSIONS:
        raise HarnessError(f"unsupported MariaDB version {chosen!r} (EASYTV_MARIADB=10.11|11.8)")
    return chosen


class MariaDBError(HarnessError):
    """A MariaDB command failed; ``stderr`` holds the server's message."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(f"{message}: {stderr.strip()}" if stderr else message)
        self.stderr = stderr


class MariaDB:
    """One ``mariadbd`` on 127.0.0.1 with root reachable through its unix socket only.

    ``base_dir`` is created if needed; the datadir, socket and log live under it. ``version``
    is ``10.11`` (the host's ``mariadbd``) or ``11.8`` (the trixie chroot's, run in its own mount
    namespace with ``base_dir`` at the same path, so the socket and datadir agree); None means
    ``$EASYTV_MARIADB`` (default 10.11). ``extra_args`` are appended to ``mariadbd``'s command
    line (e.g. TLS options). MariaDB 11.4 and later offer TLS with a self-signed certificate
    out of the box (10.11 offers none); without an ``--ssl*`` option in ``extra_args`` the 11.8
    server is started with ``--skip-ssl``, so both versions are the same plain-text server
    unless a test asks for TLS. ``sql()`` uses the host's ``mariadb`` client over the socket for
    both versions.
    """

    def __init__(self, base_dir: Path, port: int | None = None, version: str | None = None,
                 extra_args: Sequence[str] = ()) -> None:
        self.version = selected_version(version)
        self.extra_args = list(extra_args)
        self.base_dir = Path(base_dir)
        self.datadir = self.base_dir / "data"
        self.socket = self.base_dir / "data" / "sock"
        self.log_path = self.base_dir / "mariadbd.log"
        # A private tmpdir: with the default /tmp, bootstraps of several servers at once on
        # this machine were seen failing to delete their own temporary tables (Errcode 2).
        self.tmpdir = self.base_dir / "tmp"
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

    @property
    def in_chroot(self) -> bool:
        """True when the server is the trixie chroot's MariaDB 11.8."""
        return self.version == CHROOT_VERSION

    def _command(self, argv: list[str]) -> list[str]:
        if self.in_chroot:
            return chroot_command(argv, binds=[self.base_dir], env=_CHROOT_ENV)
        return argv

    def _tls_default(self) -> list[str]:
        if self.in_chroot and not any(a.startswith("--ssl") for a in self.extra_args):
            return ["--skip-ssl"]
        return []

    def _install(self) -> None:
        self.tmpdir.mkdir(parents=True, exist_ok=True)
        install = subprocess.run(
            self._command(["mariadb-install-db", "--no-defaults", "--user=root",
                           f"--datadir={self.datadir}", "--auth-root-authentication-method=socket",
                           "--skip-test-db", f"--tmpdir={self.tmpdir}"]),
            capture_output=True, text=True, check=False,
        )
        if install.returncode != 0:
            raise MariaDBError("mariadb-install-db failed", install.stderr or install.stdout)

    def _launch(self, timeout: float) -> None:
        self.tmpdir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            # For 11.8 unshare, sh, chroot and env exec in place: the PID is mariadbd's.
            self._popen = subprocess.Popen(
                self._command(
                    ["mariadbd", "--no-defaults", "--user=root", f"--datadir={self.datadir}",
                     f"--port={self.port}", "--bind-address=127.0.0.1", f"--socket={self.socket}",
                     "--skip-log-bin", "--innodb-buffer-pool-size=64M", "--performance-schema=OFF",
                     f"--tmpdir={self.tmpdir}", *self._tls_default(), *self.extra_args]),
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
