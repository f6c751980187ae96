"""The durable offline queue: changes made while the database is away survive a restart."""

import json
import logging
import os
import random
import stat

from test_sync import Wall

from easytv.app.cache import WindowCache
from easytv.app.engine import Engine
from easytv.app.journal import Journal
from easytv.app.sync import BACKOFF_SECONDS, Syncer
from easytv.app.worker import InlineWorker
from easytv.core import events
from easytv.core.errors import StoreUnavailable
from easytv.core.settings import Settings
from easytv.core.sync import Device, SharedShow
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
    syncer = Syncer(engine, open_store, Device("living", "Living Room"), InlineWorker(), clock, journal=journal,
                    local_settings=lambda: {"include_positioned_specials": "false"})
    engine.store = syncer
    engine.start()
    return engine, syncer, window


def _run(clock, engine, syncer, seconds, ticks=20):
    for _ in range(ticks):
        clock.advance(seconds / ticks)
        engine.step()
        syncer.tick()


def test_offline_change_survives_a_restart_and_is_replayed(tmp_path):
    """Offline, an episode is watched and a shared setting changed; Kodi restarts while the
    database is still away. The setting can only reach the database through the queue (at the
    restart the shared value wins over the local one), so a broken journal fails this."""
    clock = FakeClock()
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    store = MemoryStore(clock=Wall(clock))
    journal = Journal(str(tmp_path / "offline_queue.json"))
    engine, syncer, _ = _device(library, store, clock, journal)
    _run(clock, engine, syncer, 3)
    assert store.rows[3].state.next.episode == 2 and store.settings == {"include_positioned_specials": "false"}
    store.down = True
    library.watch(12)
    engine.handle(events.EpisodeChanged(12, 1))
    _run(clock, engine, syncer, 3)
    syncer.push_settings({"include_positioned_specials": "true"})
    saved = json.loads((tmp_path / "offline_queue.json").read_text())
    assert [r["tvshowid"] for r in saved["rows"]] == [3]
    assert saved["settings"] == {"include_positioned_specials": "true"}

    # Kodi restarts while the database is still away; then the database returns.
    engine, syncer, window = _device(library, store, clock, Journal(str(tmp_path / "offline_queue.json")))
    assert 3 in syncer.pending
    _run(clock, engine, syncer, 2)
    store.down = False
    _run(clock, engine, syncer, BACKOFF_SECONDS + 5, ticks=60)
    assert store.rows[3].state.next.episode == 3
    assert store.settings["include_positioned_specials"] == "true"
    assert not (tmp_path / "offline_queue.json").exists()
    assert window.props["EasyTV.3.EpisodeNo"] == "S01E03"


def test_an_offline_change_older_than_the_shared_row_does_not_win(tmp_path):
    """A queued row older than the shared row of a show this device does not track: it reaches
    the write only if the syncer's conflict check lets it, and the store's rule must refuse it
    (with either broken, the newer shared row is lost)."""
    clock = FakeClock()
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    store = MemoryStore(clock=Wall(clock))
    engine, syncer, _ = _device(library, store, clock, Journal(str(tmp_path / "q.json")))
    _run(clock, engine, syncer, 3)
    from dataclasses import replace
    gone = replace(store.rows[3], tvshowid=99, title="Gone", event_time=Wall(clock)() + 100)
    store.write([replace(gone, device_id="bedroom")])  # another device's newer row of show 99
    journal = Journal(str(tmp_path / "q.json"))
    journal.store([replace(gone, event_time=gone.event_time - 50, state=None)])  # older: must lose
    engine, syncer, _ = _device(library, store, clock, journal)
    assert 99 in syncer.pending
    _run(clock, engine, syncer, 3)
    assert store.rows[99].state == gone.state and store.rows[99].device_id == "bedroom"
    assert not syncer.pending


def test_damaged_queue_file_is_logged_and_ignored(tmp_path, caplog):
    path = tmp_path / "offline_queue.json"
    path.write_text('{"format": 1, "rows": [{"tvshowid": "x"')
    with caplog.at_level(logging.WARNING, logger="EasyTV.sync"):
        assert Journal(str(path)).load() == []
    assert "unreadable" in caplog.text


def test_a_malformed_row_is_skipped_and_the_others_kept(tmp_path, caplog):
    rows = [SharedShow(i, "Show%d" % i, 2001, None, 100.0 + i, "living") for i in (1, 2)]
    path = tmp_path / "offline_queue.json"
    Journal(str(path)).store(rows, {"random_order_shows": "4"})
    data = json.loads(path.read_text())
    data["rows"].insert(1, {"tvshowid": "x"})
    data["settings"]["include_positioned_specials"] = 7
    path.write_text(json.dumps(data))
    with caplog.at_level(logging.WARNING, logger="EasyTV.sync"):
        queued = Journal(str(path)).read()
    assert queued.rows == rows and queued.settings == {"random_order_shows": "4"}
    assert caplog.text.count("skipping malformed") == 2


def test_the_folder_is_fsynced_after_the_replace_and_the_removal(tmp_path, monkeypatch):
    synced = []
    real = os.fsync

    def fsync(fd):
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real(fd)
    monkeypatch.setattr(os, "fsync", fsync)
    journal = Journal(str(tmp_path / "offline_queue.json"))
    journal.store([SharedShow(1, "Show1", 2001, None, 100.0, "living")])
    assert synced == [False, True]  # the file, then its folder (the rename)
    journal.store([])
    assert synced == [False, True, True]  # the removal too


def test_a_queue_written_by_the_previous_version_is_read(tmp_path):
    from easytv.core.codec import row_to_dict
    row = SharedShow(1, "Show1", 2001, None, 100.0, "living")
    path = tmp_path / "offline_queue.json"
    path.write_text(json.dumps({"format": 1, "rows": [row_to_dict(row)]}))  # no settings, no clock flag
    queued = Journal(str(path)).read()
    assert queued.rows == [row] and queued.settings == {} and queued.server_clock is True
