"""Connections lost or stalled while the server lives on: idle KILLs and `wait_timeout`, a device
cut off behind a relay, a SIGSTOPped (hung) server."""

import os
import time
from dataclasses import dataclass, field
from typing import List

from easytv.app.journal import Journal
from fakes import FakeLibrary

from .checks import Audit, audit
from .devices import Device, EventClock, EventLog, Loop, backoff
from .library import make_library
from .rig import FaultServer, Relay
from .world import UNAVAILABLE, world

# -- 2. idle kills and wait_timeout ---------------------------------------------------------

@dataclass
class IdleReport:
    kills: int = 0
    timeouts: int = 0  # connections the server dropped by itself (wait_timeout) while idle
    writes: int = 0
    landed: int = 0
    warnings: int = 0
    deaths: int = 0
    errors: List[str] = field(default_factory=list)


def idle_disconnects(server: FaultServer, cycles: int = 2, wait_timeout: int = 2, seed: int = 3) -> IdleReport:
    """Idle connections KILLed by root, then dropped by `wait_timeout`: every next operation
    must reconnect transparently (no warning, no backoff) and every write must land."""
    report = IdleReport()
    poll = wait_timeout + 0.5  # idle longer than wait_timeout between polls
    try:
        with world(server, ["living", "bedroom"], make_library(6), seed, poll_seconds=poll) as w:
            loop = w.loop()
            loop.until(w.settled, 30, "first sync")

            def write_lands(writer: Device) -> None:
                reader = w.devices[1 - w.devices.index(writer)]
                tvshowid = w.viewer.rng.choice(sorted(w.library.shows))
                w.viewer.change(writer, tvshowid=tvshowid, action="watch")
                target = writer.engine.states.get(tvshowid)
                report.writes += 1
                loop.until(lambda: reader.engine.states.get(tvshowid) == target and w.settled(), poll + 10,
                           "write reaches the other device")
                report.landed += 1

            for cycle in range(cycles):
                loop.until(lambda: not any(d.in_flight() for d in w.devices), 5, "devices idle")
                ids = [d.store.connection_id() for d in w.devices]
                for connection_id in ids:
                    server.execute("KILL %d" % connection_id)
                    report.kills += 1
                loop.until(lambda ids=ids: not any(server.connection_alive(i) for i in ids), 5,
                           "killed connections gone")
                write_lands(w.devices[cycle % 2])

            server.execute("SET GLOBAL wait_timeout = %d" % wait_timeout)
            ids = [d.store.connection_id() for d in w.devices]
            for connection_id in ids:  # new sessions take the new wait_timeout
                server.execute("KILL %d" % connection_id)
            loop.until(lambda: all(d.store is not None and d.store.connection_id() not in ids
                                   for d in w.devices), poll + 10, "devices reconnected")
            for cycle in range(cycles):
                ids = [d.store.connection_id() for d in w.devices]
                loop.until(lambda ids=ids: not any(server.connection_alive(i) for i in ids), wait_timeout + 10,
                           "server drops the idle connections")
                report.timeouts += len(ids)
                write_lands(w.devices[cycle % 2])
            report.warnings = w.logs.count(UNAVAILABLE)
            report.deaths = w.deaths()
            report.errors = w.logs.errors()
    finally:
        server.execute("SET GLOBAL wait_timeout = %d" % server.default_wait_timeout)
    return report


# -- 3. a device offline while another writes -----------------------------------------------

@dataclass
class OfflineReport:
    offline_seconds: float = 0.0
    queued: List[int] = field(default_factory=list)  # tvshowids in the journal while offline
    older_kept_newer: bool = False  # its older change of X did not replace the other's newer one
    newer_applied: bool = False     # its newer changes of Y and Z reached the database and the other device
    cache_worked: bool = False      # its window showed its own changes while offline
    journal_left: bool = True
    audit: Audit = field(default_factory=Audit)
    deaths: int = 0


