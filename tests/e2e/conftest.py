"""Real-Kodi end-to-end fixtures: one MariaDB + one Kodi ("Living Room") for the session."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from .harness.addons import repo_root
from .harness.cluster import Cluster, Device
from .harness.kodi import KODI_BIN, KodiInstance
from .harness.library import get_episodes

LIVING_ROOM = Device("Living Room", {"include_positioned_specials": True})
_live: list[Cluster] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end tests in real Kodi (slow, need kodi.bin)")


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> None:
    """On an e2e failure, attach the tail of every instance's kodi.log to the report."""
    if call.excinfo is None or "e2e" not in item.keywords:
        return
    for cluster in _live:
        for instance in cluster.instances:
            item.add_report_section(call.when, f"kodi.log tail ({instance.name})",
                                    instance.log_tail(80))


@dataclass(frozen=True)
class LibraryShow:
    """One imported show: ``tvshowid`` and ``episodes[(season, episode)] -> episodeid``."""

    title: str
    tvshowid: int
    episodes: dict[tuple[int, int], int]

    def episodeid(self, season: int, episode: int) -> int:
        """The library id of SxxEyy."""
        return self.episodes[(season, episode)]


@pytest.fixture(scope="session")
def cluster():
    """MariaDB + Living Room with EasyTV (positioned specials on), library scanned."""
    # `make test` installs Kodi first; a missing Kodi is a failure, never a silent skip,
    # unless a developer opts out explicitly with EASYTV_SKIP_E2E=1.
    if os.environ.get("EASYTV_SKIP_E2E") == "1":
        pytest.skip("EASYTV_SKIP_E2E=1")
    if not KODI_BIN.exists():
        pytest.fail(f"{KODI_BIN} not installed (run `make deps`)")
    if not (repo_root() / "addon.xml").exists():
        pytest.fail("service.easytv is not in the working tree (no addon.xml)")
    with Cluster([LIVING_ROOM], with_addon=True) as started:
        _live.append(started)
        t = started.timings
        print(f"\n[e2e] environment up in {t.total:.2f} s (mariadb {t.mariadb:.2f}, library "
              f"{t.library:.2f}, first kodi {t.first_kodi:.2f}, scan {t.scan:.2f}, "
              f"services {t.services:.2f})")
        yield started
        _live.remove(started)


@pytest.fixture(scope="session")
def kodi(cluster: Cluster) -> KodiInstance:
    """The Living Room instance."""
    return cluster["Living Room"]


@pytest.fixture(scope="session")
def shows(kodi: KodiInstance) -> dict[str, LibraryShow]:
    """Imported shows by title."""
    found: dict[str, LibraryShow] = {}
    for ep in get_episodes(kodi):
        show = found.setdefault(ep["showtitle"], LibraryShow(ep["showtitle"], ep["tvshowid"], {}))
        show.episodes[(ep["season"], ep["episode"])] = ep["episodeid"]
    return found
