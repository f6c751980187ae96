"""The widget lists read from the window-property cache: no database, no per-item JSON-RPC."""

from typing import Collection, Dict, List

from easytv.app.interfaces import Window
from easytv.core import properties

NEXT_EPISODES = "next_episodes"
START_FRESH = "start_fresh"

_LIST_PROPERTY = {NEXT_EPISODES: properties.SHOW_IDS, START_FRESH: properties.FRESH_IDS}


def read_list(window: Window, name: str, limit: int, only: Collection[int] = ()) -> List[Dict[str, str]]:
    """The items of widget list `name` (`next_episodes` or `start_fresh`), at most `limit`.

    Each item is `{Field: value}` with the fields of README, "Window properties" of one show, in list order; shows
    whose properties are incomplete (no EpisodeID) are skipped; with `only` (tvshowids, the
    show filter), other shows are skipped before their properties are read. Raises `KeyError`
    for an unknown list name.
    """
    ids = properties.parse_ids(window.get(_LIST_PROPERTY[name]))
    wanted = frozenset(only)
    items: List[Dict[str, str]] = []
    for tvshowid in ids:
        if len(items) >= limit:
            break
        if wanted and tvshowid not in wanted:
            continue
        fields = {f: window.get(properties.show_key(tvshowid, f)) for f in properties.FIELDS}
        if fields["EpisodeID"].isdigit():
            items.append(fields)
    return items


def to_int(value: str, default: int = 0) -> int:
    """A decimal property value as int, `default` when empty or not a number."""
    try:
        return int(value)
    except ValueError:
        return default
