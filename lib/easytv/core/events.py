"""Kodi notifications parsed into typed events: one parser, `json.loads`, a method table.

Shapes are those Kodi 20.1 delivers to `xbmc.Monitor.onNotification` (captured in
tests/fixtures/kodi20/notifications_play_stop.json; Kodi 21.2 sends the same), e.g.
`VideoLibrary.OnUpdate` arrives both as `{"item": {"id": 7, "type": "episode"}, "playcount": 1}`
and as the flat `{"id": 7, "type": "episode"}`.
"""

import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Union

from easytv.core.errors import MalformedNotification

SETTINGS_CHANGED = "EasyTV.SettingsChanged"
"""The marker the Kodi monitor queues when the add-on's settings changed (not a Kodi method)."""


@dataclass(frozen=True)
class EpisodeChanged:
    """An episode's playcount, resume point or details changed (`playcount` None if not sent)."""

    episodeid: int
    playcount: Optional[int] = None


@dataclass(frozen=True)
class EpisodeRemoved:
    """An episode left the library."""

    episodeid: int


@dataclass(frozen=True)
class ShowChanged:
    """A show was added or its details changed."""

    tvshowid: int


@dataclass(frozen=True)
class ShowRemoved:
    """A show left the library."""

    tvshowid: int


@dataclass(frozen=True)
class PlaybackStopped:
    """Playback of a library episode stopped; `ended` is true when it reached the end."""

    episodeid: int
    ended: bool


@dataclass(frozen=True)
class PlaybackStarted:
    """A library episode started playing (`Player.OnAVStart`: audio/video are running, so
    the player can be paused and seeked)."""

    episodeid: int


@dataclass(frozen=True)
class LibraryChanged:
    """A scan or clean finished: the whole library needs a (debounced) recompute."""

    method: str


@dataclass(frozen=True)
class SettingsChanged:
    """The add-on's settings were changed (from `Monitor.onSettingsChanged`)."""


Event = Union[EpisodeChanged, EpisodeRemoved, ShowChanged, ShowRemoved, PlaybackStopped,
              PlaybackStarted, LibraryChanged, SettingsChanged]


def _item(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The `{"id", "type"}` object of a payload, in either of Kodi's two shapes."""
    item = data.get("item", data)
    if not isinstance(item, dict):
        raise MalformedNotification("'item' is not an object: %r" % (item,))
    return item


def _id(item: Mapping[str, Any]) -> int:
    value = item.get("id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedNotification("'id' is not an integer: %r" % (value,))
    return value


def _on_update(data: Mapping[str, Any]) -> Optional[Event]:
    item = _item(data)
    kind = item.get("type")
    if kind == "episode":
        playcount = data.get("playcount")
        if playcount is not None and (isinstance(playcount, bool) or not isinstance(playcount, int)):
            raise MalformedNotification("'playcount' is not an integer: %r" % (playcount,))
        return EpisodeChanged(_id(item), playcount)
    if kind == "tvshow":
        return ShowChanged(_id(item))
    return None


def _on_remove(data: Mapping[str, Any]) -> Optional[Event]:
    item = _item(data)
    kind = item.get("type")
    if kind == "episode":
        return EpisodeRemoved(_id(item))
    if kind == "tvshow":
        return ShowRemoved(_id(item))
    return None


def _on_stop(data: Mapping[str, Any]) -> Optional[Event]:
    item = _item(data)
    if item.get("type") != "episode" or "id" not in item:
        return None  # a file outside the library, or not an episode
    return PlaybackStopped(_id(item), bool(data.get("end", False)))


def _on_av_start(data: Mapping[str, Any]) -> Optional[Event]:
    item = _item(data)
    if item.get("type") != "episode" or "id" not in item:
        return None
    return PlaybackStarted(_id(item))


def _library_changed(method: str) -> Callable[[Mapping[str, Any]], Optional[Event]]:
    return lambda _data: LibraryChanged(method)


PARSERS: Dict[str, Callable[[Mapping[str, Any]], Optional[Event]]] = {
    "VideoLibrary.OnUpdate": _on_update,
    "VideoLibrary.OnRemove": _on_remove,
    "Player.OnStop": _on_stop,
    "Player.OnAVStart": _on_av_start,
    "VideoLibrary.OnScanFinished": _library_changed("VideoLibrary.OnScanFinished"),
    "VideoLibrary.OnCleanFinished": _library_changed("VideoLibrary.OnCleanFinished"),
}


def parse_notification(method: str, data: str) -> Optional[Event]:
    """Turn one `onNotification(sender, method, data)` call into an event.

    `data` is the JSON text Kodi passes. Returns None for methods EasyTV does not follow.
    Raises `MalformedNotification` when a followed method's data is not valid JSON or not
    of the expected shape.
    """
    parser = PARSERS.get(method)
    if parser is None:
        return None
    try:
        payload = json.loads(data) if data else None
    except ValueError as exc:
        raise MalformedNotification("%s: data is not JSON (%s)" % (method, exc)) from None
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise MalformedNotification("%s: data is not an object: %r" % (method, payload))
    return parser(payload)
