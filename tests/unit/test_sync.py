"""Two devices sharing one library and one shared store (MemoryStore), driven tick by tick."""

import dataclasses
import logging
import random

import pytest

from easytv.app.cache import WindowCache
from easytv.app.clock import ServerClock
from easytv.app.engine import Engine
from easytv.app.sync import BACKOFF_SECONDS, Syncer
from easytv.app.worker import InlineWorker
from easytv.core import events
from easytv.core.errors import StoreUnavailable
from easytv.core.settings import Settings, with_shared_values
from easytv.core.settings import shared_values as shared_settings
from easytv.core.sync import Device
from fakes import FakeClock, FakeLibrary, FakeWindow, SlowLibrary
from kodi_shapes import load
from memory_store import MemoryStore


class Wall:
    """A wall clock for event times that moves with the monotonic fake."""

    def __init__(self, clock):
        self.clock = clock

    def __call__(self):
        return 1_800_000_000.0 + self.clock.now


class Box:
    """One Kodi device: engine + window + syncer."""

    def __init__(self, name, library, store, clock, settings=None, shared_values=None, skew=0.0,
                 like_service=False, worker=None, journal=None, local=None):
        """`like_service`: shared settings are adopted into the engine and re-keyed
        `random_order_shows` are shared, as `easytv.app.service.Service` does. `local`: this
        device's wall clock (default: the shared wall clock + `skew`)."""
        self.window = FakeWindow()
        self.settings = settings or Settings()
        self.applied_settings = []
        wall = Wall(clock)
        local = local or (lambda: wall() + skew)  # this device's own clock is `skew` s off
        self.server_clock = server_clock = ServerClock(local, clock)
        self.engine = Engine(library, WindowCache(self.window), None, self.settings, clock,
                             random.Random(name), wall_clock=server_clock, device_id=name,
                             on_show_ids=self._on_show_ids if like_service else lambda ids: None)

        def open_store():
            if store.down:
                raise StoreUnavailable("connection refused")
            return store
        self.worker = worker or InlineWorker()
        self.syncer = Syncer(self.engine, open_store, Device(name, name), self.worker, clock, journal=journal,
                             local_settings=lambda: shared_settings(self.settings) if like_service
                             else dict(shared_values or {}),
                             on_settings=self._on_settings if like_service else self.applied_settings.append,
                             server_clock=server_clock)
        self.engine.store = self.syncer
        self.engine.start()

    def _on_settings(self, values):
        self.applied_settings.append(values)
        self.settings = with_shared_values(self.settings, values)
        self.engine.apply_settings(self.settings, adopted=True)

    def _on_show_ids(self, ids):
        self.settings = dataclasses.replace(self.settings, random_order_shows=tuple(ids))
        self.syncer.push_settings(shared_settings(self.settings))

    def run(self, ticks=6):
        for _ in range(ticks):
            self.engine.step()
            self.syncer.tick()

    def next_of(self, tvshowid):
        return self.window.props.get("EasyTV.%d.EpisodeNo" % tvshowid)


@pytest.fixture
def world():
    clock = FakeClock()
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    store = MemoryStore(clock=Wall(clock))
    return clock, library, store


def settle(clock, *boxes, seconds=3.0, ticks=8):
    for _ in range(ticks):
        clock.advance(seconds / ticks)
        for box in boxes:
            box.run(1)


def test_first_device_populates_and_second_pulls(world):
    clock, library, store = world
    living = Box("living", library, store, clock)
    living.run()
    assert store.revision == 1 and len(store.rows) == 4
    bedroom = Box("bedroom", library, store, clock)
    bedroom.run()
    assert store.revision == 1  # identical states: nothing to push
    assert bedroom.syncer.applied == (store.generation, 1)


def test_play_on_one_device_reaches_the_other_within_a_poll(world):
    clock, library, store = world
    living, bedroom = Box("living", library, store, clock), Box("bedroom", library, store, clock)
    settle(clock, living, bedroom)
    assert bedroom.next_of(3) == "S01E02"
    library.watch(12, lastplayed="2026-12-01 21:00:00")
    living.engine.handle(events.EpisodeChanged(12, 1))
    living.run(2)
    assert living.next_of(3) == "S01E03"
    calls_before = list(library.calls)
    settle(clock, living, bedroom, seconds=2.5)
    assert bedroom.next_of(3) == "S01E03"
    assert bedroom.window.props["EasyTV.ShowIDs"].startswith("3")
    assert library.calls == calls_before  # the other device applied the row without JSON-RPC


def test_an_older_event_never_overwrites_a_newer_one(world):
    clock, library, store = world
    living = Box("living", library, store, clock)
    living.run()
    newer = store.rows[3]
    from dataclasses import replace
    stale = replace(newer, event_time=newer.event_time - 100, device_id="old-device",
                    state=replace(newer.state, count_watched=0))
    store.write([stale])
    assert store.rows[3].device_id == "living"


