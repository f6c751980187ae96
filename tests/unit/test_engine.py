"""The engine with fakes of our own interfaces: startup, notifications, failures, settings."""

import random

from easytv.app.cache import WindowCache
from easytv.app.engine import SCAN_DEBOUNCE_SECONDS, Engine
from easytv.core import events
from easytv.core.errors import JsonRpcError
from easytv.core.settings import Settings
from fakes import FakeClock, FakeLibrary, FakeWindow, RecordingStore, SlowLibrary
from kodi_shapes import load, season, tvshow


def make(library=None, settings=None, window=None):
    settings = settings or Settings()
    library = library or FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    window = window or FakeWindow()
    clock = FakeClock()
    store = RecordingStore()
    engine = Engine(library, WindowCache(window), store, settings, clock, random.Random(1))
    engine.start()
    engine.step()
    return engine, library, window, clock, store


def test_start_computes_the_whole_library_with_one_episodes_call():
    engine, library, window, _, _ = make()
    assert library.calls == ["tvshows", "episodes", "episode_details"]
    assert window.props["EasyTV.ShowIDs"] == "1,3"  # Bravo played last, then Alpha
    assert window.props["EasyTV.3.EpisodeNo"] == "S01E02"
    assert window.props["EasyTV.3.ResumeSeconds"] == "3"
    assert set(engine.states) == {1, 2, 3, 4}


def test_playcount_update_recomputes_only_that_show():
    engine, library, window, _, store = make()
    revision = window.props["EasyTV.Revision"]
    library.calls.clear()
    library.watch(12)
    engine.handle(events.EpisodeChanged(12, 1))
    engine.handle(events.EpisodeChanged(12, None))
    engine.handle(events.PlaybackStopped(12, True))
    engine.step()
    assert library.calls == ["episodes(3)"]  # three notifications, one show, one call
    assert window.props["EasyTV.3.EpisodeNo"] == "S01E03"
    assert window.props["EasyTV.ShowIDs"].split(",")[0] == "3"
    assert window.props["EasyTV.Revision"] != revision
    assert [(r.tvshowid, r.deleted) for r in store.saved[-1]] == [(3, False)]


def test_only_changed_properties_are_written():
    engine, library, window, _, _ = make()
    before = window.writes
    engine.handle(events.EpisodeChanged(12, None))  # nothing actually changed in the library
    engine.step()
    assert window.writes == before


def test_unknown_episode_is_resolved_through_the_library():
    engine, library, window, _, _ = make()
    library.episodes_by_id[500] = dict(library.episodes_by_id[17], episodeid=500, episode=9,
                                       file="/srv/media/tv/Charlie/x.mp4", playcount=1,
                                       lastplayed="2026-12-01 10:00:00")
    engine.handle(events.EpisodeChanged(500, 1))
    engine.step()
    assert "episode_tvshowids" in library.calls
    assert window.props["EasyTV.ShowIDs"].startswith("4")


def test_finished_show_leaves_the_cache():
    library = FakeLibrary([tvshow(1)], season(1, 2, watched=1))
    engine, library, window, _, store = make(library)
    library.watch(10102)
    engine.handle(events.EpisodeChanged(10102, 1))
    engine.step()
    assert 1 not in engine.states
    assert not any(k.startswith("EasyTV.1.") for k in window.props)
    assert [(r.tvshowid, r.deleted, r.title) for r in store.saved[-1]] == [(1, True, "Show1")]


def test_removed_show_leaves_the_cache():
    engine, library, window, _, _ = make()
    del library.shows[4]
    for eid in [k for k, e in library.episodes_by_id.items() if e["tvshowid"] == 4]:
        del library.episodes_by_id[eid]
    engine.handle(events.ShowRemoved(4))
    engine.step()
    assert "EasyTV.4.EpisodeID" not in window.props
    assert "4" not in window.props["EasyTV.FreshIDs"].split(",")


