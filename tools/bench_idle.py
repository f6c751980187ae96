"""Idle cost, wake-up hints and restart cost of the syncer (issue 9 items 2, 4, 5), simulated.

Devices are the real Engine + Syncer over a FakeLibrary and one MemoryStore (its round trips
stand in for queries), on a simulated clock ticking every 0.25 s like the service loop; the
hints are real UDP datagrams on 127.0.0.1. Prints each figure next to its target. The restart
is then measured again with the real `MySQLStore` against a private MariaDB (tests/e2e/harness):
round trips and bytes as the driver wrapper counts them.

    .venv/bin/python tools/bench_idle.py [--shows N]
"""

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path[:0] = [os.path.join(ROOT, "lib"), os.path.join(ROOT, "tests")]

from bench_sync import kodi_config  # noqa: E402  (beside this file)
from e2e.harness.mariadb import MariaDB  # noqa: E402
from easytv.app.applied import AppliedFile  # noqa: E402
from easytv.app.cache import WindowCache  # noqa: E402
from easytv.app.clock import ServerClock  # noqa: E402
from easytv.app.engine import Engine  # noqa: E402
from easytv.app.hints import HintSocket  # noqa: E402
from easytv.app.sync import Syncer  # noqa: E402
from easytv.app.worker import InlineWorker  # noqa: E402
from easytv.core import events  # noqa: E402
from easytv.core.codec import row_to_dict  # noqa: E402
from easytv.core.settings import Settings  # noqa: E402
from easytv.core.sync import Device  # noqa: E402
from easytv.mysql.store import MySQLStore  # noqa: E402
from fakes import FakeClock, FakeWindow, library_of  # noqa: E402
from memory_store import MemoryStore  # noqa: E402

TICK = 0.25


class Store(MemoryStore):
    """Counts registry writes and the bytes of the rows pulled (their JSON)."""

    def __init__(self, clock):
        super().__init__(clock=clock)
        self.registrations = 0
        self.pulled_bytes = 0
        self.pulled_rows = 0
        self.calls = []

    def head(self):
        self.calls.append("head")
        return super().head()

    def register_device(self, device):
        self.registrations += 1
        super().register_device(device)

    def changes_since(self, revision):
        head, rows = super().changes_since(revision)
        self.calls.append("changes_since")
        self.pulled_rows += len(rows)
        self.pulled_bytes += sum(len(json.dumps(row_to_dict(r))) for r in rows)
        return head, rows


class Kodi:
    def __init__(self, name, library, store, clock, hints=True, path=None):
        self.store, self.window = store, FakeWindow()
        server_clock = ServerClock(lambda: 1_800_000_000.0 + clock.now, clock)
        self.engine = Engine(library, WindowCache(self.window), None, Settings(), clock, random.Random(name),
                             wall_clock=server_clock, device_id=name)
        self.hints = HintSocket("easytv_bench", "127.0.0.1") if hints else None
        self.syncer = Syncer(self.engine, lambda: store, Device(name, name), InlineWorker(), clock,
                             server_clock=server_clock, hints=self.hints, hint_host=lambda: "127.0.0.1",
                             applied_file=AppliedFile(path) if path else None)
        self.engine.store = self.syncer
        self.engine.start()
        self.trips = 0

    def tick(self):
        before = self.store.round_trips
        self.engine.step()
        self.syncer.tick()
        self.trips += self.store.round_trips - before


def run(clock, kodis, seconds, wait=None):
    for _ in range(int(seconds / TICK)):
        clock.advance(TICK)
        for kodi in kodis:
            kodi.tick()
            if wait is not None:
                wait()


def until(clock, kodis, condition, limit=120.0):
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("bench_idle: a condition was not met within %.0f s" % limit)
        clock.advance(TICK)
        for kodi in kodis:
            kodi.tick()
        time.sleep(0.002)  # the listener threads receive real datagrams


def figure(name, value, unit, target, met):
    print("%-58s %10s %-8s target %-10s %s" % (name, value, unit, target, "met" if met else "MISSED"))


