"""The full recompute's library reads, cut into chunks the engine runs across loop steps.

A whole-library read of a large library (100,000 episodes) is slow in Kodi and
`xbmc.executeJSONRPC` blocks the service loop while it runs, so the read is a generator that
yields after every JSON-RPC call: the episodes with the rule's fields in pages of
`PAGE_EPISODES`, then the display fields of the next episodes only, `DETAIL_BATCH` per
batched call (see `easytv.kodi.library`). `run_slice` advances such a generator until its time
slice is used up, so the loop gets back to `waitForAbort` well within a second.
"""

import dataclasses
from typing import Callable, Dict, Generator, List, Mapping, Optional, Tuple, TypeVar

from easytv.app.interfaces import Library
from easytv.core.models import DISPLAY_FIELDS, Episode, ShowState, TVShow

PAGE_EPISODES = 5000
"""Episodes per whole-library `GetEpisodes` page (rule fields only: about 1 MB of JSON)."""

DETAIL_BATCH = 200
"""Next episodes per batched `GetEpisodeDetails` call (display fields)."""

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


def with_display(state: ShowState, details: Optional[Episode]) -> ShowState:
    """`state` with its next episode's display fields taken from `details` (same episode)."""
    if details is None:
        return state
    return dataclasses.replace(state, next=dataclasses.replace(
        state.next, **{name: getattr(details, name) for name in DISPLAY_FIELDS}))


def add_display(library: Library, states: Mapping[int, ShowState]) -> "Chunks[Dict[int, ShowState]]":
    """`states` with each next episode's display fields (title, plot, art...), fetched in
    batches of `DETAIL_BATCH`. An episode Kodi no longer knows keeps what the rule read."""
    ids = sorted({s.next.episodeid for s in states.values()})
    details: Dict[int, Episode] = {}
    for start in range(0, len(ids), DETAIL_BATCH):
        details.update(library.episode_details(ids[start:start + DETAIL_BATCH]))
        yield
    return {i: with_display(s, details.get(s.next.episodeid)) for i, s in states.items()}
