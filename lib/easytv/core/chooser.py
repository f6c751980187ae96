"""Pure chooser and random-mix logic over cached show entries (no clock, no I/O).

An entry is one show's cached fields, `{Field: value}` as `easytv.app.widget.read_list` returns
them (the window-property contract in the README: `TVShowID`, `TVShowTitle`, `EpisodeID`,
`EpisodeNo`, `CountWatchedEps`, `CountUnwatchedEps`, `LastPlayed`, `ResumeSeconds`, ...).
"""

import random
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

Entry = Mapping[str, str]

SORT_LAST_PLAYED = 0
SORT_TITLE = 1
SORT_UNWATCHED = 2
SORT_DATE_ADDED = 3
SORT_RANDOM = 4
SORT_ORDERS = (SORT_LAST_PLAYED, SORT_TITLE, SORT_UNWATCHED, SORT_DATE_ADDED, SORT_RANDOM)

MAX_RUN = 3
"""With `mix_multiple_episodes` on, the most episodes one show contributes to a mix in a row."""


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def filter_shows(entries: Sequence[Entry], show_filter: Sequence[int]) -> List[Entry]:
    """The entries whose `TVShowID` is in `show_filter`; every entry when the filter is empty."""
    if not show_filter:
        return list(entries)
    wanted = set(show_filter)
    return [e for e in entries if _int(e.get("TVShowID", "")) in wanted]


def sort_entries(entries: Sequence[Entry], sort_by: int, reverse: bool, limit: int,
                 rng: random.Random) -> List[Entry]:
    """The chooser's rows: `entries` ordered by `sort_by`, reversed when `reverse`, then the
    first `limit` (0 = all).

    Orders: `SORT_LAST_PLAYED` most recently played show first (`LastPlayed`, Kodi's
    "YYYY-MM-DD HH:MM:SS" sorts as text); `SORT_TITLE` show title A-Z, case-insensitive;
    `SORT_UNWATCHED` fewest unwatched episodes left first (`CountUnwatchedEps`);
    `SORT_DATE_ADDED` newest show first (by tvshowid: the cache has no date added for
    in-progress shows, and Kodi numbers shows in the order it adds them); `SORT_RANDOM`
    shuffled with `rng`. Ties keep the input order. An unknown `sort_by` keeps the input order.
    """
    rows = list(entries)
    if sort_by == SORT_LAST_PLAYED:
        rows.sort(key=lambda e: e.get("LastPlayed", ""), reverse=True)
    elif sort_by == SORT_TITLE:
        rows.sort(key=lambda e: e.get("TVShowTitle", "").casefold())
    elif sort_by == SORT_UNWATCHED:
        rows.sort(key=lambda e: _int(e.get("CountUnwatchedEps", "")))
    elif sort_by == SORT_DATE_ADDED:
        rows.sort(key=lambda e: _int(e.get("TVShowID", "")), reverse=True)
    elif sort_by == SORT_RANDOM:
        rng.shuffle(rows)
    if reverse:
        rows.reverse()
    return rows[:limit] if limit > 0 else rows


def progress(entry: Entry) -> Tuple[int, int]:
    """A show's progress as `(watched, total)` episodes, from `CountWatchedEps` and
    `CountUnwatchedEps` (total = both)."""
    watched = _int(entry.get("CountWatchedEps", ""))
    return watched, watched + _int(entry.get("CountUnwatchedEps", ""))


