"""Issue 8 scenarios: a device clock stepped after connect, the database dropped and re-created
(or cleared with an early write) under running devices, and quitting right after a play."""

import os
import random
import time
from dataclasses import dataclass, field
from typing import Callable, List

from easytv.app.journal import Journal
from easytv.core.codec import state_from_json
from easytv.mysql.store import MySQLStore
from fakes import FakeLibrary

from .checks import Audit, audit, library_truth
from .devices import Device, EventClock, EventLog, Loop, backoff
from .library import make_library
from .rig import SHARED_DATABASE, FaultServer
from .world import POPULATED, world

DAYS = 86400.0

# -- a wall clock stepped by days after connect -------------------------------------------------


@dataclass
class StepReport:
    step: float = 0.0
    changes: int = 0
    rejected: int = 0  # changes (made later in real time) that did not end up in the database
    audit: Audit = field(default_factory=Audit)
    deaths: int = 0


def clock_step(server: FaultServer, step: float, changes: int = 4, seed: int = 21) -> StepReport:
    """`bedroom`'s wall clock is stepped by `step` seconds once both devices are connected (NTP
    after boot, a manual change); the devices then change show 1 in turn. Every change must win
    over the one before it (none rejected by an event time in the future)."""
    report = StepReport(step=step)
    jump = [0.0]

    def make(name: str, library: FakeLibrary, log: EventLog, wall: EventClock) -> Device:
        clock: Callable[[], float] = (lambda: wall() + jump[0]) if name == "bedroom" else wall
        return Device(name, library, server.config, log, clock, poll_seconds=0.2)

    with world(server, ["living", "bedroom"], make_library(6), seed, make=make) as w:
        loop = w.loop()
        loop.until(w.settled, 30, "first sync")
        jump[0] = step
        for n in range(changes):
            device = w.devices[(n + 1) % 2]
            other = w.devices[n % 2]
            if 1 in other.engine.times:  # "later" on the server clock as each device estimates it
                loop.until(lambda d=device, o=other: d.server_clock() > o.engine.times[1], 5,
                           "clocks past the last change")
            w.viewer.change(device, tvshowid=1, action="watch")
            report.changes += 1
            truth = library_truth(w.library)
            try:
                loop.until(lambda t=truth: w.settled() and stored_state(w, 1) == t[1], 10, "change stored")
            except TimeoutError:
                report.rejected += 1
        audit(w.observer, w.log, w.devices, None, report.audit, w.library)
        report.deaths = w.deaths()
    return report


def stored_state(w, tvshowid: int) -> object:
    """The state of one shared row as stored (None for a tombstone or no row)."""
    row = w.observer.rows().get(tvshowid)
    return state_from_json(row.state_json) if row is not None and row.state_json else None


# -- the database dropped and re-created under running devices ---------------------------------

@dataclass
class RecreateReport:
    populations: int = 0     # "Populated" lines after the drop
    repopulated_after: float = 0.0  # DROP -> every device settled on the new tables
    rows: int = 0
    audit: Audit = field(default_factory=Audit)
    deaths: int = 0


def recreated_database(server: FaultServer, devices: int = 3, shows: int = 12, poll: float = 0.2,
                       backoff_seconds: float = 1.0) -> RecreateReport:
    """Three devices run; the admin drops EasyTV's database (the next connect creates it anew:
    revision 0, the generation unique only once the store makes it so). Every device must start
    over, exactly one repopulates, within one poll + the backoff (+ a margin for the reconnect)."""
    report = RecreateReport()
    names = ["device-%d" % n for n in range(devices)]
    with backoff(backoff_seconds), world(server, names, make_library(shows), poll_seconds=poll) as w:
        loop = w.loop()
        loop.until(w.settled, 30, "first sync")
        w.viewer.change(w.devices[0], tvshowid=1, action="watch")
        loop.until(w.settled, 10, "a change written")
        before = w.logs.count(POPULATED)
        dropped = time.monotonic()
        server.execute("DROP DATABASE `%s`" % SHARED_DATABASE)

        def repopulated() -> bool:
            rows = _rows_or_none(w)
            return rows is not None and len(rows) == shows and w.settled()
        loop.until(repopulated, poll + backoff_seconds + 30, "repopulated after the drop")
        report.repopulated_after = time.monotonic() - dropped
        report.populations = w.logs.count(POPULATED) - before
        report.rows = len(w.observer.rows())
        audit(w.observer, w.log, w.devices, None, report.audit, w.library)
        report.deaths = w.deaths()
    return report


