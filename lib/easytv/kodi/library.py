"""Library queries over JSON-RPC; method names and property lists live here, and only here.

Takes any `call(method, params) -> result` (the real `easytv.kodi.jsonrpc.call` in Kodi, a
fixture-backed fake in tests), so this module itself does not import Kodi.
"""

import logging
from typing import Any, Callable, List, Mapping, Optional

from easytv.core.errors import JsonRpcError, MalformedRecord
from easytv.core.models import Episode, TVShow

LOG = logging.getLogger("EasyTV.library")

Call = Callable[[str, Optional[Mapping[str, Any]]], Any]

GET_EPISODES = "VideoLibrary.GetEpisodes"
GET_EPISODE_DETAILS = "VideoLibrary.GetEpisodeDetails"
GET_TVSHOWS = "VideoLibrary.GetTVShows"
GET_TVSHOW_DETAILS = "VideoLibrary.GetTVShowDetails"
PLAYER_OPEN = "Player.Open"

EPISODE_PROPERTIES = [
    "tvshowid", "showtitle", "season", "episode", "title", "playcount", "file",
    "specialsortseason", "specialsortepisode", "resume", "lastplayed", "plot", "art",
    "dateadded", "runtime",
]
TVSHOW_PROPERTIES = ["title", "year", "lastplayed", "dateadded", "art"]


def _records(result: Any, key: str, method: str) -> List[Mapping[str, Any]]:
    if not isinstance(result, dict):
        raise JsonRpcError(method, 0, "result is not an object")
    items = result.get(key, [])
    if not isinstance(items, list):
        raise JsonRpcError(method, 0, "%r is not a list" % key)
    return items


def _parse(items: List[Mapping[str, Any]], build: Callable[[Mapping[str, Any]], Any]) -> List[Any]:
    parsed = []
    for item in items:
        try:
            parsed.append(build(item))
        except MalformedRecord as exc:
            LOG.warning("Skipping malformed library record: %s", exc)
    return parsed


class KodiLibrary:
    """Episodes and shows from Kodi's video library. Every method raises `JsonRpcError`."""

    def __init__(self, call: Call) -> None:
        self._call = call

    def tvshows(self) -> List[TVShow]:
        """Every show in the library (one `VideoLibrary.GetTVShows`)."""
        result = self._call(GET_TVSHOWS, {"properties": TVSHOW_PROPERTIES})
        return _parse(_records(result, "tvshows", GET_TVSHOWS), TVShow.from_jsonrpc)

    def tvshow(self, tvshowid: int) -> Optional[TVShow]:
        """One show, or None when Kodi has no show with that id."""
        try:
            result = self._call(GET_TVSHOW_DETAILS, {"tvshowid": tvshowid, "properties": TVSHOW_PROPERTIES})
        except JsonRpcError as exc:
            if exc.code == -32602:  # Kodi answers "Invalid params." for an unknown id
                return None
            raise
        details = result.get("tvshowdetails") if isinstance(result, dict) else None
        return _parse([details], TVShow.from_jsonrpc)[0] if details else None

    def episodes(self, tvshowid: Optional[int] = None) -> List[Episode]:
        """Every episode of one show, or of the whole library when `tvshowid` is None."""
        params: dict = {"properties": EPISODE_PROPERTIES}
        if tvshowid is not None:
            params["tvshowid"] = tvshowid
        result = self._call(GET_EPISODES, params)
        return _parse(_records(result, "episodes", GET_EPISODES), Episode.from_jsonrpc)

    def episode_tvshowid(self, episodeid: int) -> Optional[int]:
        """The tvshowid of one episode, or None when Kodi has no episode with that id."""
        try:
            result = self._call(GET_EPISODE_DETAILS, {"episodeid": episodeid, "properties": ["tvshowid"]})
        except JsonRpcError as exc:
            if exc.code == -32602:
                return None
            raise
        details = result.get("episodedetails") if isinstance(result, dict) else None
        tvshowid = details.get("tvshowid") if isinstance(details, dict) else None
        return tvshowid if isinstance(tvshowid, int) and not isinstance(tvshowid, bool) else None

    def play_episode(self, episodeid: int, resume: bool) -> None:
        """Start playback of a library episode, from its resume point when `resume` is true."""
        self._call(PLAYER_OPEN, {"item": {"episodeid": episodeid}, "options": {"resume": resume}})
