"""The event clock shared by all devices: the database server's."""

import time
from typing import Callable


class ServerClock:
    """Seconds since the epoch on the shared database server's clock: the local clock plus an
    offset measured at each connect (SELECT UNIX_TIMESTAMP(NOW(6))). Every device stamps its
    events on this clock, so the conflict rule holds even when a device's own clock is wrong
    (say a Raspberry Pi that has not synchronised its clock yet)."""

    def __init__(self, local: Callable[[], float] = time.time) -> None:
        self.local = local
        self.offset = 0.0
        self.measured = False

    def measure(self, server_time: Callable[[], float]) -> float:
        """The offset (seconds, server minus local) from one `server_time()` round trip, taken
        against the midpoint of the local readings around it, so the error is at most half the
        round trip (the NTP-style estimate). Does not change `offset`; raises what
        `server_time` raises."""
        before = self.local()
        server = server_time()
        after = self.local()
        return server - (before + after) / 2

    def __call__(self) -> float:
        return self.local() + self.offset