def test_scan_finished_is_debounced_into_one_full_recompute():
    engine, library, window, clock, _ = make()
    library.calls.clear()
    engine.handle(events.LibraryChanged("VideoLibrary.OnScanFinished"))
    engine.step()
    clock.advance(SCAN_DEBOUNCE_SECONDS / 2)
    engine.handle(events.LibraryChanged("VideoLibrary.OnCleanFinished"))
    engine.step()
    assert library.calls == []
    clock.advance(SCAN_DEBOUNCE_SECONDS)
    engine.step()
    assert library.calls == ["tvshows", "episodes", "episode_details"]


def test_jsonrpc_error_is_survived_and_retried():
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    library.fail = JsonRpcError("VideoLibrary.GetTVShows", -32602, "Invalid params.")
    engine, _, window, clock, _ = make(library)
    assert engine.states == {} and "EasyTV.ShowIDs" not in window.props
    library.fail = None
    clock.advance(60)
    engine.step()
    assert window.props["EasyTV.ShowIDs"] == "1,3"
    library.fail = JsonRpcError("VideoLibrary.GetEpisodes", -32603, "Internal error.")
    engine.handle(events.EpisodeChanged(12, 1))
    engine.step()  # logged, cached state kept
    assert window.props["EasyTV.3.EpisodeNo"] == "S01E02"


def test_rule_setting_change_recomputes_everything():
    engine, library, window, _, _ = make()
    library.episodes_by_id[5]["playcount"] = 1  # Delta S01E01 and S01E02 watched
    library.episodes_by_id[6]["playcount"] = 1
    library.calls.clear()
    engine.apply_settings(Settings(widget_limit=3))  # not a rule setting: no recompute
    engine.step()
    assert library.calls == []
    engine.apply_settings(Settings(include_positioned_specials=True))
    engine.step()
    assert library.calls == ["tvshows", "episodes", "episode_details"]
    assert window.props["EasyTV.2.Season"] == "0"  # the special positioned before S01E03
    assert window.props["EasyTV.2.EpisodeNo"] == "S00E01"


def test_random_pick_survives_a_service_restart_through_the_window():
    settings = Settings(random_order_shows=(4,))
    engine, library, window, _, _ = make(settings=settings)
    pick = window.props["EasyTV.4.EpisodeID"]
    for seed in range(5):
        again = Engine(library, WindowCache(window), RecordingStore(), settings, FakeClock(), random.Random(seed))
        again.start()
        again.step()
        assert window.props["EasyTV.4.EpisodeID"] == pick


def test_restart_clears_shows_an_earlier_run_left_behind():
    window = FakeWindow()
    window.props.update({"EasyTV.ShowIDs": "77", "EasyTV.77.EpisodeID": "5", "EasyTV.77.Title": "Gone"})
    make(window=window)
    assert "EasyTV.77.EpisodeID" not in window.props and "EasyTV.77.Title" not in window.props


class OrderWindow(FakeWindow):
    """Records the order of writes."""

    def __init__(self):
        super().__init__()
        self.order = []

    def set(self, name, value):
        self.order.append(name)
        super().set(name, value)


def test_write_order_is_safe_for_concurrent_widget_readers():
    window = OrderWindow()
    engine, library, _, _, _ = make(window=window)
    first = window.order
    assert first[-1] == "EasyTV.Revision"
    assert first.index("EasyTV.ShowIDs") > max(i for i, n in enumerate(first) if n.startswith("EasyTV.3."))
    window.order = []
    for eid in (12, 13, 14, 15, 16):
        library.watch(eid)
    engine.handle(events.EpisodeChanged(16, 1))
    engine.step()  # Alpha finished: its fields are cleared after ShowIDs stops naming it
    assert window.order.index("EasyTV.ShowIDs") < window.order.index("EasyTV.3.EpisodeID")
    assert window.order[-1] == "EasyTV.Revision"


