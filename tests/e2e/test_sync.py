"""Multi-instance sync between two real Kodi devices sharing one MariaDB (README, "Multi-instance sync").

"Living Room" and "Bedroom" start with ``multi_instance_sync`` on. The limited-user test comes
first: its cluster (function-scoped) is stopped before the module's ALL-privileges cluster
starts, so no more than two Kodi of this module run at once on a two-core machine.
"""

from __future__ import annotations

import time

import pytest

from .conftest import LibraryShow, library_shows
from .harness.cluster import Cluster
from .harness.control import (
    addon_setting,
    answer_yes_no,
    log_lines,
    log_mark,
    log_since,
    log_time,
    set_addon_setting,
    wait_log,
    wait_storage,
    wait_toast,
)
from .harness.easytv import NEXT_EPISODES, START_FRESH, episode_no, show_properties, wait_listing
from .harness.firewall import DroppedHints, hint_port
from .harness.kodi import KodiInstance
from .harness.notify import is_method
from .harness.procs import wait_until
from .harness.shareddb import FALLBACK, SHARED_DB, SharedLocation, head, meta, shared_shows, tables_in
from .harness.watch import ListingWatcher, Snapshot

pytestmark = pytest.mark.e2e

SYNC_SECONDS = 3.0  # README, "Development": a change on one device is in the other's widget within 3 s
SLOW_POLL_SECONDS = 20.0  # README, "Multi-instance sync": the poll period while hints arrive
NOTICE_SECONDS = 3.0  # "every device notices within one poll": 2 s poll + loop ticks
OFF_WINDOW_SECONDS = 5.0  # with sync off, the change must not arrive in this window
# A rebuild has no speed promise: a scan, the debounced full recompute (2 s quiet time, then
# read in slices) and a settings write on each device; on a 2-core machine running a second
# suite beside this one that took over 10 s.
REBUILD_SECONDS = 40.0
CLEAR_SYNC_DATA = "RunScript(service.easytv,clear_sync_data)"
POPULATED = "[EasyTV.shareddb] Populated the shared database"
PULLED = "[EasyTV.shareddb] Pulled "
LOCAL_LINE = "[EasyTV.storage] Using window property storage"


def first_is(episodeid: int):
    """Listing predicate: the first item is library episode ``episodeid``."""
    return lambda items: bool(items) and items[0].get("id") == episodeid


def tracked_ids(kodi: KodiInstance, shows: dict[str, LibraryShow]) -> set[int]:
    """tvshowids EasyTV tracks on ``kodi``: those with ``EasyTV.<id>.TVShowID`` set (README, "Window properties")."""
    names = {f"EasyTV.{s.tvshowid}.TVShowID": s.tvshowid for s in shows.values()}
    values = kodi.get_properties(list(names))
    return {tvshowid for name, tvshowid in names.items() if values[name]}


def assert_shared_start(cluster: Cluster, loc: SharedLocation) -> dict[str, LibraryShow]:
    """Both devices use ``loc`` (log line, ``EasyTV.Storage``) and its ``shows`` table holds one
    live row per tracked show; returns the library's shows."""
    shows = library_shows(cluster.instances[0])
    for kodi in cluster.instances:
        wait_storage(kodi, "shared")
        log = kodi.log_text()
        assert f"[EasyTV.shareddb] Connected to database, host={cluster.db.host}, " \
               f"port={cluster.db.port}" in log
        assert loc.log_line in log, f"{kodi.name} does not use {loc}"
    # Each device computes its own cache: on a busy machine one may still be at it. Wait (with
    # a deadline) until every device tracks the same non-empty set.
    def agreed() -> set[int] | None:
        sets = [tracked_ids(kodi, shows) for kodi in cluster.instances]
        return sets[0] if sets[0] and all(s == sets[0] for s in sets) else None

    tracked = wait_until(agreed, 30, interval=0.2, what="every device tracks the same shows")
    rows = wait_until(lambda: (lambda r: {x["tvshowid"] for x in r} == tracked and r)(
        shared_shows(cluster.db, loc)), 15, interval=0.1, what="one shared row per tracked show")
    assert len(rows) == len(tracked)
    by_id = {s.tvshowid: s.title for s in shows.values()}
    assert all(row["title"] == by_id[row["tvshowid"]] for row in rows)
    return shows


