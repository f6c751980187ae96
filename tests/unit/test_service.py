"""The service wiring (`easytv.app.service`), with fakes of our own interfaces: the loop, storage
switching, shared settings, a failing part backing off, and the device id of a read-only profile."""

import dataclasses
import logging
import os
import queue
import random
import stat

import pytest
from test_sync import Wall

from easytv.app.cache import WindowCache
from easytv.app.clock import ServerClock
from easytv.app.engine import Engine
from easytv.app.interfaces import LocalStore
from easytv.app.journal import Journal
from easytv.app.service import TICK_SECONDS, Service
from easytv.app.sync import Syncer
from easytv.app.worker import InlineWorker
from easytv.core import properties
from easytv.core.settings import Settings, shared_values
from easytv.core.sync import Device
from fakes import FakeClock, FakeLibrary, FakeWindow, clocked_store
from kodi_shapes import load


class FakeMonitor:
    """Kodi's `waitForAbort`: advances the fake clock by the wait; aborts after `ticks` waits."""

    def __init__(self, clock, ticks):
        self.clock, self.ticks, self.waits = clock, ticks, 0

    def waitForAbort(self, seconds):  # noqa: N802 (Kodi API)
        self.waits += 1
        self.clock.advance(seconds)
        return self.waits >= self.ticks


class FakeSettingsIO:
    """This device's settings.xml: `current` is what `read()` returns; writes are recorded."""

    def __init__(self, settings):
        self.current = settings
        self.shared_writes, self.id_writes = [], []

    def read(self):
        return self.current

    def write_shared_values(self, values):
        self.shared_writes.append(dict(values))

    def write_random_order_shows(self, ids):
        self.id_writes.append(tuple(ids))


class Rig:
    def __init__(self, tmp_path, settings=None, ticks=40, make_syncer=None):
        self.clock = FakeClock()
        self.library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
        self.store = clocked_store(Wall(self.clock))
        self.window = FakeWindow()
        self.settings = settings or Settings(multi_instance_sync=True)
        self.io = FakeSettingsIO(self.settings)
        self.journal_path = str(tmp_path / "offline_queue.json")
        self.server_clock = ServerClock(Wall(self.clock), self.clock)
        cache = WindowCache(self.window)
        self.engine = Engine(self.library, cache, LocalStore(), self.settings, self.clock, random.Random(1),
                             wall_clock=self.server_clock, on_show_ids=lambda ids: self.service.on_show_ids(ids))
        self.monitor = FakeMonitor(self.clock, ticks)
        self.syncers = []
        self.service = Service(self.settings, self.engine, cache, self.monitor, queue.Queue(), self.io,
                               make_syncer or self.make_syncer, clock=self.clock, server_clock=self.server_clock)

    def make_syncer(self, service):
        syncer = Syncer(service.engine, lambda: self.store, Device("living", "Living"), InlineWorker(), self.clock,
                        local_settings=lambda: shared_values(service.settings),
                        on_settings=service.on_shared_settings,
                        on_storage=lambda name: service.cache.set_status(properties.STORAGE, name),
                        journal=Journal(self.journal_path), server_clock=service.server_clock)
        self.syncers.append(syncer)
        return syncer


def test_run_populates_the_shared_database_and_stops_on_abort(tmp_path):
    rig = Rig(tmp_path)
    rig.service.run()
    assert rig.monitor.waits == 40
    assert len(rig.store.rows) == 4 and rig.store.settings  # populated and seeded
    assert rig.window.props["EasyTV.3.EpisodeNo"] == "S01E02"
    assert rig.window.props[properties.STORAGE] == "shared"
    assert properties.SERVICE not in rig.window.props  # cleared on the way out
    assert rig.syncers[0]._worker.stop()  # closed
    assert not os.path.exists(rig.journal_path)


def test_a_change_queued_when_kodi_quits_is_journaled(tmp_path):
    rig = Rig(tmp_path, ticks=30)
    rig.service.run()
    rig.library.watch(12)
    rig.service.inbox.put(("xbmc", "VideoLibrary.OnUpdate", '{"item": {"id": 12, "type": "episode"}, "playcount": 1}'))
    rig.monitor.ticks = rig.monitor.waits + 1  # quit right after the step that queues the change
    rig.service.run()
    assert [r.tvshowid for r in Journal(rig.journal_path).load()] == [3]


