"""Playlist and player requests over JSON-RPC (the video playlist, id 1).

Takes any `call(method, params) -> result` (the real `easytv.kodi.jsonrpc.call` in Kodi, a
recording fake in tests), so this module itself does not import Kodi. Every function raises
`JsonRpcError` when Kodi refuses a request.
"""

from typing import Any, Callable, List, Mapping, Optional, Sequence

Call = Callable[[str, Optional[Mapping[str, Any]]], Any]

VIDEO_PLAYLIST = 1
VIDEO_PLAYER = 1

PLAYLIST_CLEAR = "Playlist.Clear"
PLAYLIST_ADD = "Playlist.Add"
PLAYLIST_GET_PROPERTIES = "Playlist.GetProperties"
PLAYER_OPEN = "Player.Open"
PLAYER_STOP = "Player.Stop"
PLAYER_SEEK = "Player.Seek"
PLAYER_PLAY_PAUSE = "Player.PlayPause"
PLAYER_GET_PROPERTIES = "Player.GetProperties"
GET_EPISODES = "VideoLibrary.GetEpisodes"
GET_EPISODE_DETAILS = "VideoLibrary.GetEpisodeDetails"
EPISODE_DETAILS = ["tvshowid", "season", "episode", "showtitle", "title"]


def play_episodes(call: Call, episodeids: Sequence[int], resume: bool) -> None:
    """Replace Kodi's video playlist with `episodeids` and play it from the first item.

    Three requests whatever the length: `Playlist.Clear`, one `Playlist.Add` with every
    episode, `Player.Open` of the playlist (`options.resume` as given: Kodi applies it to the
    item it opens; later items are resumed by `easytv.app.watching` at their start).
    """
    call(PLAYLIST_CLEAR, {"playlistid": VIDEO_PLAYLIST})
    call(PLAYLIST_ADD, {"playlistid": VIDEO_PLAYLIST,
                          "item": [{"episodeid": int(i)} for i in episodeids]})
    call(PLAYER_OPEN, {"item": {"playlistid": VIDEO_PLAYLIST, "position": 0},
                         "options": {"resume": bool(resume)}})


def play_episode(call: Call, episodeid: int, resume: bool) -> None:
    """Play one library episode, from its resume point when `resume`."""
    call(PLAYER_OPEN, {"item": {"episodeid": int(episodeid)}, "options": {"resume": bool(resume)}})


def show_episodes(call: Call, tvshowid: int) -> List[Mapping[str, Any]]:
    """One show's episodes as `VideoLibrary.GetEpisodes` records with `season`, `episode`,
    `playcount` (and `episodeid`), in Kodi's order."""
    result = call(GET_EPISODES, {"tvshowid": int(tvshowid), "properties": ["season", "episode", "playcount"]})
    items = result.get("episodes", []) if isinstance(result, dict) else []
    return [i for i in items if isinstance(i, dict)]


def playlist_position(call: Call) -> Optional[int]:
    """The playing item's position in the video playlist, None when nothing plays."""
    result = call(PLAYER_GET_PROPERTIES, {"playerid": VIDEO_PLAYER, "properties": ["position", "playlistid"]})
    if not isinstance(result, dict) or result.get("playlistid") != VIDEO_PLAYLIST:
        return None
    position = result.get("position")
    return position if isinstance(position, int) and position >= 0 else None


def playlist_size(call: Call) -> int:
    """How many items the video playlist holds."""
    result = call(PLAYLIST_GET_PROPERTIES, {"playlistid": VIDEO_PLAYLIST, "properties": ["size"]})
    size = result.get("size") if isinstance(result, dict) else 0
    return size if isinstance(size, int) else 0


def seek(call: Call, seconds: float) -> None:
    """Move the video player to `seconds` from the start."""
    whole = int(seconds)
    call(PLAYER_SEEK, {"playerid": VIDEO_PLAYER, "value": {"time": {
        "hours": whole // 3600, "minutes": (whole // 60) % 60, "seconds": whole % 60, "milliseconds": 0}}})


def pause(call: Call, paused: bool) -> None:
    """Pause (`paused` true) or resume the video player."""
    call(PLAYER_PLAY_PAUSE, {"playerid": VIDEO_PLAYER, "play": not paused})


def stop(call: Call) -> None:
    """Stop the video player."""
    call(PLAYER_STOP, {"playerid": VIDEO_PLAYER})


def episode_details(call: Call, episodeid: int) -> Mapping[str, Any]:
    """One episode's `tvshowid`, `season`, `episode`, `showtitle`, `title` ({} when Kodi
    answers without details)."""
    result = call(GET_EPISODE_DETAILS, {"episodeid": int(episodeid), "properties": EPISODE_DETAILS})
    details = result.get("episodedetails") if isinstance(result, dict) else None
    return details if isinstance(details, dict) else {}
