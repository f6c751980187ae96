"""Shared-database sync costs against a real, private MariaDB (README, "Development"; issue 3 "make bench").

Starts its own `mariadbd` (tests/e2e/harness/mariadb.py), opens `MySQLStore` as a Kodi user and
prints, next to the `SELECT 1` latency measured in the same run: the staleness check, one show
write, a pull after 1 of 5,000 shows changed, and populating 5,000 shows (end to end: the one
`write` call, building the rows included; then the building alone). Round trips, commits
and bytes come from the store's driver wrapper (`round_trips`, `commits`, `bytes_received`),
not from estimates. Times are medians. Stops the server at the end, also on error.

    .venv/bin/python tools/bench_sync.py [--runs N] [--shows N] [--profile TOP]
"""

import argparse
import cProfile
import dataclasses
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path[:0] = [os.path.join(ROOT, "lib"), os.path.join(ROOT, "tests")]

from e2e.harness.mariadb import MariaDB  # noqa: E402
from easytv.core.models import Episode, TVShow  # noqa: E402
from easytv.core.rule import next_episode  # noqa: E402
from easytv.core.sync import DatabaseConfig, SharedShow  # noqa: E402
from easytv.mysql.connection import Counters, connect  # noqa: E402
from easytv.mysql.rows import show_rows  # noqa: E402
from easytv.mysql.store import MySQLStore  # noqa: E402
from kodi_shapes import season, tvshow  # noqa: E402

PASSWORD = "bench-pw"


def make_shows(count, event_time):
    """`count` shared rows with realistic states (the real rule over Kodi-shaped records)."""
    items = season(1, 10, watched=3) + season(2, 10) + season(3, 10)
    template = next_episode(TVShow.from_jsonrpc(tvshow(1)), [Episode.from_jsonrpc(e) for e in items])
    shows = []
    for i in range(1, count + 1):
        show = dataclasses.replace(template.show, tvshowid=i, title="Show %d" % i)
        state = dataclasses.replace(template, show=show, next=dataclasses.replace(template.next, tvshowid=i))
        shows.append(SharedShow(i, show.title, show.year, state, event_time, "bench-device"))
    return shows


class Measure:
    """Runs an operation and records its wall time and the counters' deltas."""

    def __init__(self, store):
        self.store = store

    def __call__(self, operation):
        store = self.store
        trips, commits, received = store.round_trips, store.commits, store.bytes_received
        started = time.perf_counter()
        result = operation()
        elapsed = time.perf_counter() - started
        return result, elapsed, (store.round_trips - trips, store.commits - commits, store.bytes_received - received)


def verdict(ok):
    """`met` or `missed`, printed beside each target."""
    return "met" if ok else "missed"


def median_ms(samples):
    return "%.2f ms" % (statistics.median(samples) * 1000)


def time_select_1(conn, runs):
    """`SELECT 1` round trips on an open pymysql connection, each in seconds; closes it."""
    try:
        times = []
        with conn.cursor() as cursor:
            for _ in range(runs):
                started = time.perf_counter()
                cursor.execute("SELECT 1")
                cursor.fetchall()
                times.append(time.perf_counter() - started)
        return times
    finally:
        conn.close()


def select_1(config, runs):
    """`SELECT 1` times on a fresh counted connection (the network + server floor)."""
    return time_select_1(connect(config, Counters()), runs)


def profile_populate(store, library, top):
    """cProfile of one populate (after a clear): the `top` entries by own time, as text. Only this
    thread is profiled: the INSERTs run in the store's helper thread (`batches.execute_each`),
    so waiting for the server shows as `acquire` of a lock (the wait for the previous INSERT)."""
    store.clear()
    profiler = cProfile.Profile()
    profiler.runcall(store.write, library)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def kodi_config(db):
    """On a started private MariaDB `db`: a `kodi` user with every privilege and Kodi 20's video
    database, as a Kodi box has them; the `DatabaseConfig` its advancedsettings.xml would give."""
    db.create_user("kodi", PASSWORD, grant_on="*.*")
    db.sql("CREATE DATABASE MyVideos121")
    return DatabaseConfig(host=db.host, port=db.port, user="kodi", password=PASSWORD, name="MyVideos")


