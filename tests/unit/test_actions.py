"""Clear sync data, Sync status and the runtime storage switch, over MemoryStore."""

import random

from easytv.app import actions
from easytv.app.cache import WindowCache
from easytv.app.engine import Engine
from easytv.app.interfaces import LocalStore
from easytv.app.storage import Storage
from easytv.app.sync import Syncer
from easytv.app.worker import InlineWorker
from easytv.core.errors import StoreUnavailable
from easytv.core.settings import Settings
from easytv.core.sync import Device, SharedShow
from fakes import FakeClock, FakeLibrary, FakeWindow
from kodi_shapes import load
from memory_store import MemoryServer, MemoryStore


def _row(tvshowid, time=1.0):
    return SharedShow(tvshowid, "Show%d" % tvshowid, 2001, None, time, "dev")


def test_clear_asks_first_and_does_nothing_on_no():
    store = MemoryStore()
    store.write([_row(1)])
    outcome = []
    assert actions.clear_sync_data(lambda: store, lambda: False, outcome.append) is None
    assert store.revision == 1 and outcome == []


def test_clear_deletes_rows_resets_revision_changes_generation_and_notifies():
    store = MemoryStore()
    store.write([_row(1), _row(2)])
    outcome = []
    generation = store.generation
    head = actions.clear_sync_data(lambda: store, lambda: True, outcome.append)
    assert (head.revision, dict(head.settings)) == (0, {}) and head.generation != generation
    assert store.rows == {} and outcome == [True]


def test_clear_is_announced_with_the_new_head_and_a_failed_announce_is_not_fatal():
    store = MemoryStore()
    store.write([_row(1)])
    announced, outcome = [], []
    head = actions.clear_sync_data(lambda: store, lambda: True, outcome.append,
                                   lambda s, h: announced.append((s, h)))
    assert announced == [(store, head)] and head.revision == 0 and outcome == [True]

    def unreachable(s, h):
        raise StoreUnavailable("read devices failed")
    store.write([_row(2)])
    assert actions.clear_sync_data(lambda: store, lambda: True, outcome.append, unreachable) is not None
    assert store.rows == {} and outcome == [True, True]


def test_clear_failure_is_notified_not_raised():
    def unavailable():
        raise StoreUnavailable("connection refused")
    outcome = []
    assert actions.clear_sync_data(unavailable, lambda: True, outcome.append) is None
    assert outcome == [False]


def test_status_lists_devices_lag_and_drift():
    store = MemoryStore(clock=lambda: 1000.0)
    store.write([_row(1)], settings={"include_positioned_specials": "true", "random_order_shows": ""})
    store.write([_row(2)])
    from easytv.core.settings import fingerprint
    same = fingerprint(store.settings)
    store.register_device(Device("a", "Living Room", "0.2.0", "20.1", same, revision_applied=2))
    store.register_device(Device("b", "Bedroom", "0.2.0", "21.0", "different", revision_applied=1))
    text = actions.status_text("database=easytv_myvideos", store.head(), store.devices(), "a", now=1010.0)
    assert "Revision: 2 (generation %d)" % store.generation in text
    assert "Living Room  (this device)" in text and "at revision 2 (up to date), same settings" in text
    assert "Bedroom" in text and "at revision 1 (1 behind the current), SETTINGS DIFFER" in text
    assert "last seen 10 s ago" in text


def test_status_lists_devices_of_another_library_as_not_shared_without_lag():
    server = MemoryServer()
    nexus = MemoryStore(clock=lambda: 1000.0, library="MyVideos121", server=server)
    omega = MemoryStore(clock=lambda: 990.0, library="MyVideos131", server=server)
    nexus.write([_row(1)])
    nexus.write([_row(2)])
    nexus.register_device(Device("a", "Living Room", "0.2.0", "20.1 (20.1.0)", revision_applied=2))
    omega.register_device(Device("b", "Bedroom", "0.2.0", "21.2 (21.2.0)", "other", revision_applied=0))
    text = actions.sync_status(lambda: nexus, "a")
    assert "Library: MyVideos121" in text
    mine, _, others = text.partition("another Kodi library, not shared):")
    assert "Living Room  (this device)" in mine and "Bedroom" not in mine
    assert "Bedroom" in others and "Kodi 21.2 (21.2.0)" in others
    assert "another Kodi library, not shared: MyVideos131, last seen" in others
    assert "behind the current" not in others and "up to date" not in others and "SETTINGS DIFFER" not in others
    text = actions.status_text("database=easytv_myvideos", omega.head(), omega.devices(), "b", 1010.0,
                               library="myvideos131")  # case-insensitive, like the server
    assert "Bedroom  (this device)" in text.partition("Devices on other")[0]
    assert "another Kodi library, not shared: MyVideos121" in text


def test_storage_switches_at_runtime_without_restart():
    clock = FakeClock()
    window = FakeWindow()
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    cache = WindowCache(window)
    engine = Engine(library, cache, LocalStore(), Settings(), clock, random.Random(1))
    store = MemoryStore()
    built = []

    def make_syncer():
        syncer = Syncer(engine, lambda: store, Device("d", "D"), InlineWorker(), clock,
                        on_storage=lambda name: cache.set_status("EasyTV.Storage", name))
        built.append(syncer)
        return syncer
    storage = Storage(engine, cache, make_syncer)
    engine.start()
    engine.step()
    storage.apply(True)
    for _ in range(4):
        storage.tick()
    assert engine.store is built[0] and window.props["EasyTV.Storage"] == "shared"
    assert len(store.rows) == 4
    storage.apply(False)
    assert isinstance(engine.store, LocalStore) and window.props["EasyTV.Storage"] == "local"
    storage.apply(True)
    for _ in range(4):
        storage.tick()
    assert len(built) == 2 and window.props["EasyTV.Storage"] == "shared"
    assert store.revision == 1  # the second syncer found identical rows: nothing to write
