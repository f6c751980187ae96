"""The local cache: the rendered properties mirrored into a window, writing only the diff.

`replace(states)` makes the window hold the whole cache (start, library scan: O(N));
`update(shows)` rewrites only the given shows and the id lists (a play, a pulled change:
O(k) rendering and writing). `EasyTV.Revision` is `<run>.<count>`: a random id of this run
of the service and a counter of the writes that changed the cache (counting on from the
revision an earlier run left in the window), so it changes with every content change, also
across service restarts, without a digest of the whole cache.
"""

import binascii
import os
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

from easytv.app.interfaces import Window
from easytv.core import properties
from easytv.core.models import ShowState

_LISTS = (properties.SHOW_IDS, properties.FRESH_IDS)


def _run_id() -> str:
    return binascii.hexlify(os.urandom(4)).decode("ascii")


class WindowCache:
    """The rendered cache mirrored into home-window properties, writing only what changed.

    Not thread-safe: only the service loop writes it. `run_id` (default: 8 random hex
    digits) prefixes `EasyTV.Revision`.
    """

    def __init__(self, window: Window, run_id: Optional[str] = None) -> None:
        self._window = window
        self._current: Dict[str, str] = {}
        self._lists = properties.ShowLists()
        self._run_id = run_id or _run_id()
        self._count = 0
        self._revision = ""

    def load_previous(self) -> Dict[str, str]:
        """Read what an earlier run of the service left (its tracked shows), so it can be diffed."""
        ids = properties.parse_ids(self._window.get(properties.SHOW_IDS))
        ids += properties.parse_ids(self._window.get(properties.FRESH_IDS))
        current = {name: self._window.get(name) for name in _LISTS}
        for tvshowid in ids:
            for field in properties.FIELDS:
                key = properties.show_key(tvshowid, field)
                current[key] = self._window.get(key)
        self._current = {k: v for k, v in current.items() if v}
        self._revision = self._window.get(properties.REVISION)
        # Count on from the earlier run's revision: with the new run id, no restart reuses one.
        count = self._revision.rpartition(".")[2]
        if count.isdigit():
            self._count = max(self._count, int(count))
        previous = dict(self._current)
        if self._revision:
            previous[properties.REVISION] = self._revision
        return previous

    @property
    def revision(self) -> str:
        """The `EasyTV.Revision` value last written ("" before any)."""
        return self._revision

    def replace(self, states: Mapping[int, ShowState], rendered: Optional[Mapping[str, str]] = None) -> int:
        """Make the window hold exactly the cache of `states` (O(N)); return properties written.

        `rendered`: the shows' properties if already rendered (`properties.render_shows`)."""
        self._lists = properties.ShowLists(states.values())
        rendered = dict(properties.render_shows(states) if rendered is None else rendered)
        rendered[properties.SHOW_IDS] = self._lists.show_ids()
        rendered[properties.FRESH_IDS] = self._lists.fresh_ids()
        changes = properties.diff(self._current, rendered)
        self._current = {k: v for k, v in rendered.items() if v}
        return self._write(list(changes.set.items()), changes.clear)

    def update(self, shows: Mapping[int, Optional[ShowState]]) -> int:
        """Rewrite only the given shows (`None`: the show left the cache) and the id lists.

        Cost grows with `len(shows)`, not with the cache. Returns properties written.
        """
        sets: List[Tuple[str, str]] = []
        clears: List[str] = []
        for tvshowid, state in shows.items():
            if state is None:
                self._lists.remove(tvshowid)
                rendered: Dict[str, str] = {}
            else:
                self._lists.put(state)
                rendered = properties.show_properties(state)
            for field in properties.FIELDS:
                key = properties.show_key(tvshowid, field)
                value = rendered.get(key, "")
                if value == self._current.get(key, ""):
                    continue
                if value:
                    sets.append((key, value))
                    self._current[key] = value
                else:
                    clears.append(key)
                    del self._current[key]
        for name, value in ((properties.SHOW_IDS, self._lists.show_ids()),
                            (properties.FRESH_IDS, self._lists.fresh_ids())):
            if value != self._current.get(name, ""):
                sets.append((name, value))
                if value:
                    self._current[name] = value
                else:
                    self._current.pop(name, None)
        return self._write(sets, sorted(clears))

    def _write(self, sets: Iterable[Tuple[str, str]], clears: Iterable[str]) -> int:
        # Order for readers running concurrently (widgets): a show's fields before the id
        # lists that name it, clears after the lists stop naming them, the revision last.
        written = 0
        late = []
        for name, value in sets:
            if name in _LISTS:
                late.append((name, value))
            else:
                self._window.set(name, value)
                written += 1
        for name, value in late:
            self._window.set(name, value)
            written += 1
        for name in clears:
            self._window.set(name, "")
            written += 1
        if written:
            self._count += 1
            self._revision = "%s.%d" % (self._run_id, self._count)
            self._window.set(properties.REVISION, self._revision)
        return written

    def set_status(self, name: str, value: str) -> None:
        """Set a status property (`EasyTV.Storage`, `EasyTV.Service`) outside the diffed cache."""
        self._window.set(name, value)