def offline_device(server: FaultServer, journal_dir: str, offline_seconds: float = 2.0, seed: int = 4,
                   backoff_seconds: float = 1.0) -> OfflineReport:
    """`bedroom` reaches the server through a relay that is stopped for a while. Offline, it
    changes show 1 (before `living` changes it again), then shows 2 and 3 (after `living`
    changed 2). When it is back: show 1 keeps living's newer state, 2 and 3 take bedroom's."""
    report = OfflineReport(offline_seconds=offline_seconds)
    relay = Relay(server.port)
    relay.start()
    journal = journal_dir + "/offline_queue.json"

    def make(name: str, library: FakeLibrary, log: EventLog, wall: EventClock) -> Device:
        if name == "bedroom":
            return Device(name, library, lambda: server.config(relay.port), log, wall, poll_seconds=0.2,
                          journal_path=journal)
        return Device(name, library, server.config, log, wall, poll_seconds=0.2)
    try:
        with backoff(backoff_seconds), world(server, ["living", "bedroom"], make_library(6), seed, make=make) as w:
            living, bedroom = w.devices
            loop = w.loop()
            loop.until(w.settled, 30, "first sync")
            relay.stop()
            went = time.monotonic()
            w.viewer.change(bedroom, tvshowid=1, action="watch")        # older than living's next change of 1
            loop.until(lambda: not bedroom.syncer.connected, 10, "bedroom notices it is offline")
            # "Older" and "newer" are on the server clock as each device measured it at its
            # connect; the two offsets differ by the measurement error (a fraction of a round
            # trip, more when a thread waits for the GIL), so each premise is waited for.
            loop.until(lambda: living.server_clock() > bedroom.engine.times[1], 5, "clocks past bedroom's change")
            w.viewer.change(living, tvshowid=1, action="watch")
            w.viewer.change(living, tvshowid=2, action="watch")
            loop.until(lambda: not living.syncer.pending and not living.in_flight(), 10, "living writes")
            loop.until(lambda: bedroom.server_clock() > living.engine.times[2], 5, "clocks past living's change")
            w.viewer.change(bedroom, tvshowid=2, action="watch")        # newer than living's change of 2
            w.viewer.change(bedroom, tvshowid=3, action="resume")
            mine = {i: bedroom.engine.states.get(i) for i in (2, 3)}
            report.cache_worked = bedroom.window.props.get("EasyTV.2.EpisodeID") == str(mine[2].next.episodeid)
            offline_until = went + offline_seconds
            loop.until(lambda: time.monotonic() >= offline_until, offline_seconds + 5, "offline period")
            report.queued = sorted(r.tvshowid for r in Journal(journal).load())
            theirs = living.engine.states.get(1)
            relay.start()
            loop.until(w.settled, backoff_seconds + 30, "bedroom back and settled")
            _, rows = audit(w.observer, w.log, w.devices, None, report.audit, w.library)
            report.older_kept_newer = bedroom.engine.states.get(1) == theirs and rows[1].state == theirs
            report.newer_applied = all(rows[i].state == mine[i] and living.engine.states.get(i) == mine[i]
                                       for i in (2, 3))
            report.journal_left = os.path.exists(journal)
            report.deaths = w.deaths()
    finally:
        relay.stop()
    return report


# -- 5. a hung database ----------------------------------------------------------------------

@dataclass
class HangReport:
    operation: str = ""
    close_mid_operation: float = 0.0  # syncer.close() while the worker waits for a SIGSTOPped server
    operation_ended_after: float = 0.0  # close() start -> the blocked operation gave up
    close_during_connect: float = 0.0  # syncer.close() while connecting to a SIGSTOPped server
    connect_ended_after: float = 0.0   # close() start -> the blocked connect finished (after SIGCONT)
    connect_outcome: str = ""
    late_connection_open: bool = False  # the connect that finished after close() left a live connection
    thread_gone_after: float = -1.0    # close() start -> the connecting worker thread ended (-1: not yet at SIGCONT)
    deaths: int = 0


