"""The engine's memory for library rebuilds (see `easytv.core.rekey`): the states of shows that
left the cache, and the random-order picks to carry to the shows' new tvshowids."""

import dataclasses
import logging
from typing import Callable, Container, Dict, List, Mapping, Optional, Tuple

from easytv.core.models import Episode, ShowState, TVShow
from easytv.core.rekey import Identity, episode_at, moved_shows, pick_position, remap_show_ids, show_identity
from easytv.core.settings import Settings

LOG = logging.getLogger("EasyTV.engine")

Moves = Dict[int, int]
"""Old tvshowid → new tvshowid."""


class RebuildFollower:
    """Follows shows to new tvshowids. Not thread-safe: only the engine (the loop) uses it.

    `gone` holds the last state of each show that left the cache (finished, removed, or
    cleaned away before a rebuild's re-scan), by tvshowid; `carry` the (season, episode) of a
    random pick to keep, by new tvshowid. `on_show_ids(ids)` receives `random_order_shows`
    re-keyed to the new ids (a sorted tuple).
    """

    def __init__(self, on_show_ids: Callable[[Tuple[int, ...]], None]) -> None:
        self.gone: Dict[int, ShowState] = {}
        self.carry: Dict[int, Tuple[int, int]] = {}
        self._on_show_ids = on_show_ids

    def follow(self, known: Mapping[int, Identity], old_states: Mapping[int, ShowState],
               library: Mapping[int, Identity], settings: Settings) -> Tuple[Moves, Settings]:
        """Follow shows the library now keeps under other tvshowids (`moved_shows`): re-key
        `random_order_shows` and remember the random picks to keep. Returns the moves and the
        settings to use from now on (`settings` itself when nothing changed)."""
        moved = moved_shows(known, library)
        if not moved:
            return moved, settings
        LOG.info("Library rebuilt: %d shows have new tvshowids; following them by title and year", len(moved))
        ids = remap_show_ids(settings.random_order_shows, moved, known, library)
        if ids != tuple(settings.random_order_shows):
            LOG.info("Random-order shows re-keyed to tvshowids %s", ",".join(map(str, ids)) or "(none)")
            settings = dataclasses.replace(settings, random_order_shows=ids)
            self._on_show_ids(ids)
        for old, new in moved.items():
            position = pick_position(old_states.get(old), known[old])
            if new in ids and position is not None:
                self.carry[new] = position
        return moved, settings

    def follow_new_show(self, show: TVShow, titles: Mapping[int, TVShow], in_library: Container[int],
                        settings: Settings) -> Tuple[Moves, Settings]:
        """A show met under an id new to it (a re-scan announcing it episode by episode): if it
        left the library under another id (in `titles`, no longer `in_library`), follow it now,
        before it is computed without its random-order pick."""
        ident = show_identity(show)
        known = {i: ident for i, t in titles.items()
                 if i != show.tvshowid and i not in in_library and show_identity(t) == ident}
        if not known:
            return {}, settings
        moved, settings = self.follow(known, self.gone, {show.tvshowid: ident}, settings)
        for old in moved:
            self.gone.pop(old, None)
        return moved, settings

    def carried_pick(self, tvshowid: int, episodes: List[Episode], final: bool) -> Optional[int]:
        """The episodeid of the pick carried to `tvshowid` among its `episodes`, or None.

        A pick found is forgotten once returned. One not found is kept for a later ask while the
        episodes may be incomplete (a scan adds a show's episodes one by one, and the show is
        followed at its first), and forgotten when `final` (a full recompute, which reads the
        whole library)."""
        position = self.carry.get(tvshowid)
        if position is None:
            return None
        episodeid = episode_at(episodes, position)
        if episodeid is not None or final:
            del self.carry[tvshowid]
        return episodeid