def assert_play_propagates(cluster: Cluster, show: LibraryShow, label: str) -> float:
    """Play ``show`` S01E01 to watched on Living Room; Bedroom's widget must list S01E02 first
    within SYNC_SECONDS of the playcount ``OnUpdate``. Returns that latency."""
    living_room, bedroom = cluster["Living Room"], cluster["Bedroom"]
    with ListingWatcher(bedroom) as watcher:
        played = living_room.play_to_watched(show.episodeid(1, 1))
        snap, latency = watcher.wait_for(first_is(show.episodeid(1, 2)), SYNC_SECONDS,
                                         since=played.watched_at)
    print(f"\n[e2e] {label}: {show.title} S01E02 first in Bedroom's widget {latency:.2f} s "
          f"after Living Room's playcount OnUpdate ({watcher.polls} polls)")
    assert snap.items[0]["showtitle"] == show.title
    assert episode_no(snap.items[0]) == "S01E02"
    assert show_properties(bedroom, show.tvshowid)["EpisodeNo"] == "S01E02"
    return latency


def first_resync_line(kodi: KodiInstance, since: int, timeout: float = 15.0) -> str:
    """Wait for ``kodi``'s first "Populated ..." or "Pulled ..." line after ``since``."""
    def line() -> str | None:
        return next((x for x in log_since(kodi, since).splitlines() if POPULATED in x or PULLED in x),
                    None)
    return wait_until(line, timeout, interval=0.05, what=f"{kodi.name}: repopulated or pulled")


def assert_no_traceback(cluster: Cluster) -> None:
    """Neither kodi.log has a Python traceback."""
    for kodi in cluster.instances:
        assert "Traceback" not in kodi.log_text(), f"Traceback in {kodi.kodi_log_path}"


# ------------------------------------------------------------ limited user (runs first)
def test_limited_user_uses_prefixed_tables_in_video_db(limited_sync_cluster):
    cluster = limited_sync_cluster
    shows = assert_shared_start(cluster, FALLBACK)
    assert not cluster.db.database_exists(SHARED_DB.database)
    assert {"easytv_meta", "easytv_shows", "easytv_devices"} <= tables_in(
        cluster.db, FALLBACK.database, "easytv%")
    assert_play_propagates(cluster, shows["Alpha Station"], "MyVideos% user")
    assert_no_traceback(cluster)


# ------------------------------------------------------------------ ALL privileges
@pytest.fixture(scope="module")
def sync_shows(sync_cluster) -> dict[str, LibraryShow]:
    """Shows of the sync cluster's library, by title."""
    return library_shows(sync_cluster["Living Room"])


def test_both_devices_use_shared_database(sync_cluster):
    assert_shared_start(sync_cluster, SHARED_DB)


def test_play_on_living_room_reaches_bedroom_within_3_s(sync_cluster, sync_shows):
    assert_play_propagates(sync_cluster, sync_shows["Bravo Bay"], "ALL user")


def test_with_hints_dropped_a_play_still_reaches_bedroom_within_3_s(sync_cluster, sync_shows):
    """A firewall drops the wake-up hints to Bedroom (issue 9): the first play reaches Bedroom at
    its next slow poll and shows that hints do not arrive; Bedroom polls every 2 s from then on,
    so the next play is in its widget within SYNC_SECONDS again."""
    living_room, bedroom = sync_cluster["Living Room"], sync_cluster["Bedroom"]
    first, second = sync_shows["Alpha Station"], sync_shows["Foxtrot Falls"]
    with DroppedHints(hint_port(sync_cluster.db, "Bedroom")):
        with ListingWatcher(bedroom) as watcher:
            played = living_room.play_to_watched(first.episodeid(1, 1))
            _, noticed = watcher.wait_for(first_is(first.episodeid(1, 2)), SLOW_POLL_SECONDS + SYNC_SECONDS,
                                          since=played.watched_at)
        print(f"\n[e2e] hints dropped: the first play reached Bedroom after {noticed:.2f} s (a slow poll)")
        assert_play_propagates(sync_cluster, second, "hints dropped")


