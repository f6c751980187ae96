"""Sync planning, pure: what to adopt from the shared rows and what to push to them.

Both sides describe the same shows: the local side as `{tvshowid: ShowState}` plus the time
(seconds since the epoch) each state was computed, the shared side as rows. For every show the
newer event wins (the conflict rule, README, "Multi-instance sync"); equal content needs nothing. A show absent on
one side counts as a tombstone there.
"""

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional

from easytv.core.models import ShowState, TVShow
from easytv.core.rekey import show_identity
from easytv.core.sync import SharedShow


@dataclass
class Plan:
    """The outcome of `reconcile`.

    `adopt`: rows to apply to the local cache (remote is newer). `push`: tvshowids whose
    local state (or tombstone) should be written. `repick`: random-order shows whose shared
    pick is still a valid candidate locally: recompute them with that pick (tvshowid → episodeid).
    A pick is only taken from a row of the same show (title and year): after a library rebuild
    the same tvshowid may name another show.
    """

    adopt: List[SharedShow] = field(default_factory=list)
    push: List[int] = field(default_factory=list)
    repick: Dict[int, int] = field(default_factory=dict)


def row_for(tvshowid: int, state: Optional[ShowState], show: Optional[TVShow], event_time: float,
            device_id: str) -> SharedShow:
    """A row to write: a show's state, or a tombstone (`state` None) named after `show` if known."""
    if state is not None:
        show = state.show
    title = show.title if show is not None else ""
    year = show.year if show is not None else 0
    return SharedShow(tvshowid, title, year, state, event_time, device_id)


def reconcile(local: Mapping[int, ShowState], local_times: Mapping[int, float], default_time: float,
              rows: Iterable[SharedShow], random_order_shows: Iterable[int] = ()) -> Plan:
    """Compare local states with shared rows (e.g. after the first pull, or a full recompute).

    `local_times[tvshowid]` is when that state was computed; shows without an entry (including
    shows absent locally) use `default_time`, the time of the last full library pass.
    """
    plan = Plan()
    random_ids = set(random_order_shows)
    seen = set()
    for row in rows:
        seen.add(row.tvshowid)
        mine = local.get(row.tvshowid)
        if mine == row.state:
            continue
        my_time = local_times.get(row.tvshowid, default_time)
        if row.event_time > my_time:
            plan.adopt.append(row)
            continue
        if (row.tvshowid in random_ids and mine is not None and row.state is not None
                and show_identity(row.state.show) == show_identity(mine.show)
                and row.state.next.episodeid != mine.next.episodeid
                and row.state.next.episodeid in mine.upcoming + mine.skipped):
            plan.repick[row.tvshowid] = row.state.next.episodeid
            continue
        if mine is None and row.deleted:
            continue
        plan.push.append(row.tvshowid)
    plan.push.extend(sorted(set(local) - seen))
    return plan
