"""The durable offline queue: changes made while the database is away survive a restart."""

import json
import logging
import random

from test_sync import Wall

from easytv.app.cache import WindowCache
from easytv.app.engine import Engine
from easytv.app.journal import Journal
from easytv.app.sync import BACKOFF_SECONDS, Syncer
from easytv.app.worker import InlineWorker
from easytv.core import events
from easytv.core.errors import StoreUnavailable
from easytv.core.settings import Settings
from easytv.core.sync import Device
from fakes import FakeClock, FakeLibrary, FakeWindow
from kodi_shapes import load
from memory_store import MemoryStore


def _device(library, store, clock, journal):
    window = FakeWindow()
    engine = Engine(library, WindowCache(window), None, Settings(), clock, random.Random(1),
                    wall_clock=Wall(clock), device_id="living")

    def open_store():
        if store.down:
            raise StoreUnavailable("connection refused")
        return store
    syncer = Syncer(engine, open_store, Device("living", "Living Room"), InlineWorker(), clock, journal=journal)
    engine.store = syncer
    engine.start()
    return engine, syncer, window


def _run(clock, engine, syncer, seconds, ticks=20):
    for _ in range(ticks):
        clock.advance(seconds / ticks)
        engine.step()
        syncer.tick()


def test_offline_change_survives_a_restart_and_is_replayed(tmp_path):
    clock = FakeClock()
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    store = MemoryStore(clock=Wall(clock))
    journal = Journal(str(tmp_path / "offline_queue.json"))
    engine, syncer, _ = _device(library, store, clock, journal)
    _run(clock, engine, syncer, 3)
    assert store.rows[3].state.next.episode == 2
    store.down = True
    library.watch(12)
    engine.handle(events.EpisodeChanged(12, 1))
    _run(clock, engine, syncer, 3)
    saved = json.loads((tmp_path / "offline_queue.json").read_text())
    assert [r["tvshowid"] for r in saved["rows"]] == [3]

    # Kodi restarts while the database is still away; then the database returns.
    engine, syncer, window = _device(library, store, clock, Journal(str(tmp_path / "offline_queue.json")))
    assert 3 in syncer.pending
    _run(clock, engine, syncer, 2)
    store.down = False
    _run(clock, engine, syncer, BACKOFF_SECONDS + 5, ticks=60)
    assert store.rows[3].state.next.episode == 3
    assert not (tmp_path / "offline_queue.json").exists()
    assert window.props["EasyTV.3.EpisodeNo"] == "S01E03"


def test_an_offline_change_older_than_the_shared_row_does_not_win(tmp_path):
    clock = FakeClock()
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    store = MemoryStore(clock=Wall(clock))
    engine, syncer, _ = _device(library, store, clock, Journal(str(tmp_path / "q.json")))
    _run(clock, engine, syncer, 3)
    stale = syncer.pending.get(3) or engine.snapshot_rows()[0]
    newest = store.rows[stale.tvshowid]
    from dataclasses import replace
    journal = Journal(str(tmp_path / "q.json"))
    journal.store([replace(newest, event_time=newest.event_time - 50, state=None)])
    engine, syncer, _ = _device(library, store, clock, journal)
    _run(clock, engine, syncer, 3)
    assert store.rows[newest.tvshowid].state == newest.state


def test_damaged_queue_file_is_logged_and_ignored(tmp_path, caplog):
    path = tmp_path / "offline_queue.json"
    path.write_text('{"format": 1, "rows": [{"tvshowid": "x"')
    with caplog.at_level(logging.WARNING, logger="EasyTV.sync"):
        assert Journal(str(path)).load() == []
    assert "unreadable" in caplog.text
