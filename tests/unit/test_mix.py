"""The random mix from the window cache: request count and playlist shape (easytv.app.mix)."""

import random

from easytv.app import mix
from easytv.core.settings import MIX_WITH_UNSTARTED, Settings
from fakes import FakeWindow


class RecordingCall:
    """A JSON-RPC `call` that records requests and answers GetEpisodes from `episodes`."""

    def __init__(self, episodes=None):
        self.calls = []
        self.episodes = episodes or {}

    def __call__(self, method, params=None):
        self.calls.append((method, params))
        if method == "VideoLibrary.GetEpisodes":
            return {"episodes": self.episodes.get(params["tvshowid"], [])}
        return "OK"


def _window(in_progress, fresh=()):
    window = FakeWindow()
    window.set("EasyTV.ShowIDs", ",".join(str(i) for i in in_progress))
    window.set("EasyTV.FreshIDs", ",".join(str(i) for i in fresh))
    for tvshowid in list(in_progress) + list(fresh):
        for field, value in {"TVShowID": str(tvshowid), "TVShowTitle": "Show %d" % tvshowid,
                             "EpisodeID": str(tvshowid * 100 + 2), "CountUnwatchedEps": "5",
                             "CountWatchedEps": "1"}.items():
            window.set("EasyTV.%d.%s" % (tvshowid, field), value)
    return window


def _episodes(tvshowid):
    return [{"episodeid": tvshowid * 100 + k, "season": 1, "episode": k, "playcount": 1 if k == 1 else 0}
            for k in range(1, 7)]


def test_mix_is_three_requests_from_the_cache():
    call = RecordingCall()
    window = _window([1, 2, 3, 4])
    assert mix.play(window, Settings(mix_length=10), call, random.Random(3))
    methods = [m for m, _p in call.calls]
    assert methods == ["Playlist.Clear", "Playlist.Add", "Player.Open"]
    added = [i["episodeid"] for i in call.calls[1][1]["item"]]
    assert sorted(added) == [102, 202, 302, 402]
    assert call.calls[2][1] == {"item": {"playlistid": 1, "position": 0}, "options": {"resume": True}}
    assert window.get(mix.MIX_PROPERTY) == ",".join(str(i) for i in added)


def test_mix_content_filter_and_no_resume():
    call = RecordingCall()
    settings = Settings(mix_length=10, mix_content=MIX_WITH_UNSTARTED, show_filter=(2, 9), mix_resume=False)
    assert mix.play(_window([1, 2], fresh=[9]), settings, call, random.Random(1))
    assert sorted(i["episodeid"] for i in call.calls[1][1]["item"]) == [202, 902]
    assert call.calls[2][1]["options"] == {"resume": False}


def test_multiple_episodes_fetch_only_the_shows_that_give_more_than_one():
    call = RecordingCall({i: _episodes(i) for i in (1, 2, 3, 4)})
    settings = Settings(mix_length=10, mix_multiple_episodes=True)
    episodeids = mix.build(_window([1, 2, 3, 4]), settings, call, random.Random(5))
    assert len(episodeids) == 10
    fetched = [p["tvshowid"] for m, p in call.calls if m == "VideoLibrary.GetEpisodes"]
    for tvshowid in (1, 2, 3, 4):
        mine = [e for e in episodeids if e // 100 == tvshowid]
        assert mine == list(range(tvshowid * 100 + 2, tvshowid * 100 + 2 + len(mine)))
        assert (len(mine) > 1) == (tvshowid in fetched)


def test_nothing_to_mix_plays_nothing():
    call = RecordingCall()
    assert not mix.play(_window([]), Settings(), call, random.Random(0))
    assert call.calls == []
