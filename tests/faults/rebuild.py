"""A library rebuild under a populated shared database."""

import time
from dataclasses import dataclass, field
from typing import List

from easytv.app.engine import SCAN_DEBOUNCE_SECONDS
from easytv.core import events
from easytv.core.settings import Settings, format_show_ids
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
    followed: int = 0        # shows the rebuilding device logged as followed to new tvshowids
    random_shows: int = 0    # random-order shows among them
    picks_kept: int = 0      # ... whose random pick is the same episode (season, episode) afterwards
    setting_rekeyed: bool = False  # the shared random_order_shows names the new tvshowids
    failures: List[str] = field(default_factory=list)
    audit: Audit = field(default_factory=Audit)


def library_rebuild(server: FaultServer, shows: int, seed: int = 6) -> RebuildReport:
    """A populated database shared by two devices, every 7th show in random order; then the
    library is rebuilt: every show gets a new tvshowid, half of them ids that named other shows
    before. `living` sees the scan and follows the shows by title and year; its write is
    measured. `bedroom` sees no scan and must catch up from the shared rows."""
    report = RebuildReport(shows=shows)
    clock = FakeClock()
    library = make_library(shows, seasons=1, per_season=3)
    random_ids = tuple(range(1, shows + 1, 7))
    report.random_shows = len(random_ids)
    settings = Settings(random_order_shows=random_ids)
    with world(server, ["living", "bedroom"], library, seed, inline=True, clock=clock, settings=settings) as w:
        living, bedroom = w.devices
        loop = w.loop(during=lambda: clock.advance(0.05))
        loop.until(w.settled, 120, "population")
        for tvshowid in range(1, shows + 1, 3):
            w.viewer.change(living, tvshowid=tvshowid, action="watch", step=False)
        living.step_engine()
        loop.until(w.settled, 60, "changes written")
        picked = {living.engine.states[i].show.title: (living.engine.states[i].next.season,
                                                       living.engine.states[i].next.episode) for i in random_ids}
        shift = shows // 2
        rebuild(library, shift_shows=shift, shift_episodes=10 ** 8)
        mark, logged = len(living.ops), len(w.logs.records)
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
        new_random = tuple(i + shift for i in random_ids)
        _, rows = audit(w.observer, w.log, w.devices, None, report.audit, w.library, new_random)
        live = {i: r.title for i, r in rows.items() if not r.deleted}
        report.picks_kept = sum(1 for i in new_random if (rows[i].season, rows[i].episode) == picked[rows[i].title])
        shared_setting = w.observer.meta().get("setting.random_order_shows")
        report.setting_rekeyed = (shared_setting == format_show_ids(new_random)
                                  and living.settings.random_order_shows == bedroom.settings.random_order_shows
                                  == new_random)
        followed = [r.getMessage() for r in w.logs.records[logged:]
                    if r.name == "EasyTV.engine" and "Library rebuilt" in r.getMessage()]
        report.followed = int(followed[0].split()[2]) if followed else 0
        report.live_match = live == {i: s["title"] for i, s in library.shows.items()}
        report.tombstones = sum(1 for r in rows.values() if r.deleted)
    return report
