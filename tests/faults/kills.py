"""SIGKILL of the MariaDB server at random points of writes and of the population, and one outage
with the real backoff; the server restarts on the same datadir and port (InnoDB crash recovery)."""

import random
import threading
import time
from dataclasses import dataclass, field
from typing import List, Optional

from .checks import Audit, Watch, audit
from .devices import Loop, Op, backoff
from .library import make_library
from .rig import FaultServer
from .world import POPULATED, UNAVAILABLE, back_to, first_ok, restart_while_running, simultaneous, world

# -- 1. SIGKILL during writes ----------------------------------------------------------------

@dataclass
class KillReport:
    kills: int = 0
    mid_write: int = 0
    changes: int = 0
    recovery: List[float] = field(default_factory=list)
    audit: Audit = field(default_factory=Audit)
    deaths: int = 0
    warnings: int = 0
    errors: List[str] = field(default_factory=list)


class KillTrigger:
    """SIGKILLs the server at a random point of the next write any device starts: when armed,
    the first write to start schedules the kill `uniform(0, max_delay)` seconds later (from a
    timer thread, while the worker runs the write)."""

    def __init__(self, server: FaultServer, rng: random.Random, max_delay: float) -> None:
        self._server, self._rng, self._max_delay = server, rng, max_delay
        self._lock = threading.Lock()
        self._armed = False
        self.fired = threading.Event()
        self.write: Optional[Op] = None

    def arm(self) -> None:
        with self._lock:
            self._armed, self.write = True, None
            self.fired.clear()

    def fire(self) -> None:
        """Kill now (no write started while armed)."""
        with self._lock:
            if not self._armed:
                return
            self._armed = False
        self._kill()

    def __call__(self, op: Op) -> None:
        if op.name != "write":
            return
        with self._lock:
            if not self._armed:
                return
            self._armed, self.write = False, op
            delay = self._rng.uniform(0, self._max_delay)
        timer = threading.Timer(delay, self._kill)
        timer.daemon = True
        timer.start()

    def _kill(self) -> None:
        try:
            self._server.signal_kill()
        finally:
            self.fired.set()


def sigkill_during_writes(server: FaultServer, kills: int, seed: int = 1, devices: int = 3, shows: int = 24,
                          backoff_seconds: float = 1.0, change_rate: float = 0.3,
                          max_delay: float = 0.002) -> KillReport:
    """Devices keep changing shows; `kills` times, after a random delay, the server is SIGKILLed
    at a random point of the next write and restarted (InnoDB crash recovery); changes go on
    while it is down. After each recovery the rows are observed; at the end they are audited
    against the events."""
    rng = random.Random(seed)
    report = KillReport()
    names = ["device-%d" % n for n in range(devices)]
    with backoff(backoff_seconds), world(server, names, make_library(shows), seed) as w:
        trigger = KillTrigger(server, random.Random(seed + 1), max_delay)
        for device in w.devices:
            device.on_op_start = trigger
        watch = Watch()
        loop = w.loop()
        loop.until(w.settled, 30, "first sync")

        def write_some() -> None:
            if rng.random() < change_rate:
                w.viewer.change(rng.choice(w.devices))
        loop.during = write_some
        for _ in range(kills):
            pause_until = time.monotonic() + rng.uniform(0.05, 0.4)
            loop.until(lambda until=pause_until: time.monotonic() >= until, 5, "random delay")
            marks = [len(d.ops) for d in w.devices]
            trigger.arm()
            try:
                loop.until(trigger.fired.is_set, 3, "a kill during a write")
            except TimeoutError:
                trigger.fire()
            server.wait_gone()
            gone = time.monotonic()
            report.kills += 1
            killed = trigger.write
            if killed is not None:
                Loop([]).until(lambda op=killed: op.ended is not None, 15, "the killed write ends")
                report.mid_write += killed.error is not None
            back = restart_while_running(server, loop)
            loop.until(lambda marks=marks, gone=gone: all(d.syncer.synced and first_ok(d, m, gone)
                                                          for d, m in zip(w.devices, marks)),
                       backoff_seconds + 40, "recovery after restart")
            report.recovery.append(max(first_ok(d, m, gone).ended - back for d, m in zip(w.devices, marks)))
            audit_now = Audit()
            watch.observe(w.observer.rows(), audit_now)
            report.audit.backward_moves += audit_now.backward_moves
            report.audit.rows_lost += audit_now.rows_lost
            report.audit.problems += audit_now.problems
        loop.during = None
        loop.until(w.settled, 60, "all devices settled")
        audit(w.observer, w.log, w.devices, watch, report.audit, w.library)
        report.audit.rows_checked += watch.rows_checked
        report.changes = w.viewer.changes
        report.deaths = w.deaths()
        report.warnings = w.logs.count(UNAVAILABLE)
        report.errors = w.logs.errors()
    return report


