"""Notification parsing: Kodi 20.1's real payloads and malformed ones."""

import json

import pytest

from easytv.core import events
from easytv.core.errors import MalformedNotification
from kodi_shapes import load


def test_captured_play_stop_sequence_becomes_events():
    parsed = [events.parse_notification(n["method"], json.dumps(n["params"]["data"]))
              for n in load("notifications_play_stop.json")]
    assert events.PlaybackStarted(11) in parsed
    followed = [e for e in parsed if e is not None and not isinstance(e, events.PlaybackStarted)]
    assert followed[:3] == [events.EpisodeChanged(11, 1), events.EpisodeChanged(11, None),
                            events.PlaybackStopped(11, True)]
    assert events.PlaybackStopped(12, False) in followed
    assert events.EpisodeChanged(2, 1) in followed


@pytest.mark.parametrize("method,data,expected", [
    ("VideoLibrary.OnUpdate", '{"item":{"id":7,"type":"episode"},"playcount":1}', events.EpisodeChanged(7, 1)),
    ("VideoLibrary.OnUpdate", '{"id":7,"type":"episode"}', events.EpisodeChanged(7, None)),
    ("VideoLibrary.OnUpdate", '{"id":7,"type":"episode","playcount":0}', events.EpisodeChanged(7, 0)),
    ("VideoLibrary.OnUpdate", '{"added":true,"item":{"id":1,"type":"tvshow"},"transaction":true}',
     events.ShowChanged(1)),
    ("VideoLibrary.OnUpdate", '{"item":{"id":3,"type":"movie"}}', None),
    ("VideoLibrary.OnRemove", '{"id":9,"type":"episode"}', events.EpisodeRemoved(9)),
    ("VideoLibrary.OnRemove", '{"id":2,"type":"tvshow"}', events.ShowRemoved(2)),
    ("Player.OnStop", '{"end":false,"item":{"id":13,"type":"episode"}}', events.PlaybackStopped(13, False)),
    ("Player.OnStop", '{"end":true,"item":{"title":"x.mp4","type":"movie"}}', None),
    ("Player.OnStop", '{"end":true,"item":{"title":"x.mp4","type":"episode"}}', None),
    ("VideoLibrary.OnScanFinished", "null", events.LibraryChanged("VideoLibrary.OnScanFinished")),
    ("VideoLibrary.OnCleanFinished", "", events.LibraryChanged("VideoLibrary.OnCleanFinished")),
    ("Player.OnPlay", "{not json", None),
])
def test_payload_shapes(method, data, expected):
    assert events.parse_notification(method, data) == expected


@pytest.mark.parametrize("method,data", [
    ("VideoLibrary.OnUpdate", "{not json"),
    ("VideoLibrary.OnUpdate", "[1,2]"),
    ("VideoLibrary.OnUpdate", '"text"'),
    ("VideoLibrary.OnUpdate", '{"item":"episode"}'),
    ("VideoLibrary.OnUpdate", '{"item":{"id":"7","type":"episode"}}'),
    ("VideoLibrary.OnUpdate", '{"item":{"id":true,"type":"episode"}}'),
    ("VideoLibrary.OnUpdate", '{"item":{"id":7,"type":"episode"},"playcount":"1"}'),
    ("VideoLibrary.OnRemove", '{"type":"episode"}'),
    ("Player.OnStop", '{"item":{"id":null,"type":"episode"}}'),
])
def test_malformed_payloads_raise_one_error_type(method, data):
    with pytest.raises(MalformedNotification):
        events.parse_notification(method, data)


def test_av_start_of_a_library_episode_is_playback_started():
    from easytv.core.events import PlaybackStarted, parse_notification
    data = '{"item":{"id":7,"type":"episode"},"player":{"playerid":1,"speed":1}}'
    assert parse_notification("Player.OnAVStart", data) == PlaybackStarted(7)
    assert parse_notification("Player.OnAVStart", '{"item":{"type":"movie","id":3}}') is None
    assert parse_notification("Player.OnAVStart", '{"item":{"type":"episode"}}') is None
