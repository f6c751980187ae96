"""Window-property rendering (README, "Window properties") and diffing."""

from easytv.core import properties
from easytv.core.models import Episode, TVShow
from easytv.core.rule import next_episode, next_episodes
from kodi_shapes import episode as ep
from kodi_shapes import load, season, tvshow


def _state(episodes, show=None):
    return next_episode(TVShow.from_jsonrpc(show or tvshow()), [Episode.from_jsonrpc(e) for e in episodes])


def test_show_fields_formats():
    state = _state([ep(1, 1, watched=True), ep(1, 2, resume=150.0, title="Second"), ep(1, 3)])
    fields = properties.show_fields(state)
    assert set(fields) == set(properties.FIELDS)
    assert fields["EpisodeNo"] == "S01E02" and fields["Season"] == "1" and fields["Episode"] == "2"
    assert fields["ResumeSeconds"] == "150" and fields["TotalSeconds"] == "600" and fields["PercentPlayed"] == "25"
    assert fields["IsSkipped"] == "false" and fields["CountWatchedEps"] == "1" and fields["CountUnwatchedEps"] == "2"
    assert fields["Title"] == "Second" and fields["Poster"] == "image://poster1/"
    assert fields["LastPlayed"] == "2026-01-01 20:00:00"
    assert all(isinstance(v, str) for v in fields.values())


def test_no_resume_point_renders_zero_and_runtime_as_total():
    fields = properties.show_fields(_state(season(1, 2)))
    assert fields["ResumeSeconds"] == "0" and fields["TotalSeconds"] == "600" and fields["PercentPlayed"] == "0"
    assert fields["LastPlayed"] == ""


def test_render_orders_in_progress_by_lastplayed_and_fresh_by_dateadded():
    shows = [tvshow(1, dateadded="2026-01-01 10:00:00"), tvshow(2, dateadded="2026-03-01 10:00:00"),
             tvshow(3), tvshow(4)]
    eps = (season(1, 2, tvshowid=1) + season(1, 2, tvshowid=2)
           + [ep(1, 1, tvshowid=3, watched=True, lastplayed="2026-05-01 10:00:00"), ep(1, 2, tvshowid=3)]
           + [ep(1, 1, tvshowid=4, watched=True, lastplayed="2026-06-01 10:00:00"), ep(1, 2, tvshowid=4)])
    states = next_episodes([TVShow.from_jsonrpc(s) for s in shows], [Episode.from_jsonrpc(e) for e in eps])
    props = properties.render(states)
    assert props["EasyTV.ShowIDs"] == "4,3"
    assert props["EasyTV.FreshIDs"] == "2,1"
    assert props["EasyTV.4.EpisodeNo"] == "S01E02"
    assert "EasyTV.Revision" not in props  # kept by the window cache, not a digest of the cache


def test_render_is_deterministic():
    shows = [TVShow.from_jsonrpc(s) for s in load("GetTVShows_all.json")["tvshows"]]
    eps = [Episode.from_jsonrpc(e) for e in load("GetEpisodes_all.json")["episodes"]]
    assert properties.render(next_episodes(shows, eps)) == properties.render(next_episodes(shows, eps))


def _random_state(rng, tvshowid):
    show = tvshow(tvshowid, dateadded="2026-01-%02d 10:00:00" % rng.randint(1, 3))
    started = rng.random() < 0.6
    eps = [ep(1, 1, tvshowid=tvshowid, watched=started, lastplayed="2026-05-%02d 10:00:00" % rng.randint(1, 3)),
           ep(1, 2, tvshowid=tvshowid)]
    return _state(eps, show)


def test_show_lists_kept_per_change_match_a_full_sort():
    import random
    rng = random.Random(7)
    states = {i: _random_state(rng, i) for i in range(1, 40)}
    lists = properties.ShowLists(states.values())
    for _ in range(300):
        tvshowid = rng.randint(1, 50)
        if rng.random() < 0.25:
            states.pop(tvshowid, None)
            lists.remove(tvshowid)
        else:
            states[tvshowid] = _random_state(rng, tvshowid)
            lists.put(states[tvshowid])
        expected = properties.render(states)
        assert lists.show_ids() == expected["EasyTV.ShowIDs"]
        assert lists.fresh_ids() == expected["EasyTV.FreshIDs"]


def test_diff_sets_changed_and_clears_gone():
    old = {"a": "1", "b": "2", "c": "3"}
    new = {"a": "1", "b": "20", "d": "4", "e": ""}
    changes = properties.diff(old, new)
    assert dict(changes.set) == {"b": "20", "d": "4"}
    assert changes.clear == ("c",)
    assert not properties.diff(new, new)


def test_parse_ids_skips_garbage():
    assert properties.parse_ids("3, 12,x,,40") == [3, 12, 40]
    assert properties.parse_ids("") == []
