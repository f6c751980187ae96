"""``Cluster``: one private MariaDB, N Kodi devices sharing it, a scanned library, the add-on."""

from __future__ import annotations

import atexit
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import addons
from .kodi import KodiInstance
from .library import DEFAULT_SHOWS, Library, Show, add_source_and_scan, generate_library, wait_video_db
from .mariadb import MariaDB
from .procs import HarnessError, wait_until
from .versions import KodiVersion
from .versions import kodi_version as resolve_version

DB_USER, DB_PASSWORD = "kodi", "kodi"
LIMITED_GRANT = "`MyVideos%`.*"  # no CREATE DATABASE for easytv_myvideos (error 1044)


@dataclass(frozen=True)
class Device:
    """A Kodi instance to start: ``name`` is also its ``System.FriendlyName``; ``settings`` are
    EasyTV's add-on settings written before Kodi starts (None = no settings file);
    ``kodi_version`` 20 or 21 overrides the cluster's version for this device (mixed clusters)."""

    name: str
    settings: dict[str, Any] | None = None
    kodi_version: int | None = None


@dataclass
class Timings:
    """Measured seconds of the last ``Cluster.start()``."""

    mariadb: float = 0.0
    library: float = 0.0
    first_kodi: float = 0.0
    scan: float = 0.0
    services: float = 0.0
    total: float = 0.0
    per_device: dict[str, float] = field(default_factory=dict)


