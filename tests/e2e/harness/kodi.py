"""One real Kodi instance (20.1 on the host, 21.2 in the trixie chroot): own HOME, own Xvfb
display, own ports, stopped by PID."""

from __future__ import annotations

import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

from . import rpc
from .addons import HELPER_ID
from .chroot import chroot_command, trixie_root
from .kodiconfig import write_addon_settings, write_home
from .notify import NotificationListener
from .playback import PlaybackMixin
from .procs import HarnessError, free_port, is_running, terminate, wait_until
from .versions import KODI_BIN, KodiVersion
from .versions import kodi_version as resolve_version

SCREEN = (960, 540)
DIRECTORY_PROPERTIES = ["title", "showtitle", "season", "episode", "playcount", "resume",
                        "lastplayed", "file", "art", "plot", "tvshowid"]


class KodiError(HarnessError):
    """Kodi (or its Xvfb) failed to start, died, or did not answer."""


class KodiInstance(PlaybackMixin):
    """A Kodi process under ``base_dir/home`` talking to the MySQL video database ``db``.

    ``db`` is a mapping with ``host``, ``port``, ``user``, ``password``. ``addon_settings`` is
    written as ``userdata/addon_data/service.easytv/settings.xml`` (setting id -> value; bools
    become ``true``/``false``). ``addon_dirs`` are copied into ``$HOME/.kodi/addons``.
    ``kodi_version`` is 20 (the host's kodi.bin) or 21 (kodi.bin inside the trixie chroot, see
    ``chroot.py``); None means ``$EASYTV_KODI`` (default 20). ``bind_paths`` are host folders a
    Kodi in the chroot must see at the same path (the TV library); ``base_dir`` always is.
    """

    def __init__(self, name: str, base_dir: Path, db: dict, friendly_name: str | None = None,
                 addon_dirs: list[Path] = (), addon_settings: dict[str, Any] | None = None,
                 enabled_addons: list[str] = (), kodi_version: int | KodiVersion | None = None,
                 bind_paths: list[Path] = ()) -> None:
        self.version = resolve_version(kodi_version)
        self.bind_paths = [Path(p) for p in bind_paths]
        self.name = name
        self.friendly_name = friendly_name or name
        self.base_dir = Path(base_dir)
        self.home = self.base_dir / "home"
        self.userdata = self.home / ".kodi" / "userdata"
        self.db = db
        self.addon_dirs = list(addon_dirs)
        self.addon_settings = addon_settings
        self.enabled_addons = list(enabled_addons)
        self.web_port = free_port()
        self.tcp_port = free_port()
        self.es_port = free_port()
        self.display: str | None = None
        self.pid: int | None = None
        self.xvfb_pid: int | None = None
        self.listener: NotificationListener | None = None
        self.started_at: float | None = None
        self.ready_seconds: float | None = None
        self._popen: subprocess.Popen | None = None
        self._xvfb: subprocess.Popen | None = None

    # ----------------------------------------------------------------- files
    @property
    def video_db(self) -> str:
        """This version's MySQL video database: ``MyVideos121`` (20) or ``MyVideos131`` (21)."""
        return self.version.video_db

    @property
    def kodi_bin(self) -> Path:
        """kodi.bin as seen from the host (inside the chroot for Kodi 21)."""
        if self.version.in_chroot:
            return trixie_root() / str(KODI_BIN).lstrip("/")
        return KODI_BIN

    @property
    def kodi_log_path(self) -> Path:
        """``$HOME/.kodi/temp/kodi.log`` of this instance."""
        return self.home / ".kodi" / "temp" / "kodi.log"

    @property
    def rpc_url(self) -> str:
        """HTTP JSON-RPC endpoint, ``http://127.0.0.1:PORT/jsonrpc``."""
        return f"http://127.0.0.1:{self.web_port}/jsonrpc"

    def write_config(self) -> None:
        """Write .asoundrc, advancedsettings.xml, guisettings.xml, add-ons and add-on settings."""
        write_home(self.home, friendly_name=self.friendly_name, db=self.db,
                   ports={"web": self.web_port, "tcp": self.tcp_port, "es": self.es_port},
                   addon_dirs=self.addon_dirs, enabled_addons=self.enabled_addons)
        if self.addon_settings is not None:
            self.write_addon_settings("service.easytv", self.addon_settings)

    def write_addon_settings(self, addon_id: str, settings: dict[str, Any]) -> Path:
        """Write ``userdata/addon_data/ADDON/settings.xml`` (new format); return its path."""
        return write_addon_settings(self.userdata, addon_id, settings)

    # --------------------------------------------------------------- process
    def start(self, timeout: float | None = None) -> None:
        """``launch()`` then ``wait_ready(timeout)``."""
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Write the config, start Xvfb and ``kodi.bin --windowing=x11``; do not wait for Kodi.

        Kodi 21 runs inside the trixie chroot in its own mount namespace (``chroot.py``): Xvfb
        runs on the host, its socket in ``/tmp/.X11-unix`` is seen inside; the recorded PID is
        kodi.bin's either way. Raises ``KodiError`` when kodi.bin is missing or Xvfb gives no
        display, ``ChrootError`` when Kodi 21's chroot is not built.
        """
        if not self.kodi_bin.exists():
            hint = "bash tools/kodi21_chroot.sh" if self.version.in_chroot else "apt-get install kodi"
            raise KodiError(f"{self.kodi_bin} not found ({hint})")
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.write_config()
        self._start_xvfb()
        kodi_env = {"HOME": str(self.home), "DISPLAY": self.display, "LANG": "C.UTF-8",
                    "KODI_AE_SINK": "ALSA"}
        command = [str(KODI_BIN), "--windowing=x11"]
        if self.version.in_chroot:
            kodi_env["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
            command = chroot_command(command, binds=[self.base_dir, *self.bind_paths],
                                     env=kodi_env)
            env = dict(os.environ)
        else:
            # A user's Kodi, not the test runner's Python: no PYTHON* variables (this machine sets
            # PYTHONDONTWRITEBYTECODE, which made every plugin call recompile the add-on).
            env = {k: v for k, v in os.environ.items()
                   if k not in ("WAYLAND_DISPLAY", "KODI_HOME") and not k.startswith("PYTHON")}
            env.update(kodi_env)
        self.started_at = time.monotonic()
        with open(self.base_dir / "kodi.stdout", "ab") as out:
            # start_new_session = setsid() in the child before exec: Popen.pid is kodi.bin's PID
            # (unshare, sh, chroot and env exec in place for Kodi 21).
            self._popen = subprocess.Popen(command, env=env,
                                           cwd=self.home, stdin=subprocess.DEVNULL, stdout=out,
                                           stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self._popen.pid
        (self.base_dir / "kodi.pid").write_text(f"{self.pid}\n")

    def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until JSON-RPC answers ``JSONRPC.Ping``, then connect the notification listener.

        Sets ``ready_seconds`` (launch → listener connected). Raises ``KodiError`` at once if
        kodi.bin exits, ``WaitTimeout`` after ``timeout`` s (None: the version's first-start
        deadline, which allows for probing 47 or 57 old video databases on a busy machine).
        """
        if timeout is None:
            timeout = self.version.first_start_seconds
        def pong() -> bool:
            if self._popen.poll() is not None:
                raise KodiError(f"{self.name}: kodi.bin exited with {self._popen.returncode}\n"
                                + self.log_tail())
            try:
                return self.call("JSONRPC.Ping", timeout=2) == "pong"
            except rpc.RpcTransportError:
                return False

        wait_until(pong, timeout, what=f"{self.name}: JSON-RPC ping", fatal=(KodiError,))
        self.listener = NotificationListener(self.tcp_port)
        self.listener.connect(timeout)
        self.ready_seconds = time.monotonic() - self.started_at

    def _start_xvfb(self) -> None:
        read_fd, write_fd = os.pipe()
        try:
            self._xvfb = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                 f"{SCREEN[0]}x{SCREEN[1]}x24", "-nolisten", "tcp", "-noreset"],
                pass_fds=(write_fd,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=open(self.base_dir / "xvfb.log", "ab"), start_new_session=True)
            os.close(write_fd)
            write_fd = -1
            self.xvfb_pid = self._xvfb.pid
            number = _read_line(read_fd, timeout=15)
        finally:
            os.close(read_fd)
            if write_fd >= 0:
                os.close(write_fd)
        if not number.isdigit():
            raise KodiError(f"{self.name}: Xvfb gave no display number ({number!r})")
        self.display = f":{number}"

    def running(self) -> bool:
        """True while kodi.bin is alive and not a zombie."""
        if self._popen is not None:
            self._popen.poll()
        return self.pid is not None and is_running(self.pid)

    def wait_exit(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` s for kodi.bin to exit; return its exit code (None if unknown)."""
        wait_until(lambda: not self.running(), timeout, what=f"{self.name}: kodi.bin exit")
        if self._popen is None:
            return None
        # Exited (zombie or gone) is not yet reaped: wait() collects the exit code.
        return self._popen.wait(timeout=5)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM Kodi (SIGKILL after ``timeout`` s), then close the listener and stop Xvfb."""
        if self.pid is not None:
            terminate(self.pid, timeout, self._popen)
        if self.listener is not None:
            self.listener.close()
        if self.xvfb_pid is not None:
            terminate(self.xvfb_pid, 5, self._xvfb)

    def restart(self, timeout: float | None = None) -> None:
        """``stop()`` then start again with the same HOME, ports and add-on data."""
        self.stop()
        self.listener = None
        self.start(timeout)

    def pids(self) -> dict[str, int]:
        """PIDs this instance started: ``{"kodi": ..., "xvfb": ...}``."""
        return {k: v for k, v in (("kodi", self.pid), ("xvfb", self.xvfb_pid)) if v}

    # ------------------------------------------------------------- JSON-RPC
    def call(self, method: str, params: Any = None, timeout: float = 15.0) -> Any:
        """JSON-RPC ``method`` over HTTP; return ``result``; raises ``rpc.JsonRpcError``."""
        return rpc.call(self.rpc_url, method, params, timeout)

    def get_property(self, name: str) -> str:
        """Return home-window property ``name`` (Window 10000), "" when unset."""
        label = f"Window(Home).Property({name})"
        return self.call("XBMC.GetInfoLabels", {"labels": [label]})[label]

    def get_properties(self, names: list[str]) -> dict[str, str]:
        """Return several home-window properties in one call: name -> value."""
        labels = [f"Window(Home).Property({n})" for n in names]
        result = self.call("XBMC.GetInfoLabels", {"labels": labels})
        return {n: result[label] for n, label in zip(names, labels)}

    def get_directory(self, url: str, properties: list[str] = DIRECTORY_PROPERTIES) -> list[dict]:
        """List ``url`` (e.g. a plugin route) as a widget would; return the ``files`` items."""
        result = self.call("Files.GetDirectory",
                           {"directory": url, "media": "video", "properties": properties},
                           timeout=30)
        return result.get("files") or []

    def execute_addon(self, addon_id: str, params: list[str] | None = None) -> None:
        """``Addons.ExecuteAddon`` (params become ``sys.argv[1:]`` for a script add-on)."""
        args = {"addonid": addon_id}
        if params is not None:
            args["params"] = params
        self.call("Addons.ExecuteAddon", args)

    def run_builtin(self, command: str) -> None:
        """Run a Kodi built-in such as ``RunScript(service.easytv,sync_status)`` through the
        helper script add-on (JSON-RPC has no ExecuteBuiltin). Returns once Kodi accepted it;
        the built-in itself runs asynchronously."""
        self.execute_addon(HELPER_ID, [command])

    def wait_property(self, name: str, predicate: Callable[[str], bool], timeout: float) -> str:
        """Poll property ``name`` until ``predicate(value)``; return the value."""
        return wait_until(lambda: (lambda v: predicate(v) and (v,))(self.get_property(name)),
                          timeout, what=f"{self.name}: property {name}")[0]

    # ------------------------------------------------------------ inspection
    def screenshot(self, path: Path, settle: float = 0.0) -> Path:
        """Grab the instance's X display into a PNG at ``path`` with ffmpeg x11grab.

        With ``settle`` > 0, grab until two consecutive frames are identical (animations and
        image loading done), for at most ``settle`` seconds; then keep the last frame.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        grab = ["ffmpeg", "-y", "-loglevel", "error", "-f", "x11grab", "-video_size",
                f"{SCREEN[0]}x{SCREEN[1]}", "-i", self.display, "-frames:v", "1"]
        subprocess.run([*grab, str(path)], check=True, capture_output=True, timeout=30)
        deadline = time.monotonic() + settle
        previous = path.read_bytes()
        while time.monotonic() < deadline:
            frame = subprocess.run([*grab, "-f", "image2pipe", "-c:v", "png", "-"], check=True,
                                   capture_output=True, timeout=30).stdout
            path.write_bytes(frame)
            if frame == previous:
                break
            previous = frame
        return path

    def log_text(self) -> str:
        """Whole kodi.log ("" before Kodi created it)."""
        try:
            return self.kodi_log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        """The last ``lines`` lines of kodi.log."""
        return "\n".join(self.log_text().splitlines()[-lines:])


def _read_line(fd: int, timeout: float) -> str:
    """Read from ``fd`` until a newline, EOF or ``timeout`` s. Xvfb writes the display number,
    then "\\n" in a second write, and dies if the pipe is closed between the two."""
    deadline = time.monotonic() + timeout
    data = b""
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(remaining, 0))
        if not ready:
            break
        chunk = os.read(fd, 64)
        if not chunk:
            break
        data += chunk
    return data.decode().strip()
