"""Kodi-shaped records into models: complete instances, clear errors on malformed input."""

import dataclasses

import pytest

from easytv.core.errors import MalformedRecord
from easytv.core.models import Episode, TVShow
from kodi_shapes import episode, load


def test_parsed_episode_is_complete_and_equal_to_a_constructed_one():
    parsed = Episode.from_jsonrpc(load("GetEpisodes_all.json")["episodes"][0])
    assert set(vars(parsed)) == {f.name for f in dataclasses.fields(Episode)}
    assert parsed == Episode(**vars(parsed))
    assert hash(parsed) == hash(Episode(**vars(parsed)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.playcount = 3


def test_captured_fields():
    alpha2 = next(e for e in map(Episode.from_jsonrpc, load("GetEpisodes_all.json")["episodes"])
                  if e.episodeid == 12)
    assert (alpha2.season, alpha2.episode, alpha2.resume_position, alpha2.resume_total) == (1, 2, 3.0, 10.0)
    assert alpha2.lastplayed == "2026-11-21 06:18:19" and not alpha2.watched
    shows = [TVShow.from_jsonrpc(s) for s in load("GetTVShows_all.json")["tvshows"]]
    assert {(s.title, s.year) for s in shows} >= {("Alpha", 2001), ("Delta", 2004)}


@pytest.mark.parametrize("change", [
    {"episodeid": "12"}, {"season": None}, {"playcount": True}, {"file": 5}, {"resume": [1]},
    {"resume": {"position": "x"}}, {"art": "none"},
])
def test_malformed_episode_fields_raise(change):
    with pytest.raises(MalformedRecord):
        Episode.from_jsonrpc({**episode(1, 1), **change})


def test_missing_optional_fields_take_defaults():
    minimal = {"episodeid": 1, "tvshowid": 2, "season": 1, "episode": 3}
    parsed = Episode.from_jsonrpc(minimal)
    assert (parsed.playcount, parsed.file, parsed.specialsortseason, parsed.resume_position) == (0, "", -1, 0.0)
    assert TVShow.from_jsonrpc({"tvshowid": 4, "label": "Only a label"}).title == "Only a label"
