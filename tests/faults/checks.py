"""What the fault suite asserts about the shared database, read by the admin with plain SQL.

`audit()` checks that each row is whole (its `state` parses and agrees with the row's own
columns, its revision is not above the database's); that it holds the state of the newest event
any device produced for that show (the `EventLog`), stamped no earlier than the last event with
another state; given the library, that it holds what the library says now (a row behind the
library is a show moved backwards); and that every device's cache equals the rows. `Watch`
remembers each row's event time across observations: a row whose event time went down moved
backwards; a row that vanished was lost.
"""

import dataclasses
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

import pymysql

from easytv.core.codec import state_from_json
from easytv.core.errors import MalformedRecord
from easytv.core.models import ShowState
from easytv.core.rule import next_episodes
from fakes import FakeLibrary

from .devices import Device, EventLog
from .rig import SHARED_DATABASE, FaultServer

COLUMNS = "tvshowid, title, deleted, revision, event_time, episodeid, season, episode, in_progress, state"


@dataclass
class Row:
    """One `shows` row as stored."""

    tvshowid: int
    title: str
    deleted: bool
    revision: int
    event_time: float
    episodeid: Optional[int]
    season: Optional[int]
    episode: Optional[int]
    in_progress: bool
    state_json: Optional[str]
    state: Optional[ShowState] = None


class Observer:
    """An admin connection kept open between reads (re-opened after a server restart)."""

    def __init__(self, server: FaultServer) -> None:
        self.server = server
        self._conn: Optional[pymysql.connections.Connection] = None

    def _query(self, sql: str) -> List[tuple]:
        for attempt in (1, 2):
            try:
                if self._conn is None:
                    self._conn = self.server.admin()
                with self._conn.cursor() as cursor:
                    cursor.execute(sql)
                    return list(cursor.fetchall())
            except pymysql.err.MySQLError:
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def revision(self) -> Optional[int]:
        """The shared revision, or None while there is no shared database (or no server)."""
        try:
            rows = self._query("SELECT value FROM `%s`.meta WHERE name = 'revision'" % SHARED_DATABASE)
        except pymysql.err.MySQLError:
            return None
        return int(rows[0][0]) if rows else None

    def meta(self) -> Dict[str, str]:
        return dict(self._query("SELECT name, value FROM `%s`.meta" % SHARED_DATABASE))

    def rows(self) -> Dict[int, Row]:
        found = self._query("SELECT %s FROM `%s`.shows" % (COLUMNS, SHARED_DATABASE))
        return {int(r[0]): Row(int(r[0]), r[1], bool(r[2]), int(r[3]), float(r[4]), r[5], r[6], r[7], bool(r[8]),
                               r[9]) for r in found}

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - a dead connection is closed anyway
                pass


def whole(row: Row, revision: int) -> Optional[str]:
    """None when the row is whole; otherwise what is wrong with it (and `row.state` is parsed)."""
    if not 1 <= row.revision <= revision:
        return "revision %d outside 1..%d" % (row.revision, revision)
    if row.deleted:
        if row.state_json is not None or row.episodeid is not None:
            return "tombstone with a state"
        return None
    try:
        row.state = state_from_json(row.state_json)
    except MalformedRecord as exc:
        return "state does not parse: %s" % exc
    nxt = row.state.next
    if (row.state.show.tvshowid, nxt.episodeid, nxt.season, nxt.episode, row.state.in_progress) != (
            row.tvshowid, row.episodeid, row.season, row.episode, row.in_progress):
        return "columns disagree with the state"
    if row.title != row.state.show.title:
        return "title disagrees with the state"
    return None


