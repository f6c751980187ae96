"""A library rebuild under a populated shared database."""

import time
from dataclasses import dataclass, field
from typing import List

from easytv.app.engine import SCAN_DEBOUNCE_SECONDS
from easytv.core import events
from fakes import FakeClock

from .checks import Audit, audit
from .library import make_library, rebuild
from .rig import FaultServer
from .world import world

# -- 6. library rebuild ----------------------------------------------------------------------

@dataclass
class RebuildReport:
    shows: int = 0
    seconds: float = 0.0
    writes: int = 0
    rows_written: int = 0
    round_trips: int = 0
    commits: int = 0
    live_match: bool = False
    tombstones: int = 0
    failures: List[str] = field(default_factory=list)
    audit: Audit = field(default_factory=Audit)


def library_rebuild(server: FaultServer, shows: int, seed: int = 6) -> RebuildReport:
    """A populated database; then the library is rebuilt: every show gets a new tvshowid, half
    of them ids that named other shows before. The write after the full recompute is measured."""
    report = RebuildReport(shows=shows)
    clock = FakeClock()
    library = make_library(shows, seasons=1, per_season=3)
    with world(server, ["living"], library, seed, inline=True, clock=clock) as w:
        living = w.devices[0]
        loop = w.loop(during=lambda: clock.advance(0.05))
        loop.until(w.settled, 120, "population")
        for tvshowid in range(1, shows + 1, 3):
            w.viewer.change(living, tvshowid=tvshowid, action="watch", step=False)
        living.step_engine()
        loop.until(w.settled, 60, "changes written")
        shift = shows // 2
        rebuild(library, shift_shows=shift, shift_episodes=10 ** 8)
        mark = len(living.ops)
        living.engine.handle(events.LibraryChanged("VideoLibrary.OnScanFinished"))
        started = time.monotonic()
        clock.advance(SCAN_DEBOUNCE_SECONDS)
        loop.until(w.settled, 120, "rebuild written")
        report.seconds = time.monotonic() - started
        writes = [op for op in living.ops[mark:] if op.name == "write"]
        report.writes = len(writes)
        report.failures = [str(op.error) for op in living.ops[mark:] if op.error is not None]
        if writes:
            report.rows_written = writes[0].rows
            report.round_trips, report.commits = writes[0].round_trips, writes[0].commits
        _, rows = audit(w.observer, w.log, w.devices, None, report.audit, w.library)
        live = {i: r.title for i, r in rows.items() if not r.deleted}
        report.live_match = live == {i: s["title"] for i, s in library.shows.items()}
        report.tombstones = sum(1 for r in rows.values() if r.deleted)
    return report