@dataclass
class EarlyWriteReport:
    populations: int = 0   # "Populated" lines after the clear
    commits: int = 0       # COMMITs of all devices after the clear
    rows: int = 0
    audit: Audit = field(default_factory=Audit)
    deaths: int = 0


def clear_with_early_write(server: FaultServer, devices: int = 3, shows: int = 12,
                           poll: float = 0.2) -> EarlyWriteReport:
    """Three devices run; the data is cleared and one row is written at once (a device's queued
    write landing before anyone noticed the clear: revision 1 on a nearly empty table). Exactly
    one device must repopulate (one COMMIT); the others pull."""
    report = EarlyWriteReport()
    names = ["device-%d" % n for n in range(devices)]
    with world(server, names, make_library(shows), poll_seconds=poll) as w:
        loop = w.loop()
        loop.until(w.settled, 30, "first sync")
        before = w.logs.count(POPULATED)
        commits = sum(s.commits for d in w.devices for s in d.stores)
        early = w.devices[1].engine.snapshot_rows()[0]
        other = MySQLStore.open(server.config(), "early-writer")
        try:
            other.clear()
            other.write([early])
        finally:
            other.close()
        loop.until(lambda: len(w.observer.rows()) == shows and w.settled(), 30, "repopulated after the clear")
        report.populations = w.logs.count(POPULATED) - before
        report.commits = sum(s.commits for d in w.devices for s in d.stores) - commits
        report.rows = len(w.observer.rows())
        audit(w.observer, w.log, w.devices, None, report.audit, w.library)
        report.deaths = w.deaths()
    return report


def _rows_or_none(w) -> object:
    try:
        return w.observer.rows()
    except Exception:  # noqa: BLE001 - the tables do not exist yet
        return None


# -- quitting right after a play ----------------------------------------------------------------

@dataclass
class QuitReport:
    quits: int = 0
    lost_at_quit: int = 0   # changes neither committed nor in the offline queue when close() returned
    lost_after_restart: int = 0
    slowest_close: float = 0.0
    deaths: int = 0


def quits_after_play(server: FaultServer, journal_dir: str, quits: int = 5, seed: int = 22) -> QuitReport:
    """`living` plays an episode and Kodi quits at a random point right after: before the loop
    saw the change queued, with its write submitted or in flight, or after it (0 to 40 loop
    passes of 5 ms). Every change must be in the database or in the offline queue when
    `close()` returns, and in the database after the next start."""
    report = QuitReport()
    rng = random.Random(seed)
    points: List[int] = []
    path = os.path.join(journal_dir, "offline_queue.json")
    library = make_library(6)
    with world(server, ["bedroom"], library, seed) as w:
        Loop(w.devices).until(w.settled, 30, "bedroom populates")
        for _ in range(quits):
            if not points:
                points = [0, 1, 2, 3, 5, 40]
                rng.shuffle(points)
            passes = points.pop()
            living = Device("living", library, server.config, w.log, EventClock(), poll_seconds=0.2,
                            journal_path=path)
            try:
                Loop([living]).until(lambda d=living: d.settled(w.observer.revision() or -1), 30, "living starts")
                show = rng.choice(sorted(library.shows))
                w.viewer.change(living, tvshowid=show, action="watch")
                wanted = living.engine.states.get(show)
                for _ in range(passes):
                    living.tick()
                    time.sleep(0.005)  # the service loop's pace between passes, not a wait for a result
            finally:
                report.slowest_close = max(report.slowest_close, living.close())
            report.quits += 1
            report.deaths += len(living.deaths)
            queued = {r.tvshowid: r.state for r in Journal(path).load()}
            if not (stored_state(w, show) == wanted or queued.get(show, "none") == wanted):
                report.lost_at_quit += 1
        again = Device("living", library, server.config, w.log, EventClock(), poll_seconds=0.2, journal_path=path)
        try:
            Loop([again]).until(lambda: again.settled(w.observer.revision() or -1), 30, "living restarts")
            truth = library_truth(library)
            report.lost_after_restart = sum(1 for i, s in truth.items() if stored_state(w, i) != s)
        finally:
            again.close()
    return report
