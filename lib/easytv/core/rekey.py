"""Library rebuilds, pure: which tvshowids moved, and what follows a show to its new id.

When a user rebuilds Kodi's video library (deletes the database, or removes and re-adds the
source), Kodi numbers shows and episodes afresh: `idShow`/`idEpisode` are plain
AUTO_INCREMENT keys (CVideoDatabase). A show is then recognised by its identity, title plus
year (README, "After a library rebuild"). Episode lists are recomputed from the library; what the
library cannot recompute follows the show: its random-order pick (as season and episode
numbers, because episodeids changed too) and its place in the `random_order_shows` setting.
"""

from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from easytv.core.models import Episode, ShowState, TVShow

Identity = Tuple[str, int]
"""(title folded for comparison, year; 0 when unknown)."""


def identity(title: str, year: int) -> Identity:
    """The identity of a show: its title compared case- and space-insensitively, and its year."""
    return " ".join(title.split()).casefold(), year


def show_identity(show: TVShow) -> Identity:
    """`identity()` of a `TVShow`."""
    return identity(show.title, show.year)


def moved_shows(known: Mapping[int, Identity], library: Mapping[int, Identity]) -> Dict[int, int]:
    """Old tvshowid → new tvshowid for shows the library now keeps under another id.

    `known`: the identities this device (or the shared rows) last saw per tvshowid; `library`:
    the identities per tvshowid in the library now. An id is displaced when the library no
    longer has its identity there (another show or none is). A displaced id moves when its
    identity is at exactly one library id and no other known id is displaced with the same
    identity (that would be ambiguous); the new id may already be known under that identity
    (a re-scan that announced the show under its new id before the rebuild was noticed).
    Untitled shows never move.
    """
    where: Dict[Identity, List[int]] = {}
    for tvshowid, ident in library.items():
        where.setdefault(ident, []).append(tvshowid)
    displaced: Dict[Identity, List[int]] = {}
    for tvshowid, ident in known.items():
        if ident[0] and library.get(tvshowid) != ident:
            displaced.setdefault(ident, []).append(tvshowid)
    moved = {}
    for ident, olds in displaced.items():
        targets = where.get(ident, [])
        if len(olds) == 1 and len(targets) == 1:
            moved[olds[0]] = targets[0]
    return moved


def remap_show_ids(ids: Iterable[int], moved: Mapping[int, int], known: Mapping[int, Identity],
                   library: Mapping[int, Identity]) -> Tuple[int, ...]:
    """A tvshowid list (the `random_order_shows` setting) after a rebuild, sorted.

    Moved ids take their new id; an id whose known show is no longer at it (gone, or another
    show took the id) is dropped, so the choice never lands on a different show; ids this
    device knows nothing about are kept as they are.
    """
    out = set()
    for tvshowid in ids:
        if tvshowid in moved:
            out.add(moved[tvshowid])
        elif tvshowid not in known or library.get(tvshowid) == known[tvshowid]:
            out.add(tvshowid)
    return tuple(sorted(out))


def pick_position(state: Optional[ShowState], ident: Identity) -> Optional[Tuple[int, int]]:
    """(season, episode) of the next episode in `state`, if `state` is the show `ident`.

    A state of another show (the id was reused) gives None, so no pick crosses shows.
    """
    if state is None or show_identity(state.show) != ident:
        return None
    return state.next.season, state.next.episode


def episode_at(episodes: Sequence[Episode], position: Tuple[int, int]) -> Optional[int]:
    """The episodeid of the episode at (season, episode) among `episodes`, or None."""
    for ep in episodes:
        if (ep.season, ep.episode) == position:
            return ep.episodeid
    return None
