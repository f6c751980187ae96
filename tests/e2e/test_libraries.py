"""Kodi 20 and Kodi 21 on one MySQL server: two video libraries, two scopes (issue 7 acceptance).

Kodi 20 reads ``MyVideos121`` and Kodi 21 ``MyVideos131``: separate libraries with their own
ids, playcounts and resume points (Kodi copies the old database into the new one once, at the
first start of the newer version; after that they drift). EasyTV shares rows, settings,
random picks and the revision only within one library; a device of the other library is
listed in Sync status as "another Kodi library, not shared" (README, "Several Kodi versions
on one server").

Both libraries are scanned from the same folders in the same order, so the two libraries give
the same show the same tvshowid: any row shared across the libraries would show at once in the
other device's widget. Checks read EasyTV's tables without relying on their layout
(``shareddb.snapshot``): rows a device wrote are those carrying its ``device_id``.

Order matters on a 2-core machine (at most two Kodi at once): the function-scoped clusters
(fallback user, upgrade) run and stop before the module's mixed cluster starts.
"""

from __future__ import annotations

import time

import pytest

from .conftest import library_shows, running_cluster
from .harness.cluster import LIMITED_GRANT, Cluster, Device
from .harness.control import set_addon_setting, sync_status, wait_storage
from .harness.easytv import NEXT_EPISODES, START_FRESH, device_id_of, episode_no, show_properties, wait_listing
from .harness.kodi import KodiInstance
from .harness.library import DEFAULT_SHOWS, Show, get_episodes, regular_episodes, wait_video_db
from .harness.procs import wait_until
from .harness.shareddb import (
    SHARED_DB,
    fallback,
    rows_written_by,
    snapshot,
    snapshot_changes,
    tables_in,
)
from .harness.versions import KODI_20, KODI_21
from .harness.watch import ListingWatcher

pytestmark = pytest.mark.e2e

SYNC_ON = {"multi_instance_sync": True, "next_prompt": False}  # no autoplay of next episodes
DEN = Device("Den", SYNC_ON, kodi_version=20)
LOFT = Device("Loft", SYNC_ON, kodi_version=21)
ANOTHER_LIBRARY = "another Kodi library, not shared"
OFF_WINDOW_SECONDS = 5.0  # a play must not reach the other library's widget in this window
IDLE_SECONDS = 60.0  # no ping-pong: nothing shared may change while both devices idle
WIDGET_SECONDS = 3.0
# A device's heartbeat moves these while it idles (last_seen) or catches up with its own
# library's revision (revision_applied): not a change of shared data.
HEARTBEAT = frozenset({"last_seen", "revision_applied"})


def shared(db, database: str = SHARED_DB.database, like: str = "%", **options):
    """``snapshot()`` of EasyTV's tables without the heartbeat columns."""
    return snapshot(db, database, like, volatile=HEARTBEAT, **options)


def first_is(episodeid: int):
    """Listing predicate: the first item is library episode ``episodeid``."""
    return lambda items: bool(items) and items[0].get("id") == episodeid


def device_block(report: str, name: str) -> str:
    """The Sync status block of device ``name``: its unindented name line and the indented
    lines under it ("" when the report does not list it)."""
    block: list[str] = []
    for line in report.splitlines():
        if block and (not line.startswith(" ") or not line.strip()):
            break
        if block or (line.startswith(name) and not line.startswith(" ")):
            block.append(line)
    return "\n".join(block)


def assert_no_traceback(cluster: Cluster) -> None:
    """No kodi.log of the cluster has a Python traceback."""
    for kodi in cluster.instances:
        assert "Traceback" not in kodi.log_text(), f"Traceback in {kodi.kodi_log_path}"


