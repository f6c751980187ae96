"""Test doubles of EasyTV's own interfaces (never of Kodi's modules)."""

from typing import Dict, Iterator, List, Mapping, Optional, Sequence

from easytv.core.errors import JsonRpcError
from easytv.core.models import Episode, TVShow
from easytv.kodi.library import RULE_PROPERTIES

_LEAN = set(RULE_PROPERTIES) | {"episodeid"}


def _lean(item: Mapping) -> Episode:
    """An episode as a whole-library read returns it: the rule's fields only (no title, plot, art)."""
    return Episode.from_jsonrpc({k: v for k, v in item.items() if k in _LEAN})


class FakeWindow:
    """A `Window`: a dict of string properties that counts writes."""

    def __init__(self) -> None:
        self.props: Dict[str, str] = {}
        self.writes = 0

    def get(self, name: str) -> str:
        return self.props.get(name, "")

    def set(self, name: str, value: str) -> None:
        self.writes += 1
        if value:
            self.props[name] = value
        else:
            self.props.pop(name, None)


class FakeClock:
    """Monotonic seconds that only move when told."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeLibrary:
    """A `Library` over Kodi-shaped dicts; counts calls and can be told to fail."""

    def __init__(self, shows: List[Mapping], episodes: List[Mapping]) -> None:
        self.shows = {s["tvshowid"]: dict(s) for s in shows}
        self.episodes_by_id = {e["episodeid"]: dict(e) for e in episodes}
        self.calls: List[str] = []
        self.fail: Optional[JsonRpcError] = None

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.fail is not None:
            raise self.fail

    def tvshows(self) -> List[TVShow]:
        self._call("tvshows")
        return [TVShow.from_jsonrpc(s) for s in self.shows.values()]

    def tvshow(self, tvshowid: int) -> Optional[TVShow]:
        self._call("tvshow")
        show = self.shows.get(tvshowid)
        return TVShow.from_jsonrpc(show) if show else None

    def episodes(self, tvshowid: Optional[int] = None) -> List[Episode]:
        """Episodes with every field, of one show or of the whole library (the engine reads the
        whole library through `episode_pages`, with the rule's fields only, as from Kodi)."""
        self._call("episodes" if tvshowid is None else "episodes(%d)" % tvshowid)
        return [Episode.from_jsonrpc(e) for e in self.episodes_by_id.values()
                if tvshowid is None or e["tvshowid"] == tvshowid]

    def episode_pages(self, size: int = 5000) -> Iterator[List[Episode]]:
        """Whole-library pages; each records one "episodes" call when it is fetched."""
        start = 0
        while True:
            self._call("episodes")
            items = list(self.episodes_by_id.values())
            yield [_lean(e) for e in items[start:start + size]]
            start += size
            if start >= len(items):
                return

    def episode_details(self, episodeids: Sequence[int]) -> Dict[int, Episode]:
        self._call("episode_details")
        return {i: Episode.from_jsonrpc(self.episodes_by_id[i]) for i in episodeids if i in self.episodes_by_id}

    def episode_tvshowid(self, episodeid: int) -> Optional[int]:
        self._call("episode_tvshowid")
        item = self.episodes_by_id.get(episodeid)
        return item["tvshowid"] if item else None

    def episode_tvshowids(self, episodeids: Sequence[int]) -> Dict[int, int]:
        self._call("episode_tvshowids")
        return {i: self.episodes_by_id[i]["tvshowid"] for i in episodeids if i in self.episodes_by_id}

    # library changes, as Kodi would make them
    def watch(self, episodeid: int, lastplayed: str = "2026-12-01 21:00:00") -> None:
        self.episodes_by_id[episodeid].update(playcount=1, lastplayed=lastplayed,
                                              resume={"position": 0.0, "total": 0.0})


class RecordingStore:
    """A `Store` that records what it was asked to save."""

    name = "local"

    def __init__(self) -> None:
        self.saved: List[list] = []

    def save(self, rows) -> None:
        self.saved.append(list(rows))


class ManualWorker:
    """A syncer worker that runs nothing until told: `run_next()` runs the oldest submitted job
    (an operation "in flight" until then)."""

    def __init__(self) -> None:
        self.jobs: List[tuple] = []
        self.results: List[tuple] = []
        self.stopped = False

    def submit(self, name, fn) -> None:
        self.jobs.append((name, fn))

    def run_next(self) -> str:
        from easytv.app.worker import run_job
        name, fn = self.jobs.pop(0)
        self.results.append(run_job(name, fn))
        return name

    def poll(self):
        return self.results.pop(0) if self.results else None

    def stop(self, timeout: float = 0.5) -> bool:
        self.stopped = True
        return True


def clocked_store(clock):
    """A `MemoryStore` on `clock` whose heads carry the server time (as the MySQL store's do),
    that can be closed (`closed` counts the calls), and that runs `before_write(rows)` (if set)
    at the start of each write (a peer committing in between)."""
    import dataclasses

    from memory_store import MemoryStore

    class ClockedStore(MemoryStore):
        def __init__(self) -> None:
            super().__init__(clock=clock)
            self.closed = 0
            self.before_write = None
            self.writes: List[list] = []

        def head(self):
            return dataclasses.replace(super().head(), server_time=self._clock())

        def write(self, shows, settings=None):
            if self.before_write is not None:
                hook, self.before_write = self.before_write, None
                hook(shows)
            self.writes.append(list(shows))
            return super().write(shows, settings)

        def close(self) -> None:
            self.closed += 1
    return ClockedStore()


class SlowLibrary(FakeLibrary):
    """Each call advances the clock by 0.05 s per record it returns (a big library in Kodi)."""

    def __init__(self, clock, *args):
        super().__init__(*args)
        self.clock = clock

    def tvshows(self):
        found = super().tvshows()
        self.clock.advance(0.05 * len(found))
        return found

    def episode_pages(self, size=5000):
        for page in super().episode_pages(size):
            self.clock.advance(0.05 * len(page))
            yield page

    def episode_details(self, episodeids):
        found = super().episode_details(episodeids)
        self.clock.advance(0.05 * len(found))
        return found


def library_of(shows: int) -> "FakeLibrary":
    """A library of `shows` shows ("Show N", tvshowid N), each with S01E01-S01E03 unwatched."""
    from kodi_shapes import episode, tvshow
    items, eps = [], []
    for n in range(1, shows + 1):
        items.append(tvshow(n, title="Show %d" % n, year=1990 + n % 30))
        eps += [episode(1, e, tvshowid=n) for e in (1, 2, 3)]
    return FakeLibrary(items, eps)