def test_unexpected_exception_is_logged_once_and_backed_off(caplog):
    from easytv.app.engine import RETRY_SECONDS
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    library.fail = RuntimeError("a bug in a library adapter")
    with caplog.at_level("DEBUG", logger="EasyTV.engine"):
        engine, _, window, clock, _ = make(library)  # the first step fails, and must not raise
        for _ in range(int(RETRY_SECONDS / 0.25) - 1):
            clock.advance(0.25)
            engine.step()
    assert library.calls == ["tvshows"], "one attempt, not one per 0.25 s tick"
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1 and "RuntimeError" not in tracebacks[0].getMessage()
    assert len([r for r in caplog.records if r.levelno >= 30]) == 1, "no warning per tick"
    clock.advance(1.0)
    engine.step()  # retried after RETRY_SECONDS: still failing, still quiet
    assert library.calls == ["tvshows", "tvshows"]
    assert len([r for r in caplog.records if r.exc_info]) == 1
    library.fail = None
    clock.advance(RETRY_SECONDS)
    engine.step()
    assert window.props["EasyTV.ShowIDs"] == "1,3"


def test_unexpected_exception_in_one_show_keeps_its_state_and_the_others_work(caplog):
    engine, library, window, _, _ = make()
    library.fail = RuntimeError("bad record")
    engine.handle(events.EpisodeChanged(12, 1))
    engine.step()  # must not raise
    assert window.props["EasyTV.3.EpisodeNo"] == "S01E02"
    library.fail = None
    library.watch(12)
    engine.handle(events.EpisodeChanged(12, 1))
    engine.step()
    assert window.props["EasyTV.3.EpisodeNo"] == "S01E03"


def _many_shows(count):
    shows = [tvshow(i) for i in range(1, count + 1)]
    eps = [e for i in range(1, count + 1) for e in season(1, 3, watched=i % 2, tvshowid=i)]
    return FakeLibrary(shows, eps)


def test_a_play_renders_only_the_changed_show(monkeypatch):
    from easytv.core import properties
    engine, library, window, _, _ = make(_many_shows(50))
    rendered = []
    real = properties.show_fields
    monkeypatch.setattr(properties, "show_fields", lambda state: rendered.append(state.tvshowid) or real(state))
    library.watch(70102)
    engine.handle(events.EpisodeChanged(70102, 1))
    engine.step()
    assert rendered == [7], "one show rendered, not the whole cache"
    assert window.props["EasyTV.7.EpisodeNo"] == "S01E03"
    assert window.props["EasyTV.ShowIDs"].split(",")[0] == "7"


def test_a_pulled_row_renders_only_that_show(monkeypatch):
    from easytv.core import properties
    from easytv.core.sync import SharedShow
    engine, library, window, _, _ = make(_many_shows(50))
    other, _, _, _, _ = make(_many_shows(50))
    other._library.watch(90102)
    other.handle(events.EpisodeChanged(90102, 1))
    other.step()
    rendered = []
    real = properties.show_fields
    monkeypatch.setattr(properties, "show_fields", lambda state: rendered.append(state.tvshowid) or real(state))
    row = SharedShow(9, "Show9", 2001, other.states[9], engine.times[9] + 1, "other")
    assert engine.apply_remote([row]) == 1
    assert rendered == [9]
    assert window.props["EasyTV.9.EpisodeNo"] == "S01E03"


def test_revision_changes_when_content_returns_to_an_earlier_state():
    engine, library, window, _, _ = make()
    first = window.props["EasyTV.Revision"]
    original = dict(library.episodes_by_id[12])
    library.watch(12)
    engine.handle(events.EpisodeChanged(12, 1))
    engine.step()
    library.episodes_by_id[12] = original  # marked unwatched again: the very first content
    engine.handle(events.EpisodeChanged(12, 0))
    engine.step()
    assert window.props["EasyTV.3.EpisodeNo"] == "S01E02"
    assert window.props["EasyTV.Revision"] != first, "a skin must reload after every change"


# -- the full recompute: display fields for next episodes only, in chunks across steps --------

