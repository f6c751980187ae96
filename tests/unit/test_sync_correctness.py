"""Issue 8: nothing lost at shutdown, clock jumps, re-created databases, populate races."""

import dataclasses
import logging

import pytest
from test_sync import Box, Wall, settle

from easytv.app.journal import Journal
from easytv.core import events
from easytv.core.sync import SharedShow
from fakes import FakeClock, FakeLibrary, ManualWorker, clocked_store
from kodi_shapes import load

DAYS = 86400.0


@pytest.fixture
def world():
    clock = FakeClock()
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    return clock, library, clocked_store(Wall(clock))


def watch(box, library, episodeid):
    library.watch(episodeid)
    box.engine.handle(events.EpisodeChanged(episodeid, 1))
    box.engine.step()


# -- bug 1: quitting keeps every change not known to be committed -------------------------------

def test_close_journals_a_queued_change_and_a_setting_and_the_next_start_writes_them(world, tmp_path):
    clock, library, store = world
    path = str(tmp_path / "offline_queue.json")
    living = Box("living", library, store, clock, journal=Journal(path))
    settle(clock, living)
    watch(living, library, 12)  # queued; the loop quits before the next tick writes it
    living.syncer.push_settings({"include_positioned_specials": "true"})
    living.syncer.close()
    queued = Journal(path).read()
    assert [r.tvshowid for r in queued.rows] == [3] and queued.settings == {"include_positioned_specials": "true"}

    again = Box("living", library, store, clock, journal=Journal(path))
    settle(clock, again)
    assert store.rows[3].state.next.episode == 3
    assert store.settings["include_positioned_specials"] == "true"


def test_close_journals_the_write_in_flight(world, tmp_path):
    clock, library, store = world
    path = str(tmp_path / "offline_queue.json")
    worker = ManualWorker()
    living = Box("living", library, store, clock, worker=worker, journal=Journal(path))
    for _ in range(10):  # connect, first sync, populate: each runs when the worker is told
        living.run(1)
        if worker.jobs:
            worker.run_next()
    assert living.syncer.synced and not worker.jobs
    watch(living, library, 12)
    living.syncer.push_settings({"random_order_shows": "4"})
    living.syncer.tick()
    assert [name for name, _ in worker.jobs] == ["write"]  # submitted, not committed
    assert not living.syncer.pending
    living.syncer.close()
    queued = Journal(path).read()
    assert [r.tvshowid for r in queued.rows] == [3] and queued.settings == {"random_order_shows": "4"}


def test_close_leaves_no_queue_when_everything_is_committed(world, tmp_path):
    clock, library, store = world
    path = tmp_path / "offline_queue.json"
    living = Box("living", library, store, clock, journal=Journal(str(path)))
    settle(clock, living)
    watch(living, library, 12)
    living.run(2)
    living.syncer.close()
    assert not path.exists()


# -- bug 2: event times immune to wall-clock steps after connect --------------------------------

@pytest.mark.parametrize("step", [3 * DAYS, -3 * DAYS])
def test_a_wall_clock_step_after_connect_never_moves_event_times(world, step):
    clock, library, store = world
    wall, jump = Wall(clock), [0.0]
    stepped = Box("stepped", library, store, clock, local=lambda: wall() + jump[0])
    other = Box("other", library, store, clock)
    settle(clock, stepped, other)
    jump[0] = step  # NTP steps this device's clock
    watch(stepped, library, 12)
    settle(clock, stepped, other)
    assert abs(store.rows[3].event_time - wall()) < 60
    assert other.next_of(3) == "S01E03"
    clock.advance(5)
    watch(other, library, 13)  # a later change on the other device must win
    settle(clock, stepped, other, seconds=5, ticks=12)
    assert store.rows[3].state.next.episodeid == 14
    assert stepped.next_of(3) == other.next_of(3) == "S02E01"


def test_the_server_offset_is_re_measured_at_every_poll(world):
    clock, library, store = world
    living = Box("living", library, store, clock)
    settle(clock, living)
    store._clock = lambda: Wall(clock)() + 120.0  # the server's own clock was stepped
    settle(clock, living)
    assert abs(living.server_clock() - store._clock()) < 1


def test_an_event_time_far_ahead_of_the_server_is_clamped(world, tmp_path):
    clock, library, store = world
    path = str(tmp_path / "q.json")
    settle(clock, Box("living", library, store, clock))
    row = dataclasses.replace(store.rows[3], event_time=Wall(clock)() + 3 * DAYS, revision=0, state=None)
    Journal(path).store([row])  # a run whose clock was days ahead
    bedroom = Box("bedroom", library, store, clock, journal=Journal(path))
    settle(clock, bedroom)
    assert all(r.event_time <= Wall(clock)() + 60 for r in store.rows.values())


# -- bug 3: a re-created or restored database is started over -----------------------------------

def test_a_re_created_database_with_the_same_generation_is_repopulated(world):
    clock, library, store = world
    living = Box("living", library, store, clock)
    settle(clock, living)
    watch(living, library, 12)
    settle(clock, living)
    assert store.revision == 2
    store.scope.rows.clear()  # dropped and created anew: revision 0, and (old schema) generation 1 again
    store.scope.revision = 0
    settle(clock, living)
    assert len(store.rows) == 4 and store.rows[3].state.next.episode == 3


