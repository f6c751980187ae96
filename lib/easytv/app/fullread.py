"""The full recompute's library reads, cut into chunks the engine runs across loop steps.

A whole-library read of a large library (100,000 episodes) is slow in Kodi and
`xbmc.executeJSONRPC` blocks the service loop while it runs, so the read is a generator that
yields after every JSON-RPC call: the episodes with the rule's fields in pages of
`PAGE_EPISODES`, then the display fields of the next episodes only, `DETAIL_BATCH` per
batched call (see `easytv.kodi.library`). `run_slice` advances such a generator until its time
slice is used up, so the loop gets back to `waitForAbort` well within a second.
"""

import dataclasses
from typing import Callable, Container, Dict, Generator, Iterable, List, Mapping, Optional, Tuple, TypeVar

from easytv.app.interfaces import Library
from easytv.core import properties
from easytv.core.models import DISPLAY_FIELDS, Episode, ShowState, TVShow
from easytv.core.rule import Chooser, next_episode

PAGE_EPISODES = 5000
"""Episodes per whole-library `GetEpisodes` page (rule fields only: about 1 MB of JSON)."""

DETAIL_BATCH = 200
"""Next episodes per batched `GetEpisodeDetails` call (display fields)."""

RULE_CHUNK = 500
"""Shows per chunk of the whole-library rule."""

SLICE_SECONDS = 0.3
"""Longest a step keeps advancing a chunked read before returning to the loop (seconds); one
chunk may overrun it by its own duration."""

T = TypeVar("T")
Chunks = Generator[None, None, T]
"""A chunked job: yields between chunks, returns its result."""


def run_slice(job: "Chunks[T]", clock: Callable[[], float], seconds: float = SLICE_SECONDS) -> Tuple[bool, Optional[T]]:
    """Advance `job` chunk by chunk until it finishes or `seconds` of `clock` (monotonic
    seconds) have passed. Returns `(True, result)` once finished, else `(False, None)`; an
    exception of the job propagates."""
    deadline = clock() + seconds
    while True:
        try:
            next(job)
        except StopIteration as stop:
            return True, stop.value
        if clock() >= deadline:
            return False, None


def read_library(library: Library) -> "Chunks[Tuple[List[TVShow], List[Episode]]]":
    """Every show, then every episode with the rule's fields (page by page; an episode met
    twice, as a paged read of a changing library can, is kept once)."""
    shows = library.tvshows()
    yield
    episodes: Dict[int, Episode] = {}
    for page in library.episode_pages(PAGE_EPISODES):
        for episode in page:
            episodes[episode.episodeid] = episode
        yield
    return shows, list(episodes.values())


def compute_states(shows: List[TVShow], episodes: List[Episode], include_positioned_specials: bool,
                   random_order_shows: Container[int], picks: Mapping[int, int],
                   choose: Chooser) -> "Chunks[Dict[int, ShowState]]":
    """`easytv.core.rule.next_episodes` in chunks of `RULE_CHUNK` shows: `{tvshowid: state}`
    for every unfinished show; `picks` maps tvshowid to a kept random pick."""
    by_show: Dict[int, List[Episode]] = {}
    for ep in episodes:
        by_show.setdefault(ep.tvshowid, []).append(ep)
    yield
    states: Dict[int, ShowState] = {}
    for n, show in enumerate(shows, 1):
        state = next_episode(show, by_show.get(show.tvshowid, ()),
                             include_positioned_specials=include_positioned_specials,
                             random_order=show.tvshowid in random_order_shows,
                             previous_pick=picks.get(show.tvshowid), choose=choose)
        if state is not None:
            states[show.tvshowid] = state
        if n % RULE_CHUNK == 0:
            yield
    return states


def with_display(state: ShowState, details: Optional[Episode]) -> ShowState:
    """`state` with its next episode's display fields taken from `details` (same episode)."""
    if details is None:
        return state
    return dataclasses.replace(state, next=dataclasses.replace(
        state.next, **{name: getattr(details, name) for name in DISPLAY_FIELDS}))


def add_display(library: Library, states: Mapping[int, ShowState]) -> "Chunks[Dict[int, ShowState]]":
    """`states` with each next episode's display fields (title, plot, art...), fetched in
    batches of `DETAIL_BATCH`. An episode Kodi no longer knows keeps what the rule read."""
    result = dict(states)
    show_of = {s.next.episodeid: i for i, s in states.items()}
    ids = sorted(show_of)
    for start in range(0, len(ids), DETAIL_BATCH):
        for episodeid, details in library.episode_details(ids[start:start + DETAIL_BATCH]).items():
            tvshowid = show_of.get(episodeid)
            if tvshowid is not None:
                result[tvshowid] = with_display(result[tvshowid], details)
        yield
    return result


def render_shows(states: Mapping[int, ShowState]) -> "Chunks[Dict[str, str]]":
    """Every show's window properties (`easytv.core.properties.show_properties`), `RULE_CHUNK`
    shows per chunk."""
    rendered: Dict[str, str] = {}
    for n, state in enumerate(states.values(), 1):
        rendered.update(properties.show_properties(state))
        if n % RULE_CHUNK == 0:
            yield
    return rendered


def keep_adopted(states: Dict[int, ShowState], rendered: Dict[str, str], current: Mapping[int, ShowState],
                 tvshowids: Iterable[int]) -> None:
    """Put the `current` state (or absence) of each of `tvshowids` into `states` and `rendered`
    (shows adopted from other devices while a full read ran: newer than its snapshot)."""
    for tvshowid in tvshowids:
        for field in properties.FIELDS:
            rendered.pop(properties.show_key(tvshowid, field), None)
        state = current.get(tvshowid)
        if state is None:
            states.pop(tvshowid, None)
        else:
            states[tvshowid] = state
            rendered.update(properties.show_properties(state))
