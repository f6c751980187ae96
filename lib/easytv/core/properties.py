"""Home-window property rendering and diffing (README, "Window properties").

The core renders the whole cache as a flat `{name: value}` dict of plain strings; the window
adapter writes only `diff(old, new)`. For one changed show it renders only that show
(`show_properties`) and keeps the id lists sorted per change (`ShowLists`), so the work per
change does not grow with the library.
"""

import bisect
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Tuple

from easytv.core.models import ShowState

PREFIX = "EasyTV"
SHOW_IDS = PREFIX + ".ShowIDs"
FRESH_IDS = PREFIX + ".FreshIDs"
REVISION = PREFIX + ".Revision"
STORAGE = PREFIX + ".Storage"
SERVICE = PREFIX + ".Service"

FIELDS = (
    "TVShowTitle", "TVShowID", "EpisodeID", "Title", "Season", "Episode", "EpisodeNo",
    "File", "Plot", "Thumb", "Poster", "Fanart", "ResumeSeconds", "TotalSeconds",
    "PercentPlayed", "IsSkipped", "CountWatchedEps", "CountUnwatchedEps", "LastPlayed",
)


def show_key(tvshowid: int, field: str) -> str:
    """Property name of one field of one show: `EasyTV.<tvshowid>.<Field>`."""
    return "%s.%d.%s" % (PREFIX, tvshowid, field)


def _seconds(value: float) -> str:
    return str(int(round(value)))


def show_fields(state: ShowState) -> Dict[str, str]:
    """The README, "Window properties" fields of one show, `{Field: value}`, every value a plain string."""
    ep = state.next
    total = ep.resume_total if ep.resume_total > 0 else float(ep.runtime)
    percent = int(round(100.0 * ep.resume_position / total)) if total > 0 else 0
    return {
        "TVShowTitle": state.show.title or ep.showtitle,
        "TVShowID": str(state.tvshowid),
        "EpisodeID": str(ep.episodeid),
        "Title": ep.title,
        "Season": str(ep.season),
        "Episode": str(ep.episode),
        "EpisodeNo": "S%02dE%02d" % (ep.season, ep.episode),
        "File": ep.file,
        "Plot": ep.plot,
        "Thumb": ep.thumb,
        "Poster": state.show.poster,
        "Fanart": state.show.fanart,
        "ResumeSeconds": _seconds(ep.resume_position),
        "TotalSeconds": _seconds(total),
        "PercentPlayed": str(max(0, min(100, percent))),
        "IsSkipped": "true" if state.is_skipped else "false",
        "CountWatchedEps": str(state.count_watched),
        "CountUnwatchedEps": str(state.count_unwatched),
        "LastPlayed": state.lastplayed,
    }


def in_progress_order(states: Iterable[ShowState]) -> List[int]:
    """tvshowids of in-progress shows, most recently played first (ties: lower id first)."""
    started = [s for s in states if s.in_progress]
    started.sort(key=lambda s: s.tvshowid)
    started.sort(key=lambda s: s.lastplayed, reverse=True)
    return [s.tvshowid for s in started]


def fresh_order(states: Iterable[ShowState]) -> List[int]:
    """tvshowids of unstarted shows, newest added first (ties: higher id first)."""
    fresh = [s for s in states if not s.in_progress]
    fresh.sort(key=lambda s: (s.show.dateadded, s.tvshowid), reverse=True)
    return [s.tvshowid for s in fresh]


def show_properties(state: ShowState) -> Dict[str, str]:
    """One show's properties, `{EasyTV.<tvshowid>.<Field>: value}`."""
    return {show_key(state.tvshowid, f): v for f, v in show_fields(state).items()}


def render_shows(states: Mapping[int, ShowState]) -> Dict[str, str]:
    """Every tracked show's fields, without the id lists."""
    props: Dict[str, str] = {}
    for state in states.values():
        props.update(show_properties(state))
    return props


def render(states: Mapping[int, ShowState]) -> Dict[str, str]:
    """The whole cache: every tracked show's fields, `ShowIDs` and `FreshIDs`.

    `EasyTV.Revision` is kept by the window cache (it counts changes, see
    `easytv.app.cache`); `EasyTV.Storage` and `EasyTV.Service` are status properties the
    service sets itself.
    """
    props = render_shows(states)
    props[SHOW_IDS] = ",".join(str(i) for i in in_progress_order(states.values()))
    props[FRESH_IDS] = ",".join(str(i) for i in fresh_order(states.values()))
    return props


_Key = Tuple[str, int, str]


class ShowLists:
    """`ShowIDs` and `FreshIDs` kept in order while shows change one at a time.

    Each list is held ascending by a key whose reverse is the list order of
    `in_progress_order` / `fresh_order`; `put` and `remove` cost a bisect and a list
    insert/delete (a memmove of at most N pointers), not a sort. Not thread-safe.
    """

    def __init__(self, states: Iterable[ShowState] = ()) -> None:
        self._started: List[_Key] = []
        self._fresh: List[_Key] = []
        self._keys: Dict[int, Tuple[bool, _Key]] = {}
        for state in states:
            self._keys[state.tvshowid] = entry = self._entry(state)
            (self._started if entry[0] else self._fresh).append(entry[1])
        self._started.sort()
        self._fresh.sort()

    @staticmethod
    def _entry(state: ShowState) -> Tuple[bool, _Key]:
        tvshowid = state.tvshowid
        if state.in_progress:  # lastplayed descending, ties: lower id first
            return True, (state.lastplayed, -tvshowid, str(tvshowid))
        return False, (state.show.dateadded, tvshowid, str(tvshowid))  # newest first, ties: higher id

    def put(self, state: ShowState) -> None:
        """Add a show, or move it to where its new state sorts."""
        entry = self._entry(state)
        if self._keys.get(state.tvshowid) == entry:
            return
        self.remove(state.tvshowid)
        self._keys[state.tvshowid] = entry
        bisect.insort(self._started if entry[0] else self._fresh, entry[1])

    def remove(self, tvshowid: int) -> None:
        """Drop a show from whichever list names it (nothing if none does)."""
        entry = self._keys.pop(tvshowid, None)
        if entry is not None:
            keys = self._started if entry[0] else self._fresh
            del keys[bisect.bisect_left(keys, entry[1])]

    def show_ids(self) -> str:
        """The `EasyTV.ShowIDs` value."""
        return ",".join([k[2] for k in reversed(self._started)])

    def fresh_ids(self) -> str:
        """The `EasyTV.FreshIDs` value."""
        return ",".join([k[2] for k in reversed(self._fresh)])


@dataclass(frozen=True)
class Changes:
    """What to write to the window: `set` names with their new values, `clear` names to empty."""

    set: Mapping[str, str]
    clear: Tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.set) or bool(self.clear)


def diff(old: Mapping[str, str], new: Mapping[str, str]) -> Changes:
    """Changes that turn `old` into `new` (an empty value counts as absent, as in Kodi)."""
    to_set = {k: v for k, v in new.items() if v != old.get(k, "") and v != ""}
    to_clear = tuple(sorted(k for k, v in old.items() if v != "" and new.get(k, "") == ""))
    return Changes(to_set, to_clear)


def parse_ids(value: str) -> List[int]:
    """Parse a comma-separated id list such as `EasyTV.ShowIDs`; skips anything not an int."""
    ids = []
    for part in value.split(","):
        part = part.strip()
        if part.lstrip("-").isdigit():
            ids.append(int(part))
    return ids
