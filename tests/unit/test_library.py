"""The JSON-RPC library adapter against captured Kodi answers."""

import pytest

from easytv.core.errors import JsonRpcError
from easytv.kodi.library import EPISODE_PROPERTIES, KodiLibrary
from kodi_shapes import load


class FixtureKodi:
    """Answers JSON-RPC calls from captured fixtures; records the requests."""

    def __init__(self) -> None:
        self.requests = []

    def __call__(self, method, params=None):
        self.requests.append((method, params))
        if method == "VideoLibrary.GetEpisodes":
            return load("GetEpisodes_one_show.json" if "tvshowid" in params else "GetEpisodes_all.json")
        if method == "VideoLibrary.GetTVShows":
            return load("GetTVShows_all.json")
        if method == "VideoLibrary.GetEpisodeDetails":
            raise JsonRpcError(method, -32602, "Invalid params.")
        raise AssertionError(method)


def test_whole_library_in_one_call_with_the_needed_properties():
    kodi = FixtureKodi()
    episodes = KodiLibrary(kodi).episodes()
    assert len(kodi.requests) == 1
    assert set(["specialsortseason", "specialsortepisode", "resume", "lastplayed", "file"]) <= set(EPISODE_PROPERTIES)
    assert len(episodes) == 19 and {e.tvshowid for e in episodes} == {1, 2, 3, 4}


def test_one_show_passes_tvshowid():
    kodi = FixtureKodi()
    episodes = KodiLibrary(kodi).episodes(2)
    assert kodi.requests[0][1]["tvshowid"] == 2 and {e.showtitle for e in episodes} == {"Delta"}


def test_unknown_episode_is_none_not_an_error():
    assert KodiLibrary(FixtureKodi()).episode_tvshowid(999) is None


def test_other_errors_propagate():
    def broken(method, params=None):
        raise JsonRpcError(method, -32603, "Internal error.")
    with pytest.raises(JsonRpcError):
        KodiLibrary(broken).tvshows()


def test_malformed_records_are_skipped_not_fatal():
    def answer(method, params=None):
        good = load("GetEpisodes_all.json")["episodes"][0]
        return {"episodes": [good, {"episodeid": "x"}, "junk"]}
    assert len(KodiLibrary(answer).episodes()) == 1


def test_result_of_wrong_shape_is_a_jsonrpc_error():
    with pytest.raises(JsonRpcError):
        KodiLibrary(lambda m, p=None: ["not", "an", "object"]).episodes()
