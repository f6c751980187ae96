"""The stage of every fault scenario: devices on one library, the admin's view of the database,
and the helpers that restart the server while the devices keep running."""

import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, List, Optional

from fakes import FakeLibrary

from .checks import Observer
from .devices import Device, EventClock, EventLog, LogCapture, Loop, Op, captured_logs
from .library import Viewer
from .rig import FaultServer

UNAVAILABLE = "Database unavailable, backing off"
POPULATED = "Populated the shared database"


@dataclass
class World:
    """Devices on one library and one event log, with the admin's view of the database."""

    server: FaultServer
    library: FakeLibrary
    devices: List[Device]
    log: EventLog
    observer: Observer
    logs: LogCapture
    viewer: Viewer

    def loop(self, during: Optional[Callable[[], None]] = None) -> Loop:
        return Loop(self.devices, during=during)

    def settled(self) -> bool:
        revision = self.observer.revision()
        return revision is not None and all(d.settled(revision) for d in self.devices)

    def deaths(self) -> int:
        return sum(len(d.deaths) for d in self.devices)


@contextmanager
def world(server: FaultServer, names: List[str], library: FakeLibrary, seed: int = 1,
          make: Optional[Callable[..., Device]] = None, **device_options) -> Iterator[World]:
    """Devices named `names` (built by `make(name, library, log, wall)` or `Device`), closed at the
    end whatever happens; the shared database starts empty."""
    server.reset()
    log, wall, observer = EventLog(), EventClock(), Observer(server)
    devices: List[Device] = []
    with captured_logs() as logs:
        try:
            for name in names:
                if make is not None:
                    devices.append(make(name, library, log, wall))
                else:
                    devices.append(Device(name, library, server.config, log, wall, **device_options))
            yield World(server, library, devices, log, observer, logs, Viewer(library, random.Random(seed)))
        finally:
            for device in devices:
                device.close()
            observer.close()


def first_ok(device: Device, since: int, after: float = 0.0, names=("changes_since", "write")) -> Optional[Op]:
    """The first successful pull or write among `device.ops[since:]` that started after `after`
    (a monotonic time)."""
    for op in device.ops[since:]:
        if op.ok and op.name in names and op.started >= after:
            return op
    return None


def restart_in_background(server: FaultServer) -> threading.Thread:
    """Restart the server on a thread, so the devices keep running (and failing) meanwhile."""
    failures: List[BaseException] = []

    def run() -> None:
        try:
            server.restart()
        except BaseException as exc:  # noqa: BLE001 - re-raised by the caller
            failures.append(exc)
    thread = threading.Thread(target=run, name="fault-restart", daemon=True)
    thread.failures = failures  # type: ignore[attr-defined]
    thread.start()
    return thread


def restart_while_running(server: FaultServer, loop: Loop) -> float:
    """Restart the server while `loop` keeps ticking; return the monotonic time it answered."""
    thread = restart_in_background(server)
    loop.until(lambda: not thread.is_alive(), 120, "server restart")
    if thread.failures:  # type: ignore[attr-defined]
        raise thread.failures[0]  # type: ignore[attr-defined]
    return time.monotonic()


def simultaneous(server: FaultServer, count: int, poll_seconds: float = 0.1) -> Callable[..., Device]:
    """A `make` for `world`: devices whose first connect waits for all of them (a barrier)."""
    barrier = threading.Barrier(count)

    def make(name: str, library: FakeLibrary, log: EventLog, wall: EventClock) -> Device:
        device = Device(name, library, server.config, log, wall, poll_seconds=poll_seconds, barrier=barrier)
        device.step_engine()  # the full recompute, so the first sync can start at once
        return device
    return make


def back_to(loop: Loop, condition: Callable[[], bool], since: float, timeout: float) -> float:
    """Tick until `condition`; return the seconds from `since` (a monotonic time) to then."""
    loop.until(condition, timeout, "propagation")
    return time.monotonic() - since
