"""Real-Kodi end-to-end fixtures: one MariaDB + one Kodi ("Living Room") for the session, and
two-device clusters with multi-instance sync on (``test_sync.py``)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import pytest

from .harness.addons import repo_root
from .harness.chroot import ChrootError, mountpoints_under, trixie_root
from .harness.cluster import LIMITED_GRANT, Cluster, Device
from .harness.kodi import KodiInstance
from .harness.library import get_episodes
from .harness.versions import KODI_BIN, kodi_version

# The next-episode prompt (on by default) would start the next episode 20 s after every play that
# ends naturally: only tests/e2e/test_watching.py, which is about it, turns it on.
LIVING_ROOM = Device("Living Room", {"include_positioned_specials": True, "next_prompt": False})
SYNC_ON = {"multi_instance_sync": True, "next_prompt": False}
SYNC_DEVICES = (Device("Living Room", SYNC_ON), Device("Bedroom", SYNC_ON))
_live: list[tuple[str, Cluster]] = []  # (label, cluster) of every running cluster


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end tests in real Kodi (slow, need kodi.bin)")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Kodi 21 and MariaDB 11.8 mount only in their own namespaces: fail the run loudly if a
    mount under the chroot is visible here all the same."""
    try:
        left = mountpoints_under(trixie_root())
    except ChrootError:
        return
    if left:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\n[e2e] mounts left under the chroot: {left}")


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> None:
    """On an e2e failure, attach every running instance's EasyTV log lines and kodi.log tail."""
    if call.excinfo is None or "e2e" not in item.keywords:
        return
    for label, cluster in _live:
        for instance in cluster.instances:
            ours = [line for line in instance.log_text().splitlines() if "[EasyTV." in line]
            item.add_report_section(call.when, f"kodi.log EasyTV lines ({label}: {instance.name})",
                                    "\n".join(ours[-40:]))
            item.add_report_section(call.when, f"kodi.log tail ({label}: {instance.name})",
                                    instance.log_tail(60))


@dataclass(frozen=True)
class LibraryShow:
    """One imported show: ``tvshowid`` and ``episodes[(season, episode)] -> episodeid``."""

    title: str
    tvshowid: int
    episodes: dict[tuple[int, int], int]

    def episodeid(self, season: int, episode: int) -> int:
        """The library id of SxxEyy."""
        return self.episodes[(season, episode)]


@contextmanager
def running_cluster(label: str, devices, **options) -> Iterator[Cluster]:
    """Start a ``Cluster`` of ``devices`` (``options`` go to ``Cluster``), report its start-up
    times, attach its kodi.log tails to failing e2e reports, stop it afterwards."""
    # `make test` installs Kodi first; a missing Kodi is a failure, never a silent skip,
    # unless a developer opts out explicitly with EASYTV_SKIP_E2E=1.
    if os.environ.get("EASYTV_SKIP_E2E") == "1":
        pytest.skip("EASYTV_SKIP_E2E=1")
    for version in {kodi_version(d.kodi_version or options.get("kodi_version")) for d in devices}:
        if version.in_chroot:
            try:
                trixie_root()
            except ChrootError as exc:
                pytest.fail(str(exc))
        elif not KODI_BIN.exists():
            pytest.fail(f"{KODI_BIN} not installed (run `make deps`)")
    if not (repo_root() / "addon.xml").exists():
        pytest.fail("service.easytv is not in the working tree (no addon.xml)")
    with Cluster(list(devices), with_addon=True, **options) as started:
        _live.append((label, started))
        t = started.timings
        modules = ", ".join(f"{k} {v}" for k, v in started.module_versions.items())
        print(f"\n[e2e] {label}: {started.kodi_version.name}, {modules} ({started.requirements.name})")
        print(f"[e2e] {label}: environment up in {t.total:.2f} s (mariadb {t.mariadb:.2f}, "
              f"library {t.library:.2f}, first kodi {t.first_kodi:.2f}, scan {t.scan:.2f}, "
              f"services {t.services:.2f})")
        try:
            yield started
        finally:
            _live.remove((label, started))


@pytest.fixture(scope="session")
def cluster():
    """MariaDB + Living Room with EasyTV (positioned specials on), library scanned."""
    with running_cluster("Living Room", [LIVING_ROOM]) as started:
        yield started


@pytest.fixture(scope="module")
def sync_cluster():
    """Living Room + Bedroom on one MariaDB, sync on, DB user with ALL privileges."""
    with running_cluster("sync, ALL privileges", SYNC_DEVICES) as started:
        yield started


@pytest.fixture
def limited_sync_cluster():
    """Living Room + Bedroom, sync on, DB user granted only `MyVideos%`.* (no CREATE
    DATABASE): EasyTV falls back to prefixed tables. Function-scoped: one test uses it, and
    it is stopped before the next cluster starts (two cores)."""
    with running_cluster("sync, MyVideos% only", SYNC_DEVICES, db_grant=LIMITED_GRANT) as started:
        yield started


@pytest.fixture(scope="session")
def kodi(cluster: Cluster) -> KodiInstance:
    """The Living Room instance."""
    return cluster["Living Room"]


def library_shows(kodi: KodiInstance) -> dict[str, LibraryShow]:
    """Imported shows by title, read from ``kodi``'s library."""
    found: dict[str, LibraryShow] = {}
    for ep in get_episodes(kodi):
        show = found.setdefault(ep["showtitle"], LibraryShow(ep["showtitle"], ep["tvshowid"], {}))
        show.episodes[(ep["season"], ep["episode"])] = ep["episodeid"]
    return found


@pytest.fixture(scope="session")
def shows(kodi: KodiInstance) -> dict[str, LibraryShow]:
    """Imported shows by title."""
    return library_shows(kodi)