def run(db, runs, count, profile=0):
    config = kodi_config(db)
    store = MySQLStore.open(config, "bench-device")
    measure = Measure(store)
    rows = []
    try:
        base = select_1(config, runs)
        rows.append(("SELECT 1 (reference)", "1", "", "", median_ms(base), "", ""))

        store.write(make_shows(20, 1.0))
        heads = [measure(store.head) for _ in range(runs)]
        trips = heads[-1][2][0]
        rows.append(("staleness check (head)", "%d" % trips, "", "", median_ms([h[1] for h in heads]),
                     "1 round trip", verdict(trips == 1)))

        singles = [make_shows(1, 10.0 + i) for i in range(runs)]
        writes = [measure(lambda one=one: store.write(one)) for one in singles]
        trips, commits, _ = writes[-1][2]
        rows.append(("one show write", "%d" % trips, "%d" % commits, "", median_ms([w[1] for w in writes]),
                     "<= 2 round trips, 1 commit", verdict(trips <= 2 and commits == 1)))

        populations = []
        library = make_shows(count, 100.0)
        for _ in range(max(3, runs)):
            store.clear()
            populations.append(measure(lambda: store.write(library)))
        trips, commits, _ = populations[-1][2]
        populate_s = statistics.median([p[1] for p in populations])
        rows.append(("populate %d shows" % count, "%d" % trips, "%d" % commits, "",
                     median_ms([p[1] for p in populations]), "1 commit, <= 25 round trips, <= 150 ms",
                     verdict(commits == 1 and trips <= 25 and populate_s <= 0.150)))
        if profile:
            profiled = profile_populate(store, library, profile)
        encoding = []
        for _ in range(3):
            started = time.perf_counter()
            show_rows(library, store.library)
            encoding.append(time.perf_counter() - started)
        rows.append(("  of which building the rows (client)", "0", "", "", median_ms(encoding), "", ""))

        pulls = []
        for n in range(runs):
            before = store.head().revision
            store.write([dataclasses.replace(library[count // 2], event_time=1000.0 + n)])
            pulls.append(measure(lambda before=before: store.changes_since(before)))
        (head, pulled), _, (trips, _, received) = pulls[-1]
        assert [r.tvshowid for r in pulled] == [count // 2 + 1], "the pull returned other rows than the changed one"
        rows.append(("pull after 1 of %d changed" % count, "%d" % trips, "", "%d B" % received,
                     median_ms([p[1] for p in pulls]), "<= 2 round trips, O(k): <= 10 KB",
                     verdict(trips <= 2 and received <= 10240)))

        full = measure(lambda: store.changes_since(0))
        rows.append(("(full pull of %d, for scale)" % count, "%d" % full[2][0], "", "%d B" % full[2][2],
                     median_ms([full[1]]), "", ""))
    finally:
        store.close()

    print("MariaDB %s on 127.0.0.1:%d, %s; medians of %d runs (populate: %d); load average %.2f"
          % (db.sql("SELECT VERSION()")[0][0], db.port, store.describe_location(), runs, max(3, runs),
             os.getloadavg()[0]))
    header = ("operation", "round trips", "commits", "received", "time", "target", "")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for line in [header] + rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)))
    print("targets: README, Development (round trips and commits counted by the driver wrapper)")
    if profile:
        print("\nprofile of one populate (cProfile, by own time):")
        print(profiled)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="samples per median (default 30)")
    parser.add_argument("--shows", type=int, default=5000, help="library size (default 5000)")
    parser.add_argument("--profile", type=int, default=0, metavar="TOP",
                        help="also print the TOP entries of a cProfile of one populate")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="easytv-bench-sync-"))
    db = MariaDB(base)
    try:
        started = time.perf_counter()
        db.start()
        print("private MariaDB up in %.2f s" % (time.perf_counter() - started))
        run(db, args.runs, args.shows, args.profile)
    finally:
        db.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
