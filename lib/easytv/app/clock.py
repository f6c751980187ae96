"""The event clock shared by all devices: the database server's."""

import dataclasses
import time
from typing import Callable, Dict, List, Tuple

from easytv.core.sync import SharedShow

MAX_AHEAD_SECONDS = 60.0
"""An event time is never written more than this far ahead of the server's clock (seconds)."""
NOISE_SECONDS = 1.0
"""A re-measurement that moves the clock back by less than this is measurement noise (half a
round trip, a thread waiting for the GIL): the clock then holds still instead of going back, so
a later event on this device never gets an earlier time. A larger step back is the server's
clock being set back, and is followed."""


class ServerClock:
    """Seconds since the epoch on the shared database server's clock.

    The server's offset is kept against a MONOTONIC clock (`server - monotonic`), measured at
    each connect and re-measured from the server time every head query carries (no extra round
    trip), so a step of this device's wall clock after connect (NTP after boot on a Raspberry Pi,
    a manual change, daylight saving) never moves an event time. Before the first measurement
    the device's wall clock (`local`) is all there is; `measured` tells which one is in use.
    Every device stamps its events on this clock, so the conflict rule holds even when a
    device's own clock is wrong (README, "Multi-instance sync", "Newer wins").
    """

    def __init__(self, local: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.local = local
        self.monotonic = monotonic
        self.offset = 0.0
        """Server time minus monotonic time (seconds), valid once `measured`."""
        self.measured = False
        self._last = 0.0
        self.first_shift = 0.0
        """How far (seconds) the first measurement moved the clock off the wall clock that
        earlier event times were stamped with (they are shifted by as much)."""

    def measure(self, server_time: Callable[[], float]) -> float:
        """The offset (seconds, server minus monotonic) from one `server_time()` round trip,
        taken against the midpoint of the monotonic readings around it, so the error is at most
        half the round trip (the NTP-style estimate). Does not change `offset`; raises what
        `server_time` raises."""
        before = self.monotonic()
        server = server_time()
        return self.offset_from(server, before, self.monotonic())

    @staticmethod
    def offset_from(server: float, before: float, after: float) -> float:
        """The offset from a server reading taken between monotonic `before` and `after`."""
        return server - (before + after) / 2

    def adopt(self, offset: float) -> float:
        """Use `offset` from now on; returns how far (seconds) the clock moved at this moment
        (for the first measurement: server estimate minus the wall clock the earlier event
        times were stamped with)."""
        now = self.monotonic()
        first = not self.measured
        before = self.local() if first else self()
        self.offset = offset
        self.measured = True
        moved = now + offset - before
        if first:
            self.first_shift = moved
        if moved < -NOISE_SECONDS:
            self._last = 0.0  # the server's clock was set back: follow it
        return moved

    def latest(self) -> float:
        """The latest event time that may be written now: the server's estimate plus a minute."""
        return self() + MAX_AHEAD_SECONDS

    def __call__(self) -> float:
        if not self.measured:
            return self.local()
        self._last = max(self._last, self.monotonic() + self.offset)
        return self._last


def clamp_ahead(rows: List[SharedShow], clock: ServerClock) -> Tuple[List[SharedShow], Dict[int, float]]:
    """`rows` with every event time more than `MAX_AHEAD_SECONDS` ahead of `clock` set to the
    clock's time now (a time stamped before a wall-clock step, or a queued row of a run on a
    wrong clock), and {tvshowid: new time} of the rows changed."""
    latest = clock.latest()
    if all(r.event_time <= latest for r in rows):
        return rows, {}
    now = clock()
    fixed = {r.tvshowid: now for r in rows if r.event_time > latest}
    return [dataclasses.replace(r, event_time=now) if r.tvshowid in fixed else r for r in rows], fixed