def test_sharing_a_local_settings_change_and_adopting_a_shared_one(tmp_path):
    rig = Rig(tmp_path, ticks=20)
    rig.service.run()
    rig.io.current = dataclasses.replace(rig.settings, include_positioned_specials=True)
    rig.service.on_settings_changed()
    assert rig.syncers[-1].pending_settings == {"include_positioned_specials": "true"}
    rig.service.on_shared_settings({"include_positioned_specials": "false", "random_order_shows": "4"})
    assert rig.service.settings.random_order_shows == (4,)
    assert rig.io.shared_writes[-1]["random_order_shows"] == "4"


def test_turning_sync_off_closes_the_syncer_and_goes_local(tmp_path):
    rig = Rig(tmp_path, ticks=20)
    rig.service.run()
    rig.service.storage.apply(True)
    rig.io.current = dataclasses.replace(rig.settings, multi_instance_sync=False)
    rig.service.on_settings_changed()
    assert rig.service.storage.syncer is None and isinstance(rig.engine.store, LocalStore)
    assert rig.window.props[properties.STORAGE] == "local"


def test_an_unexpected_exception_in_a_part_is_logged_once_and_backs_off(tmp_path, caplog):
    rig = Rig(tmp_path, settings=Settings(), ticks=1)
    rig.engine.start()
    real_step, calls = rig.engine.step, []

    def failing_step():  # a part that lets a non-easytv exception through
        calls.append(1)
        raise TypeError("boom")

    rig.engine.step = failing_step
    with caplog.at_level(logging.DEBUG, logger="EasyTV.service"):
        for _ in range(40):  # 10 s of loop
            rig.service.step()
            rig.clock.advance(TICK_SECONDS)
    assert len(calls) <= 5  # 1, 2, 4 s ... apart, not every 0.25 s
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1 and "engine" in tracebacks[0].getMessage()
    rig.engine.step = real_step
    with caplog.at_level(logging.INFO, logger="EasyTV.service"):
        for _ in range(40):
            rig.service.step()
            rig.clock.advance(TICK_SECONDS)
    assert rig.window.props["EasyTV.3.EpisodeNo"] == "S01E02"
    assert "works again" in caplog.text


def test_malformed_notifications_are_skipped(tmp_path):
    rig = Rig(tmp_path, settings=Settings(), ticks=3)
    rig.service.inbox.put(("xbmc", "VideoLibrary.OnUpdate", "{not json"))
    rig.service.run()
    assert rig.window.props["EasyTV.3.EpisodeNo"] == "S01E02"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write a read-only folder")
def test_device_id_in_a_read_only_profile_is_kept_for_the_run(tmp_path, caplog):
    from easytv.app.identity import DeviceId
    folder = tmp_path / "profile"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    ids = DeviceId()
    try:
        with caplog.at_level(logging.WARNING, logger="EasyTV.service"):
            first = ids.get(str(folder))
        assert ids.get(str(folder)) == first
        assert "for this run only" in caplog.text
    finally:
        folder.chmod(stat.S_IRWXU)


def test_device_id_when_the_profile_cannot_be_written(tmp_path, caplog):
    from easytv.app.identity import DeviceId
    blocker = tmp_path / "file"
    blocker.write_text("")
    ids = DeviceId()
    with caplog.at_level(logging.WARNING, logger="EasyTV.service"):
        first = ids.get(str(blocker / "profile"))  # a file is in the way: nothing can be written
    assert ids.get(str(blocker / "profile")) == first
    assert "for this run only" in caplog.text


def test_device_id_is_kept_in_the_profile_folder(tmp_path):
    from easytv.app.identity import DeviceId
    first = DeviceId().get(str(tmp_path / "profile"))
    assert DeviceId().get(str(tmp_path / "profile")) == first  # a later run reads it back
    assert (tmp_path / "profile" / "device_id").read_text().strip() == first


def test_a_syncer_that_cannot_be_built_leaves_the_service_running_locally(tmp_path, caplog):
    def broken(service):
        raise RuntimeError("no syncer today")
    rig = Rig(tmp_path, ticks=8, make_syncer=broken)
    with caplog.at_level(logging.ERROR, logger="EasyTV.service"):
        rig.service.run()
    assert rig.monitor.waits == 8
    assert rig.window.props["EasyTV.3.EpisodeNo"] == "S01E02"
    assert rig.window.props[properties.STORAGE] == "local"
    assert "Could not start multi-instance sync" in caplog.text