def hung_database(server: FaultServer, hold_seconds: float = 1.0, seed: int = 5) -> HangReport:
    """SIGSTOP the server while a device's worker is mid-operation, then call `syncer.close()`
    as the service does on abort; then the same while the device is connecting. The server is
    continued `hold_seconds` after the second close()."""
    report = HangReport()
    with world(server, ["living"], make_library(6), seed, poll_seconds=0.05) as w:
        living = w.devices[0]
        loop = w.loop()
        loop.until(w.settled, 30, "first sync")
        try:
            server.pause()
            paused = time.monotonic()
            w.viewer.change(living, tvshowid=1, action="watch")
            # Any operation that has been waiting on the hung server for 0.3 s (it may have
            # started just before the pause, e.g. a heartbeat; the write then queues behind it).
            loop.until(lambda: any(time.monotonic() - max(op.started, paused) > 0.3
                                   for op in living.in_flight()), 5, "an operation waiting for the hung server")
            blocked = living.in_flight()[0]
            report.operation = blocked.name
            started = time.monotonic()
            living.syncer.close()
            report.close_mid_operation = time.monotonic() - started
            Loop([]).until(lambda: blocked.ended is not None, 5, "the blocked operation ends")
            report.operation_ended_after = blocked.ended - started
        finally:
            server.resume()
        report.deaths = w.deaths()

    with world(server, ["kitchen"], make_library(6), seed) as w:
        kitchen = w.devices[0]
        try:
            server.pause()
            w.loop().until(lambda: bool(kitchen.opens) and time.monotonic() - kitchen.opens[-1].started > 0.3,
                           5, "a connect waiting for the hung server")
            opening = kitchen.opens[-1]
            started = time.monotonic()
            kitchen.syncer.close()
            report.close_during_connect = time.monotonic() - started

            def held() -> bool:
                if report.thread_gone_after < 0 and not kitchen.worker.alive:
                    report.thread_gone_after = time.monotonic() - started
                return time.monotonic() - started >= hold_seconds
            Loop([]).until(held, hold_seconds + 1, "hold")
        finally:
            server.resume()
        Loop([]).until(lambda: opening.ended is not None, 30, "the blocked connect ends")
        report.connect_ended_after = opening.ended - started
        report.connect_outcome = "failed: %s" % opening.error if opening.error else "connected"
        if opening.ok and kitchen.stores:
            # A connect that completes after close() must not leave its connection open.
            late_id = kitchen.stores[-1].connection_id()
            report.late_connection_open = late_id is not None and server.connection_alive(late_id)
        report.deaths += w.deaths()
    return report


# -- 10. a hang longer than the read timeout ---------------------------------------------------

@dataclass
class LongHangReport:
    hung_for: float = 0.0
    warnings: int = 0          # one per device for the failed cycle
    recovered_after: float = 0.0  # SIGCONT -> settled again
    audit: Audit = field(default_factory=Audit)
    deaths: int = 0


def hang_then_continue(server: FaultServer, read_timeout: float = 2.0, backoff_seconds: float = 1.0,
                       seed: int = 10) -> LongHangReport:
    """SIGSTOP while two devices write, longer than their read timeout: their operations time out,
    they back off with the cache in use and changes queued; after SIGCONT they catch up."""
    report = LongHangReport()
    with backoff(backoff_seconds), world(server, ["living", "bedroom"], make_library(6), seed,
                                         poll_seconds=0.2, timeouts=(2, read_timeout, read_timeout)) as w:
        loop = w.loop()
        loop.until(w.settled, 30, "first sync")
        try:
            server.pause()
            paused = time.monotonic()
            w.viewer.change(w.devices[0], tvshowid=1, action="watch")
            w.viewer.change(w.devices[1], tvshowid=2, action="watch")
            loop.until(lambda: not any(d.syncer.connected for d in w.devices), read_timeout + 10,
                       "devices give up on the hung server")
            w.viewer.change(w.devices[0], tvshowid=3, action="resume")
        finally:
            server.resume()
        continued = time.monotonic()
        report.hung_for = continued - paused
        loop.until(w.settled, backoff_seconds + read_timeout + 30, "caught up after SIGCONT")
        report.recovered_after = time.monotonic() - continued
        audit(w.observer, w.log, w.devices, None, report.audit, w.library)
        report.warnings = w.logs.count(UNAVAILABLE)
        report.deaths = w.deaths()
    return report
