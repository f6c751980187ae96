"""Fixtures of the fault suite: one private MariaDB for the session, checked before each test.

The fast tests run unmarked in `make test`. Tests marked `faults_full` carry the issue's numbers
(≥ 50 kills, 50 population rounds, 5,000 shows, the real 30 s backoff); they are skipped unless
`EASYTV_FAULTS_FULL=1` or `-m faults_full` selects them. `make faults` (`tools/faults.py`) runs the
same scenarios with those numbers and prints the figures.
"""

import os
from typing import Iterator

import pytest

from .rig import FaultServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "faults_full: the full fault suite (slow; EASYTV_FAULTS_FULL=1 or "
                                       "-m faults_full, or tools/faults.py)")


def pytest_collection_modifyitems(config: pytest.Config, items) -> None:
    if os.environ.get("EASYTV_FAULTS_FULL") == "1" or "faults_full" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="full fault suite: EASYTV_FAULTS_FULL=1, -m faults_full or make faults")
    for item in items:
        if "faults_full" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def fault_server() -> Iterator[FaultServer]:
    """The session's private MariaDB (stopped by PID at the end, also after a failure)."""
    server = FaultServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def server(fault_server: FaultServer) -> Iterator[FaultServer]:
    """The session's server, running (continued or restarted if a test left it stopped or dead)."""
    fault_server.ensure_running()
    yield fault_server
    fault_server.ensure_running()
