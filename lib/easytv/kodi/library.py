"""Library queries over JSON-RPC; method names and property lists live here, and only here.

Takes any `call(method, params) -> result` (the real `easytv.kodi.jsonrpc.call` in Kodi, a
fixture-backed fake in tests), and optionally a `batch(requests) -> results` (the real
`easytv.kodi.jsonrpc.batch`), so this module itself does not import Kodi.

Reading a large library is split so that no single call holds the service loop for long:
the whole library's episodes come in pages (`limits`) and with the rule's fields only
(`RULE_PROPERTIES`; `plot` and `art` of 100,000 episodes are about 100 MB of JSON), and the
display fields come only for the episodes that are next, in batches (`episode_details`).
"""

import logging
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from easytv.core.errors import JsonRpcError, MalformedRecord
from easytv.core.models import Episode, TVShow

LOG = logging.getLogger("EasyTV.library")

Call = Callable[[str, Optional[Mapping[str, Any]]], Any]
Batch = Callable[[Sequence[Tuple[str, Optional[Mapping[str, Any]]]]], List[Union[Any, JsonRpcError]]]

GET_EPISODES = "VideoLibrary.GetEpisodes"
GET_EPISODE_DETAILS = "VideoLibrary.GetEpisodeDetails"
GET_TVSHOWS = "VideoLibrary.GetTVShows"
GET_TVSHOW_DETAILS = "VideoLibrary.GetTVShowDetails"
PLAYER_OPEN = "Player.Open"

RULE_PROPERTIES = [
    "tvshowid", "season", "episode", "playcount", "file", "specialsortseason", "specialsortepisode",
    "resume", "lastplayed",
]
"""What the next-episode rule and the id lists need of every episode (see `easytv.core.rule`)."""
EPISODE_PROPERTIES = RULE_PROPERTIES + ["showtitle", "title", "plot", "art", "dateadded", "runtime"]
"""Everything the window properties show of an episode (the rule's fields and the display ones)."""
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

    def __init__(self, call: Call, batch: Optional[Batch] = None) -> None:
        self._call = call
        self._batch = batch

    def _calls(self, method: str, params: Sequence[Mapping[str, Any]]) -> List[Union[Any, JsonRpcError]]:
        """Several requests of one method: one JSON-RPC batch when a `batch` was given."""
        if self._batch is not None:
            return self._batch([(method, p) for p in params])
        results: List[Union[Any, JsonRpcError]] = []
        for p in params:
            try:
                results.append(self._call(method, p))
            except JsonRpcError as exc:
                results.append(exc)
        return results

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
        """Every episode of one show with every field (`EPISODE_PROPERTIES`), or of the whole
        library with the rule's fields only (`RULE_PROPERTIES`) when `tvshowid` is None."""
        if tvshowid is None:
            return [ep for page in self.episode_pages() for ep in page]
        result = self._call(GET_EPISODES, {"tvshowid": tvshowid, "properties": EPISODE_PROPERTIES})
        return _parse(_records(result, "episodes", GET_EPISODES), Episode.from_jsonrpc)

    def episode_pages(self, size: int = 5000) -> Iterator[List[Episode]]:
        """The whole library's episodes with the rule's fields, `size` per `GetEpisodes` call
        (`limits` start/end; Kodi reports the total in `limits.total`). Each page is fetched
        when the iterator is advanced, so a caller can yield to its loop between pages."""
        start = 0
        while True:
            params = {"properties": RULE_PROPERTIES, "limits": {"start": start, "end": start + size}}
            result = self._call(GET_EPISODES, params)
            items = _records(result, "episodes", GET_EPISODES)
            yield _parse(items, Episode.from_jsonrpc)
            limits = result.get("limits") if isinstance(result, dict) else None
            total = limits.get("total") if isinstance(limits, dict) else None
            start += size
            if not items or not isinstance(total, int) or start >= total:
                return

    def episode_details(self, episodeids: Sequence[int]) -> Dict[int, Episode]:
        """Every field of the given episodes (one batched `GetEpisodeDetails`), by episodeid;
        ids Kodi does not know (-32602) are left out. Raises `JsonRpcError` on other errors."""
        found: Dict[int, Episode] = {}
        for episodeid, details in self._details(episodeids, EPISODE_PROPERTIES):
            for episode in _parse([details], Episode.from_jsonrpc) if details else ():
                found[episodeid] = episode
        return found

    def _details(self, episodeids: Sequence[int], properties: List[str]) -> Iterator[Tuple[int, Any]]:
        """(episodeid, `episodedetails` or None) for each episode Kodi knows, from one batched
        `GetEpisodeDetails`; an unknown id (-32602 "Invalid params") is skipped, any other
        error raised as `JsonRpcError`."""
        ids = list(episodeids)
        params = [{"episodeid": i, "properties": properties} for i in ids]
        for episodeid, result in zip(ids, self._calls(GET_EPISODE_DETAILS, params)):
            if isinstance(result, JsonRpcError):
                if result.code == -32602:
                    continue
                raise result
            yield episodeid, result.get("episodedetails") if isinstance(result, dict) else None

    def episode_tvshowid(self, episodeid: int) -> Optional[int]:
        """The tvshowid of one episode, or None when Kodi has no episode with that id."""
        return self.episode_tvshowids([episodeid]).get(episodeid)

    def episode_tvshowids(self, episodeids: Sequence[int]) -> Dict[int, int]:
        """The tvshowid of each given episode (one batched `GetEpisodeDetails`); episodes Kodi
        does not know are left out. Raises `JsonRpcError` on errors other than -32602."""
        found: Dict[int, int] = {}
        for episodeid, details in self._details(episodeids, ["tvshowid"]):
            tvshowid = details.get("tvshowid") if isinstance(details, dict) else None
            if isinstance(tvshowid, int) and not isinstance(tvshowid, bool):
                found[episodeid] = tvshowid
        return found

    def play_episode(self, episodeid: int, resume: bool) -> None:
        """Start playback of a library episode, from its resume point when `resume` is true."""
        self._call(PLAYER_OPEN, {"item": {"episodeid": episodeid}, "options": {"resume": resume}})