def test_display_fields_are_asked_only_for_the_next_episodes():
    asked = []

    class Spy(FakeLibrary):
        def episode_details(self, episodeids):
            asked.extend(episodeids)
            return super().episode_details(episodeids)

    library = Spy(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    engine, _, window, _, _ = make(library)
    assert sorted(asked) == sorted(s.next.episodeid for s in engine.states.values())
    bravo = library.episodes_by_id[int(window.props["EasyTV.3.EpisodeID"])]
    assert window.props["EasyTV.3.Title"] == bravo["title"] and window.props["EasyTV.3.Plot"] == bravo["plot"]
    for tvshowid, state in engine.states.items():
        item = library.episodes_by_id[state.next.episodeid]
        assert window.props.get("EasyTV.%d.Thumb" % tvshowid, "") == item["art"].get("thumb", "")
    # the same state as a per-show recompute (every field read at once) gives: nothing to write
    before = window.writes
    engine.handle(events.ShowChanged(3))
    engine.step()
    assert window.writes == before


def slow_engine(monkeypatch, store=None):
    from easytv.app import fullread
    monkeypatch.setattr(fullread, "PAGE_EPISODES", 5)
    monkeypatch.setattr(fullread, "DETAIL_BATCH", 2)
    clock = FakeClock()
    library = SlowLibrary(clock, load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    window = FakeWindow()
    engine = Engine(library, WindowCache(window), store or RecordingStore(), Settings(), clock, random.Random(1),
                    wall_clock=clock)
    engine.start()
    return engine, library, window, clock


def test_a_slow_full_recompute_runs_in_short_steps(monkeypatch):
    engine, library, window, clock = slow_engine(monkeypatch)
    longest, steps = 0.0, 0
    while not engine.full_done:
        assert steps < 50, "the recompute never finished"
        assert "EasyTV.ShowIDs" not in window.props, "nothing published before the whole library is read"
        started = clock()
        engine.step()
        longest, steps = max(longest, clock() - started), steps + 1
    assert steps >= 3 and longest <= 0.6, "the loop gets back to waitForAbort between chunks"
    assert window.props["EasyTV.ShowIDs"] == "1,3"
    assert library.calls.count("episodes") == 4  # 19 episodes in pages of 5


def test_a_play_during_a_slow_full_recompute_is_applied_after_it(monkeypatch):
    engine, library, window, clock = slow_engine(monkeypatch)
    engine.step()
    assert not engine.full_done
    library.watch(12)  # Bravo S01E02 watched while the library is being read
    engine.handle(events.EpisodeChanged(12, 1))
    while not engine.full_done:
        engine.step()
    engine.step()
    assert window.props["EasyTV.3.EpisodeNo"] == "S01E03"


def test_a_row_adopted_during_a_slow_full_recompute_is_kept(monkeypatch):
    from easytv.core.sync import SharedShow
    donor, _, _, _, _ = make()
    donor._library.watch(12)
    donor.handle(events.EpisodeChanged(12, 1))
    donor.step()
    engine, library, window, clock = slow_engine(monkeypatch)
    engine.step()
    assert not engine.full_done
    row = SharedShow(3, "Bravo", 2002, donor.states[3], clock() + 1, "other")
    assert engine.apply_remote([row]) == 1
    while not engine.full_done:
        engine.step()
    assert engine.states[3] == donor.states[3], "the snapshot read before the change must not win"
    assert window.props["EasyTV.3.EpisodeNo"] == "S01E03"


def test_a_scan_resolves_new_episodes_in_one_batched_call():
    engine, library, window, _, _ = make()
    library.calls.clear()
    for n in range(40):
        library.episodes_by_id[600 + n] = dict(library.episodes_by_id[17], episodeid=600 + n, episode=10 + n,
                                               file="/srv/media/tv/Charlie/new%d.mp4" % n)
        engine.handle(events.EpisodeChanged(600 + n, None))
    engine.step()
    assert library.calls.count("episode_tvshowids") == 1 and "episode_tvshowid" not in library.calls
    assert library.calls.count("episodes(4)") == 1