def test_clear_sync_data_through_dialog_repopulates_once(sync_cluster, sync_shows):
    db, living_room, bedroom = sync_cluster.db, sync_cluster["Living Room"], sync_cluster["Bedroom"]
    show = sync_shows["Golf Gardens"]
    with ListingWatcher(bedroom) as watcher:
        # Something in progress, so that Bedroom's widget has something to lose. Kodi keeps
        # lastplayed in whole seconds: wait for a new second, so that this show is strictly the
        # most recently played (the previous test's play may have ended in this very second).
        second = int(time.time())
        wait_until(lambda: int(time.time()) > second, 3, interval=0.02, what="the next wall-clock second")
        living_room.call("VideoLibrary.SetEpisodeDetails", {
            "episodeid": show.episodeid(1, 1), "playcount": 1,
            "lastplayed": time.strftime("%Y-%m-%d %H:%M:%S")})
        watcher.wait_for(first_is(show.episodeid(1, 2)), 10)
        tracked = tracked_ids(living_room, sync_shows)
        generation, _ = head(db)
        marks = {kodi.name: log_mark(kodi) for kodi in sync_cluster.instances}
        widget_before = watcher.latest

        living_room.run_builtin(CLEAR_SYNC_DATA)
        answered = answer_yes_no(living_room, yes=True)
        line = wait_log(living_room, "[EasyTV.sync] Cleared sync data: revision 0, generation ", 10,
                        marks["Living Room"])
        cleared = log_time(line)
        new_generation = int(line.rsplit("generation ", 1)[1].split()[0])
        assert new_generation != generation, "a clear gives the generation a new unique value"
        wait_toast(living_room)  # success is notified
        noticed = {k.name: log_time(wait_log(k, f"Shared data was cleared (generation "
                                             f"{new_generation})", 10, marks[k.name])) - cleared
                   for k in sync_cluster.instances}
        rows = wait_until(lambda: (lambda r: len(r) == len(tracked) and r)(
            shared_shows(db, include_deleted=True)), 15, interval=0.1, what="shows repopulated")
        caught_up = {k.name: log_time(first_resync_line(k, marks[k.name])) - cleared
                     for k in sync_cluster.instances}
        settled = time.monotonic()
        wait_until(lambda: watcher.last_poll > settled, 10, interval=0.05,
                   what="one more listing of Bedroom's widget after both caught up")

    answered_epoch = time.time() - (time.monotonic() - answered)
    print(f"\n[e2e] clear sync data: cleared {cleared - answered_epoch:.2f} s after 'Yes'; noticed "
          + ", ".join(f"{n} {t:.2f} s" for n, t in noticed.items()) + "; repopulated/pulled "
          + ", ".join(f"{n} {t:.2f} s" for n, t in caught_up.items()) + " after the clear; "
          f"Bedroom's widget polled {watcher.polls} times, {len(watcher.history)} distinct listings")
    assert all(t <= NOTICE_SECONDS for t in noticed.values()), f"noticed after {noticed}"
    assert {r["tvshowid"] for r in rows} == tracked
    assert not any(r["deleted"] for r in rows)
    assert head(db) == (new_generation, 1), "exactly one population (one revision from 0)"
    populated = [k.name for k in sync_cluster.instances
                 if log_lines(k, POPULATED, marks[k.name])]
    assert len(populated) == 1, f"devices that populated: {populated}"
    empty = [s.time - answered for s in watcher.history if not s.items and s.time >= widget_before.time]
    assert not empty, f"Bedroom's widget went empty {empty[0]:.2f} s after 'Yes'"
    assert watcher.latest.summary() == widget_before.summary()


def test_toggling_sync_off_and_on_at_runtime(sync_cluster, sync_shows):
    living_room, bedroom = sync_cluster["Living Room"], sync_cluster["Bedroom"]
    show = sync_shows["Echo Empire"]
    mark = log_mark(bedroom)
    set_addon_setting(bedroom, "service.easytv", "multi_instance_sync", False)
    try:
        wait_storage(bedroom, "local", 5)
        wait_log(bedroom, LOCAL_LINE, 5, since=mark)

        with ListingWatcher(bedroom) as watcher:
            played = living_room.play_to_watched(show.episodeid(1, 1))
            wait_listing(living_room, NEXT_EPISODES, first_is(show.episodeid(1, 2)), SYNC_SECONDS,
                         since=played.watched_at)
            # The play would move the next episodes: what Bedroom lists, not every field.
            watcher.assert_unchanged(OFF_WINDOW_SECONDS, since=played.watched_at, key=Snapshot.summary)

            mark = log_mark(bedroom)
            turned_on = time.monotonic()
            set_addon_setting(bedroom, "service.easytv", "multi_instance_sync", True)
            wait_storage(bedroom, "shared", 10)
            wait_log(bedroom, SHARED_DB.log_line, 5, since=mark)
            _, catch_up = watcher.wait_for(first_is(show.episodeid(1, 2)), 10, since=turned_on)
    finally:  # the tests after this one need sync on, also when this one failed
        if addon_setting(bedroom, "service.easytv", "multi_instance_sync") != "true":
            set_addon_setting(bedroom, "service.easytv", "multi_instance_sync", True)
    print(f"\n[e2e] sync toggled off: no change in Bedroom's widget for {OFF_WINDOW_SECONDS:.0f} s"
          f" ({watcher.polls} polls); on again: caught up {catch_up:.2f} s after the setting")
    assert show_properties(bedroom, show.tvshowid)["EpisodeNo"] == "S01E02"
    row = next(r for r in shared_shows(sync_cluster.db) if r["tvshowid"] == show.tvshowid)
    assert (row["season"], row["episode"]) == (1, 2), "Bedroom must not push its stale state"


