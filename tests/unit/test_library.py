"""The JSON-RPC library adapter against captured Kodi answers."""

import pytest

from easytv.core.errors import JsonRpcError
from easytv.kodi.library import EPISODE_PROPERTIES, RULE_PROPERTIES, KodiLibrary
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
            for item in load("GetEpisodes_all.json")["episodes"]:
                if item["episodeid"] == params["episodeid"]:
                    return {"episodedetails": {k: v for k, v in item.items()
                                               if k in params["properties"] or k in ("episodeid", "label")}}
            raise JsonRpcError(method, -32602, "Invalid params.")
        raise AssertionError(method)


class PagedKodi(FixtureKodi):
    """Answers whole-library `GetEpisodes` as Kodi does with `limits` (a slice plus the total)."""

    def __call__(self, method, params=None):
        answer = super().__call__(method, params)
        if method == "VideoLibrary.GetEpisodes" and "limits" in params:
            everything = answer["episodes"]
            start, end = params["limits"]["start"], params["limits"]["end"]
            answer = {"episodes": [{k: v for k, v in e.items() if k in params["properties"] or k == "episodeid"}
                                   for e in everything[start:end]],
                      "limits": {"start": start, "end": min(end, len(everything)), "total": len(everything)}}
        return answer


class BatchKodi(FixtureKodi):
    """Also answers JSON-RPC batches (as `easytv.kodi.jsonrpc.batch` returns them)."""

    def __init__(self):
        super().__init__()
        self.batches = []

    def batch(self, requests):
        self.batches.append(list(requests))
        results = []
        for method, params in requests:
            try:
                results.append(FixtureKodi.__call__(self, method, params))
            except JsonRpcError as exc:
                results.append(exc)
        return results


def test_whole_library_asks_only_the_rule_fields_in_pages():
    kodi = PagedKodi()
    episodes = KodiLibrary(kodi).episodes()
    assert len(episodes) == 19 and {e.tvshowid for e in episodes} == {1, 2, 3, 4}
    properties = kodi.requests[0][1]["properties"]
    assert properties == RULE_PROPERTIES
    assert not {"plot", "art", "title", "showtitle", "runtime"} & set(properties)
    assert {"specialsortseason", "specialsortepisode", "resume", "lastplayed", "file", "playcount"} <= set(properties)
    pages = list(KodiLibrary(kodi).episode_pages(size=5))
    assert [len(p) for p in pages] == [5, 5, 5, 4]
    assert sorted(e.episodeid for p in pages for e in p) == sorted(e.episodeid for e in episodes)


def test_display_fields_of_the_next_episodes_in_one_batch():
    kodi = BatchKodi()
    details = KodiLibrary(kodi, kodi.batch).episode_details([12, 999, 5])
    assert len(kodi.batches) == 1 and not kodi.requests[3:]  # no call outside the batch
    assert set(details) == {12, 5}  # the unknown id is left out, not an error
    assert details[12].title and details[12].plot and details[12].runtime and details[12].showtitle
    assert set(kodi.batches[0][0][1]["properties"]) == set(EPISODE_PROPERTIES)


def test_shows_of_new_episodes_in_one_batch():
    kodi = BatchKodi()
    assert KodiLibrary(kodi, kodi.batch).episode_tvshowids([12, 999, 5]) == {12: 3, 5: 2}
    assert len(kodi.batches) == 1


def test_batch_errors_other_than_unknown_ids_propagate():
    def batch(requests):
        return [JsonRpcError(m, -32603, "Internal error.") for m, _ in requests]
    with pytest.raises(JsonRpcError):
        KodiLibrary(FixtureKodi(), batch).episode_details([12])


def test_one_show_passes_tvshowid():
    kodi = FixtureKodi()
    episodes = KodiLibrary(kodi).episodes(2)
    assert kodi.requests[0][1]["tvshowid"] == 2 and {e.showtitle for e in episodes} == {"Delta"}
    assert kodi.requests[0][1]["properties"] == EPISODE_PROPERTIES  # one show: every field at once


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