def idle_and_hints():
    clock = FakeClock()
    library = library_of(20)
    store = Store(lambda: 1_800_000_000.0 + clock.now)
    living, bedroom = Kodi("living", library, store, clock), Kodi("bedroom", library, store, clock)
    until(clock, [living, bedroom], lambda: living.syncer.synced and bedroom.syncer.synced)
    lags = []
    for n in range(1, 21):  # 20 plays: simulated time from the play to the other device's listing
        tvshowid = n
        library.watch(tvshowid * 10000 + 101, lastplayed="2026-12-01 21:00:00")
        living.engine.handle(events.EpisodeChanged(tvshowid * 10000 + 101, 1))
        started = clock.now
        until(clock, [living, bedroom], lambda shown=tvshowid: bedroom.window.props.get(
            "EasyTV.%d.EpisodeNo" % shown) == "S01E02")
        lags.append(clock.now - started)
        run(clock, [living, bedroom], 30)
    lags.sort()
    p95 = lags[int(len(lags) * 0.95) - 1]
    figure("propagation p95, hints on (simulated, 0.25 s ticks)", "%.2f" % p95, "s", "<= 1", p95 <= 1.0)
    bedroom.trips, registrations = 0, store.registrations
    run(clock, [living, bedroom], 30 * 60)
    per_minute = bedroom.trips / 30
    figure("idle queries per minute, hints working", "%.1f" % per_minute, "", "<= 4", per_minute <= 4)
    writes = (store.registrations - registrations) / 2 / 2  # two devices, per 15 min
    figure("idle registry writes per 15 min per device", "%.1f" % writes, "", "<= 1", writes <= 1)
    for kodi in (living, bedroom):
        kodi.syncer.close()
    quiet = Kodi("quiet", library, store, clock, hints=False)
    until(clock, [quiet], lambda: quiet.syncer.synced)
    quiet.trips = 0
    run(clock, [quiet], 60)
    figure("idle queries per minute, hints not known to arrive", quiet.trips, "", "~30 (2 s)", quiet.trips <= 31)
    quiet.syncer.close()


def restart(shows):
    clock = FakeClock()
    library = library_of(shows)
    store = Store(lambda: 1_800_000_000.0 + clock.now)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "applied.json")
        living = Kodi("living", library, store, clock, hints=False, path=path)
        until(clock, [living], lambda: living.syncer.synced and not living.syncer.pending)
        run(clock, [living], 5)
        living.syncer.close()
        size = os.path.getsize(path)
        again = Kodi("living", library, store, clock, hints=False, path=path)
        rows, received = store.pulled_rows, store.pulled_bytes
        store.calls.clear()
        until(clock, [again], lambda: again.syncer.synced)
        # The first sync's calls: its head, then changes_since (head + rows) if anything changed.
        calls = [c for c in store.calls if c != "head"] if "changes_since" in store.calls else []
        first_sync = 1 + 2 * len(calls)
        again.syncer.close()
    figure("restart at N=%d, nothing changed: first-sync round trips" % shows, first_sync, "", "<= 2",
           first_sync <= 2)
    pulled = store.pulled_bytes - received
    figure("restart at N=%d, nothing changed: bytes pulled (row JSON)" % shows, pulled, "B", "<= 10 KB",
           pulled <= 10_000)
    print("  (%d rows pulled; the applied-position file is %d KB)" % (store.pulled_rows - rows, size // 1024))


class Counted:
    """Round trips and bytes received by named calls of a `MySQLStore` (its driver counters)."""

    def __init__(self, store, names):
        self.store, self.calls = store, []
        for name in names:
            setattr(store, name, self._wrap(name, getattr(store, name)))

    def _wrap(self, name, method):
        def counted(*args, **kwargs):
            trips, received = self.store.round_trips, self.store.bytes_received
            try:
                return method(*args, **kwargs)
            finally:
                self.calls.append((name, self.store.round_trips - trips, self.store.bytes_received - received))
        return counted


def restart_mysql(shows):
    """The restart figures with the real MySQLStore on a private MariaDB: a device populates
    `shows` shows, stops, and starts again with nothing changed elsewhere."""
    base = tempfile.mkdtemp(prefix="easytv-bench-restart-")
    db = MariaDB(base)
    try:
        db.start()
        config = kodi_config(db)
        clock = FakeClock()
        library = library_of(shows)
        path = os.path.join(base, "applied.json")
        first = MySQLStore.open(config, "living")
        living = Kodi("living", library, first, clock, hints=False, path=path)
        until(clock, [living], lambda: living.syncer.synced and not living.syncer.pending)
        run(clock, [living], 5)
        living.syncer.close()
        store = MySQLStore.open(config, "living")
        opened = (store.round_trips, store.bytes_received)
        counted = Counted(store, ("head", "changes_since", "shows", "register_device", "devices",
                                  "seed_settings", "server_time"))
        again = Kodi("living", library, store, clock, hints=False, path=path)
        until(clock, [again], lambda: again.syncer.synced)
        trips, received = store.round_trips - opened[0], store.bytes_received - opened[1]
        sync_trips = sum(t for name, t, _ in counted.calls if name in ("head", "changes_since", "shows"))
        again.syncer.close()
        version = db.sql("SELECT VERSION()")[0][0]
    finally:
        db.stop()
        shutil.rmtree(base, ignore_errors=True)
    figure("restart at N=%d, MariaDB: first-sync round trips" % shows, sync_trips, "", "<= 2", sync_trips <= 2)
    figure("restart at N=%d, MariaDB: bytes received until synced" % shows, received, "B", "<= 10 KB",
           received <= 10_240)
    print("  (MariaDB %s; %d round trips from connect to synced, with the registration: %s)"
          % (version, trips, ", ".join("%s %d" % (name, t) for name, t, _ in counted.calls)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shows", type=int, default=5000)
    args = parser.parse_args()
    idle_and_hints()
    restart(args.shows)
    restart_mysql(args.shows)


if __name__ == "__main__":
    main()