# ------------------------------------------------------- fallback user (function-scoped, first)
def test_limited_user_keeps_each_devices_tables_in_its_own_video_db():
    """The user may only touch ``MyVideos%``: no EasyTV database; each device keeps its
    ``easytv_`` tables in its own library's database (never the highest ``MyVideosNNN``)."""
    with running_cluster("Kodi 20 + 21, MyVideos% only", [DEN, LOFT], db_grant=LIMITED_GRANT) as cluster:
        den, loft = cluster["Den"], cluster["Loft"]
        for kodi in (den, loft):
            wait_storage(kodi, "shared", 30)
        assert not cluster.db.database_exists(SHARED_DB.database)
        for kodi, version in ((den, KODI_20), (loft, KODI_21)):
            loc = fallback(version.video_db)
            assert loc.log_line in kodi.log_text(), f"{kodi.name} does not use {loc}"
            tables = tables_in(cluster.db, version.video_db, "easytv%")
            assert {"easytv_meta", "easytv_shows", "easytv_devices"} <= tables, (version.video_db, tables)
            written = rows_written_by(shared(cluster.db, version.video_db, "easytv%"), device_id_of(kodi))
            assert any(written.values()), f"{kodi.name} wrote no row in {version.video_db}"
        for kodi, own, other in ((den, KODI_20, KODI_21), (loft, KODI_21, KODI_20)):
            # Kodi 21's first start copies every table of MyVideos121, EasyTV's included, into
            # MyVideos131: rows equal to the device's own are that copy, not a write.
            copied = shared(cluster.db, own.video_db, "easytv%")
            rows = {table: found - copied.get(table, frozenset()) for table, found in
                    rows_written_by(shared(cluster.db, other.video_db, "easytv%"), device_id_of(kodi)).items()}
            assert not any(rows.values()), f"{kodi.name} wrote into {other.video_db}: {rows}"
        assert_no_traceback(cluster)


# ------------------------------------------------------------ upgrade (function-scoped)
RANDOM_SHOW = Show("Random Ranch", 2015, regular_episodes(*range(1, 13)), "indianred")
UPGRADE_SHOWS = (DEFAULT_SHOWS[0], RANDOM_SHOW)


def test_upgrade_to_kodi_21_brings_settings_and_random_pick_and_leaves_the_old_scope():
    """A Kodi 20 device with sync on, ``random_order_shows`` set to one show (shared) and its
    random pick; stopped; the same userdata started on Kodi 21 (Kodi copies MyVideos121 into
    MyVideos131): the new scope has the setting and the same pick; the old rows are untouched."""
    with running_cluster("upgrade Kodi 20 -> 21", [DEN], shows=UPGRADE_SHOWS) as cluster:
        db, den = cluster.db, cluster["Den"]
        wait_storage(den, "shared", 30)
        show = library_shows(den)[RANDOM_SHOW.title]
        set_addon_setting(den, "service.easytv", "random_order_shows", str(show.tvshowid))
        status = wait_until(lambda: (lambda s: f"random_order_shows={show.tvshowid}" in s and s)(
            sync_status(den)), 30, interval=0.5, what="Den: random_order_shows in the shared settings")
        pick = wait_until(lambda: show_properties(den, show.tvshowid)["EpisodeNo"], 15, interval=0.1,
                          what="Den: a random pick")
        print(f"\n[e2e] upgrade: Kodi 20 picked {RANDOM_SHOW.title} {pick}; its Sync status:\n{status}")
        den.stop()
        # The scope's data (rows, settings, picks, revision); the device registry may note the
        # device's new Kodi version, so it is compared apart.
        old = shared(db, skip_tables=("devices",))
        assert any(old.values()), "Kodi 20 left nothing in the shared database"

        upgraded = KodiInstance(den.name, den.base_dir, den.db, addon_dirs=cluster.addon_dirs,
                                enabled_addons=[d.name for d in cluster.addon_dirs], kodi_version=21,
                                bind_paths=[cluster.base_dir])
        cluster.instances.append(upgraded)  # stopped with the cluster
        upgraded.launch()
        upgraded.wait_ready()
        wait_video_db(db, KODI_21.first_start_seconds, KODI_21.video_db)
        cluster.wait_service(upgraded, KODI_21.first_start_seconds)
        print(f"[e2e] upgrade: Kodi 21 on the same userdata ready in {upgraded.ready_seconds:.2f} s "
              "(first start: copies MyVideos121 into MyVideos131)")
        wait_storage(upgraded, "shared", 30)
        assert db.database_exists(KODI_21.video_db) and db.database_exists(KODI_20.video_db)
        new_id = library_shows(upgraded)[RANDOM_SHOW.title].tvshowid

        report = wait_until(lambda: (lambda s: f"random_order_shows={new_id}" in s and s)(
            sync_status(upgraded)), 30, interval=0.5, what="Kodi 21: random_order_shows in its scope's settings")
        assert "Kodi 21" in device_block(report, den.name), report
        wait_until(lambda: show_properties(upgraded, new_id)["EpisodeNo"] == pick, 15, interval=0.1,
                   what=f"Kodi 21 keeps the pick {pick}")
        items, _ = wait_listing(upgraded, START_FRESH, lambda items: any(
            i.get("showtitle") == RANDOM_SHOW.title for i in items), 10)
        assert episode_no(next(i for i in items if i.get("showtitle") == RANDOM_SHOW.title)) == pick

        now = shared(db, skip_tables=("devices",))
        lost = {t: sorted(rows - now.get(t, frozenset())) for t, rows in old.items() if rows - now.get(t, frozenset())}
        assert not lost, "the Kodi 20 scope changed after the upgrade: " + "; ".join(
            f"{t}: {len(rows)} rows, e.g. {str(rows[0])[:300]}" for t, rows in lost.items())
        print(f"[e2e] upgrade: Kodi 21 scope has random_order_shows={new_id} and {RANDOM_SHOW.title} {pick}; "
              f"{sum(len(r) for r in old.values())} rows of the Kodi 20 scope unchanged")
        assert_no_traceback(cluster)