# -- the real backoff once ------------------------------------------------------------------

@dataclass
class OutageReport:
    down_seconds: float = 0.0
    backoff_seconds: float = 0.0
    recovery: List[float] = field(default_factory=list)     # DB back -> first successful pull/write
    after_backoff: List[float] = field(default_factory=list)  # that moment - end of the device's backoff
    propagated: float = 0.0  # DB back -> a change made during the outage in the other device's cache
    warnings: int = 0
    deaths: int = 0
    audit: Audit = field(default_factory=Audit)


def outage_recovery(server: FaultServer, down_seconds: float = 10.0, backoff_seconds: float = 30.0,
                    seed: int = 2) -> OutageReport:
    """Two devices; the server is SIGKILLed and kept down `down_seconds`; one device changes a
    show meanwhile. Measures, per device, the recovery after the database returns."""
    report = OutageReport(down_seconds=down_seconds, backoff_seconds=backoff_seconds)
    with backoff(backoff_seconds), world(server, ["living", "bedroom"], make_library(6), seed,
                                         poll_seconds=0.5) as w:
        living, bedroom = w.devices
        loop = w.loop()
        loop.until(w.settled, 30, "first sync")
        marks = [len(d.ops) for d in w.devices]
        server.kill()
        loop.until(lambda: not any(d.syncer.connected for d in w.devices), 10, "devices notice the outage")
        failed_at = [next(op.ended for op in d.ops[m:] if op.error is not None) for d, m in zip(w.devices, marks)]
        w.viewer.change(living, tvshowid=3, action="watch")
        down_until = time.monotonic() + down_seconds
        loop.until(lambda: time.monotonic() >= down_until, down_seconds + 5, "outage")
        marks = [len(d.ops) for d in w.devices]
        back = restart_while_running(server, loop)
        loop.until(lambda: all(first_ok(d, m) for d, m in zip(w.devices, marks)), backoff_seconds + 40, "recovery")
        for device, mark, failed in zip(w.devices, marks, failed_at):
            ok = first_ok(device, mark).ended
            report.recovery.append(ok - back)
            report.after_backoff.append(ok - (failed + backoff_seconds))
        target = living.engine.states[3]
        report.propagated = back_to(loop, lambda: bedroom.engine.states.get(3) == target, back, backoff_seconds + 40)
        loop.until(w.settled, 30, "settled")
        audit(w.observer, w.log, w.devices, None, report.audit, w.library)
        report.warnings = w.logs.count(UNAVAILABLE)
        report.deaths = w.deaths()
    return report


# -- 8. SIGKILL during the population ---------------------------------------------------------

@dataclass
class PopulationKillReport:
    rounds: int = 0
    mid_write: int = 0
    revisions: List[int] = field(default_factory=list)  # 1 each round: populated exactly once
    populators: List[int] = field(default_factory=list)  # "Populated" lines (0 when the killed one committed)
    audit: Audit = field(default_factory=Audit)
    deaths: int = 0
    errors: List[str] = field(default_factory=list)


def sigkill_during_population(server: FaultServer, rounds: int, devices: int = 3, shows: int = 200,
                              backoff_seconds: float = 1.0, seed: int = 8) -> PopulationKillReport:
    """Three devices start together on an empty database; the server is SIGKILLed at a random
    point of the population write and restarted. The database ends up populated exactly once
    (revision 1), with every show whole and as the library says."""
    report = PopulationKillReport()
    library = make_library(shows)
    names = ["device-%d" % n for n in range(devices)]
    rng = random.Random(seed)
    with backoff(backoff_seconds):
        for _ in range(rounds):
            with world(server, names, library, make=simultaneous(server, devices)) as w:
                trigger = KillTrigger(server, random.Random(rng.random()), 0.01)
                for device in w.devices:
                    device.on_op_start = trigger
                trigger.arm()
                loop = w.loop()
                loop.until(trigger.fired.is_set, 30, "the population write starts")
                server.wait_gone()
                killed = trigger.write
                Loop([]).until(lambda op=killed: op.ended is not None, 15, "the killed write ends")
                report.mid_write += killed.error is not None
                restart_while_running(server, loop)
                loop.until(w.settled, backoff_seconds + 40, "populated after the restart")
                report.rounds += 1
                report.revisions.append(w.observer.revision() or 0)
                report.populators.append(w.logs.count(POPULATED))
                audit(w.observer, w.log, w.devices, None, report.audit, w.library)
                report.deaths += w.deaths()
                report.errors += w.logs.errors()
    return report
