"""The next-episode rule (README, "How next is decided"): pure, deterministic given its chooser.

Order: regular episodes (season >= 1) by (season, episode). With positioned specials on, a
special whose `specialsortseason` and `specialsortepisode` are both >= 0 sorts immediately
before episode (specialsortseason, specialsortepisode) — Kodi's "display after season S" is
episode 4096 of S, so it lands after the last episode of S. Every other special is ignored.
"""

from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from easytv.core.models import Episode, ShowState, TVShow

# (season, episode, kind, own episode number); kind 0 = positioned special, 1 = regular, so
# a special sorts immediately before the regular episode it is positioned at.
SortKey = Tuple[int, int, int, int]

Chooser = Callable[[Sequence[Episode]], Episode]
"""Picks one episode of a non-empty sequence (a seeded `random.Random().choice` in the app)."""


def sort_key(episode: Episode) -> SortKey:
    """Rule order of a considered episode (see module docstring)."""
    if episode.season == 0:
        return (episode.specialsortseason, episode.specialsortepisode, 0, episode.episode)
    return (episode.season, episode.episode, 1, episode.episode)


def considered_episodes(episodes: Iterable[Episode], include_positioned_specials: bool) -> List[Episode]:
    """The episodes the rule looks at, in rule order (README, "How next is decided").

    Drops episodes with an empty `file`, unpositioned specials, and — when
    `include_positioned_specials` is off — every special; of the episodes that share one
    `file` (a multi-episode file) keeps only the first in rule order.
    """
    kept = []
    for ep in episodes:
        if not ep.file:
            continue
        if ep.season == 0 and not (include_positioned_specials and ep.is_positioned):
            continue
        if ep.season < 0:
            continue
        kept.append(ep)
    kept.sort(key=lambda e: (sort_key(e), e.episodeid))
    seen_files = set()
    ordered = []
    for ep in kept:
        if ep.file in seen_files:
            continue
        seen_files.add(ep.file)
        ordered.append(ep)
    return ordered


def reference_key(ordered: Sequence[Episode]) -> SortKey:
    """Sort key of the reference point: the highest watched regular episode, else (1, 0)."""
    watched = [sort_key(e) for e in ordered if e.watched and e.season >= 1]
    return max(watched) if watched else (1, 0, 1, 0)


def next_episode(
    show: TVShow,
    episodes: Iterable[Episode],
    include_positioned_specials: bool = False,
    random_order: bool = False,
    previous_pick: Optional[int] = None,
    choose: Optional[Chooser] = None,
) -> Optional[ShowState]:
    """Apply README, "How next is decided" to one show; return its `ShowState`, or None when the show is finished.

    `episodes`: every episode of the show (any order). `previous_pick`: the episodeid picked
    earlier for a random-order show; it is kept while it is still unwatched and considered.
    `choose` is required when `random_order` is true (raises `ValueError` otherwise).
    """
    episodes = list(episodes)
    ordered = considered_episodes(episodes, include_positioned_specials)
    ref = reference_key(ordered)
    upcoming = [e for e in ordered if not e.watched and sort_key(e) > ref]
    skipped = [e for e in ordered if not e.watched and sort_key(e) <= ref]
    if not upcoming and not skipped:
        return None
    if random_order:
        candidates = upcoming + skipped
        by_id: Dict[int, Episode] = {e.episodeid: e for e in candidates}
        if previous_pick is not None and previous_pick in by_id:
            chosen = by_id[previous_pick]
        else:
            if choose is None:
                raise ValueError("a random-order show needs a chooser")
            chosen = choose(sorted(candidates, key=sort_key))
        is_skipped = False
    elif upcoming:
        chosen, is_skipped = upcoming[0], False
    else:
        chosen, is_skipped = skipped[0], True
    count_watched = sum(1 for e in ordered if e.watched)
    # Kodi's lastplayed of a show is the latest of all its episodes (ignored specials too).
    lastplayed = max([show.lastplayed] + [e.lastplayed for e in episodes])
    return ShowState(
        show=show,
        next=chosen,
        is_skipped=is_skipped,
        upcoming=tuple(e.episodeid for e in upcoming),
        skipped=tuple(e.episodeid for e in skipped),
        count_watched=count_watched,
        count_unwatched=len(ordered) - count_watched,
        lastplayed=lastplayed,
        in_progress=count_watched > 0 or chosen.resume_position > 0,
    )


def next_episodes(
    shows: Iterable[TVShow],
    episodes: Iterable[Episode],
    include_positioned_specials: bool = False,
    random_order_shows: Iterable[int] = (),
    previous_picks: Optional[Dict[int, int]] = None,
    choose: Optional[Chooser] = None,
) -> Dict[int, ShowState]:
    """Apply the rule to a whole library: `{tvshowid: ShowState}` for every unfinished show.

    `episodes` may be the whole library's episodes (one `GetEpisodes` call); episodes of shows
    not in `shows` are ignored. `previous_picks` maps tvshowid to a kept random pick.
    """
    by_show: Dict[int, List[Episode]] = {}
    for ep in episodes:
        by_show.setdefault(ep.tvshowid, []).append(ep)
    random_ids = set(random_order_shows)
    picks = previous_picks or {}
    states = {}
    for show in shows:
        state = next_episode(
            show,
            by_show.get(show.tvshowid, ()),
            include_positioned_specials=include_positioned_specials,
            random_order=show.tvshowid in random_ids,
            previous_pick=picks.get(show.tvshowid),
            choose=choose,
        )
        if state is not None:
            states[show.tvshowid] = state
    return states
