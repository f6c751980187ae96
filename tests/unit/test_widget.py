"""The widget lists read back from the window cache."""

import random

from easytv.app import widget
from easytv.app.cache import WindowCache
from easytv.app.engine import Engine
from easytv.core.settings import Settings, clamp_widget_limit, parse_show_ids
from fakes import FakeClock, FakeLibrary, FakeWindow, RecordingStore
from kodi_shapes import load


def _window():
    window = FakeWindow()
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    engine = Engine(library, WindowCache(window), RecordingStore(), Settings(), FakeClock(), random.Random(0))
    engine.start()
    engine.step()
    return window


def test_next_episodes_most_recently_played_first():
    items = widget.read_list(_window(), widget.NEXT_EPISODES, 25)
    assert [(i["TVShowTitle"], i["EpisodeNo"]) for i in items] == [("Bravo", "S01E04"), ("Alpha", "S01E02")]
    assert items[1]["ResumeSeconds"] == "3"


def test_start_fresh_newest_added_first_and_limit():
    items = widget.read_list(_window(), widget.START_FRESH, 25)
    assert [(i["TVShowTitle"], i["EpisodeNo"]) for i in items] == [("Delta", "S01E01"), ("Charlie", "S01E01")]
    assert len(widget.read_list(_window(), widget.START_FRESH, 1)) == 1


def test_incomplete_show_is_skipped():
    window = _window()
    window.set("EasyTV.1.EpisodeID", "")
    assert [i["TVShowTitle"] for i in widget.read_list(window, widget.NEXT_EPISODES, 25)] == ["Alpha"]


def test_settings_parsing_falls_back():
    warnings = []
    assert parse_show_ids("3, 12,abc,-4,12", warnings.append) == (3, 12)
    assert len(warnings) == 2
    assert clamp_widget_limit(0) == 25 and clamp_widget_limit(10) == 10


def test_show_filter_skips_other_shows_before_the_limit():
    window = _window()
    assert [i["TVShowTitle"] for i in widget.read_list(window, widget.NEXT_EPISODES, 1, only=(3,))] == ["Alpha"]
    assert widget.read_list(window, widget.NEXT_EPISODES, 25, only=(99,)) == []
