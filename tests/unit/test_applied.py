"""Issue 9 item 2: a restart pulls only what changed since the applied position kept on disk,
and still starts over after a clear, a re-created or restored database, or a local change."""

import json
import random

import pytest

from easytv.app.applied import AppliedFile, Position, state_digest
from easytv.app.cache import WindowCache
from easytv.app.clock import ServerClock
from easytv.app.engine import Engine
from easytv.app.sync import Syncer
from easytv.app.worker import InlineWorker
from easytv.core import events
from easytv.core.codec import row_to_dict
from easytv.core.settings import Settings
from easytv.core.sync import Device
from fakes import FakeClock, FakeWindow, library_of
from memory_store import MemoryStore


class RecordingStore(MemoryStore):
    """A MemoryStore that records each head / changes_since call and the rows it returned."""

    def __init__(self, clock):
        super().__init__(clock=clock)
        self.calls = []
        self.pulled = []

    def head(self):
        self.calls.append("head")
        return super().head()

    def changes_since(self, revision):
        head, rows = super().changes_since(revision)
        self.calls.append("changes_since(%d)" % revision)
        self.pulled.extend(rows)
        return head, rows


class Kodi:
    def __init__(self, name, library, store, clock, path=None):
        self.window = FakeWindow()
        server_clock = ServerClock(lambda: 1_800_000_000.0 + clock.now, clock)
        self.engine = Engine(library, WindowCache(self.window), None, Settings(), clock, random.Random(name),
                             wall_clock=server_clock, device_id=name)
        self.syncer = Syncer(self.engine, lambda: store, Device(name, name), InlineWorker(), clock,
                             server_clock=server_clock,
                             applied_file=AppliedFile(str(path)) if path is not None else None)
        self.engine.store = self.syncer
        self.engine.start()

    def run_until_synced(self, clock, ticks=400):
        for _ in range(ticks):
            clock.advance(0.25)
            self.engine.step()
            self.syncer.tick()
            if self.syncer.synced and not self.syncer.pending and self.syncer.in_flight is None:
                return
        raise AssertionError("not synced")

    def run(self, clock, seconds):
        for _ in range(int(seconds / 0.25)):
            clock.advance(0.25)
            self.engine.step()
            self.syncer.tick()


@pytest.fixture
def world(tmp_path):
    clock = FakeClock()
    store = RecordingStore(clock=lambda: 1_800_000_000.0 + clock.now)
    return clock, store, tmp_path / "applied.json"


def restart(name, library, store, clock, path):
    """A new run of device `name`: the calls to the store from its first sync on."""
    kodi = Kodi(name, library, store, clock, path)
    store.calls.clear()
    store.pulled.clear()
    kodi.run_until_synced(clock)
    return kodi


def play(kodi, library, episodeid, tvshowid):
    library.watch(episodeid, lastplayed="2026-12-01 21:00:00")
    kodi.engine.handle(events.EpisodeChanged(episodeid, 1))


# -- the file -----------------------------------------------------------------------------------

def test_the_position_file_round_trips_and_a_damaged_one_is_ignored(tmp_path, caplog):
    path = tmp_path / "applied.json"
    kept = AppliedFile(str(path))
    assert kept.load() is None
    assert kept.store(Position(7, 42, {3: (1.5, "abc"), 12: (2.0, "-")}))
    assert kept.load() == Position(7, 42, {3: (1.5, "abc"), 12: (2.0, "-")})
    assert not (tmp_path / "applied.json.tmp").exists()
    for junk in ("{", '{"format": 2}', '{"format": 1, "generation": 1}', '{"format":1,"generation":1,'
                 '"revision":2,"shows":{"x":[1,"a"]}}', "[]"):
        path.write_text(junk)
        assert kept.load() is None
    assert "unreadable" in caplog.text


def test_a_digest_covers_the_state_only():
    assert state_digest(None) == "-"


# -- restarts ------------------------------------------------------------------------------------

def test_a_restart_with_nothing_changed_pulls_no_row_at_5000_shows(world):
    clock, store, path = world
    library = library_of(5000)
    living = Kodi("living", library, store, clock, path)
    living.run_until_synced(clock)
    living.run(clock, 5)  # the poll that pulls its own population back
    living.syncer.close()
    assert json.loads(path.read_text())["revision"] == store.revision
    again = restart("living", library, store, clock, path)
    # The first sync's head shows nothing changed (then the first poll's head): no row pulled.
    assert store.calls in (["head"], ["head", "head"])
    assert store.pulled == [] and again.syncer.applied == (store.generation, store.revision)
    assert again.window.props.get("EasyTV.5000.EpisodeNo") == "S01E01"


def test_a_restart_pulls_only_the_rows_changed_meanwhile(world):
    clock, store, path = world
    library = library_of(20)
    living, bedroom = Kodi("living", library, store, clock), Kodi("bedroom", library, store, clock, path)
    living.run_until_synced(clock)
    bedroom.run_until_synced(clock)
    bedroom.run(clock, 3)
    bedroom.syncer.close()
    play(living, library, 5 * 10000 + 101, 5)  # show 5's first episode, while the bedroom is off
    living.run_until_synced(clock)
    again = restart("bedroom", library, store, clock, path)
    assert [c for c in store.calls if c.startswith("changes_since")] == ["changes_since(%d)" % (store.revision - 1)]
    assert [r.tvshowid for r in store.pulled] == [5]
    assert again.window.props.get("EasyTV.5.EpisodeNo") == "S01E02"
    bytes_pulled = sum(len(json.dumps(row_to_dict(r))) for r in store.pulled)
    assert bytes_pulled < 10_000


@pytest.mark.parametrize("change", ["clear", "restored"])
def test_a_cleared_or_restored_database_is_pulled_in_full(world, change):
    clock, store, path = world
    library = library_of(20)
    living = Kodi("living", library, store, clock, path)
    living.run_until_synced(clock)
    living.run(clock, 3)
    living.syncer.close()
    if change == "clear":
        store.clear()
    else:
        kept = json.loads(path.read_text())
        kept["revision"] = store.revision + 5  # the database went back to an older backup
        path.write_text(json.dumps(kept))
    again = restart("living", library, store, clock, path)
    assert "changes_since(0)" in store.calls
    assert len(store.rows) == 20 and again.syncer.synced


def test_a_show_changed_here_while_sync_was_off_makes_the_restart_pull_everything(world):
    clock, store, path = world
    library = library_of(20)
    living = Kodi("living", library, store, clock, path)
    living.run_until_synced(clock)
    living.run(clock, 3)
    living.syncer.close()
    library.watch(7 * 10000 + 101, lastplayed="2026-12-01 21:00:00")  # played while EasyTV was not running
    again = restart("living", library, store, clock, path)
    assert "changes_since(0)" in store.calls  # the local recompute differs from the kept digests
    again.run(clock, 5)
    assert store.rows[7].state.next.episode == 2  # and the reconcile pushed it
