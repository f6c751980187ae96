"""The engine's sync side, a base class of `easytv.app.engine.Engine`: this device's rows,
and adopting the rows other devices wrote. Not thread-safe: only the service loop calls it."""

import logging
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Set

from easytv.app.interfaces import Store
from easytv.app.rebuild import RebuildFollower
from easytv.core.models import ShowState, TVShow
from easytv.core.plan import reconcile, row_for
from easytv.core.rekey import Identity, identity, show_identity
from easytv.core.settings import Settings
from easytv.core.sync import SharedShow

LOG = logging.getLogger("EasyTV.engine")

SCAN_DEBOUNCE_SECONDS = 2.0
"""Quiet time after the last scan/clean notification before the full recompute (seconds)."""


class RemoteRows:
    """The engine state the sync side works on (set by `Engine.__init__`) and its methods."""

    states: Dict[int, ShowState]
    times: Dict[int, float]
    full_time: float
    full_done: bool
    device_id: str
    store: Store
    _settings: Settings
    _clock: Callable[[], float]
    _shows: Dict[int, TVShow]
    _titles: Dict[int, TVShow]
    _picks: Dict[int, int]
    _full_at: Optional[float]
    _dirty_shows: Set[int]
    _rebuild: RebuildFollower

    def _publish(self, changed: Dict[int, ShowState], removed: Iterable[int], save: bool = True,
                 rendered: Optional[Dict[str, str]] = None) -> None:
        raise NotImplementedError

    def _follow(self, known: Mapping[int, Identity], old_states: Mapping[int, ShowState],
                library: Mapping[int, Identity]) -> Dict[int, int]:
        raise NotImplementedError

    def _row(self, tvshowid: int) -> SharedShow:
        """This device's current row for one show (a tombstone when it has no state)."""
        return row_for(tvshowid, self.states.get(tvshowid), self._titles.get(tvshowid),
                       self.times.get(tvshowid, self.full_time), self.device_id)

    def shift_times(self, delta: float) -> None:
        """Re-express every event time `delta` seconds later (the clock they were taken on
        turned out to be off the shared database server's by that much)."""
        for tvshowid in self.times:
            self.times[tvshowid] += delta
        if self.full_done:
            self.full_time += delta

    def snapshot_rows(self) -> List[SharedShow]:
        """Rows for every tracked show, for populating an empty shared database."""
        return [self._row(i) for i in sorted(self.states)]

    def apply_remote(self, rows: Iterable[SharedShow]) -> int:
        """Adopt rows written by other devices where they are newer than what this device has.

        Updates states, random picks and the window cache; never saves them back. Returns the
        number of shows adopted.
        """
        changed: Dict[int, ShowState] = {}
        removed: Set[int] = set()
        renamed = 0
        for row in rows:
            if row.event_time < self.times.get(row.tvshowid, 0.0) or self.states.get(row.tvshowid) == row.state:
                continue
            self.times[row.tvshowid] = row.event_time
            if row.state is None:
                gone = self.states.pop(row.tvshowid, None)
                if gone is not None:
                    self._rebuild.gone[row.tvshowid] = gone
                    removed.add(row.tvshowid)
            else:
                self.states[row.tvshowid] = row.state
                self._titles[row.tvshowid] = row.state.show
                changed[row.tvshowid] = row.state
                mine = self._shows.get(row.tvshowid)
                if mine is not None and show_identity(mine) != show_identity(row.state.show):
                    renamed += 1
        if changed or removed:
            self._publish(changed, removed, save=False)
        if renamed and self._full_at is None:
            # Another device saw the library under other ids (a rebuild) or a show renamed:
            # this device's snapshot of the library is out of date.
            LOG.info("Shared rows name %d shows differently from this device's library snapshot; "
                     "reading the library again", renamed)
            self._full_at = self._clock() + SCAN_DEBOUNCE_SECONDS
        return len(changed) + len(removed)

    def reconcile(self, rows: Iterable[SharedShow]) -> int:
        """After pulling every shared row: adopt newer ones, push ours where ours are newer,
        and recompute random-order shows whose shared pick is still valid here. Returns the
        number of rows pushed.

        Rows still keyed by the ids of a library since rebuilt are followed to the new ids
        first (their random-order picks and `random_order_shows` entries)."""
        rows = list(rows)
        self._follow({r.tvshowid: identity(r.title, r.year) for r in rows if not r.deleted},
                             {r.tvshowid: r.state for r in rows if r.state is not None},
                             {i: show_identity(s) for i, s in self._shows.items()})
        self._dirty_shows.update(self._rebuild.carry)
        plan = reconcile(self.states, self.times, self.full_time, rows, self._settings.random_order_shows)
        self.apply_remote(plan.adopt)
        for tvshowid, episodeid in plan.repick.items():
            self._picks[tvshowid] = episodeid
            self._dirty_shows.add(tvshowid)
        pushed = [self._row(i) for i in plan.push]
        if pushed:
            self.store.save(pushed)
        return len(pushed)