def test_library_rebuild_follows_a_random_order_show_to_its_new_id(sync_cluster, sync_shows):
    """Kodi's way to renumber a show: remove it from the library and scan again. Living Room
    does both; the show comes back under a new tvshowid and keeps its random-order pick and
    its place in ``random_order_shows`` on both devices (and in their settings.xml); its old
    id leaves both caches; Bedroom's *Start fresh* widget offers the kept pick."""
    db, living_room, bedroom = sync_cluster.db, sync_cluster["Living Room"], sync_cluster["Bedroom"]
    title, old_id = "Charlie Circuit", sync_shows["Charlie Circuit"].tvshowid
    set_addon_setting(living_room, "service.easytv", "random_order_shows", str(old_id))
    wait_until(lambda: meta(db).get("setting.random_order_shows") == str(old_id), 30, interval=0.1,
               what="random_order_shows shared")
    pick = wait_until(lambda: (lambda p: p if p and p == show_properties(living_room, old_id)["EpisodeNo"] else None)(
        show_properties(bedroom, old_id)["EpisodeNo"]), 30, interval=0.1, what="the same pick on both devices")
    marks = {kodi.name: log_mark(kodi) for kodi in sync_cluster.instances}

    started = time.monotonic()
    living_room.call("VideoLibrary.RemoveTVShow", {"tvshowid": old_id})
    scan_mark = living_room.listener.mark()
    living_room.call("VideoLibrary.Scan", {"showdialogs": False})
    living_room.listener.wait_for(is_method("VideoLibrary.OnScanFinished"), 60, scan_mark,
                                  what="Living Room: VideoLibrary.OnScanFinished")
    new_id = library_shows(living_room)[title].tvshowid
    assert new_id != old_id, "Kodi kept the tvshowid; nothing was rebuilt"
    # Whichever device recomputes first follows the show (Bedroom does when it adopts the
    # shared setting, which it re-reads the library for); the other then finds it done.
    followers = wait_until(lambda: [k.name for k in sync_cluster.instances if log_lines(
        k, "[EasyTV.engine] Library rebuilt: 1 shows have new tvshowids", marks[k.name])], REBUILD_SECONDS,
        interval=0.1, what="a device follows the show to its new id")
    # Living Room recomputed the re-added show from the scan's notifications before anyone
    # followed it (not in random order yet: the setting still names the old id); the
    # follower's event is newer, so both devices must end with the kept pick.
    followed = {}
    for kodi in (bedroom, living_room):
        wait_until(lambda kodi=kodi: show_properties(kodi, new_id)["EpisodeNo"] == pick
                   and not show_properties(kodi, old_id)["EpisodeNo"], REBUILD_SECONDS, interval=0.1,
                   what=f"{kodi.name} lists {title} {pick} under tvshowid {new_id}")
        followed[kodi.name] = time.monotonic() - started
    assert meta(db)["setting.random_order_shows"] == str(new_id)
    for kodi in sync_cluster.instances:
        wait_until(lambda kodi=kodi: addon_setting(kodi, "service.easytv", "random_order_shows") == str(new_id),
                   REBUILD_SECONDS, interval=0.1, what=f"{kodi.name}: random_order_shows re-keyed")
    rows = {r["tvshowid"]: r for r in shared_shows(db, include_deleted=True)}
    assert rows[old_id]["deleted"] and rows[new_id]["title"] == title
    assert episode_no({"season": rows[new_id]["season"], "episode": rows[new_id]["episode"]}) == pick
    items, _ = wait_listing(bedroom, START_FRESH, lambda items: any(
        i.get("showtitle") == title for i in items), 15)
    assert episode_no(next(i for i in items if i.get("showtitle") == title)) == pick
    print(f"\n[e2e] library rebuild: {title} {old_id} -> {new_id}, pick {pick} kept (followed by "
          f"{', '.join(followers)}); listed under the new id "
          + ", ".join(f"{n} {t:.2f} s" for n, t in followed.items()) + " after RemoveTVShow (scan included)")


def test_no_traceback_in_either_log(sync_cluster):
    assert_no_traceback(sync_cluster)