# ------------------------------------------------------------- one Kodi 20 + one Kodi 21
@pytest.fixture(scope="module")
def mixed() -> Cluster:
    """Den (Kodi 20) and Loft (Kodi 21) on one MariaDB, sync on, ALL privileges; both
    libraries present and scanned."""
    with running_cluster("Kodi 20 + Kodi 21", [DEN, LOFT]) as started:
        for kodi in started.instances:
            wait_storage(kodi, "shared", 30)
            # Each library is populated by its own device: the tests compare rows from then on.
            # The service runs before the scan: it writes show by show as the scan's updates
            # arrive, then recomputes the whole library 2 s after OnScanFinished (engine log
            # "Computed N shows from M episodes"). A device is done when that recompute saw the
            # whole library and its rows cover every show.
            library = library_shows(kodi)
            wanted = {show.tvshowid for show in library.values()}
            computed = f"Computed {len(library)} shows from {len(get_episodes(kodi))} episodes"
            wait_until(lambda kodi=kodi, computed=computed: computed in kodi.log_text(), 60, interval=0.5,
                       what=f"{kodi.name}: {computed!r} in its log")
            wait_until(lambda kodi=kodi, wanted=wanted: wanted <= written_shows(started.db, kodi),
                       60, interval=0.5, what=f"{kodi.name} wrote a shared row for each of its {len(wanted)} shows")
        # ... and nothing is still on its way (two reads a second apart agree).
        wait_settled(started.db, "shared tables settled after both populations")
        yield started


def wait_settled(db, what: str, timeout: float = 30.0) -> dict:
    """Wait until two ``shared()`` snapshots taken one poll (1 s) apart are equal; return it."""
    previous: list[dict] = []

    def unchanged():
        now = shared(db)
        same = bool(previous) and previous[-1] == now
        previous[:] = [now]
        return same and now

    return wait_until(unchanged, timeout, interval=1.0, what=what)


def written_shows(db, kodi: KodiInstance) -> set[int]:
    """The tvshowids of the shared show rows ``kodi`` wrote."""
    return {int(dict(row)["tvshowid"]) for row in rows_written_by(shared(db), device_id_of(kodi)).get("shows", ())}


