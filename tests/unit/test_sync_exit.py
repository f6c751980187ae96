"""Issue 8 bug 6: the worker thread ends within 1 s of `Syncer.close()`, even while connecting,
and a connection that completes around the close is never left open."""

import random
import threading
import time

from test_sync import Wall

from easytv.app.cache import WindowCache
from easytv.app.engine import Engine
from easytv.app.sync import Syncer
from easytv.app.worker import InlineWorker, ThreadWorker
from easytv.core.cancel import Cancel
from easytv.core.errors import StoreUnavailable
from easytv.core.settings import Settings
from easytv.core.sync import Device
from fakes import FakeClock, FakeLibrary, FakeWindow, clocked_store
from kodi_shapes import load


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met within %.0f s" % timeout
        time.sleep(0.01)


def make_syncer(open_store, worker, cancel=None):
    clock = FakeClock()
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    engine = Engine(library, WindowCache(FakeWindow()), None, Settings(), clock, random.Random(1),
                    wall_clock=Wall(clock), device_id="living")
    syncer = Syncer(engine, open_store, Device("living", "Living"), worker, clock,
                    **({"cancel": cancel} if cancel is not None else {}))
    engine.store = syncer
    return syncer


def test_close_ends_a_worker_blocked_in_the_connect():
    token, entered = Cancel(), threading.Event()

    def open_store():  # a server that accepts TCP and never answers, as `connect(cancel=)` sees it
        unblocked = threading.Event()
        token.register(unblocked.set)
        entered.set()
        unblocked.wait(60)
        raise StoreUnavailable("connect cancelled")

    worker = ThreadWorker()
    syncer = make_syncer(open_store, worker, cancel=token)
    syncer.tick()
    assert entered.wait(10)
    syncer.close()  # cancels the token: the blocked connect fails at once, the thread ends
    wait_until(lambda: not worker.alive)  # (how fast is the fault suite's figure, not a unit test's)
    assert token.cancelled


def test_a_connect_finished_but_not_yet_handled_is_closed_by_close():
    store = clocked_store(lambda: 1_800_000_000.0)
    syncer = make_syncer(lambda: store, InlineWorker())
    syncer.tick()  # the connect ran; its result waits for the next tick
    syncer.close()
    assert store.closed == 1


def test_a_connect_finishing_after_close_is_closed():
    store = clocked_store(lambda: 1_800_000_000.0)
    release, entered = threading.Event(), threading.Event()

    def open_store():  # ignores the token: finishes when released, after close()
        entered.set()
        release.wait(60)
        return store

    worker = ThreadWorker()
    syncer = make_syncer(open_store, worker, cancel=Cancel())
    syncer.tick()
    assert entered.wait(10)
    syncer.close()
    release.set()
    wait_until(lambda: not worker.alive)
    assert store.closed == 1