def test_outage_keeps_changes_and_replays_them_after_the_backoff(world, caplog):
    clock, library, store = world
    living, bedroom = Box("living", library, store, clock), Box("bedroom", library, store, clock)
    settle(clock, living, bedroom)
    store.down = True
    library.watch(12)
    living.engine.handle(events.EpisodeChanged(12, 1))
    with caplog.at_level(logging.WARNING, logger="EasyTV.shareddb"):
        settle(clock, living, bedroom, seconds=5)
    assert living.next_of(3) == "S01E03"  # the local cache keeps working
    warnings = [r for r in caplog.records if "Database unavailable, backing off" in r.getMessage()]
    assert len(warnings) == 2  # one per device for this cycle
    assert 3 in living.syncer.pending
    store.down = False
    settle(clock, living, bedroom, seconds=BACKOFF_SECONDS + 4, ticks=40)
    assert not living.syncer.pending
    assert bedroom.next_of(3) == "S01E03"


def test_clear_is_noticed_and_exactly_one_device_repopulates(world, caplog):
    clock, library, store = world
    boxes = [Box(n, library, store, clock) for n in ("a", "b", "c")]
    settle(clock, *boxes, seconds=6, ticks=16)
    assert all(box.syncer.synced and box.syncer.applied == (store.generation, 1) for box in boxes)
    generation = store.generation
    store.clear()
    commits_before = store.commits
    assert store.revision == 0
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="EasyTV.shareddb"):
        for _ in range(10):
            clock.advance(0.5)
            for box in boxes:
                box.run(1)
                assert box.window.props.get("EasyTV.3.EpisodeNo") == "S01E02"  # widgets never go empty
    assert len([r for r in caplog.records if r.getMessage().startswith("Populated the shared database")]) == 1
    assert store.commits == commits_before + 1
    assert store.generation != generation
    assert store.revision == 1 and len(store.rows) == 4  # one population
    assert all(box.syncer.applied == (store.generation, 1) for box in boxes)


def test_first_device_seeds_shared_settings_and_others_adopt_them(world):
    clock, library, store = world
    first = Box("first", library, store, clock, shared_values={"include_positioned_specials": "true",
                                                               "random_order_shows": ""})
    first.run()
    second = Box("second", library, store, clock, shared_values={"include_positioned_specials": "false",
                                                                 "random_order_shows": "4"})
    second.run()
    assert store.settings == {"include_positioned_specials": "true", "random_order_shows": ""}
    assert second.applied_settings[-1] == store.settings
    second.syncer.push_settings({"include_positioned_specials": "false"})
    settle(clock, first, second)
    assert store.settings["include_positioned_specials"] == "false"
    assert first.applied_settings[-1]["include_positioned_specials"] == "false"


def test_random_order_pick_is_shared(world):
    clock, library, store = world
    settings = Settings(random_order_shows=(4,))
    picks = set()
    for name in ("living", "bedroom", "kitchen"):
        box = Box(name, library, store, clock, settings=settings)
        settle(clock, box)
        picks.add(box.window.props["EasyTV.4.EpisodeID"])
    assert len(picks) == 1


@pytest.mark.parametrize("skew", [600.0, -600.0])
def test_a_device_with_a_wrong_clock_still_obeys_newer_wins(world, skew):
    clock, library, store = world
    skewed, correct = Box("skewed", library, store, clock, skew=skew), Box("correct", library, store, clock)
    settle(clock, skewed, correct)
    library.watch(12)  # on the skewed device: Alpha S01E02 watched -> next S01E03
    skewed.engine.handle(events.EpisodeChanged(12, 1))
    settle(clock, skewed, correct)
    assert correct.next_of(3) == "S01E03", "the skewed device's change reached the other"
    library.watch(13)  # a few seconds later on the correct device -> next S02E01
    correct.engine.handle(events.EpisodeChanged(13, 1))
    settle(clock, skewed, correct)
    assert store.rows[3].state.next.episodeid == 14, "the later change is kept"
    assert skewed.next_of(3) == correct.next_of(3) == "S02E01"


@pytest.mark.parametrize("seed", range(6))  # each pair of names draws differently; several drew over the pick
def test_a_random_order_show_turned_on_here_keeps_its_pick_on_every_device(world, monkeypatch, seed):
    """The device whose user makes a show random-order draws its pick; the others adopt the
    setting and that pick, never a draw of their own (a pick is kept until watched). Living's
    library is slow to read, so its recompute spans several loop steps (as in real Kodi)."""
    from easytv.app import fullread
    monkeypatch.setattr(fullread, "PAGE_EPISODES", 5)
    clock, library, store = world
    slow = SlowLibrary(clock, load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    living = Box("living%d" % seed, slow, store, clock, like_service=True)
    bedroom = Box("bedroom%d" % seed, library, store, clock, like_service=True)
    settle(clock, living, bedroom)
    # As Service.on_settings_changed does: share the change, then recompute with it.
    living.settings = dataclasses.replace(living.settings, random_order_shows=(4,))
    living.syncer.push_settings(shared_settings(living.settings))
    living.engine.apply_settings(living.settings)
    while living.engine.recomputing:
        living.run(1)
        bedroom.run(1)
    pick = living.window.props["EasyTV.4.EpisodeID"]
    for _ in range(3):
        settle(clock, living, bedroom)
    assert bedroom.settings.random_order_shows == (4,)
    assert living.window.props["EasyTV.4.EpisodeID"] == pick
    assert bedroom.window.props["EasyTV.4.EpisodeID"] == pick
    assert store.rows[4].state.next.episodeid == int(pick)
