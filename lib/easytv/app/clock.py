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

    def __call__(self) -> float:
        return self.local() + self.offset