def test_both_libraries_use_the_shared_database(mixed):
    for kodi in mixed.instances:
        assert mixed.db.database_exists(kodi.video_db)
        assert SHARED_DB.log_line in kodi.log_text(), f"{kodi.name} does not use {SHARED_DB}"
    assert mixed["Den"].video_db != mixed["Loft"].video_db


@pytest.mark.parametrize(("player", "other", "title"), [("Den", "Loft", "Alpha Station"),
                                                        ("Loft", "Den", "Bravo Bay")])
def test_a_play_never_reaches_the_other_library(mixed, player, other, title):
    """A play on one device moves its own widget; the other library's widget and the rows its
    device wrote stay as they were (the show has the same tvshowid in both libraries)."""
    db, playing, watching = mixed.db, mixed[player], mixed[other]
    show = library_shows(playing)[title]
    assert library_shows(watching)[title].tvshowid == show.tvshowid, "same ids: cross-talk would show"
    other_id = device_id_of(watching)
    before = shared(db)
    theirs = rows_written_by(before, other_id)
    with ListingWatcher(watching) as watcher:
        unchanged_from = watcher.latest
        played = playing.play_to_watched(show.episodeid(1, 1))
        wait_listing(playing, NEXT_EPISODES, first_is(show.episodeid(1, 2)), WIDGET_SECONDS, since=played.watched_at)
        written = wait_until(lambda: (lambda s: s != before and s)(shared(db)), 10,
                             interval=0.2, what=f"{player}'s play written to the shared database")
        watcher.assert_unchanged(OFF_WINDOW_SECONDS, since=played.watched_at)
    after = shared(db)
    print(f"\n[e2e] {player} (Kodi {playing.version.major}) played {title} S01E01: {other}'s widget unchanged "
          f"for {OFF_WINDOW_SECONDS:.0f} s ({watcher.polls} polls); tables changed: "
          f"{sorted(snapshot_changes(before, written))}")
    assert watcher.latest.summary() == unchanged_from.summary()
    assert rows_written_by(after, other_id) == theirs, f"rows of {other}'s library changed"
    for table, change in snapshot_changes(before, after).items():
        for row in change["new"]:
            writer = dict(row).get("device_id")
            assert writer in (None, device_id_of(playing)), f"{table}: {row} written for {other}"


@pytest.mark.parametrize(("name", "other"), [("Den", "Loft"), ("Loft", "Den")])
def test_sync_status_names_the_other_device_as_another_library(mixed, name, other):
    report = sync_status(mixed[name])
    print(f"\n[e2e] Sync status on {name}:\n{report}")
    theirs, mine = device_block(report, other), device_block(report, name)
    assert theirs, f"{other} is not listed on {name}:\n{report}"
    assert ANOTHER_LIBRARY in theirs, report
    assert mine and ANOTHER_LIBRARY not in mine, report


def test_no_ping_pong_while_both_idle(mixed):
    """Over 60 s with both devices idle nothing shared changes (revisions, rows, settings;
    only the heartbeat ``last_seen`` moves)."""
    db = mixed.db
    for kodi in mixed.instances:  # quiet first: nothing in progress from the tests before
        wait_until(lambda kodi=kodi: not kodi.call("Player.GetActivePlayers"), 10, interval=0.2,
                   what=f"{kodi.name}: no player")
    settled = wait_settled(db, "shared tables settled")
    started = time.monotonic()
    polls = 0

    def idle_window_over() -> bool:
        nonlocal polls
        changes = snapshot_changes(settled, shared(db))
        polls += 1
        if changes:
            raise AssertionError(f"shared data changed {time.monotonic() - started:.1f} s into the idle "
                                 f"window: {changes}")
        return time.monotonic() - started >= IDLE_SECONDS  # the scenario's length, not a race

    wait_until(idle_window_over, IDLE_SECONDS + 30, interval=2.0, fatal=(AssertionError,),
               what=f"{IDLE_SECONDS:.0f} s of idle without a shared change")
    print(f"\n[e2e] idle {IDLE_SECONDS:.0f} s: 0 changes to the shared tables ({polls} samples)")


def test_no_traceback_in_either_log(mixed):
    assert_no_traceback(mixed)