@dataclass
class Audit:
    """Outcome of comparing the shared rows with the events and the devices."""

    rows_checked: int = 0
    rows_lost: int = 0
    backward_moves: int = 0
    partial_rows: int = 0
    wrong_rows: int = 0
    diverged: int = 0
    problems: List[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.rows_lost or self.backward_moves or self.partial_rows or self.wrong_rows or self.diverged)

    def note(self, text: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(text)


class Watch:
    """Event time of every row across observations (backward moves, vanished rows)."""

    def __init__(self) -> None:
        self.seen: Dict[int, float] = {}
        self.observations = 0
        self.rows_checked = 0

    def observe(self, rows: Dict[int, Row], audit: Audit) -> None:
        self.observations += 1
        self.rows_checked += len(rows)
        for tvshowid, before in self.seen.items():
            row = rows.get(tvshowid)
            if row is None:
                audit.rows_lost += 1
                audit.note("show %d: row vanished" % tvshowid)
            elif row.event_time < before:
                audit.backward_moves += 1
                audit.note("show %d: event time went back %.3f -> %.3f" % (tvshowid, before, row.event_time))
        for tvshowid, row in rows.items():
            self.seen[tvshowid] = max(row.event_time, self.seen.get(tvshowid, row.event_time))


def library_truth(library: FakeLibrary, random_order_shows: Iterable[int] = (),
                  picks: Optional[Dict[int, int]] = None) -> Dict[int, ShowState]:
    """Every show's state computed afresh from the library now (as the engine computes it).

    Random-order shows keep the pick given in `picks` (tvshowid -> episodeid) when it is still
    a candidate; a show whose pick is not gets no state (so it differs from any row)."""
    shows = [dataclasses.replace(s, lastplayed="") for s in library.tvshows()]
    unknown = set()

    def no_valid_pick(candidates):
        unknown.add(candidates[0].tvshowid)
        return candidates[0]
    states = next_episodes(shows, library.episodes(), random_order_shows=random_order_shows,
                           previous_picks=picks or {}, choose=no_valid_pick)
    return {i: s for i, s in states.items() if i not in unknown}


def audit(observer: Observer, log: EventLog, devices: Iterable[Device], watch: Optional[Watch] = None,
          audit_into: Optional[Audit] = None, library: Optional[FakeLibrary] = None,
          random_order_shows: Iterable[int] = ()) -> Tuple[Audit, Dict[int, Row]]:
    """Compare the shared rows with the newest events, with the library (when given: every row
    must hold what the library says now, else the show is behind, i.e. moved backwards; the
    picks of `random_order_shows` are taken from the rows) and with every device's cache."""
    result = audit_into or Audit()
    revision = int(observer.meta()["revision"])
    rows = observer.rows()
    if watch is not None:
        watch.observe(rows, result)
    for row in rows.values():
        problem = whole(row, revision)
        if problem is not None:
            result.partial_rows += 1
            result.note("show %d: %s" % (row.tvshowid, problem))
    newest = log.newest()
    latest_other = log.latest_different()
    result.rows_checked += len(newest)
    for tvshowid in sorted(set(rows) - set(newest)):
        result.wrong_rows += 1
        result.note("show %d: a row no device produced" % tvshowid)
    for tvshowid, event in sorted(newest.items()):
        # The row must hold the newest event's state; its time may be that of an earlier event
        # with the same state (a device whose recompute changed nothing does not rewrite it),
        # but never older than an event with another state.
        row = rows.get(tvshowid)
        if row is None or row.state != event.state or row.event_time < latest_other.get(tvshowid, 0.0):
            result.rows_lost += 1
            result.note("show %d: newest event %.3f by %s not stored (row: %s)" % (
                tvshowid, event.event_time, event.device, None if row is None else "%.3f" % row.event_time))
        elif row.event_time > event.event_time:
            result.wrong_rows += 1
            result.note("show %d: row time %.3f newer than any event" % (tvshowid, row.event_time))
    if library is not None:
        picks = {i: r.episodeid for i, r in rows.items() if i in set(random_order_shows) and r.episodeid}
        truth = library_truth(library, random_order_shows, picks)
        for tvshowid, row in sorted(rows.items()):
            if truth.get(tvshowid) != row.state:
                result.backward_moves += 1
                result.note("show %d: the row is behind the library" % tvshowid)
    for device in devices:
        for tvshowid, row in rows.items():
            if device.engine.states.get(tvshowid) != row.state:
                result.diverged += 1
                result.note("%s: cache of show %d differs from the shared row" % (device.name, tvshowid))
    return result, rows