def test_a_database_restored_from_a_backup_is_reconciled(world):
    clock, library, store = world
    living, bedroom = Box("living", library, store, clock), Box("bedroom", library, store, clock)
    settle(clock, living, bedroom)
    backup = (dict(store.rows), store.revision)
    watch(living, library, 12)
    settle(clock, living, bedroom)
    assert store.rows[3].state.next.episode == 3
    store.scope.rows, store.scope.revision = backup  # restored: revision below what both applied
    settle(clock, living, bedroom, seconds=6, ticks=16)
    assert store.rows[3].state.next.episode == 3, "nobody pushed the newer state back"


# -- bug 4: populate records only what it has seen ----------------------------------------------

def test_a_peer_commit_during_the_population_is_pulled(world):
    clock, library, store = world
    living = Box("living", library, store, clock)
    living.engine.step()
    theirs = dataclasses.replace(living.engine.states[3], count_watched=7)
    peer = SharedShow(3, "Alpha", 2001, theirs, Wall(clock)() + 10, "peer")
    store.before_write = lambda rows: store.write([peer])  # lands between head() and the write
    settle(clock, living, seconds=6, ticks=16)
    assert store.rows[3].device_id == "peer"
    assert living.engine.states[3] == theirs


# -- bug 5: after a clear, one early write does not make every device push everything ------------

def test_an_early_write_after_a_clear_still_repopulates_exactly_once(world, caplog):
    clock, library, store = world
    boxes = [Box(n, library, store, clock) for n in ("a", "b", "c")]
    settle(clock, *boxes, seconds=6, ticks=16)
    store.clear()
    early = dataclasses.replace(boxes[1].engine.snapshot_rows()[0], event_time=Wall(clock)())
    store.write([early])  # b's queued write landed before anyone noticed the clear
    commits = store.commits
    with caplog.at_level(logging.INFO, logger="EasyTV.shareddb"):
        settle(clock, *boxes, seconds=8, ticks=24)
    assert len([r for r in caplog.records if r.getMessage().startswith("Populated the shared database")]) == 1
    assert store.commits == commits + 1, [len(w) for w in store.writes]
    assert len(store.rows) == 4
    assert all(box.syncer.synced and box.syncer.applied == (store.generation, store.revision) for box in boxes)


# -- bug 8: the offline queue holds only what is not known to be in the database -----------------

def test_a_start_with_the_database_up_writes_no_queue(world, tmp_path):
    clock, library, store = world
    path = tmp_path / "offline_queue.json"
    living = Box("living", library, store, clock, journal=Journal(str(path)))
    living.engine.step()  # the full recompute hands the whole library to the syncer
    assert not path.exists()
    settle(clock, living)
    assert not path.exists()


@pytest.mark.parametrize("populated", [False, True])
def test_a_populate_or_a_no_op_reconcile_leaves_no_stale_queue(world, tmp_path, populated):
    clock, library, store = world
    if populated:
        settle(clock, Box("other", library, store, clock))
    path = tmp_path / "offline_queue.json"
    store.down = True
    living = Box("living", library, store, clock, journal=Journal(str(path)))
    settle(clock, living)
    assert path.exists()  # the database is away: queued on disk
    store.down = False
    clock.advance(40)
    settle(clock, living)
    assert living.syncer.synced and not path.exists()


def test_a_re_measurement_never_moves_the_clock_back_by_noise_but_follows_a_real_step():
    from easytv.app.clock import ServerClock
    mono = FakeClock(50.0)
    clock = ServerClock(lambda: 1_000.0, mono)
    assert clock() == 1_000.0  # not measured: the wall clock
    assert clock.adopt(2_000.0) == 1_050.0  # the first measurement moves it 1,050 s
    first = clock()
    clock.adopt(2_000.0 - 0.3)  # the next sample is 0.3 s lower: measurement noise
    assert clock() >= first  # a later event never gets an earlier time
    mono.advance(1.0)
    assert clock() == pytest.approx(first + 0.7)
    clock.adopt(2_000.0 - 100.0)  # the server's clock was set back 100 s: followed
    assert clock() == pytest.approx(first - 99.0)


def test_a_slow_head_round_trip_is_not_used_to_re_measure():
    from easytv.app import sync_ops
    mono = FakeClock(50.0)

    class SlowHead:
        def head(self):
            mono.advance(3.0)  # the worker waited 3 s for the answer
            from easytv.core.sync import Head
            return Head(1, 7, {}, server_time=9_999.0)
    head, rows, offset = sync_ops.poll(SlowHead(), (7, 1), mono)
    assert offset is None and rows is None and head.revision == 1


def test_rows_pushed_to_a_live_database_are_not_written_to_the_queue(world, tmp_path, monkeypatch):
    clock, library, store = world
    path = tmp_path / "offline_queue.json"
    settle(clock, Box("other", library, store, clock))
    for row in list(store.rows.values()):  # older shared rows: the next device pushes its states
        store.rows[row.tvshowid] = dataclasses.replace(row, state=None, event_time=row.event_time - 100)
    stores = []
    real = Journal.store

    def recording(self, rows, settings=None, server_clock=True):
        stores.append(len(list(rows)))
        return real(self, rows, settings, server_clock)
    monkeypatch.setattr(Journal, "store", recording)
    living = Box("living", library, store, clock, journal=Journal(str(path)))
    settle(clock, living)
    assert all(not r.deleted for r in store.rows.values())  # pushed
    assert stores == [] and not path.exists()
