"""The shared Kodi library of the fault scenarios (a `FakeLibrary`) and the viewers changing it."""

import datetime
import random
from typing import Dict, List, Optional

from easytv.core import events
from fakes import FakeLibrary
from kodi_shapes import episode, tvshow

from .devices import Device


def make_library(shows: int, seasons: int = 2, per_season: int = 4, first_id: int = 1) -> FakeLibrary:
    """`shows` shows "Show <n>" of `seasons` × `per_season` episodes, none watched."""
    items, eps = [], []
    for n in range(first_id, first_id + shows):
        items.append(tvshow(n, title="Show %d" % n, year=1990 + n % 30))
        for s in range(1, seasons + 1):
            eps += [episode(s, e, tvshowid=n) for e in range(1, per_season + 1)]
    return FakeLibrary(items, eps)


def rebuild(library: FakeLibrary, shift_shows: int, shift_episodes: int) -> None:
    """A library rebuild: every show and episode gets a new id (some reuse old ids of other shows)."""
    library.shows = {i + shift_shows: dict(s, tvshowid=i + shift_shows) for i, s in library.shows.items()}
    library.episodes_by_id = {i + shift_episodes: dict(e, episodeid=i + shift_episodes,
                                                       tvshowid=e["tvshowid"] + shift_shows)
                              for i, e in library.episodes_by_id.items()}


class Viewer:
    """Changes shows in the shared library as users do, and tells the device where it happened,
    which recomputes at once (so every event reflects the library at its time)."""

    def __init__(self, library: FakeLibrary, rng: random.Random) -> None:
        self.library = library
        self.rng = rng
        self.changes = 0
        self._by_show: Dict[int, List[dict]] = {}
        for item in library.episodes_by_id.values():
            self._by_show.setdefault(item["tvshowid"], []).append(item)
        for items in self._by_show.values():
            items.sort(key=lambda e: (e["season"], e["episode"]))
        self._start = datetime.datetime(2026, 12, 1, 20, 0, 0)

    def _stamp(self) -> str:
        self.changes += 1
        return (self._start + datetime.timedelta(seconds=self.changes)).strftime("%Y-%m-%d %H:%M:%S")

    def change(self, device: Device, tvshowid: Optional[int] = None, action: Optional[str] = None,
               step: bool = True) -> str:
        """Watch, half-watch or unwatch an episode of a show (restart a finished one); returns
        the action taken. The device recomputes at once unless `step` is false (a batch)."""
        if tvshowid is None:
            tvshowid = self.rng.choice(sorted(self._by_show))
        items = self._by_show[tvshowid]
        unwatched = [e for e in items if not e["playcount"]]
        watched = [e for e in items if e["playcount"]]
        if action is None:
            roll = self.rng.random()
            action = "watch" if roll < 0.6 else "resume" if roll < 0.8 else "unwatch"
        if not unwatched:
            action = "restart"
        elif action == "unwatch" and not watched:
            action = "watch"
        stamp = self._stamp()
        if action == "restart":
            for item in items:
                item.update(playcount=0, resume={"position": 0.0, "total": 0.0})
            target = items[0]
        elif action == "unwatch":
            target = watched[-1]
            target.update(playcount=0, lastplayed=stamp)
        elif action == "resume":
            target = unwatched[0]
            target.update(lastplayed=stamp, resume={"position": float(self.rng.randint(10, 500)), "total": 600.0})
        else:
            target = unwatched[0]
            target.update(playcount=1, lastplayed=stamp, resume={"position": 0.0, "total": 0.0})
        device.engine.handle(events.EpisodeChanged(target["episodeid"], target["playcount"]))
        if step:
            device.step_engine()
        return action