def clock_text(seconds: int) -> str:
    """Seconds as Kodi shows a time: "4:05", or "1:02:03" from an hour on."""
    seconds = max(0, seconds)
    hours, rest = divmod(seconds, 3600)
    return "%d:%02d:%02d" % (hours, rest // 60, rest % 60) if hours else "%d:%02d" % (rest // 60, rest % 60)


def row_text(entry: Entry, resume_format: str) -> Tuple[str, str]:
    """One chooser row as `(label, detail)`: "Show - S01E02 - Title" and "1/10 watched", with
    `resume_format % "m:ss"` appended when the episode has a resume point (`ResumeSeconds` > 0)."""
    watched, total = progress(entry)
    label = "%s - %s - %s" % (entry.get("TVShowTitle", ""), entry.get("EpisodeNo", ""), entry.get("Title", ""))
    detail = "%d/%d" % (watched, total)
    resume = _int(entry.get("ResumeSeconds", ""))
    if resume > 0:
        detail += "  ·  " + resume_format % clock_text(resume)
    return label, detail


def allocate_mix(entries: Sequence[Entry], length: int, multiple: bool, random_shows: Sequence[int],
                 rng: random.Random) -> List[Tuple[int, int]]:
    """Plan a random mix of at most `length` episodes as `[(tvshowid, count), ...]` in play order.

    Each show appears once, as a block of `count` consecutive episodes starting at its cached
    next episode, so a show is never out of order. Without `multiple` every count is 1; with it
    a show may contribute up to `MAX_RUN` episodes, no more than its `CountUnwatchedEps`, and
    random-order shows (`random_shows`) contribute only their pick. Shows and block order are
    drawn with `rng`; fewer episodes than `length` when the shows have fewer.
    """
    capacity: Dict[int, int] = {}
    for entry in entries:
        tvshowid = _int(entry.get("TVShowID", ""))
        if tvshowid <= 0 or tvshowid in capacity:
            continue
        most = 1
        if multiple and tvshowid not in set(random_shows):
            most = max(1, min(MAX_RUN, _int(entry.get("CountUnwatchedEps", ""))))
        capacity[tvshowid] = most
    counts: Dict[int, int] = {}
    order: List[int] = []
    for _ in range(max(0, length)):
        open_shows = sorted(i for i, most in capacity.items() if counts.get(i, 0) < most)
        if not open_shows:
            break
        if not multiple or not order:
            fresh = [i for i in open_shows if i not in counts]
            pool = fresh or open_shows
        else:
            pool = open_shows
        chosen = rng.choice(pool)
        if chosen not in counts:
            order.append(chosen)
        counts[chosen] = counts.get(chosen, 0) + 1
    rng.shuffle(order)
    return [(i, counts[i]) for i in order]


def following(episodes: Sequence[Mapping[str, object]], next_episodeid: int, count: int) -> List[int]:
    """The episodeids of a show's cached next episode and the unwatched ones after it, `count`
    in all, from `VideoLibrary.GetEpisodes` records (`episodeid`, `season`, `episode`,
    `playcount`) in (season, episode) order; specials (season 0) are left out. Only the next
    episode when it is not among the records."""
    ordered = sorted((e for e in episodes if _int(str(e.get("season", 0))) > 0),
                     key=lambda e: (_int(str(e.get("season", 0))), _int(str(e.get("episode", 0)))))
    ids = [_int(str(e.get("episodeid", 0))) for e in ordered]
    if next_episodeid not in ids:
        return [next_episodeid]
    start = ids.index(next_episodeid)
    run = [next_episodeid]
    for record in ordered[start + 1:]:
        if len(run) >= count:
            break
        if _int(str(record.get("playcount", 0))) == 0:
            run.append(_int(str(record.get("episodeid", 0))))
    return run


def mix_pool(in_progress: Sequence[Entry], unstarted: Sequence[Entry], with_unstarted: bool,
             show_filter: Sequence[int]) -> List[Entry]:
    """The shows a mix draws from: in-progress shows, plus unstarted ones when `with_unstarted`,
    limited to `show_filter` (empty = all)."""
    pool = list(in_progress) + (list(unstarted) if with_unstarted else [])
    return filter_shows(pool, show_filter)


def find_entry(entries: Sequence[Entry], tvshowid: int) -> Optional[Entry]:
    """The entry of `tvshowid`, or None."""
    return next((e for e in entries if _int(e.get("TVShowID", "")) == tvshowid), None)
