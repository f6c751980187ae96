"""The window cache: full and per-show publishing, write order, and EasyTV.Revision."""

import random

from easytv.app.cache import WindowCache
from easytv.core import properties
from easytv.core.models import Episode, TVShow
from easytv.core.rule import next_episode
from fakes import FakeWindow
from kodi_shapes import episode, tvshow


class NamesWindow(FakeWindow):
    """Records the names written, in order."""

    def __init__(self):
        super().__init__()
        self.order = []

    def set(self, name, value):
        self.order.append(name)
        super().set(name, value)


def state(tvshowid, watched=0, day=1):
    eps = [episode(1, n, tvshowid=tvshowid, watched=n <= watched, lastplayed="2026-05-%02d 10:00:00" % day
                   if n <= watched else "") for n in range(1, 4)]
    return next_episode(TVShow.from_jsonrpc(tvshow(tvshowid)), [Episode.from_jsonrpc(e) for e in eps])


def cache_props(window):
    return {k: v for k, v in window.props.items() if k != properties.REVISION}


def rendered(states):
    """The full render, empty values dropped (an empty property is an unset one, as in Kodi)."""
    return {k: v for k, v in properties.render(states).items() if v}


def test_update_writes_only_the_changed_show_the_lists_and_the_revision():
    window = NamesWindow()
    cache = WindowCache(window)
    states = {i: state(i, watched=i % 3, day=i % 28 + 1) for i in range(1, 30)}
    cache.replace(states)
    window.order = []
    states[5] = state(5, watched=2, day=28)
    cache.update({5: states[5]})
    assert window.order[-1] == properties.REVISION
    assert all(n.startswith("EasyTV.5.") or n in (properties.SHOW_IDS, properties.FRESH_IDS, properties.REVISION)
               for n in window.order)
    assert cache_props(window) == rendered(states)


def test_random_updates_keep_the_window_equal_to_a_full_render():
    rng = random.Random(3)
    window = FakeWindow()
    cache = WindowCache(window)
    states = {i: state(i, watched=rng.randint(0, 2), day=rng.randint(1, 28)) for i in range(1, 20)}
    cache.replace(states)
    for _ in range(200):
        batch = {}
        for tvshowid in rng.sample(range(1, 25), rng.randint(1, 3)):
            if rng.random() < 0.3:
                states.pop(tvshowid, None)
                batch[tvshowid] = None
            else:
                states[tvshowid] = batch[tvshowid] = state(tvshowid, rng.randint(0, 2), rng.randint(1, 28))
        cache.update(batch)
        assert cache_props(window) == rendered(states)


def test_a_removed_show_is_cleared_after_the_lists_stop_naming_it():
    window = NamesWindow()
    cache = WindowCache(window)
    cache.replace({1: state(1, 1), 2: state(2, 1)})
    window.order = []
    cache.update({1: None})
    assert window.order.index(properties.SHOW_IDS) < window.order.index("EasyTV.1.EpisodeID")
    assert not any(k.startswith("EasyTV.1.") for k in window.props)


def test_revision_changes_with_every_content_change_and_only_then():
    window = FakeWindow()
    cache = WindowCache(window)
    cache.replace({1: state(1, 1)})
    seen = {window.props[properties.REVISION]}
    assert cache.update({1: state(1, 1)}) == 0
    assert window.props[properties.REVISION] in seen  # nothing changed: same revision
    cache.update({1: state(1, 2)})
    assert window.props[properties.REVISION] not in seen
    seen.add(window.props[properties.REVISION])
    cache.update({1: state(1, 1)})  # back to the first content: still a new revision
    assert window.props[properties.REVISION] not in seen


def test_revision_is_unique_across_service_restarts():
    window = FakeWindow()
    seen = set()
    for _run in range(3):
        cache = WindowCache(window, run_id="same")  # even a run id that repeats
        cache.load_previous()
        cache.replace({1: state(1, 1)})
        cache.update({1: state(1, 2)})
        assert window.props[properties.REVISION] not in seen
        seen.add(window.props[properties.REVISION])


def test_restart_with_unchanged_content_writes_nothing():
    window = FakeWindow()
    first = WindowCache(window)
    first.replace({1: state(1, 1), 2: state(2)})
    revision = window.props[properties.REVISION]
    before = window.writes
    again = WindowCache(window)
    again.load_previous()
    assert again.replace({1: state(1, 1), 2: state(2)}) == 0
    assert window.writes == before and window.props[properties.REVISION] == revision