class Cluster:
    """Context manager owning every process it starts; ``stop()`` ends them by PID.

    ``devices`` are started in order (the first creates the video DB and scans). ``with_addon``:
    True installs ``service.easytv`` from the working tree (error if absent), False never,
    None when ``addon.xml`` exists. ``keep_files`` keeps ``base_dir`` after ``stop()``.
    ``db_grant`` is what Kodi's database user may touch: ``*.*`` (may CREATE DATABASE) or
    ``LIMITED_GRANT`` (only ``MyVideos%`` databases: EasyTV must fall back to table prefixes).
    ``kodi_version`` (20 or 21; None = ``$EASYTV_KODI``, default 20) is every device's Kodi
    unless its ``Device.kodi_version`` says otherwise. The first device of each version creates
    that version's video database (``MyVideos121`` / ``MyVideos131``); the library's path row
    is added to each video database present and each is scanned by its first device.
    ``pymysql`` (``newest`` | ``min``; None = ``$EASYTV_PYMYSQL``, default newest) picks the
    requirements file the ``script.module.pymysql``/``defusedxml`` add-ons are built from.
    """

    def __init__(self, devices: list[Device] | tuple[Device, ...] = (Device("Living Room"),),
                 shows: tuple[Show, ...] = DEFAULT_SHOWS, with_addon: bool | None = True,
                 base_dir: Path | None = None, keep_files: bool = False,
                 db_grant: str = "*.*", kodi_version: int | KodiVersion | None = None,
                 pymysql: str | None = None) -> None:
        self.kodi_version = resolve_version(kodi_version)
        self.requirements = addons.requirements_file(pymysql)
        self.module_versions: dict[str, str] = {}
        self.devices = list(devices)
        self.shows = shows
        self.with_addon = with_addon
        self.keep_files = keep_files
        self.db_grant = db_grant
        self._own_base = base_dir is None
        self.base_dir = Path(base_dir) if base_dir else None
        self.cache = addons.cache_dir()
        self.db: MariaDB | None = None
        self.instances: list[KodiInstance] = []
        self.library: Library | None = None
        self.addon_dirs: list[Path] = []
        self.addon_installed = False
        self.timings = Timings()
        self._stopped = False

    # ------------------------------------------------------------- lifecycle
    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def version_of(self, device: Device) -> KodiVersion:
        """The Kodi version ``device`` runs: its own, else the cluster's."""
        return resolve_version(device.kodi_version or self.kodi_version)

    @property
    def video_db(self) -> str:
        """The cluster's video database (``MyVideos121`` or ``MyVideos131``)."""
        return self.kodi_version.video_db

    def start(self, timeout: float | None = None) -> Cluster:
        """Start MariaDB, generate the library, start every device, scan once per video
        database, and (with the add-on) wait until each device's ``EasyTV.Service`` is
        ``running``. ``timeout`` (s) bounds each wait; None: the slowest version's first-start
        deadline. Stops everything it started if any step fails."""
        if timeout is None:
            timeout = max(self.version_of(d).first_start_seconds for d in self.devices)
        atexit.register(self.stop)
        began = time.monotonic()
        try:
            self._start(timeout)
        except BaseException:
            self.print_logs()
            self.stop()
            raise
        self.timings.total = time.monotonic() - began
        return self

    def _start(self, timeout: float) -> None:
        if self.base_dir is None:
            self.base_dir = Path(tempfile.mkdtemp(prefix="easytv-e2e-"))
        t = time.monotonic()
        self.db = MariaDB(self.base_dir / "mariadb")
        self.db.start()
        self.db.create_user(DB_USER, DB_PASSWORD, self.db_grant)
        self.timings.mariadb = time.monotonic() - t

        t = time.monotonic()
        self._prepare_addons()
        self.library = generate_library(self.base_dir / "tv", self.cache, self.shows)
        self.timings.library = time.monotonic() - t

        # The first device of each version creates its video database alone; the others start
        # once it exists (two Kodis creating one database at once would race).
        leaders: dict[int, KodiInstance] = {}
        others = []
        t = time.monotonic()
        for device in self.devices:
            major = self.version_of(device).major
            if major in leaders:
                others.append(device)
                continue
            kodi = leaders[major] = self.add_instance(device, wait=False)
            kodi.wait_ready(timeout)
            wait_video_db(self.db, timeout, kodi.video_db)
            if len(leaders) == 1:
                self.timings.first_kodi = time.monotonic() - t
        rest = [self.add_instance(device, wait=False) for device in others]
        t = time.monotonic()
        for kodi in leaders.values():
            add_source_and_scan(self.db, kodi, self.library, timeout)
        self.timings.scan = time.monotonic() - t
        for other in rest:
            other.wait_ready(timeout)
        t = time.monotonic()
        for instance in self.instances:
            self.wait_service(instance, timeout)
            self.timings.per_device[instance.name] = instance.ready_seconds or 0.0
        self.timings.services = time.monotonic() - t

    def _prepare_addons(self) -> None:
        staged = self.base_dir / "addons"
        modules = addons.build_module_addons(self.cache, self.requirements)
        self.module_versions = {d.name: addons.addon_version(d) for d in modules}
        self.addon_dirs = [*modules, addons.build_helper_addon(self.cache)]
        want = self.with_addon
        if want is None:
            want = (addons.repo_root() / "addon.xml").exists()
        if want:
            self.addon_dirs.append(addons.stage_addon_under_test(staged))
            self.addon_installed = True

    def add_instance(self, device: Device, wait: bool = True, timeout: float | None = None
                     ) -> KodiInstance:
        """Start one more Kodi on the shared DB (also after ``start()``, e.g. for a test that
        quits Kodi). With ``wait``, return once it answers and, with the add-on, its service
        runs."""
        if self.db is None or self.base_dir is None:
            raise HarnessError("Cluster not started")
        slug = re.sub(r"[^a-z0-9]+", "-", device.name.lower()).strip("-") or "kodi"
        index = len(self.instances) + 1
        enabled = [d.name for d in self.addon_dirs]
        instance = KodiInstance(
            device.name, self.base_dir / f"kodi{index}-{slug}",
            {"host": self.db.host, "port": self.db.port, "user": DB_USER,
             "password": DB_PASSWORD},
            addon_dirs=self.addon_dirs, addon_settings=device.settings, enabled_addons=enabled,
            kodi_version=self.version_of(device), bind_paths=[self.base_dir])
        self.instances.append(instance)
        instance.launch()
        if wait:
            instance.wait_ready(timeout)
            self.wait_service(instance, timeout or instance.version.first_start_seconds)
        return instance

    def wait_service(self, instance: KodiInstance, timeout: float = 30.0) -> None:
        """With the add-on installed: make sure it is enabled, then wait for
        ``EasyTV.Service == running``. Raises ``WaitTimeout`` with the log tail's hint."""
        if not self.addon_installed:
            return
        details = instance.call("Addons.GetAddonDetails", {
            "addonid": addons.ADDON_ID, "properties": ["enabled", "version"]})["addon"]
        if not details.get("enabled"):
            instance.call("Addons.SetAddonEnabled", {"addonid": addons.ADDON_ID,
                                                     "enabled": True})
        wait_until(lambda: instance.get_property("EasyTV.Service") == "running", timeout,
                   interval=0.1, what=f"{instance.name}: EasyTV.Service == running "
                   f"(see {instance.kodi_log_path})")

    def stop(self) -> None:
        """Stop every Kodi, Xvfb and MariaDB this cluster started, by PID; remove ``base_dir``
        unless ``keep_files``. Safe to call twice and after a failed start."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        errors = []
        for instance in reversed(self.instances):
            try:
                instance.stop()
            except Exception as exc:  # noqa: BLE001 - keep stopping the others
                errors.append(exc)
        if self.db is not None:
            try:
                self.db.stop()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
        if self.base_dir is not None and self._own_base and not self.keep_files:
            shutil.rmtree(self.base_dir, ignore_errors=True)
        if errors:
            raise HarnessError(f"errors while stopping: {errors}")

    def print_logs(self, lines: int = 60, file: TextIO | None = None) -> None:
        """Print the tail of every kodi.log and of the MariaDB log (default: to stderr)."""
        out = file or sys.stderr
        for instance in self.instances:
            print(f"--- kodi.log tail ({instance.name}, {instance.kodi_log_path}) ---\n"
                  f"{instance.log_tail(lines)}", file=out)
        if self.db is not None:
            print(f"--- MariaDB log tail ---\n{self.db.log_tail(lines // 3)}", file=out)

    def detach(self) -> None:
        """Leave everything running after this process exits (``--keep``): no atexit stop, and
        each notification listener is closed only once its Kodi is quiet (Kodi 20.1 crashes when
        a client disconnects mid-notification)."""
        self._stopped = True
        atexit.unregister(self.stop)
        for instance in self.instances:
            if instance.listener is not None:
                instance.listener.wait_quiet()
                instance.listener.close()
                instance.listener = None

    # -------------------------------------------------------------- queries
    def __getitem__(self, name: str) -> KodiInstance:
        for instance in self.instances:
            if instance.name == name:
                return instance
        raise KeyError(name)

    def pids(self) -> dict[str, Any]:
        """Every PID started: ``{"mariadb": pid, "devices": {name: {"kodi":..,"xvfb":..}}}``."""
        return {"mariadb": self.db.pid if self.db else None,
                "devices": {k.name: k.pids() for k in self.instances}}
